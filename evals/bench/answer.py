"""Answer latency benchmark: 10 fixed Japanese questions through the real pipeline and the configured model.

Prints per question and in aggregate: retrieval time, time to first token *after retrieval* (the issue's
target: < 3 s with the embedded model), total time, output tokens/s, and the process's peak RSS. "Tokens" are
the streamed chunks, which for llama.cpp-based and OpenAI-compatible backends are one token each.
"""

from __future__ import annotations

import resource
import statistics
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from time import perf_counter

from app.config import PROJECT_ROOT, Settings
from app.schemas import Answer

QUESTIONS = [
    "外部デジタル人材の確保ガイドブックの4つのステップは何ですか？",
    "業務課題の特定では何をすればよいですか？",
    "人材要件を定義するときのポイントは？",
    "外部人材の募集方法にはどのようなものがありますか？",
    "面接では外部人材の何を確認すべきですか？",
    "外部人材を受け入れるときの庁内体制はどう整えますか？",
    "地域活性化起業人とはどんな制度ですか？",
    "任期付職員と会計年度任用職員の違いは？",
    "業務委託と副業・兼業の違いは何ですか？",
    "都道府県は市町村のDX人材確保をどう支援しますか？",
]


@dataclass
class Row:
    question: str
    retrieve_s: float
    evidence_s: float | None
    """Seconds from sending the question to the evidence being on screen (before any model work)."""
    first_token_s: float | None
    generate_s: float
    total_s: float
    tokens: int
    tokens_per_s: float | None
    abstained: bool
    citations: int
    flags: list[str]
    peak_rss_mb: float


def peak_rss_mb() -> float:
    """ru_maxrss is kilobytes on Linux, bytes on macOS."""
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


def run_one(pipeline, question: str) -> tuple[Row, Answer]:
    tokens = 0
    answer: Answer | None = None
    start = perf_counter()
    for item in pipeline.stream(question):
        if isinstance(item, Answer):
            answer = item
        elif isinstance(item, str):
            tokens += 1
    wall = perf_counter() - start
    assert answer is not None
    t = answer.timings
    gen = t.get("generate_s", 0.0)
    first = t.get("first_token_s")
    decode = gen - (first or 0.0)
    row = Row(
        question=question, retrieve_s=t.get("retrieve_s", 0.0), evidence_s=t.get("evidence_s"),
        first_token_s=first, generate_s=gen,
        total_s=round(wall, 3), tokens=tokens,
        tokens_per_s=round((tokens - 1) / decode, 2) if tokens > 1 and decode > 0 else None,
        abstained=answer.abstained, citations=len(answer.citations), flags=answer.flags, peak_rss_mb=round(peak_rss_mb(), 1),
    )
    return row, answer


def summarise(rows: list[Row]) -> dict[str, float | int | None]:
    def stats(values: list[float]) -> dict[str, float | None]:
        if not values:
            return {"p50": None, "mean": None, "max": None}
        return {"p50": round(statistics.median(values), 3), "mean": round(statistics.fmean(values), 3),
                "max": round(max(values), 3)}

    answered = [r for r in rows if not r.abstained]
    return {
        "questions": len(rows),
        "abstained": len(rows) - len(answered),
        "retrieve_s": stats([r.retrieve_s for r in rows]),
        "evidence_s": stats([r.evidence_s for r in answered if r.evidence_s is not None]),
        "first_token_s": stats([r.first_token_s for r in answered if r.first_token_s is not None]),
        "total_s": stats([r.total_s for r in rows]),
        "tokens_per_s": stats([r.tokens_per_s for r in answered if r.tokens_per_s]),
        "peak_rss_mb": max((r.peak_rss_mb for r in rows), default=None),
        "first_token_under_3s": sum(1 for r in answered if r.first_token_s is not None and r.first_token_s < 3.0),
    }


def footprint_mb() -> dict[str, float | None]:
    """This process's memory from /proc: resident now, peak resident (VmHWM), and the parts that are shared file
    mappings (the GGUF is memory-mapped: its pages count in RSS but are the page cache's, shared between processes)."""
    values: dict[str, float | None] = {"rss_mb": None, "peak_rss_mb": round(peak_rss_mb(), 1), "file_rss_mb": None}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssFile"):
                mb = round(int(rest.split()[0]) / 1024, 1)
                values[{"VmRSS": "rss_mb", "VmHWM": "peak_rss_mb", "RssFile": "file_rss_mb"}[key]] = mb
    except OSError:
        pass
    return values


def run_draft(services, echo=print) -> dict:
    """One 募集要項 draft for the example town (what the footprint target counts after the 10 answers)."""
    from app.drafting.profile import load_profile

    profile = load_profile(PROJECT_ROOT / "app" / "examples" / "town-10k.yaml")
    t = perf_counter()
    draft = services.draft("posting", profile)
    seconds = round(perf_counter() - t, 1)
    echo(f"draft posting (town-10k): {seconds} s, {len(draft.sections)} sections, {len(draft.warnings)} warnings")
    return {"kind": "posting", "seconds": seconds, "sections": len(draft.sections)}


def run_benchmark(
    settings: Settings, limit: int | None = None, echo=print, show_answers: bool = False, pipeline=None,
    draft: bool = False, services=None,
) -> dict:
    """Run the fixed questions (and one draft); `pipeline` defaults to the configured one, built the way
    `dxhire serve` builds it (one `Services`: the limited model, the retriever, the web page's components)."""
    t = perf_counter()
    if pipeline is None:
        from app.services import Services
        from app.ui.app import build_app

        services = services or Services(settings)
        pipeline = services.answers
        build_app(services)  # the page's Gradio objects, as in `dxhire serve` (not launched)
    # Load the embedding model and the LLM outside the timings (both load lazily on first use).
    pipeline.retriever.search("ウォームアップ", k=1)
    from langchain_core.messages import HumanMessage

    pipeline.llm.invoke([HumanMessage(content="こんにちは")], max_tokens=1)
    load_s = round(perf_counter() - t, 2)
    echo(f"backend={settings.llm_backend} load_s={load_s} top_k={settings.top_k} "
         f"evidence_items={settings.evidence_items} evidence_chars={settings.evidence_chars} "
         f"synthesis_evidence_chars={settings.synthesis_evidence_chars} "
         f"synthesis_sentences={settings.synthesis_sentences}")
    echo(f"{'#':>2} {'retr_s':>6} {'evid_s':>6} {'ttft_s':>6} {'total_s':>7} {'tok':>4} {'tok/s':>6} {'rss_MB':>7} cit  question")
    rows: list[Row] = []
    for i, question in enumerate(QUESTIONS[:limit] if limit else QUESTIONS, 1):
        row, answer = run_one(pipeline, question)
        rows.append(row)
        ttft = f"{row.first_token_s:.2f}" if row.first_token_s is not None else "-"
        tps = f"{row.tokens_per_s:.1f}" if row.tokens_per_s else "-"
        evid = f"{row.evidence_s:.2f}" if row.evidence_s is not None else "-"
        echo(f"{i:>2} {row.retrieve_s:>6.2f} {evid:>6} {ttft:>6} {row.total_s:>7.2f} {row.tokens:>4} {tps:>6} "
             f"{row.peak_rss_mb:>7.0f} {row.citations:>3}  {question}{'  (abstained)' if row.abstained else ''}")
        if show_answers:
            echo("    " + answer.reader_text().replace("\n", "\n    "))
            for c in answer.citations:
                echo(f"    [{c.n}] {c.title}／{c.kind}／{c.heading or c.page or ''}")
            if answer.flags:
                echo(f"    flags: {', '.join(answer.flags)}")
    summary = summarise(rows)
    summary["load_s"] = load_s
    result: dict = {"summary": summary, "rows": [asdict(r) for r in rows]}
    if draft and services is not None:
        result["draft"] = run_draft(services, echo)
    summary["footprint"] = footprint_mb()
    summary["embed"] = f"{settings.embed_backend}:{settings.embed_model}"
    echo(f"summary: {summary}")
    foot = summary["footprint"]
    echo(f"peak RSS {foot['peak_rss_mb']} MB (now {foot['rss_mb']} MB, of which file-backed {foot['file_rss_mb']} MB) "
         f"after {len(rows)} answers{' and one draft' if 'draft' in result else ''}; target < 3072 MB")
    return result
