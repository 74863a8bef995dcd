"""One recruitment as an officer does it, in a real headless Chromium: the start page, an example question, a case
from an example profile, ① deep-dive → ③ posting → ④ checklist (when the drafting core has that kind), an edit saved
as a new version, a server restart, the case reopened with the edit, the whole case exported as .docx and its headings
read with python-docx. Also: toasts titled in Japanese, the 設定 tab showing the port the server really listens on.

Screenshots of the start page and of the case go to docs/screenshots/ (start.png, case.png).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, OUT
from ui_server import RunningApp, running_app

from app.config import PROJECT_ROOT

DOCS_SHOTS = PROJECT_ROOT / "docs" / "screenshots"
EDIT = "【e2eで編集】業務内容は、窓口のオンライン化の計画づくりへの助言です。"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]


def _flow_kinds() -> list[tuple[int, str, str]]:
    """(step, kind, label) of the issue's flow ① deep-dive → ③ posting → ④ checklist, as the registry has them."""
    from app.cases.kinds import draft_kinds

    wanted = ("deepdive", "posting", "checklist")
    return [(v.step, v.kind, v.label) for v in draft_kinds() if v.kind in wanted]


def _shot(page, name: str, publish: bool = False) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    page.screenshot(path=str(path), full_page=True)
    if publish:
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SHOTS / name)


def _restart(app: RunningApp) -> object:
    """A new server process state on the same home and port: fresh Services, nothing kept in memory."""
    from app.services import Services
    from app.ui.app import launch

    port = int(app.url.rstrip("/").rsplit(":", 1)[1])
    return launch(Services(app.settings), host="127.0.0.1", port=port, block=False)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ExitStack, RunningApp, object, object]]:
    from playwright.sync_api import sync_playwright

    with ExitStack() as browser_stack:
        p = browser_stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        browser_stack.callback(browser.close)
        server = ExitStack()
        app = server.enter_context(running_app(tmp_path_factory.mktemp("ui-case")))
        page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="ja-JP")
        page.goto(app.url)
        yield server, app, page, browser
        server.close()


def test_the_start_page_explains_the_steps_and_asks_an_example(stack) -> None:
    from playwright.sync_api import expect

    from app.ui.tabs.start import EXAMPLE_QUESTIONS

    _, _, page, _ = stack
    expect(page.get_by_role("tab", name="はじめに")).to_have_attribute("aria-selected", "true", timeout=30_000)
    steps = page.locator("#dx-start-steps")
    for title in ("業務課題の特定", "人材要件の定義", "人材の選定", "人材の受け入れ"):
        expect(steps).to_contain_text(title)
    assert 6 <= page.locator(".dx-example-q").count() <= 8
    expect(page.locator("#dx-start-index")).to_contain_text("要約", timeout=15_000)
    expect(page.locator("#dx-start-index")).to_contain_text("公式PDF")
    expect(page.locator("#dx-start-model")).to_contain_text("テスト用モデル")
    _shot(page, "start.png", publish=True)
    page.get_by_role("button", name=EXAMPLE_QUESTIONS[0]).click()
    expect(page.get_by_role("tab", name="チャット")).to_have_attribute("aria-selected", "true")
    bot = page.locator("#dx-chat .message.bot, #dx-chat [data-testid='bot']").last
    bot.wait_for(timeout=120_000)
    expect(page.locator("#dx-chat")).to_contain_text(EXAMPLE_QUESTIONS[0])


def test_a_case_from_deepdive_to_export_survives_a_restart(stack) -> None:
    from docx import Document
    from playwright.sync_api import expect

    from app.ui.tabs.cases import example_choices

    server, app, page, _ = stack
    page.get_by_role("tab", name="案件").click()
    label = dict((stem, lab) for lab, stem in example_choices())["town-10k"]
    page.locator("#dx-case-example input").click()
    page.get_by_role("option", name=label).click()
    name_box = page.locator("#dx-case-profile-name textarea, #dx-case-profile-name input").first
    expect(name_box).not_to_have_value("", timeout=10_000)
    page.locator("#dx-case-create").click()
    expect(page.locator("#dx-case-path")).to_contain_text("未着手", timeout=15_000)
    expect(page.locator("#dx-case-next")).to_contain_text("起案してください")

    flow = _flow_kinds()
    assert [k for _, k, _ in flow][:2] == ["deepdive", "posting"]
    for step, kind, _ in flow:
        page.get_by_role("tab", name=_step_tab_name(step)).click()
        page.locator(f"#dx-case-gen-{kind}").click()
        expect(page.locator(f"#dx-case-ver-{kind}")).to_contain_text("最新: 版1", timeout=300_000)
    expect(page.locator("#dx-case-path")).to_contain_text("作成中")

    # ③ the posting: edit one section in the editor, save → version 2
    page.get_by_role("tab", name=_step_tab_name(3)).click()
    page.locator("#dx-case-step3").get_by_role("tab", name="編集").first.click()  # the posting's (first) editor
    editor = page.locator("#dx-case-edit-posting textarea")
    text = editor.input_value()
    lines = text.splitlines()
    first_section = next(i for i, line in enumerate(lines) if line.startswith("## "))
    lines.insert(first_section + 1, "\n" + EDIT)
    editor.fill("\n".join(lines))
    page.locator("#dx-case-save-posting").click()
    expect(page.locator("#dx-case-ver-posting")).to_contain_text("最新: 版2", timeout=30_000)
    expect(page.locator("#dx-case-ver-posting")).to_contain_text("利用者の編集")

    # a Japanese toast header: an empty note is refused
    page.get_by_text("メモ", exact=True).click()
    page.locator("#dx-case-add-note").click()
    toast = page.locator("[data-testid='toast-body']").last
    toast.wait_for(timeout=15_000)
    expect(toast).to_contain_text("エラー")
    assert "Error" not in toast.inner_text() and "Warning" not in toast.inner_text()

    # restart the server: nothing in memory survives, the case and the edit come back from the store
    server.close()
    restarted = _restart(app)
    try:
        page.reload()
        page.get_by_role("tab", name="案件").click()
        expect(page.locator("#dx-case-path")).to_contain_text("作成中", timeout=30_000)  # the last case, remembered
        page.get_by_role("tab", name=_step_tab_name(3)).click()
        expect(page.locator("#dx-case-ver-posting")).to_contain_text("最新: 版2", timeout=15_000)
        expect(page.locator("#dx-case-preview-posting")).to_contain_text(EDIT[:12])
        _shot(page, "case.png", publish=True)

        # export the whole case as one .docx and read its headings
        page.locator("#dx-case-docx").click()
        link = page.locator("#dx-case-download [data-testid='download-link']")
        link.wait_for(timeout=30_000)
        response = page.request.get(link.get_attribute("href"))
        assert response.ok
        path = OUT / "case-export.docx"
        path.write_bytes(response.body())
        doc = Document(str(path))
        headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
        assert headings[0].endswith("の外部デジタル人材の確保"), headings[:3]
        for step, _, _ in flow:
            assert any(h.startswith(_step_tab_name(step)) and "作成中" in h for h in headings), (step, headings)
        assert sum(1 for h in headings if h.endswith("（〇〇町（架空））")) >= len(flow)  # one draft title per artefact
        assert any(EDIT in p.text for p in doc.paragraphs)

        # 設定 shows the address the server really listens on
        page.get_by_role("tab", name="設定").click()
        port = app.url.rstrip("/").rsplit(":", 1)[1]
        expect(page.locator("#dx-settings")).to_contain_text(f"127.0.0.1:{port}", timeout=15_000)
    finally:
        restarted.close()


def _step_tab_name(step: int) -> str:
    from app.cases.models import step_label

    return step_label(step)


def test_documents_on_a_phone_show_title_kind_and_file(stack, tmp_path_factory: pytest.TempPathFactory) -> None:
    """資料 at 390 px: every tab reachable without an overflow menu; the documents table keeps title, kind and file."""
    browser = stack[3]
    with running_app(tmp_path_factory.mktemp("ui-phone")) as app:
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="ja-JP")
        try:
            page.goto(app.url)
            page.get_by_role("tab", name="資料").click(timeout=30_000)
            page.locator("#dx-documents [role=gridcell]").first.wait_for(timeout=30_000)
            shown = [h.inner_text().strip() for h in page.locator("#dx-documents thead th").all() if h.is_visible()]
            assert shown == ["タイトル", "種別", "ファイル"], shown
            cell = page.locator("#dx-documents [role=gridcell][data-col='0']").first
            assert cell.bounding_box()["width"] > 120  # the title has room to be read
            _shot(page, "documents-phone.png", publish=True)
        finally:
            page.close()
