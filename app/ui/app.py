"""The Gradio web app: チャット, 起案, 資料, 設定. A thin layer over `Services`; no retrieval or drafting here.

Every handler turns a user mistake into a `gr.Warning`/`gr.Error` with a Japanese message, so the page never
hangs on an exception. API endpoints (`/ask`, `/draft`, `/ingest`, `/documents`, `/feedback_export`) mirror the
UI actions for `gradio_client` and scripts.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gradio as gr

from app.schemas import Answer, Draft
from app.services import Services
from app.ui import render
from app.ui.profile_form import example_profiles, profile_components, profile_from_form, profile_to_form
from app.ui.uploads import ALLOWED_SUFFIXES, check_upload

DRAFT_TABS: list[tuple[str, str]] = [("deepdive", "業務課題の深掘り"), ("posting", "募集要項"), ("interview", "面接")]
NEXT_KIND = {"deepdive": "posting", "posting": "interview"}
RATINGS = {"役に立った": "helpful", "根拠が違う": "wrong_source", "誤り": "incorrect"}
CSS = """
.dx-sources {max-height: 75vh; overflow-y: auto;}
.dx-preview {max-height: 70vh; overflow-y: auto; border: 1px solid var(--border-color-primary); padding: 0 12px;}
"""
_STEP = re.compile(r"^\s*(\d+)\s*/\s*(\d+)")
LLM_CONCURRENCY = "llm"  # one model call at a time: the embedded model has 2 cores and is not re-entrant


class RunGuard:
    """Refuses a second run of the same action for the same session while the first is still going.

    The button is also disabled and Gradio's `trigger_mode="once"` drops clicks while pending; this guard is the
    server-side backstop (two tabs of the same session, a scripted double POST).
    """

    def __init__(self) -> None:
        self._running: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, session: str, action: str) -> Iterator[bool]:
        key = (session, action)
        with self._lock:
            acquired = key not in self._running
            if acquired:
                self._running.add(key)
        try:
            yield acquired
        finally:
            if acquired:
                with self._lock:
                    self._running.discard(key)


def _session(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or "api"


# --- chat ---------------------------------------------------------------------------------------------


def _question_error(question: str | None) -> str | None:
    if not (question or "").strip():
        return "質問を入力してください。/ Please enter a question."
    return None


def make_chat_handler(services: Services) -> Callable[..., Iterator[tuple]]:
    def respond(question: str, turns: list, history: list):
        """Stream the answer into the chat, then swap in the verified answer and fill the sources panel."""
        problem = _question_error(question)
        if problem:
            gr.Warning(problem)
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        question = question.strip()
        turns = [tuple(t) for t in turns or []]
        shown = ""
        yield render.chat_messages([*turns, (question, "…")]), render.SOURCES_WORKING, gr.skip(), gr.skip(), \
            gr.skip(), ""
        final: Answer | None = None
        stream: Iterator[str | Answer] | None = None
        try:
            stream = services.answers.stream(question, history=[tuple(t) for t in history or []])
            for piece in stream:
                if isinstance(piece, Answer):
                    final = piece
                    continue
                shown += piece
                yield render.chat_messages([*turns, (question, render.streaming_markdown(shown))]), gr.skip(), \
                    gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except ValueError as exc:  # QuestionError: empty after normalisation
            gr.Warning(str(exc))
            yield render.chat_messages(turns), render.SOURCES_PLACEHOLDER, gr.skip(), gr.skip(), gr.skip(), question
            return
        except Exception as exc:  # noqa: BLE001 — an endpoint down, a model error: say so, keep the page usable
            message = f"エラーのため回答できませんでした: {exc}"
            turns = [*turns, (question, message)]
            yield render.chat_messages(turns), f"{render.SOURCES_HEADER}\n\n{render.NO_SOURCES_JA}", turns, \
                gr.skip(), None, gr.skip()
            return
        finally:
            if stream is not None:
                stream.close()  # a closed browser stops the generator here: stop the model too
        if final is None:
            return
        turns = [*turns, (question, render.answer_markdown(final))]
        history = [*(history or []), [question, final.answer]][-max(services.settings.memory_turns, 1):]
        payload = {"question": question, "answer": final.model_dump(mode="json")}
        yield render.chat_messages(turns), render.sources_markdown(final), turns, history, payload, gr.skip()

    return respond


def make_feedback_handler(services: Services, rating_label: str) -> Callable[[dict | None, str], tuple[str, str]]:
    rating = RATINGS[rating_label]

    def submit(last: dict | None, comment: str) -> tuple[str, str]:
        if not last:
            gr.Warning("評価する回答がありません。先に質問してください。/ Ask a question first.")
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
            gr.Warning("まだフィードバックがありません。/ No feedback recorded yet.")
            return None
        gr.Info(f"{count}件を評価ケース(JSONL)として書き出しました。")
        return str(out)

    return export


# --- drafting -----------------------------------------------------------------------------------------


def make_draft_handler(services: Services, kind: str, names: list[str], guard: RunGuard):
    def generate(seed_json: str | None, minutes: float | None, values: list[Any], request: gr.Request | None,
                 progress: Callable[..., Any]):
        from app.drafting.export import to_markdown

        with guard.hold(_session(request), f"draft-{kind}") as acquired:
            if not acquired:
                gr.Warning("起案中です。完了までお待ちください。/ A draft is already being generated.")
                return (gr.skip(),) * 6
            profile = profile_from_form(names, values)
            seed = Draft.model_validate_json(seed_json) if seed_json else None
            progress(0, desc="根拠を検索しています…")
            steps: list[str] = []

            def report(message: str) -> None:
                steps.append(message)
                step = _STEP.match(message)  # the drafting core reports "i/n 「節」を起案しています…"
                done = (int(step.group(1)) - 1) / max(int(step.group(2)), 1) if step else len(steps) / 12
                progress(min(0.95, done), desc=message)

            try:
                draft = services.draft(kind, profile, seed=seed, interview_minutes=int(minutes or 60),
                                       progress=report)
            except ValueError as exc:  # DraftError: wrong seed, bad interview length — names the input
                raise gr.Error(str(exc)) from exc
            except Exception as exc:  # noqa: BLE001 — the model or store failed: one message, the page stays usable
                raise gr.Error(f"起案できませんでした / drafting failed: {exc}") from exc
            text = to_markdown(draft)
            return (text, text, render.draft_warnings_markdown(draft), render.draft_sources_markdown(draft),
                    draft.model_dump_json(), render.draft_status_markdown(draft))

    return generate


def _edited_draft(markdown_text: str, draft_json: str | None) -> Draft:
    from app.drafting.export import draft_from_markdown

    if not draft_json:
        raise gr.Error("先に起案してください。/ Generate a draft first.")
    original = Draft.model_validate_json(draft_json)
    return draft_from_markdown(markdown_text or "", original)  # the user's edits win, citations are kept


def make_export_handler(fmt: str) -> Callable[[str, str | None], str]:
    def export(markdown_text: str, draft_json: str | None) -> str:
        from app.drafting.export import to_docx, to_markdown

        edited = _edited_draft(markdown_text, draft_json)
        out_dir = Path(tempfile.mkdtemp(prefix="dxhire-export-"))
        path = out_dir / f"{edited.kind}.{fmt}"
        if fmt == "md":
            path.write_text(to_markdown(edited), encoding="utf-8")
        else:
            to_docx(edited, path)
        return str(path)

    return export


# --- documents ----------------------------------------------------------------------------------------


def ingest_uploads(services: Services, files: list[str] | None,
                   progress: Callable[[int, int, str], Any] | None = None) -> dict[str, Any]:
    """Gate each upload, copy the accepted ones under DXHIRE_HOME/uploads, ingest them, report per file.

    Refused files never reach the uploads folder or the index. When the pipeline rejects a file, its copy is
    removed again and a previously ingested file of the same name is put back, so the uploads folder only ever
    holds what the index holds (a rebuild re-reads those files).
    """
    settings = services.settings
    refused: list[dict[str, Any]] = []
    kept: dict[Path, Path | None] = {}  # upload copy -> the earlier file of the same name it replaced
    upload_dir = settings.home / "uploads"
    previous_dir = upload_dir / ".previous"  # hidden: a folder ingest never walks
    for f in files or []:
        src = Path(f)
        problem = check_upload(src, settings.max_file_mb)
        if problem:
            refused.append(_file_entry(src.name, "rejected", problem))
            continue
        upload_dir.mkdir(parents=True, exist_ok=True)
        dest = upload_dir / src.name
        backup = None
        if dest.exists():
            previous_dir.mkdir(exist_ok=True)
            backup = previous_dir / src.name
            shutil.move(dest, backup)
        shutil.copyfile(src, dest)
        kept[dest] = backup
    report: dict[str, Any] = {"files": [], "totals": {}}
    failed: set[Path] = set()
    if kept:
        try:
            report = services.ingest(list(kept), progress=progress).model_dump(mode="json")
        except Exception as exc:  # noqa: BLE001 — busy, store down: every file gets the message, nothing changes
            message = _ingest_failure_message(exc)
            report = {"files": [_file_entry(p.name, "error", message) for p in kept], "totals": {}}
            failed = set(kept)
        for entry in report.get("files", []):
            if entry.get("status") in {"rejected", "error"}:
                failed.add(upload_dir / Path(entry.get("path", "")).name)
        for dest, backup in kept.items():
            if dest in failed:
                dest.unlink(missing_ok=True)
                if backup is not None:
                    shutil.move(backup, dest)
            elif backup is not None:
                backup.unlink(missing_ok=True)
    report["files"] = refused + list(report.get("files", []))
    return report


def _file_entry(name: str, status: str, error: str) -> dict[str, Any]:
    return {"path": name, "status": status, "pages": None, "chunks": 0, "image_only_pages": [], "warnings": [],
            "error": error}


def _ingest_failure_message(exc: Exception) -> str:
    if type(exc).__name__ == "IngestBusyError":
        return "別の取り込みが実行中です。終わってからもう一度お試しください / another ingest is running, try again later"
    return f"取り込みに失敗しました（索引は以前のまま） / ingest failed, the index is unchanged: {exc}"


def make_ingest_handler(services: Services):
    def ingest(files: list[str] | None, progress=gr.Progress()):  # noqa: B008 — how Gradio injects progress
        if not files:
            gr.Warning("ファイルを選んでください。/ Choose files to upload.")
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        def step(done: int, total: int, name: str) -> None:
            progress(done / max(total, 1), desc=f"取り込み中 {done}/{total}: {Path(name).name}（検索は使えます）")

        progress(0, desc="取り込みを始めます…（検索・回答はこれまでの索引で動き続けます）")
        report = ingest_uploads(services, files, step)
        for entry in report["files"]:
            if entry.get("status") in {"rejected", "error"}:
                gr.Warning(entry.get("error") or f"{entry.get('path')}: 取り込めませんでした")
        return (render.ingest_rows(report), render.document_rows(services.documents()),
                render.ingest_summary(report), None)

    return ingest


# --- the page -----------------------------------------------------------------------------------------


def _chat_tab(services: Services) -> None:
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label="会話", height=460, elem_id="dx-chat", feedback_options=None,
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
    history = gr.State([])
    last_answer = gr.State(None)
    respond = make_chat_handler(services)
    outputs = [chatbot, sources, turns, history, last_answer, question]
    for trigger in (ask.click, question.submit):
        trigger(respond, [question, turns, history], outputs, api_visibility="private",
                concurrency_limit=1, concurrency_id=LLM_CONCURRENCY, trigger_mode="once")
    reset_outputs = [chatbot, sources, turns, history, last_answer, feedback_status]
    for trigger in (clear.click, chatbot.clear):  # the chatbot's own trash icon must forget the memory too
        trigger(lambda: ([], render.SOURCES_PLACEHOLDER, [], [], None, ""), None, reset_outputs,
                api_visibility="private")
    for label, button in rating_buttons.items():
        button.click(make_feedback_handler(services, label), [last_answer, comment], [feedback_status, comment],
                     api_visibility="private")
    export_feedback = make_feedback_export(services)

    def feedback_export() -> gr.File:
        """Every rated answer as eval cases (JSONL, reference facts left for a reviewer)."""
        path = export_feedback()
        return gr.File(value=path, visible=path is not None)

    export_btn.click(feedback_export, None, export_file, api_name="feedback_export")


def _draft_tab(services: Services, guard: RunGuard) -> None:
    gr.Markdown("自治体のプロファイルを入力してください。空欄は推測せず「要確認」として扱います。"
                "生成された文章は、必ず各節の根拠と検証の指摘を確認してから使ってください。")
    try:
        form = profile_components()
    except ImportError as exc:  # a partial install without the drafting module still serves the chat
        gr.Markdown(f"⚠️ 起案機能を読み込めません / drafting is unavailable: {exc}")
        return
    examples = example_profiles()
    example = gr.Dropdown(list(examples), label="例のプロファイルを読み込む", value=None, elem_id="dx-example")
    with gr.Accordion("自治体プロファイル", open=True, elem_id="dx-profile"):
        fields = list(form.values())
        half = (len(fields) + 1) // 2
        with gr.Row():
            for column in (fields[:half], fields[half:]):
                with gr.Column():
                    for component in column:
                        component.render()
    names = list(form)
    form_inputs = list(form.values())

    def load_example(name: str | None):
        if not name:
            return [gr.skip()] * len(names)
        from app.drafting.profile import ProfileError, load_profile

        try:
            return profile_to_form(load_profile(examples[name]), names)
        except ProfileError as exc:
            raise gr.Error(f"例のプロファイルを読めません / cannot load the example: {exc}") from exc

    example.change(load_example, example, form_inputs, api_visibility="private")
    seeds = {kind: gr.State(None) for kind, _ in DRAFT_TABS}  # a draft sent on becomes the next tab's seed
    with gr.Tabs(elem_id="dx-draft-tabs") as draft_tabs:
        for kind, label in DRAFT_TABS:
            with gr.Tab(label, id=kind, elem_id=f"dx-tab-{kind}"):
                _draft_kind_panel(services, guard, kind, label, seeds, draft_tabs, names, form_inputs)


def _draft_kind_panel(services: Services, guard: RunGuard, kind: str, label: str, seeds: dict[str, gr.State],
                      draft_tabs: gr.Tabs, names: list[str], form_inputs: list[gr.components.Component]) -> None:
    seed = seeds[kind]
    seed_note = gr.Markdown("")
    minutes = gr.Number(60, label="面接時間（分）", precision=0, minimum=10, maximum=240,
                        visible=kind == "interview")
    generate = gr.Button(f"{label}を起案", variant="primary", elem_id=f"dx-gen-{kind}")
    status = gr.Markdown(elem_id=f"dx-status-{kind}")
    with gr.Row():
        with gr.Column(scale=3), gr.Tabs():
            with gr.Tab("プレビュー"):
                preview = gr.Markdown(elem_id=f"dx-preview-{kind}", elem_classes=["dx-preview"])
            with gr.Tab("編集"):
                body = gr.Textbox(label="下書き（Markdown、編集できます）", lines=24, interactive=True,
                                  elem_id=f"dx-draft-{kind}")
        with gr.Column(scale=2):
            warnings = gr.Markdown(elem_id=f"dx-warnings-{kind}")
            draft_sources = gr.Markdown(elem_id=f"dx-sources-{kind}", elem_classes=["dx-sources"])
    draft_state = gr.State(None)
    with gr.Row():
        md_btn = gr.Button("Markdownで保存 (.md)")
        docx_btn = gr.Button("Wordで保存 (.docx)")
        download = gr.File(label="ダウンロード", interactive=False, visible=False, elem_id=f"dx-download-{kind}")
    handler = make_draft_handler(services, kind, names, guard)
    field_set = {seed, minutes, *form_inputs}

    def run(data: dict, request: gr.Request, progress=gr.Progress()):  # noqa: B008 — how Gradio injects progress
        return handler(data[seed], data[minutes], [data[c] for c in form_inputs], request, progress)

    lock = generate.click(lambda: gr.Button(interactive=False, value="起案中…"), None, generate,
                          api_visibility="private", queue=False)
    lock.then(run, field_set, [body, preview, warnings, draft_sources, draft_state, status],
              api_visibility="private", concurrency_limit=1, concurrency_id=LLM_CONCURRENCY) \
        .then(lambda: gr.Button(interactive=True, value=f"{label}を起案"), None, generate, api_visibility="private")
    body.input(lambda text: text, body, preview, api_visibility="private", show_progress="hidden")
    for button, fmt in ((md_btn, "md"), (docx_btn, "docx")):
        export = make_export_handler(fmt)
        button.click(lambda text, state, export=export: gr.File(value=export(text, state), visible=True),
                     [body, draft_state], download, api_visibility="private")
    if kind in NEXT_KIND:
        nxt = NEXT_KIND[kind]
        send_on = gr.Button(f"この下書きを「{dict(DRAFT_TABS)[nxt]}」へ送る", elem_id=f"dx-send-{kind}")

        def send(text: str, draft_json: str | None):
            edited = _edited_draft(text, draft_json)
            return edited.model_dump_json(), gr.Tabs(selected=nxt)

        send_on.click(send, [body, draft_state], [seeds[nxt], draft_tabs], api_visibility="private")
    seed.change(lambda d: "前のタブの下書きを元に起案します。" if d else "", seed, seed_note, api_visibility="private")


def _documents_tab(services: Services) -> tuple[gr.Dataframe, Callable[[], list[list[Any]]]]:
    s = services.settings
    gr.Markdown(f"索引にある資料です。公式ガイドブックのPDFをお持ちならここから追加できます（{', '.join(ALLOWED_SUFFIXES)}、"
                f"1ファイル{s.max_file_mb:g}MBまで）。取り込み中も検索・回答はこれまでの索引で使えます。")
    documents = gr.Dataframe(headers=render.DOCUMENT_COLUMNS, column_widths=render.DOCUMENT_WIDTHS, interactive=False,
                             wrap=True, elem_id="dx-documents")
    refresh = gr.Button("一覧を更新", size="sm")
    upload = gr.File(label="資料を追加", file_count="multiple", file_types=list(ALLOWED_SUFFIXES), elem_id="dx-upload")
    ingest_btn = gr.Button("取り込む", variant="primary", elem_id="dx-ingest")
    ingest_summary = gr.Markdown(elem_id="dx-ingest-summary")
    ingest_result = gr.Dataframe(headers=render.INGEST_COLUMNS, column_widths=render.INGEST_WIDTHS, interactive=False,
                                 wrap=True, elem_id="dx-ingest-result")
    ingest_btn.click(make_ingest_handler(services), upload, [ingest_result, documents, ingest_summary, upload],
                     api_name="ingest_ui", api_visibility="private", concurrency_limit=1, concurrency_id="ingest")

    def list_documents() -> list[list[Any]]:
        return render.document_rows(services.documents())

    refresh.click(list_documents, None, documents, api_visibility="private")

    # /ingest for gradio_client: a File input so the client uploads the bytes (gr.api's str params would not).
    api_files = gr.File(file_count="multiple", visible=False)
    api_report = gr.JSON(visible=False)
    api_button = gr.Button(visible=False)

    def ingest(files: list[str] | None) -> dict[str, Any]:
        """Ingest uploaded files; returns the `dxhire ingest --json` report, refused files included."""
        return ingest_uploads(services, files)

    api_button.click(ingest, api_files, api_report, api_name="ingest", concurrency_limit=1, concurrency_id="ingest")
    return documents, list_documents


def build_app(services: Services) -> gr.Blocks:
    guard = RunGuard()
    with gr.Blocks(title="dxhire — 外部デジタル人材の確保支援", analytics_enabled=False) as demo:
        gr.Markdown(
            "## dxhire — 外部デジタル人材の確保支援\n"
            "総務省「外部デジタル人材の確保ガイドブック」に沿って、質問への回答と募集要項・面接資料の起案を支援します。"
            "回答の各文には根拠 [n] が付きます。**要約**（dxhireが公開情報から作成）と**公式PDF**は種別で区別されます。"
            "生成された文章は必ず根拠を確認してから使用してください。"
        )
        with gr.Tabs(elem_id="dx-main-tabs"):
            with gr.Tab("チャット", id="chat", elem_id="dx-tab-chat"):
                _chat_tab(services)
            with gr.Tab("起案", id="draft", elem_id="dx-tab-draft"):
                _draft_tab(services, guard)
            with gr.Tab("資料", id="docs", elem_id="dx-tab-docs"):
                documents, list_documents = _documents_tab(services)
            with gr.Tab("設定", id="settings", elem_id="dx-tab-settings"):
                gr.Markdown("設定は環境変数 `DXHIRE_*` で変更します（ここでは読み取り専用）。APIキーは表示しません。")
                gr.Dataframe(value=[[k, str(v)] for k, v in render.settings_view(services.settings).items()],
                             headers=["項目", "値"], interactive=False, wrap=True, elem_id="dx-settings")
        _register_api(services)
        demo.load(list_documents, None, documents, api_visibility="private")  # fresh on every page load
    return demo


def _register_api(services: Services) -> None:
    """Programmatic endpoints mirroring the UI, for gradio_client and scripts."""

    def ask(question: str) -> dict:
        """Answer a question; returns the same JSON as `dxhire ask --json`."""
        problem = _question_error(question)
        if problem:
            raise gr.Error(problem)
        try:
            return services.answers.ask(question.strip()).model_dump(mode="json")
        except ValueError as exc:
            raise gr.Error(str(exc)) from exc

    def draft(kind: str, profile_json: str, seed_json: str = "", minutes: int = 60) -> dict:
        """Draft deepdive|posting|interview from a profile given as JSON; returns the Draft as JSON."""
        from app.drafting.profile import parse_profile

        if kind not in dict(DRAFT_TABS):
            raise gr.Error(f"kind は {list(dict(DRAFT_TABS))} のいずれかです / unknown kind {kind!r}")
        try:
            profile = parse_profile(json.loads(profile_json or "{}"), origin="profile_json")
            seed = Draft.model_validate_json(seed_json) if seed_json else None
        except Exception as exc:  # noqa: BLE001 — pydantic/JSON errors become one message
            raise gr.Error(f"プロファイルが不正です / invalid profile: {exc}") from exc
        try:
            result = services.draft(kind, profile, seed=seed, interview_minutes=int(minutes))
        except ValueError as exc:
            raise gr.Error(str(exc)) from exc
        return result.model_dump(mode="json")

    def documents() -> list[dict]:
        """Documents in the index (title, kind, pages, chunks, ingested_at …)."""
        return services.documents()

    gr.api(ask, api_name="ask", concurrency_limit=1, concurrency_id=LLM_CONCURRENCY)
    gr.api(draft, api_name="draft", concurrency_limit=1, concurrency_id=LLM_CONCURRENCY)
    gr.api(documents, api_name="documents")


def auth_pair(auth: str | None) -> tuple[str, str] | None:
    """`user:pass` -> ("user", "pass"); the password may itself contain ':'."""
    if not auth:
        return None
    user, password = auth.split(":", 1)
    return user, password


def upload_limit_bytes(max_file_mb: float) -> int:
    """Gradio's own hard cap: twice ours (at least 1 MB), so a file just over the limit gets our clear per-file
    message from `check_upload`, and a huge one is cut off by Gradio before it fills the disk."""
    return int(max(1.0, 2 * max_file_mb) * 1024 * 1024)


def launch(services: Services, host: str | None = None, port: int | None = None, block: bool = True):
    """Start the app: 127.0.0.1 unless told otherwise, login when DXHIRE_AUTH is set, no analytics, no share link."""
    from app.config import disable_telemetry

    disable_telemetry()
    s = services.settings
    demo = build_app(services)
    demo.queue(default_concurrency_limit=2)
    demo.launch(
        server_name=host or s.host,
        server_port=port or s.port,
        auth=auth_pair(s.auth),
        auth_message="dxhire: ユーザー名とパスワードを入力してください。" if s.auth else None,
        max_file_size=upload_limit_bytes(s.max_file_mb),
        prevent_thread_lock=not block,
        show_error=True,
        share=False,
        css=CSS,
        quiet=not block,
    )
    return demo
