"""`dxhire ask` (one question) and `dxhire chat` (interactive, streaming, with memory): thin layers over
`app.answer`. Errors are one line (Japanese, then English) with exit code 1 (2 for an empty question)."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.answer.memory import ConversationMemory
from app.answer.question import QuestionError, prepare_question
from app.cli.common import fail, load_settings, print_json
from app.config import Settings
from app.flags import visible as visible_flags
from app.models.registry import LLMChoice, resolve
from app.schemas import Answer, Citation, Evidence, EvidenceReady

if TYPE_CHECKING:
    from app.models.limiter import QueueStatus

LLMOption = Annotated[
    LLMChoice | None, typer.Option("--llm", help="LLM backend (default: DXHIRE_LLM_BACKEND)", case_sensitive=False)
]


EVIDENCE_HEADER_JA = "資料の該当箇所"
SYNTHESIS_HEADER_JA = "まとめ"
CHECKED_HEADER_JA = "（根拠と照らして確認したまとめ）"


def answer_json(answer: Answer) -> dict[str, Any]:
    """The exact `--json` shape of the issue (no scores or hits; those stay in the core objects). `evidence[i].span`
    is `[start, end)` inside the text of the citation with the same `n`."""
    return {
        "answer": answer.answer,
        "abstained": answer.abstained,
        "evidence": [
            {"n": e.n, "text": e.text, "source": e.source, "page": e.page, "heading": e.heading,
             "span": [e.span[0], e.span[1]]}
            for e in answer.evidence
        ],
        "citations": [
            {"n": c.n, "title": c.title, "kind": c.kind, "source": c.source, "page": c.page, "heading": c.heading,
             "text": c.text}
            for c in answer.citations
        ],
        "flags": list(answer.flags),
        "timings": dict(answer.timings),
    }


def format_sources(answer: Answer) -> str:
    lines = []
    for c in answer.citations:
        where = _where(c)
        lines.append(f"  [{c.n}] {c.title}（{c.kind_label}）{'／' + where if where else ''} — {c.source}")
    return "出典 / sources:\n" + "\n".join(lines) if lines else ""


def _where(c: Citation) -> str:
    """`p.12` for a PDF page, else the heading path without its first part when that only repeats the title
    (「地域活性化起業人(企業派遣型…) > 使うときの注意」 → 「使うときの注意」)."""
    if c.page is not None:
        return f"p.{c.page}"
    parts = [p.strip() for p in c.heading.split(" > ") if p.strip()]
    if parts and unicodedata.normalize("NFKC", parts[0]) == unicodedata.normalize("NFKC", c.title):
        parts = parts[1:]
    return " > ".join(parts)


def format_evidence(evidence: list[Evidence], citations: list[Citation]) -> str:
    """「資料の該当箇所」: each excerpt verbatim with its marker and where it comes from, before any model text."""
    if not evidence:
        return ""
    by_n = {c.n: c for c in citations}
    lines = [f"{EVIDENCE_HEADER_JA}:"]
    for e in evidence:
        c = by_n.get(e.n)
        if c is None:
            origin = f" — {e.source}"
        else:
            where = _where(c)
            origin = f" — {c.title}（{c.kind_label}）" + (f"／{where}" if where else "")
        lines.append(f"  [{e.n}] {e.text}{origin}")
    return "\n".join(lines)


def _settings(llm: LLMChoice | None) -> Settings:
    settings = load_settings()
    if llm is not None:
        settings = settings.model_copy(update={"llm_backend": resolve(llm.value).name})
    return settings


def _pipeline(settings: Settings):
    from app.answer.pipeline import build_answer_pipeline

    try:
        return build_answer_pipeline(settings)
    except Exception as exc:  # LLMError / StoreError carry a message naming the setting
        fail(_one_line(exc))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text


def _print_stream(items: Iterator[str | QueueStatus | EvidenceReady | Answer]) -> Answer:
    """Print the evidence as soon as it is selected, then stream the model's synthesis under 「まとめ」; print the
    checked text if the check changed it, then the sources and the flags (Japanese only; codes are in --json).
    A place in line for the model (QueueStatus) goes to stderr, so stdout stays the answer."""
    from app.models.limiter import QueueStatus  # langchain: not imported by `dxhire --help`

    streamed: list[str] = []
    final: Answer | None = None
    evidence_shown = False
    for item in items:
        if isinstance(item, Answer):
            final = item
        elif isinstance(item, EvidenceReady):
            block = format_evidence(item.evidence, item.citations)
            if block:
                typer.echo(block + "\n")
                evidence_shown = True
        elif isinstance(item, QueueStatus):
            typer.echo(item.ja, err=True)
        else:
            if not streamed and evidence_shown:
                typer.echo(f"{SYNTHESIS_HEADER_JA}:")
            streamed.append(item)
            sys.stdout.write(item)
            sys.stdout.flush()
    if streamed:
        sys.stdout.write("\n")
    assert final is not None
    if not evidence_shown and final.evidence:  # a stream without the event (never from the core): still evidence first
        typer.echo(format_evidence(final.evidence, final.citations) + "\n")
        evidence_shown = True
    if "".join(streamed).strip() != final.answer.strip():
        header = CHECKED_HEADER_JA if streamed else (f"{SYNTHESIS_HEADER_JA}:" if evidence_shown else "")
        typer.echo(("\n" if streamed else "") + (header + "\n" if header else "") + final.answer)
    sources = format_sources(final)
    if sources:
        typer.echo("\n" + sources)
    for flag in visible_flags(final.flags):  # Japanese only; the codes are in --json
        typer.echo(f"検証メモ: {flag.ja}")
    return final


def ask(
    question: Annotated[str, typer.Argument(help="質問 / the question")],
    json_out: Annotated[bool, typer.Option("--json", help="JSON を出力 / print JSON")] = False,
    llm: LLMOption = None,
) -> None:
    """資料に基づいて出典付きで答える / answer from the material, with citations."""
    settings = _settings(llm)
    try:  # refuse bad input before loading any model
        prepare_question(question, settings.max_question_chars)
    except QuestionError as exc:
        fail(str(exc), code=2)
    pipeline = _pipeline(settings)
    try:
        if json_out:
            print_json(answer_json(pipeline.ask(question)))
        else:
            _print_stream(pipeline.stream(question))
    except QuestionError as exc:
        fail(str(exc), code=2)
    except Exception as exc:
        fail(_one_line(exc))


def chat(llm: LLMOption = None) -> None:
    """対話モード（ストリーミング、直近の会話を記憶）/ interactive chat with memory. /clear で履歴消去、/exit で終了。"""
    settings = _settings(llm)
    pipeline = _pipeline(settings)
    memory = ConversationMemory(max_turns=settings.memory_turns)
    session = "cli"
    typer.echo("dxhire chat — 質問を入力してください（/clear 履歴消去, /exit 終了）/ type a question (/clear, /exit)")
    while True:
        try:
            line = input("\n質問> ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        command = line.strip().lower()
        if command in {"/exit", "/quit", "exit", "quit"}:
            return
        if command == "/clear":
            memory.clear(session)
            typer.echo("履歴を消去しました / history cleared")
            continue
        if not command:
            continue
        try:
            _print_stream(pipeline.stream_session(memory, session, line))
        except KeyboardInterrupt:
            typer.echo("\n（中断しました / interrupted）")
        except Exception as exc:  # one line, keep the session alive
            typer.echo(f"エラー: {_one_line(exc)}", err=True)


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
    app.command("chat")(chat)
