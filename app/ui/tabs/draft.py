"""The 起案 tab: the municipality profile form and one panel per draft kind (generate, preview, edit, export,
send on to the next kind).

Binds components to `services.draft` and `app.drafting.export`; sections, checks and citations are the core's.
"""

from __future__ import annotations

import html
import queue
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from app.drafting.kinds import KINDS
from app.schemas import Draft, DraftProgress
from app.services import Services
from app.ui import notify, queueing, render
from app.ui.profile_form import example_labels, example_profiles, profile_components, profile_from_form, profile_to_form
from app.ui.session import RunGuard, session_key

DRAFT_TABS: list[tuple[str, str]] = [(kind, info.label) for kind, info in KINDS.items()]  # the one registry
NEXT_KIND = {kind: info.next for kind, info in KINDS.items() if info.next}
OUTPUTS = 7  # body, preview, warnings, sources, state, status, progress


def progress_html(event: DraftProgress | None, *, finished: str = "") -> str:
    """A visible progress bar with 「n/N 節の名前」 (the whole width, never a 0-px line of text)."""
    if finished:
        value, total, text = 1, 1, finished
    elif event is None:
        value, total, text = 0, 1, "根拠を検索しています…"
    else:
        value, total, text = event.step - 1, event.total, event.message
    return (f'<div class="dx-progress" role="status" style="display:flex;gap:12px;align-items:center;'
            f'min-height:2.2em;padding:4px 0"><progress value="{value}" max="{total}" '
            f'style="flex:1;height:1.2em" aria-label="起案の進み具合"></progress>'
            f'<span style="white-space:nowrap">{html.escape(text)}</span></div>')


def make_draft_handler(services: Services, kind: str, names: list[str], guard: RunGuard):
    """A generator: the progress bar is updated before each section, then the draft fills the panel. The draft
    runs in a worker thread so its progress events can be shown while it runs."""

    def generate(seed_json: str | None, minutes: float | None, values: list[Any],
                 request: gr.Request | None) -> Iterator[tuple[Any, ...]]:
        from app.drafting.export import to_markdown
        from app.drafting.service import DraftError

        skip = (gr.skip(),) * (OUTPUTS - 1)
        with guard.hold(session_key(request), f"draft-{kind}") as acquired:
            if not acquired:
                notify.warn("起案中です。完了までお待ちください。")
                yield (gr.skip(),) * OUTPUTS
                return
            profile = profile_from_form(names, values)
            seed = Draft.model_validate_json(seed_json) if seed_json else None
            events: queue.Queue[DraftProgress | None] = queue.Queue()
            box: dict[str, Any] = {}

            def work() -> None:
                try:
                    box["draft"] = services.draft(kind, profile, seed=seed, interview_minutes=int(minutes or 60),
                                                  progress=events.put)
                except BaseException as exc:  # noqa: BLE001 — handed to the page below
                    box["error"] = exc
                finally:
                    events.put(None)

            worker = threading.Thread(target=work, name=f"draft-{kind}", daemon=True)
            worker.start()
            yield (*skip, progress_html(None))
            while (event := events.get()) is not None:
                yield (*skip, progress_html(event))
            worker.join()
            if isinstance(exc := box.get("error"), DraftError):  # wrong seed, bad interview length
                raise notify.error(str(exc)) from exc
            if exc is not None:  # the model or store failed: one message, the page stays usable
                raise notify.error(f"起案できませんでした: {exc}") from exc
            draft = box["draft"]
            text = to_markdown(draft)
            yield (text, text, render.draft_warnings_markdown(draft), render.draft_sources_markdown(draft),
                   draft.model_dump_json(), render.draft_status_markdown(draft),
                   progress_html(None, finished=f"{len(draft.sections)}/{len(draft.sections)} 完了"))

    return generate


def edited_draft(markdown_text: str, draft_json: str | None) -> Draft:
    """The draft as the user edited it: their text wins, the citations of the generated draft are kept."""
    from app.drafting.export import draft_from_markdown

    if not draft_json:
        raise notify.error("先に起案してください。")
    original = Draft.model_validate_json(draft_json)
    return draft_from_markdown(markdown_text or "", original)


def make_export_handler(fmt: str) -> Callable[[str, str | None], str]:
    def export(markdown_text: str, draft_json: str | None) -> str:
        from app.drafting.export import to_docx, to_markdown

        edited = edited_draft(markdown_text, draft_json)
        out_dir = Path(tempfile.mkdtemp(prefix="dxhire-export-"))
        path = out_dir / f"{edited.kind}.{fmt}"
        if fmt == "md":
            path.write_text(to_markdown(edited), encoding="utf-8")
        else:
            to_docx(edited, path)
        return str(path)

    return export


def build(services: Services, guard: RunGuard) -> None:
    gr.Markdown("自治体のプロファイルを入力してください。空欄は推測せず「要確認」として扱います。"
                "生成された文章は、必ず各節の根拠と検証の指摘を確認してから使ってください。")
    try:
        form = profile_components()
    except ImportError as exc:  # a partial install without the drafting module still serves the chat
        gr.Markdown(f"⚠️ 起案機能を読み込めません: {exc}")
        return
    examples = example_profiles()
    labels = example_labels()
    example = gr.Dropdown([(labels.get(stem, stem), stem) for stem in examples], label="例のプロファイルを読み込む",
                          value=None, elem_id="dx-example")
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
            raise notify.error(f"例のプロファイルを読めません: {exc}") from exc

    example.change(load_example, example, form_inputs, api_visibility="private")
    seeds = {kind: gr.State(None) for kind, _ in DRAFT_TABS}  # a draft sent on becomes the next tab's seed
    with gr.Tabs(elem_id="dx-draft-tabs") as draft_tabs:
        for kind, label in DRAFT_TABS:
            with gr.Tab(label, id=kind, elem_id=f"dx-tab-{kind}"):
                _kind_panel(services, guard, kind, label, seeds, draft_tabs, names, form_inputs)


def _kind_panel(services: Services, guard: RunGuard, kind: str, label: str, seeds: dict[str, gr.State],
                draft_tabs: gr.Tabs, names: list[str], form_inputs: list[gr.components.Component]) -> None:
    seed = seeds[kind]
    seed_note = gr.Markdown("")
    minutes = gr.Number(60, label="面接時間（分）", precision=0, minimum=10, maximum=240,
                        visible=kind == "interview")
    generate = gr.Button(f"{label}を起案", variant="primary", elem_id=f"dx-gen-{kind}")
    progress_bar = gr.HTML("", elem_id=f"dx-progress-{kind}")
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

    def run(data: dict, request: gr.Request):
        yield from handler(data[seed], data[minutes], [data[c] for c in form_inputs], request)

    lock = generate.click(lambda: gr.Button(interactive=False, value="起案中…"), None, generate,
                          api_visibility="private", queue=False)
    lock.then(run, field_set, [body, preview, warnings, draft_sources, draft_state, status, progress_bar],
              api_visibility="private", show_progress="hidden", **queueing.draft_event(services.settings)) \
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
            edited = edited_draft(text, draft_json)
            return edited.model_dump_json(), gr.Tabs(selected=nxt)

        send_on.click(send, [body, draft_state], [seeds[nxt], draft_tabs], api_visibility="private")
    seed.change(lambda d: "前のタブの下書きを元に起案します。" if d else "", seed, seed_note, api_visibility="private")
