"""The Gradio web app: チャット, 起案, 資料, 設定. A thin layer over `Services`; no retrieval or drafting here.

Every handler turns a user mistake into a `gr.Error`/`gr.Warning` with a Japanese message, so the page never
hangs on an exception. API endpoints (`/ask`, `/ingest`, `/draft`, `/documents`) mirror the UI actions for
`gradio_client` and scripts.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import typing
from pathlib import Path
from typing import Any, get_args, get_origin

import gradio as gr

from app.schemas import Answer, Draft
from app.services import Services
from app.ui import render

UPLOAD_TYPES = [".pdf", ".md", ".markdown", ".html", ".htm", ".txt"]
DRAFT_TABS: list[tuple[str, str]] = [("deepdive", "業務課題の深掘り"), ("posting", "募集要項"), ("interview", "面接")]
NEXT_KIND = {"deepdive": "posting", "posting": "interview"}
RATINGS = {"役に立った": "helpful", "根拠が違う": "wrong_source", "誤り": "incorrect"}
CSS = ".dx-sources {max-height: 70vh; overflow-y: auto;}"


# --- chat ---------------------------------------------------------------------------------------------


def _check_question(services: Services, question: str | None) -> str:
    question = (question or "").strip()
    if not question:
        raise gr.Error("質問を入力してください。/ Please enter a question.")
    return question


def make_chat_handler(services: Services):
    def respond(question: str, chat: list[dict], history: list[list[str]]):
        question = _check_question(services, question)
        chat = [*chat, {"role": "user", "content": question}, {"role": "assistant", "content": ""}]
        yield chat, "### 根拠資料\n\n検索・回答を生成しています…", history, None, ""
        final: Answer | None = None
        try:
            for piece in services.answers.stream(question, history=[tuple(t) for t in history]):
                if isinstance(piece, Answer):
                    final = piece
                else:
                    chat[-1]["content"] += piece
                    yield chat, gr.skip(), history, None, ""
        except Exception as exc:  # an endpoint down, a model error: say so in the chat, keep the page usable
            chat[-1]["content"] = f"エラーが発生しました: {exc}"
            yield chat, "### 根拠資料\n\n" + render.NO_SOURCES_JA, history, None, ""
            return
        if final is None:
            return
        chat[-1]["content"] = final.answer
        history = [*history, [question, final.answer]][-max(services.settings.memory_turns, 1) :]
        payload = {"question": question, "answer": final.model_dump(mode="json")}
        yield chat, render.sources_markdown(final), history, payload, ""

    return respond


def make_feedback_handler(services: Services):
    def submit(last: dict | None, rating: str | None, comment: str) -> str:
        if not last:
            raise gr.Error("評価する回答がありません。先に質問してください。/ Ask a question first.")
        if rating not in RATINGS:
            raise gr.Error("評価を選んでください。/ Choose a rating.")
        answer = Answer.model_validate(last["answer"])
        record_id = services.feedback.add(last["question"], answer, RATINGS[rating], comment or "")
        return f"フィードバックを保存しました（#{record_id}）。ありがとうございます。"

    return submit


# --- drafting -----------------------------------------------------------------------------------------


def _profile_model():
    from app.drafting.profile import MunicipalityProfile

    return MunicipalityProfile


def _is_list(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is list:
        return True
    return any(get_origin(a) is list for a in get_args(annotation))


def _is_int(annotation: Any) -> bool:
    return annotation is int or int in get_args(annotation)


def _literal_choices(annotation: Any) -> list[str] | None:
    for candidate in (annotation, *get_args(annotation)):
        if get_origin(candidate) is typing.Literal:
            return [str(a) for a in get_args(candidate)]
        if get_origin(candidate) is list:
            inner = get_args(candidate)[0]
            if get_origin(inner) is typing.Literal:
                return [str(a) for a in get_args(inner)]
    return None


def profile_components() -> dict[str, gr.components.Component]:
    """One input per profile field, derived from the pydantic model so the form cannot drift from it."""
    components: dict[str, gr.components.Component] = {}
    for name, field in _profile_model().model_fields.items():
        label = field.title or field.description or name
        info = field.description if field.title else None
        choices = _literal_choices(field.annotation)
        if choices:
            components[name] = gr.Dropdown(
                choices=choices, label=label, info=info, multiselect=_is_list(field.annotation), value=None
            )
        elif _is_int(field.annotation):
            components[name] = gr.Number(label=label, info=info, precision=0, value=None)
        elif _is_list(field.annotation):
            components[name] = gr.Textbox(label=label, info=(info or "") + "（1行に1つ）", lines=2)
        else:
            long_text = name in {"issues", "issue", "notes"}
            components[name] = gr.Textbox(label=label, info=info, lines=4 if long_text else 1)
    return components


def profile_from_form(names: list[str], values: list[Any]):
    """Form values -> MunicipalityProfile; empty inputs are left out so they become 要確認, never guesses."""
    model = _profile_model()
    data: dict[str, Any] = {}
    for name, value in zip(names, values, strict=True):
        if value is None or value == "" or value == []:
            continue
        annotation = model.model_fields[name].annotation
        if isinstance(value, str) and _is_list(annotation) and not _literal_choices(annotation):
            value = [v.strip() for v in value.replace("、", "\n").splitlines() if v.strip()]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        data[name] = value
    try:
        return model.model_validate(data)
    except Exception as exc:
        raise gr.Error(f"プロファイルの入力を確認してください / check the profile: {exc}") from exc


def profile_to_form(profile: Any, names: list[str]) -> list[Any]:
    data = profile.model_dump()
    out = []
    for name in names:
        value = data.get(name)
        if isinstance(value, list) and not _literal_choices(_profile_model().model_fields[name].annotation):
            value = "\n".join(str(v) for v in value)
        out.append(value)
    return out


def example_profiles() -> dict[str, Path]:
    from app.config import PROJECT_ROOT

    folder = PROJECT_ROOT / "app" / "examples"
    return {p.stem: p for p in sorted(folder.glob("*.y*ml"))} if folder.is_dir() else {}


def make_draft_handler(services: Services, kind: str, names: list[str]):
    def generate(seed_json: str | None, minutes: float | None, *values: Any, progress=gr.Progress()):
        from app.drafting.export import to_markdown

        profile = profile_from_form(names, list(values))
        seed = Draft.model_validate_json(seed_json) if seed_json else None
        progress(0, desc="根拠を検索しています…")
        steps: list[str] = []

        def report(message: str) -> None:
            steps.append(message)
            progress(min(0.95, len(steps) / 12), desc=message)

        try:
            draft = services.draft(kind, profile, seed=seed, interview_minutes=int(minutes or 60), progress=report)
        except ValueError as exc:
            raise gr.Error(str(exc)) from exc
        return (
            to_markdown(draft),
            render.draft_warnings_markdown(draft),
            render.draft_sources_markdown(draft),
            draft.model_dump_json(),
        )

    return generate


def make_export_handler(fmt: str):
    def export(markdown_text: str, draft_json: str | None) -> str:
        from app.drafting.export import draft_from_markdown, to_docx

        if not draft_json:
            raise gr.Error("先に起案してください。/ Generate a draft first.")
        original = Draft.model_validate_json(draft_json)
        edited = draft_from_markdown(markdown_text, original)  # the user's edits win, citations are kept
        out_dir = Path(tempfile.mkdtemp(prefix="dxhire-export-"))
        path = out_dir / f"{original.kind}.{fmt}"
        if fmt == "md":
            path.write_text(markdown_text, encoding="utf-8")
        else:
            to_docx(edited, path)
        return str(path)

    return export


# --- documents ----------------------------------------------------------------------------------------


def make_ingest_handler(services: Services):
    def ingest(files: list[str] | None, progress=gr.Progress()):
        if not files:
            raise gr.Error("ファイルを選んでください。/ Choose files to upload.")
        upload_dir = services.settings.home / "uploads"
        upload_dir.mkdir(parents=True, exist_ok=True)
        kept: list[Path] = []
        for f in files:
            src = Path(f)
            dest = upload_dir / src.name
            shutil.copyfile(src, dest)  # uploads live under DXHIRE_HOME so a re-ingest finds them again
            kept.append(dest)
        progress(0, desc="取り込み中…（検索はこれまでの索引で動き続けます）")
        report = services.ingest(kept).model_dump(mode="json")
        rows = render.ingest_rows(report)
        return rows, render.document_rows(services.documents()), _ingest_summary(report)

    return ingest


def _ingest_summary(report: dict[str, Any]) -> str:
    totals = report.get("totals", {})
    return "取り込み結果: " + ", ".join(f"{k}={v}" for k, v in totals.items())


def settings_view(services: Services) -> dict[str, Any]:
    s = services.settings
    return {
        "LLM": s.llm_backend if s.llm_backend != "openai" else f"openai ({s.llm_model} @ {s.llm_base_url})",
        "埋め込みモデル / embeddings": f"{s.embed_backend}: {s.embed_model}",
        "索引 / store": s.chroma_url or str(s.chroma_dir),
        "DXHIRE_HOME": str(s.home),
        "チャンク / chunk": f"{s.chunk_size}字（重なり{s.chunk_overlap}字）",
        "検索 / retrieval": f"top_k={s.top_k}, candidates={s.candidate_k}, rerank={s.rerank_model or 'off'}",
        "APIキー / API key": "設定済み（非表示）" if s.llm_api_key else "なし",
        "ログイン / auth": "有効" if s.auth else "無効",
    }


# --- the page -----------------------------------------------------------------------------------------


def build_app(services: Services) -> gr.Blocks:
    with gr.Blocks(title="dxhire — 外部デジタル人材の確保支援", analytics_enabled=False) as demo:
        gr.Markdown(
            "## dxhire — 外部デジタル人材の確保支援\n"
            "総務省「外部デジタル人材の確保ガイドブック」に沿って、質問への回答と募集要項・面接資料の起案を支援します。"
            "回答の各文には根拠 [n] が付きます。**要約**（dxhireが公開情報から作成）と**公式PDF**は種別で区別されます。"
            "生成された文章は必ず根拠を確認してから使用してください。"
        )
        with gr.Tab("チャット", id="chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="会話", height=480, elem_id="dx-chat")
                    question = gr.Textbox(label="質問", placeholder="例: 地域活性化起業人の副業型の要件は？", elem_id="dx-q")
                    with gr.Row():
                        ask = gr.Button("送信", variant="primary", elem_id="dx-ask")
                        clear = gr.Button("会話をリセット")
                    with gr.Accordion("この回答を評価する", open=False):
                        rating = gr.Radio(list(RATINGS), label="評価")
                        comment = gr.Textbox(label="コメント（任意）")
                        send_feedback = gr.Button("評価を送信")
                        feedback_status = gr.Markdown()
                with gr.Column(scale=2):
                    sources = gr.Markdown("### 根拠資料\n\n質問すると、ここに根拠が表示されます。", elem_id="dx-sources",
                                          elem_classes=["dx-sources"])
            history = gr.State([])
            last_answer = gr.State(None)
            respond = make_chat_handler(services)
            outputs = [chatbot, sources, history, last_answer, question]
            ask.click(respond, [question, chatbot, history], outputs, api_visibility="private")
            question.submit(respond, [question, chatbot, history], outputs, api_visibility="private")
            clear.click(lambda: ([], "### 根拠資料", [], None), None, [chatbot, sources, history, last_answer],
                        api_visibility="private")
            send_feedback.click(make_feedback_handler(services), [last_answer, rating, comment], feedback_status,
                                api_visibility="private")

        with gr.Tab("起案", id="draft"):
            gr.Markdown("自治体のプロファイルを入力してください。空欄は推測せず「要確認」として扱います。")
            examples = example_profiles()
            with gr.Row():
                example = gr.Dropdown(list(examples), label="例のプロファイルを読み込む", value=None)
            with gr.Accordion("自治体プロファイル", open=True):
                form = profile_components()
            names = list(form)
            form_inputs = list(form.values())

            def load_example(name: str | None):
                if not name:
                    return [gr.skip()] * len(names)
                from app.drafting.profile import load_profile

                return profile_to_form(load_profile(examples[name]), names)

            example.change(load_example, example, form_inputs, api_visibility="private")
            seeds = {kind: gr.State(None) for kind, _ in DRAFT_TABS}  # a draft sent on becomes the next tab's seed
            with gr.Tabs():
                for kind, label in DRAFT_TABS:
                    with gr.Tab(label, id=kind):
                        seed = seeds[kind]
                        seed_note = gr.Markdown("")
                        minutes = gr.Number(60, label="面接時間（分）", precision=0, visible=kind == "interview")
                        generate = gr.Button(f"{label}を起案", variant="primary", elem_id=f"dx-gen-{kind}")
                        body = gr.Textbox(label="下書き（編集できます）", lines=24, interactive=True,
                                          elem_id=f"dx-draft-{kind}")
                        with gr.Row():
                            warnings = gr.Markdown()
                            draft_sources = gr.Markdown()
                        draft_state = gr.State(None)
                        with gr.Row():
                            md_btn = gr.Button("Markdownで保存")
                            docx_btn = gr.Button("Wordで保存 (.docx)")
                            download = gr.File(label="ダウンロード", interactive=False)
                        generate.click(
                            make_draft_handler(services, kind, names), [seed, minutes, *form_inputs],
                            [body, warnings, draft_sources, draft_state], api_visibility="private",
                            concurrency_limit=1, concurrency_id="llm",
                        )
                        md_btn.click(make_export_handler("md"), [body, draft_state], download, api_visibility="private")
                        docx_btn.click(make_export_handler("docx"), [body, draft_state], download,
                                       api_visibility="private")
                        if kind in NEXT_KIND:
                            send_on = gr.Button(f"この下書きを「{dict(DRAFT_TABS)[NEXT_KIND[kind]]}」へ送る")
                            send_on.click(lambda d: d, draft_state, seeds[NEXT_KIND[kind]],
                                          api_visibility="private")
                        seed.change(lambda d: "前の下書きを元に起案します。" if d else "", seed, seed_note,
                                    api_visibility="private")

        with gr.Tab("資料", id="docs"):
            gr.Markdown("索引にある資料です。公式ガイドブックのPDFをお持ちならここから追加できます"
                        f"（{', '.join(UPLOAD_TYPES)}、{services.settings.max_file_mb:g}MBまで）。取り込み中も検索は使えます。")
            documents = gr.Dataframe(headers=render.DOCUMENT_COLUMNS, value=lambda: render.document_rows(
                services.documents()), interactive=False, wrap=True)
            upload = gr.File(label="資料を追加", file_count="multiple", file_types=UPLOAD_TYPES)
            ingest_btn = gr.Button("取り込む", variant="primary")
            ingest_summary = gr.Markdown()
            ingest_result = gr.Dataframe(headers=render.INGEST_COLUMNS, interactive=False, wrap=True)
            ingest_btn.click(make_ingest_handler(services), upload, [ingest_result, documents, ingest_summary],
                             api_visibility="private", concurrency_limit=1)

        with gr.Tab("設定", id="settings"):
            gr.Markdown("設定は環境変数 `DXHIRE_*` で変更します（読み取り専用）。")
            gr.JSON(settings_view(services))

        _register_api(services)
    return demo


def _register_api(services: Services) -> None:
    """Programmatic endpoints mirroring the UI, for gradio_client and scripts."""

    def ask(question: str) -> dict:
        """Answer a question; returns the same JSON as `dxhire ask --json`."""
        question = _check_question(services, question)
        return services.answers.ask(question).model_dump(mode="json")

    def draft(kind: str, profile_json: str, seed_json: str = "", minutes: int = 60) -> dict:
        """Draft deepdive|posting|interview from a profile given as JSON."""
        from app.drafting.profile import MunicipalityProfile

        if kind not in dict(DRAFT_TABS):
            raise gr.Error(f"kind must be one of {list(dict(DRAFT_TABS))}")
        try:
            profile = MunicipalityProfile.model_validate(json.loads(profile_json))
        except Exception as exc:
            raise gr.Error(f"プロファイルが不正です / invalid profile: {exc}") from exc
        seed = Draft.model_validate_json(seed_json) if seed_json else None
        return services.draft(kind, profile, seed=seed, interview_minutes=minutes).model_dump(mode="json")

    def ingest(files: list[str]) -> dict:
        """Ingest uploaded files; returns the same JSON as `dxhire ingest --json`."""
        return services.ingest([Path(f) for f in files]).model_dump(mode="json")

    def documents() -> list[dict]:
        """Documents in the index."""
        return services.documents()

    gr.api(ask, api_name="ask", concurrency_limit=1, concurrency_id="llm")
    gr.api(draft, api_name="draft", concurrency_limit=1, concurrency_id="llm")
    gr.api(ingest, api_name="ingest", concurrency_limit=1)
    gr.api(documents, api_name="documents")


def launch(services: Services, host: str | None = None, port: int | None = None, block: bool = True):
    s = services.settings
    demo = build_app(services)
    auth = tuple(s.auth.split(":", 1)) if s.auth else None
    demo.queue(default_concurrency_limit=2)
    return demo.launch(
        server_name=host or s.host,
        server_port=port or s.port,
        auth=auth,
        max_file_size=f"{int(s.max_file_mb)}mb",
        prevent_thread_lock=not block,
        show_error=True,
        css=CSS,
    )
