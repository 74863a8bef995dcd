"""`dxhire ask` (one question) and `dxhire chat` (interactive, streaming, with memory): thin layers over
`app.answer`. Errors are one line (Japanese, then English) with exit code 1 (2 for an empty question)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Annotated, Any

import typer

from app.answer.memory import ConversationMemory
from app.answer.question import QuestionError, prepare_question
from app.cli.common import fail, load_settings, print_json
from app.config import Settings
from app.flags import visible as visible_flags
from app.models.registry import LLMChoice, resolve
from app.schemas import Answer

LLMOption = Annotated[
    LLMChoice | None, typer.Option("--llm", help="LLM backend (default: DXHIRE_LLM_BACKEND)", case_sensitive=False)
]


def answer_json(answer: Answer) -> dict[str, Any]:
    """The exact `--json` shape of the issue (no scores or hits; those stay in the core objects)."""
    return {
        "answer": answer.answer,
        "abstained": answer.abstained,
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
        where = f"p.{c.page}" if c.page is not None else c.heading
        lines.append(f"  [{c.n}] {c.title}（{c.kind_label}）{'／' + where if where else ''} — {c.source}")
    return "出典 / sources:\n" + "\n".join(lines) if lines else ""


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


def _print_stream(items: Iterator[str | Answer]) -> Answer:
    """Echo text pieces as they come; print the corrected text if verification changed it, then sources."""
    streamed: list[str] = []
    final: Answer | None = None
    for item in items:
        if isinstance(item, Answer):
            final = item
        else:
            streamed.append(item)
            sys.stdout.write(item)
            sys.stdout.flush()
    sys.stdout.write("\n")
    assert final is not None
    if "".join(streamed).strip() != final.answer.strip():
        typer.echo("\n（引用番号を検証して修正しました / citations verified and corrected）\n" + final.answer)
    sources = format_sources(final)
    if sources:
        typer.echo(sources)
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
