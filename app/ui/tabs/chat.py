"""The チャット tab: a question box, the streamed answer, its sources and the feedback buttons.

Binds components to `services.answers` and `services.feedback`; the answer, its checks and the memory are the
core's. A model error is shown in the chat rather than raised, so the page never hangs on an exception.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from app.answer.question import QuestionError
from app.models.limiter import QueueStatus
from app.schemas import Answer, EvidenceReady
from app.services import Services
from app.ui import notify, queueing, render
from app.ui.session import session_key

RATINGS = {"役に立った": "helpful", "根拠が違う": "wrong_source", "誤り": "incorrect"}
EMPTY_QUESTION_JA = "質問を入力してください。"


def question_error(question: str | None) -> str | None:
    """The message for a question that must not reach the pipeline (nothing typed), else None."""
    if not (question or "").strip():
        return EMPTY_QUESTION_JA
    return None


def make_chat_handler(services: Services) -> Callable[..., Iterator[tuple]]:
    """The send handler. Outputs: chatbot, sources panel, turns, last answer (for feedback), question box.

    Follow-ups go through the core's memory and rewrite (`answers.stream_session` with `services.memory`, keyed by
    the browser session), exactly as `dxhire chat`: the handler keeps no history of its own."""

    def respond(question: str, turns: list, request: gr.Request | None = None):
        """Show the evidence at once (bubble and sources panel), stream the synthesis under it, then swap in the
        checked answer."""
        problem = question_error(question)
        if problem:
            notify.warn(problem)
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        question = question.strip()
        turns = [tuple(t) for t in turns or []]

        def bubble(markdown: str) -> list[dict[str, str]]:
            return render.chat_messages([*turns, (question, markdown)])

        skip4 = (gr.skip(),) * 4
        yield bubble("…"), render.SOURCES_WORKING, gr.skip(), gr.skip(), ""
        final: Answer | None = None
        stream: Iterator[Any] | None = None
        evidence, shown = "", ""
        try:
            stream = services.answers.stream_session(services.memory, session_key(request), question,
                                                     queue_events=True)
            for piece in stream:
                if isinstance(piece, Answer):
                    final = piece
                elif isinstance(piece, EvidenceReady):  # before any model work: the excerpts and their sources
                    evidence = render.evidence_markdown(piece.evidence)
                    yield (bubble(render.bubble_markdown(evidence, render.SYNTHESIS_WORKING_JA + " ▍")),
                           render.citations_markdown(piece.citations), *skip4[:3])
                elif isinstance(piece, QueueStatus):  # waiting for a model slot: the place in line, in Japanese
                    yield (bubble(render.bubble_markdown(evidence, render.escape_md(piece.ja))), *skip4)
                else:
                    shown += piece
                    yield (bubble(render.bubble_markdown(evidence, render.streaming_markdown(shown))), *skip4)
        except QuestionError as exc:  # empty after normalisation
            notify.warn(str(exc))
            yield render.chat_messages(turns), render.SOURCES_PLACEHOLDER, gr.skip(), gr.skip(), question
            return
        except Exception as exc:  # noqa: BLE001 — an endpoint down, a model error: say so, keep the page usable
            message = f"エラーのため回答できませんでした: {exc}"
            turns = [*turns, (question, message)]
            yield render.chat_messages(turns), f"{render.SOURCES_HEADER}\n\n{render.NO_SOURCES_JA}", turns, None, \
                gr.skip()
            return
        finally:
            if stream is not None:
                stream.close()  # a closed browser stops the generator here: stop the model too
        if final is None:
            return
        turns = [*turns, (question, render.answer_markdown(final))]
        payload = {"question": question, "answer": final.model_dump(mode="json")}
        yield render.chat_messages(turns), render.sources_markdown(final), turns, payload, gr.skip()

    return respond


def make_reset_handler(services: Services) -> Callable[..., tuple]:
    """会話をリセット / the chatbot's trash icon: empty the screen and forget this session's turns in the core's
    memory, so the next question is not read as a follow-up."""

    def reset(request: gr.Request | None = None) -> tuple:
        services.memory.clear(session_key(request))
        return [], render.SOURCES_PLACEHOLDER, [], None, ""

    return reset


def make_feedback_handler(services: Services, rating_label: str) -> Callable[[dict | None, str], tuple[str, str]]:
    rating = RATINGS[rating_label]

    def submit(last: dict | None, comment: str) -> tuple[str, str]:
        if not last:
            notify.warn("評価する回答がありません。先に質問してください。")
            return gr.skip(), gr.skip()
        answer = Answer.model_validate(last["answer"])
        record_id = services.feedback.add(last["question"], answer, rating, comment or "")
        return f"「{rating_label}」として保存しました（#{record_id}）。ありがとうございます。", ""

    return submit


def make_feedback_export(services: Services) -> Callable[[], str | None]:
    def export() -> str | None:
        out = Path(tempfile.mkdtemp(prefix="dxhire-feedback-")) / "feedback-eval-cases.jsonl"
        count = services.feedback.export_eval_cases(out)
        if count == 0:
            notify.warn("まだフィードバックがありません。")
            return None
        notify.info(f"{count}件を評価ケース(JSONL)として書き出しました。")
        return str(out)

    return export


@dataclass
class ChatTab:
    """What other tabs may use: the question box, and `ask_after(event)` to answer whatever the box holds once
    `event` has finished (the start page's example questions fill the box, switch tabs, then ask)."""

    question: gr.Textbox
    ask_after: Callable[[Any], Any]


def build(services: Services) -> ChatTab:
    with gr.Row():
        with gr.Column(scale=3):
            # evidence + まとめ make a taller bubble than a plain answer: the chat takes the screen's height
            chatbot = gr.Chatbot(label="会話", height="58vh", elem_id="dx-chat", feedback_options=None,
                                 buttons=["copy"])
            question = gr.Textbox(label="質問", placeholder="例: 地域活性化起業人の副業型の要件は？", elem_id="dx-q",
                                  max_length=services.settings.max_question_chars * 2)
            with gr.Row():
                ask = gr.Button("送信", variant="primary", elem_id="dx-ask")
                clear = gr.Button("会話をリセット", elem_id="dx-clear")
            with gr.Accordion("この回答を評価する", open=False, elem_id="dx-feedback"):
                comment = gr.Textbox(label="コメント（任意）", placeholder="どこが違うか、正しい根拠は何か など")
                with gr.Row():
                    rating_buttons = {label: gr.Button(label, size="sm", elem_id=f"dx-fb-{value}")
                                      for label, value in RATINGS.items()}
                feedback_status = gr.Markdown(elem_id="dx-fb-status")
                with gr.Row():
                    export_btn = gr.Button("フィードバックを評価ケース(JSONL)で書き出す", size="sm")
                    export_file = gr.File(label="評価ケース", interactive=False, visible=False)
        with gr.Column(scale=2):
            sources = gr.Markdown(render.SOURCES_PLACEHOLDER, elem_id="dx-sources", elem_classes=["dx-sources"])
    turns = gr.State([])
    last_answer = gr.State(None)
    respond = make_chat_handler(services)
    outputs = [chatbot, sources, turns, last_answer, question]
    for trigger in (ask.click, question.submit):
        trigger(respond, [question, turns], outputs, api_visibility="private", trigger_mode="once",
                **queueing.answer_event(services.settings))

    def ask_after(event: Any) -> Any:
        return event.then(respond, [question, turns], outputs, api_visibility="private",
                          **queueing.answer_event(services.settings))
    reset_outputs = [chatbot, sources, turns, last_answer, feedback_status]
    for trigger in (clear.click, chatbot.clear):  # the chatbot's own trash icon must forget the memory too
        trigger(make_reset_handler(services), None, reset_outputs, api_visibility="private")
    for label, button in rating_buttons.items():
        button.click(make_feedback_handler(services, label), [last_answer, comment], [feedback_status, comment],
                     api_visibility="private")
    export_feedback = make_feedback_export(services)

    def feedback_export() -> gr.File:
        """Every rated answer as eval cases (JSONL, reference facts left for a reviewer)."""
        path = export_feedback()
        return gr.File(value=path, visible=path is not None)

    export_btn.click(feedback_export, None, export_file, api_name="feedback_export")
    return ChatTab(question=question, ask_after=ask_after)
