"""The 案件 tab: one recruitment across the four steps — the progress path, the next suggested action, each step's
artefacts (generate, preview, edit → a new version), the finders on step ②, notes, and export of the whole case.

Binds components to `services.cases` (the case store and service) and `app.finders`; nothing is decided here.
Edits are saved as a new version by the 保存 button and when the editor loses focus, so a reload or a server
restart never loses them; the last opened case is remembered in the browser.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from app.cases import export as case_export
from app.cases.kinds import KindView, draft_kinds
from app.cases.models import STATUSES, STEP_TITLES, Case, CaseError, step_label
from app.cases.service import next_action
from app.finders import matching_schemes, query_from_profile, similar_cases
from app.finders.models import FORM_KEYWORDS
from app.schemas import DraftProgress
from app.services import Services
from app.ui import case_view, notify, queueing, render
from app.ui.profile_form import example_profiles, profile_components, profile_from_form, profile_to_form
from app.ui.session import RunGuard, session_key

METRO_CHOICES = {"プロファイルから判断": None, "三大都市圏の区域内": True, "三大都市圏の区域外": False}
BODY_CHOICES = ["都道府県", "市", "町", "村", "特別区"]


@dataclass
class KindPanel:
    view: KindView
    generate: gr.Button
    minutes: gr.Number | None
    version: gr.Markdown
    preview: gr.Markdown
    editor: gr.Textbox
    save: gr.Button
    warnings: gr.Markdown
    sources: gr.Markdown


def example_choices() -> list[tuple[str, str]]:
    """(Japanese label, file stem) for each example profile: the label field when the profile has one, else its
    municipality name."""
    from app.drafting.profile import ProfileError, load_profile

    choices = []
    for stem, path in example_profiles().items():
        try:
            profile = load_profile(path)
        except ProfileError:
            continue
        label = getattr(profile, "label", None) or profile.name or stem
        choices.append((label, stem))
    return choices


def _case(services: Services, case_id: str | None) -> Case | None:
    if not case_id:
        return None
    try:
        return services.cases.store.get(case_id)
    except CaseError:
        return None


def finder_view(services: Services, case: Case | None, body_types: list[str] | None, forms: list[str] | None,
                metro: str | None) -> tuple[str, str]:
    """Similar cases and schemes for the case's profile, with the tab's filters."""
    if case is None:
        return case_view.NO_CASE, ""
    query = query_from_profile(services.cases.profile(case), in_metro=METRO_CHOICES.get(metro or ""))
    cases = similar_cases(query, body_types=body_types or None, forms=forms or None, limit=5)
    schemes = matching_schemes(query, forms=forms or None, include_excluded=True)
    return case_view.cases_markdown(cases), case_view.schemes_markdown(schemes)


def case_memory(services: Services) -> gr.BrowserState:
    """The last opened case, kept in the browser. Create it outside the tabs: Gradio mounts a tab's components only
    when the tab is first shown, and an unmounted BrowserState reads as empty on page load.

    A stable secret: Gradio's default is a new random one per launch, which would forget the case at every restart
    (the value is only a case id; an unknown or tampered id opens nothing)."""
    return gr.BrowserState(None, storage_key="dxhire-case",
                           secret=hashlib.sha256(str(services.settings.home).encode()).hexdigest())


def build(services: Services, guard: RunGuard, page: gr.Blocks, remembered: gr.BrowserState) -> None:
    kinds = draft_kinds()
    store = services.cases.store
    with gr.Row(equal_height=True):
        picker = gr.Dropdown(choices=[], value=None, label="案件", scale=4, elem_id="dx-case-pick",
                             info="開く案件を選んでください（更新の新しい順）")
        reload_btn = gr.Button("一覧を更新", size="sm", scale=1)
    with gr.Accordion("新しい案件を作る／プロファイルを編集する", open=False, elem_id="dx-case-new") as new_box:
        form = profile_components(prefix="dx-case-profile")
        names, form_inputs = list(form), list(form.values())
        with gr.Row():
            example = gr.Dropdown(example_choices(), label="例のプロファイルを読み込む", value=None,
                                  elem_id="dx-case-example")
            title = gr.Textbox(label="案件名（空欄なら自治体名から）", elem_id="dx-case-title")
        half = (len(form_inputs) + 1) // 2
        with gr.Row():
            for column in (form_inputs[:half], form_inputs[half:]):
                with gr.Column():
                    for component in column:
                        component.render()
        with gr.Row():
            create = gr.Button("この内容で新しい案件を作る", variant="primary", elem_id="dx-case-create")
            save_profile = gr.Button("開いている案件のプロファイルを保存", elem_id="dx-case-save-profile")
    path = gr.HTML(elem_id="dx-case-path")
    with gr.Row(equal_height=True):
        nxt = gr.Markdown(case_view.NO_CASE, elem_id="dx-case-next")
        go_next = gr.Button("そのステップを開く", size="sm", scale=0, elem_id="dx-case-go")
    statuses: dict[int, gr.Radio] = {}
    panels: dict[str, KindPanel] = {}
    with gr.Tabs(elem_id="dx-case-steps") as step_tabs:
        for step in STEP_TITLES:
            with gr.Tab(step_label(step), id=f"step{step}", elem_id=f"dx-case-step{step}"):
                statuses[step] = gr.Radio(list(STATUSES), label="このステップの状態", value=None,
                                          elem_id=f"dx-case-status-{step}")
                for view in (v for v in kinds if v.step == step):
                    panels[view.kind] = _kind_panel(view)
                if step == 2:
                    finder_inputs, finder_outputs = _finder_panel()
    with gr.Accordion("メモ", open=False, elem_id="dx-case-notes-box"):
        note_step = gr.Dropdown([("全体", 0)] + [(step_label(s), s) for s in STEP_TITLES], value=0, label="ステップ")
        note_text = gr.Textbox(label="メモ（人事課・財政課との調整など）", lines=2, elem_id="dx-case-note")
        add_note = gr.Button("メモを追加", size="sm", elem_id="dx-case-add-note")
        notes = gr.Markdown(elem_id="dx-case-notes")
    with gr.Row():
        docx_btn = gr.Button("案件全体をWordで書き出す (.docx)", elem_id="dx-case-docx")
        zip_btn = gr.Button("Markdownの一式を書き出す (.zip)", elem_id="dx-case-zip")
        download = gr.File(label="ダウンロード", interactive=False, visible=False, elem_id="dx-case-download")

    kind_outputs = [c for p in panels.values() for c in (p.version, p.preview, p.editor, p.warnings, p.sources)]
    outputs = [path, nxt, *statuses.values(), *kind_outputs, notes]

    def show(case_id: str | None) -> list[Any]:
        """What the tab shows for one case (or the empty state): path, next action, statuses, artefacts, notes."""
        from app.drafting.export import to_markdown

        case = _case(services, case_id)
        values: list[Any] = [case_view.path_html(case), case_view.next_markdown(next_action(case) if case else None)]
        values += [case.statuses.get(s) if case else None for s in STEP_TITLES]
        for kind in panels:
            artefact = case.artefact(kind) if case else None
            if artefact is None:
                values += [case_view.version_markdown(None), "", "", "", ""]
                continue
            draft = artefact.latest.draft
            text = to_markdown(draft)
            values += [case_view.version_markdown(artefact), text, text, render.draft_warnings_markdown(draft),
                       render.draft_sources_markdown(draft)]
        values.append(case_view.notes_markdown(case))
        return values

    def refresh_finders(case_id: str | None, *filters: Any) -> tuple[str, str]:
        return finder_view(services, _case(services, case_id), *filters)

    def choices(selected: str | None = None) -> gr.Dropdown:
        listed = store.list()
        known = {c.id for c in listed}
        return gr.Dropdown(choices=case_view.case_choices(listed), value=selected if selected in known else None)

    def opened(case_id: str | None) -> list[Any]:
        """Open a case: remember it in the browser, show it, and put its profile into the form."""
        case = _case(services, case_id)
        form_values = profile_to_form(services.cases.profile(case), names) if case else [gr.skip()] * len(names)
        return [case_id, *show(case_id), *form_values]

    picker.change(opened, picker, [remembered, *outputs, *form_inputs], api_visibility="private") \
        .then(refresh_finders, [picker, *finder_inputs], finder_outputs, api_visibility="private")
    reload_btn.click(lambda current: choices(current), picker, picker, api_visibility="private")
    page.load(lambda stored: (choices(stored), gr.Accordion(open=not store.list())), remembered, [picker, new_box],
              api_visibility="private")
    for control in finder_inputs:
        control.change(refresh_finders, [picker, *finder_inputs], finder_outputs, api_visibility="private")

    def load_example(stem: str | None):
        if not stem:
            return [gr.skip()] * len(names)
        from app.drafting.profile import ProfileError, load_profile

        try:
            return profile_to_form(load_profile(example_profiles()[stem]), names)
        except (ProfileError, KeyError) as exc:
            raise notify.error(f"例のプロファイルを読めません: {exc}") from exc

    example.change(load_example, example, form_inputs, api_visibility="private")

    def new_case(case_title: str, *values: Any) -> tuple[gr.Dropdown, gr.Accordion, str]:
        profile = profile_from_form(names, list(values))
        try:
            case = services.cases.new_case(case_title, profile)
        except CaseError as exc:
            raise notify.error(str(exc)) from exc
        notify.info(f"案件「{case.title}」を作りました。")
        return choices(case.id), gr.Accordion(open=False), ""

    create.click(new_case, [title, *form_inputs], [picker, new_box, title], api_visibility="private")

    def update_profile(case_id: str | None, *values: Any) -> list[Any]:
        if not case_id:
            raise notify.error("先に案件を選んでください。")
        profile = profile_from_form(names, list(values))
        store.update_profile(case_id, profile.model_dump(mode="json", exclude_none=True))
        notify.info("プロファイルを保存しました。次の起案から使われます。")
        return show(case_id)

    save_profile.click(update_profile, [picker, *form_inputs], outputs, api_visibility="private") \
        .then(refresh_finders, [picker, *finder_inputs], finder_outputs, api_visibility="private")

    def open_next_step(case_id: str | None) -> gr.Tabs:
        case = _case(services, case_id)
        step = (next_action(case).step or 4) if case else 1
        return gr.Tabs(selected=f"step{step}")

    go_next.click(open_next_step, picker, step_tabs, api_visibility="private")

    for step, radio in statuses.items():
        def set_status(case_id: str | None, status: str, step: int = step) -> list[Any]:
            if not case_id:
                raise notify.error("先に案件を選んでください。")
            store.set_status(case_id, step, status)  # type: ignore[arg-type]
            return show(case_id)

        radio.input(set_status, [picker, radio], outputs, api_visibility="private")

    for panel in panels.values():
        _bind_kind(services, guard, picker, panel, outputs, show)

    def note(case_id: str | None, step: int, body: str) -> list[Any]:
        if not case_id:
            raise notify.error("先に案件を選んでください。")
        try:
            store.add_note(case_id, body, step=step or None)
        except CaseError as exc:
            raise notify.error(str(exc)) from exc
        return ["", *show(case_id)]

    add_note.click(note, [picker, note_step, note_text], [note_text, *outputs], api_visibility="private")

    def export(case_id: str | None, suffix: str) -> gr.File:
        case = _case(services, case_id)
        if case is None:
            raise notify.error("先に案件を選んでください。")
        out = Path(tempfile.mkdtemp(prefix="dxhire-case-")) / case_export.export_name(case, suffix)
        (case_export.to_docx if suffix == ".docx" else case_export.to_zip)(case, out)
        return gr.File(value=str(out), visible=True)

    docx_btn.click(lambda cid: export(cid, ".docx"), picker, download, api_visibility="private")
    zip_btn.click(lambda cid: export(cid, ".zip"), picker, download, api_visibility="private")


def _kind_panel(view: KindView) -> KindPanel:
    gr.Markdown(f"### {view.title}")
    with gr.Row():
        generate = gr.Button(f"「{view.title}」を起案", variant="primary", elem_id=f"dx-case-gen-{view.kind}")
        minutes = gr.Number(60, label="面接時間（分）", precision=0, minimum=10, maximum=240,
                            elem_id=f"dx-case-minutes-{view.kind}") if view.kind == "interview" else None
    version = gr.Markdown(elem_id=f"dx-case-ver-{view.kind}")
    with gr.Row():
        with gr.Column(scale=3), gr.Tabs():
            with gr.Tab("プレビュー"):
                preview = gr.Markdown(elem_id=f"dx-case-preview-{view.kind}", elem_classes=["dx-preview"])
            with gr.Tab("編集", elem_id=f"dx-case-edittab-{view.kind}"):
                editor = gr.Textbox(label="下書き（Markdown）。保存すると新しい版になります", lines=20,
                                    elem_id=f"dx-case-edit-{view.kind}")
                save = gr.Button("編集を保存（新しい版）", elem_id=f"dx-case-save-{view.kind}")
        with gr.Column(scale=2):
            warnings = gr.Markdown(elem_id=f"dx-case-warn-{view.kind}")
            sources = gr.Markdown(elem_id=f"dx-case-src-{view.kind}", elem_classes=["dx-sources"])
    return KindPanel(view, generate, minutes, version, preview, editor, save, warnings, sources)


def _finder_panel() -> tuple[list[gr.components.Component], list[gr.components.Component]]:
    gr.Markdown("### 似た団体の事例と、使える可能性のある支援制度\n"
                "人材要件（役割・スキル・雇用形態・予算の時期）を決める材料です。事例と制度の記述は資料の文言のままで、"
                "資料にない値は「要確認」と表示します。")
    with gr.Row():
        body_types = gr.CheckboxGroup(BODY_CHOICES, label="事例の団体の種類", elem_id="dx-find-types")
        forms = gr.Dropdown(list(FORM_KEYWORDS), multiselect=True, label="採用形態で絞り込む", elem_id="dx-find-forms")
        metro = gr.Radio(list(METRO_CHOICES), value="プロファイルから判断", label="三大都市圏",
                         elem_id="dx-find-metro")
    with gr.Row():
        with gr.Column():
            gr.Markdown("#### 似た団体の事例")
            found_cases = gr.Markdown(elem_id="dx-find-cases")
        with gr.Column():
            gr.Markdown("#### 使える可能性のある支援制度")
            found_schemes = gr.Markdown(elem_id="dx-find-schemes")
    return [body_types, forms, metro], [found_cases, found_schemes]


def _bind_kind(services: Services, guard: RunGuard, picker: gr.Dropdown, panel: KindPanel,
               outputs: list[gr.components.Component], show: Callable[..., list[Any]]) -> None:
    kind, label = panel.view.kind, panel.view.title

    def run(case_id: str | None, minutes: float | None, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        if not case_id:
            raise notify.error("先に案件を選ぶか作ってください。")
        with guard.hold(session_key(request), f"case-{kind}") as acquired:
            if not acquired:
                notify.warn("起案中です。完了までお待ちください。")
                return [gr.skip()] * len(outputs)
            progress(0, desc="根拠を検索しています…")

            def report(event: DraftProgress) -> None:
                progress(min(0.95, event.done), desc=event.message)

            try:
                version = services.cases.draft(case_id, kind, interview_minutes=int(minutes or 60), progress=report)
            except CaseError as exc:
                raise notify.error(str(exc)) from exc
            except Exception as exc:  # noqa: BLE001 — the model or store failed: one message, the page stays usable
                raise notify.error(f"起案できませんでした: {exc}") from exc
            notify.info(f"「{label}」を版{version.n}として保存しました。")
            return show(case_id)

    def run_default(case_id: str | None, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        return run(case_id, None, request, progress)

    inputs = [picker, panel.minutes] if panel.minutes is not None else [picker]
    handler = run if panel.minutes is not None else run_default
    lock = panel.generate.click(lambda: gr.Button(interactive=False, value="起案中…"), None, panel.generate,
                                api_visibility="private", queue=False)
    lock.then(handler, inputs, outputs, api_visibility="private", **queueing.draft_event(services.settings)) \
        .then(lambda: gr.Button(interactive=True, value=f"「{label}」を起案"), None, panel.generate,
              api_visibility="private")

    def save(case_id: str | None, text: str, quiet: bool = False) -> list[Any]:
        if not case_id:
            if quiet:
                return [gr.skip()] * len(outputs)
            raise notify.error("先に案件を選んでください。")
        try:
            version = services.cases.save_edit(case_id, kind, text)
        except CaseError as exc:
            if quiet:
                return [gr.skip()] * len(outputs)
            raise notify.error(str(exc)) from exc
        if version is None:
            if not quiet:
                notify.info("変更はありません。")
            return [gr.skip()] * len(outputs)
        notify.info(f"編集を版{version.n}として保存しました。")
        return show(case_id)

    panel.save.click(save, [picker, panel.editor], outputs, api_visibility="private")
    panel.editor.blur(lambda cid, text: save(cid, text, quiet=True), [picker, panel.editor], outputs,
                      api_visibility="private")
    panel.editor.input(lambda text: text, panel.editor, panel.preview, api_visibility="private",
                       show_progress="hidden")
