"""End to end in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright's Python package):
ask a question and see the answer with a located source; generate a 募集要項 and see its sections.

Screenshots go to test-output/e2e/ (git-ignored); the final two are also copied to docs/screenshots/ for the
closing note of the UI issue.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import CHROMIUM, OUT, open_page
from ui_server import RunningApp, running_app

from app.config import PROJECT_ROOT

DOCS_SHOTS = PROJECT_ROOT / "docs" / "screenshots"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with running_app(tmp_path_factory.mktemp("ui-e2e")) as running:
        yield running


@pytest.fixture(scope="module")
def page(app: RunningApp):
    with open_page(app.url) as page:
        yield page


def _shot(page, name: str) -> Path:
    path = OUT / name
    page.screenshot(path=str(path), full_page=True)
    return path


def _publish(path: Path, name: str) -> None:
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS_SHOTS / name)


def test_chat_shows_answer_and_a_located_source(page) -> None:
    page.locator("#dx-q textarea").fill("地域活性化起業人の企業派遣型とはどんな制度ですか？")
    page.locator("#dx-ask").click()
    sources = page.locator("#dx-sources")
    sources.get_by_text("位置:").first.wait_for(timeout=120_000)
    bubble = page.locator("#dx-chat .message.bot, #dx-chat [data-testid='bot']").last
    answer_text = bubble.inner_text()
    assert answer_text.strip() and "[1]" in answer_text
    panel = sources.inner_text()
    assert "[1]" in panel and "種別:" in panel
    assert "位置: p." in panel or "位置: " in panel  # a page (PDF) or a heading (Markdown)

    # feedback goes into SQLite with the question, answer and sources
    page.get_by_text("この回答を評価する").click()
    page.locator("#dx-fb-helpful").click()
    page.locator("#dx-fb-status").get_by_text("保存しました").wait_for(timeout=15_000)
    _publish(_shot(page, "chat.png"), "chat.png")


def test_chat_shows_the_evidence_first_then_the_synthesis_with_the_sentence_marked_in_its_source(
        app: RunningApp, page) -> None:
    """Evidence-first answers (issue 12): 「資料の該当箇所」 is on screen before the model's first character, then
    「まとめ」; the sources panel marks the evidence sentence inside each passage. Screenshot: chat-evidence.png."""
    inner = app.services.llm.inner
    delay, inner.delay = inner.delay, 0.03  # the fake writes at a visible pace, like a model
    try:
        page.reload()
        page.get_by_role("tab", name="チャット").click()
        page.evaluate("""() => {  // every text the last bot bubble shows while the answer comes in
            window.__dxBubble = [];
            const chat = document.querySelector('#dx-chat');
            new MutationObserver(() => {
                const bots = chat.querySelectorAll('.message.bot, [data-testid="bot"]');
                if (bots.length) window.__dxBubble.push(bots[bots.length - 1].innerText);
            }).observe(chat, {subtree: true, childList: true, characterData: true});
        }""")
        page.locator("#dx-q textarea").fill("地域活性化起業人の企業派遣型では、国からどんな財政支援がありますか？")
        page.locator("#dx-ask").click()
        sources = page.locator("#dx-sources")
        sources.locator("mark").first.wait_for(timeout=120_000)
        bubble = page.locator("#dx-chat .message.bot, #dx-chat [data-testid='bot']").last
        from playwright.sync_api import expect

        expect(bubble).not_to_contain_text("▍", timeout=120_000)  # the checked answer replaced the stream
    finally:
        inner.delay = delay
    shown = page.evaluate("window.__dxBubble")
    final = bubble.inner_text()
    summary = final[final.index("まとめ"):]
    early = [t for t in shown if "資料の該当箇所" in t and len(t[t.index("まとめ"):] if "まとめ" in t else "") < len(summary)]
    assert early, shown[:5]  # the evidence was on screen while the synthesis was still being written
    assert final.index("資料の該当箇所") < final.index("まとめ") and "[1]" in final
    excerpt = final[final.index("[1]") + 3:final.index("まとめ")].strip().splitlines()[0].strip()
    marked = sources.locator("mark").all_inner_texts()
    assert any(excerpt[:20] in m for m in marked), (excerpt, marked)  # the excerpt is the sentence marked
    background = sources.locator("mark").nth(1).evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background  # a visible highlight
    assert "<mark>" not in sources.inner_text()  # a tag, not text
    _publish(_shot(page, "chat-evidence.png"), "chat-evidence.png")


def test_empty_question_warns_and_keeps_the_page_usable(page) -> None:
    page.locator("#dx-q textarea").fill("")
    page.locator("#dx-ask").click()
    page.get_by_text("質問を入力してください").first.wait_for(timeout=10_000)
    assert page.locator("#dx-ask").is_enabled()


def test_generate_a_posting_and_see_its_sections(app: RunningApp, page) -> None:
    page.reload()  # a fresh page: no toast left over from the chat tests
    page.get_by_role("tab", name="起案").click()
    example = page.locator("#dx-example input")
    example.click()
    page.get_by_role("option", name="人口1万人の町（副業・リモートのDX推進アドバイザー）").click()  # shown by its Japanese label
    name_box = page.locator("[id^='dx-profile-'] textarea, [id^='dx-profile-'] input").first
    page.wait_for_function("el => el.value && el.value.length > 0", arg=name_box.element_handle(), timeout=10_000)
    page.get_by_role("tab", name="募集要項").click()
    llm_calls = getattr(app.services.llm, "calls", None)
    before = len(llm_calls) if llm_calls is not None else None
    page.evaluate("""() => {  // record every text the progress bar shows while the draft runs
        window.__dxProgress = [];
        const el = document.querySelector('#dx-progress-posting');
        new MutationObserver(() => window.__dxProgress.push(el.innerText.trim()))
            .observe(el, {subtree: true, childList: true, characterData: true});
    }""")
    page.locator("#dx-gen-posting").dblclick()  # a double click must not start two runs
    status = page.locator("#dx-status-posting")
    status.get_by_text("起案しました").wait_for(timeout=300_000)
    from app.drafting.kinds import KINDS

    total = len(KINDS["posting"].specs)
    shown = page.evaluate("window.__dxProgress")
    assert any(f"/{total} 「" in t and "起案しています" in t for t in shown), shown  # section n/N with its title
    bar = page.locator("#dx-progress-posting progress")
    assert bar.bounding_box()["height"] >= 8  # a visible bar, not the old 0–4 px line
    preview = page.locator("#dx-preview-posting")
    headings = preview.locator("h2, h3").all_inner_texts()
    assert len(headings) >= 3, headings
    assert page.locator("#dx-warnings-posting").inner_text().strip()
    assert page.locator("#dx-sources-posting").inner_text().strip()
    page.wait_for_timeout(1500)  # give a second (wrong) run the time to show up in the model's call log
    if before is not None:
        per_run = len(llm_calls) - before
        from app.drafting.profile import load_profile
        from app.ui.profile_form import example_profiles

        profile = load_profile(example_profiles()["town-10k"])
        again = len(llm_calls)
        app.services.draft("posting", profile)
        assert per_run == len(llm_calls) - again, "the double click started a second drafting run"
    from playwright.sync_api import expect

    expect(page.locator("#dx-gen-posting")).to_be_enabled(timeout=10_000)  # usable again after the run
    expect(page.locator("#dx-gen-posting")).to_have_text("募集要項を起案")

    # download the edited draft as .docx
    page.get_by_role("button", name="Wordで保存 (.docx)").click()
    link = page.locator("#dx-download-posting [data-testid='download-link']")
    link.wait_for(timeout=30_000)
    assert link.get_attribute("download") == "posting.docx"
    docx = page.request.get(link.get_attribute("href"))
    assert docx.ok and docx.body()[:2] == b"PK"  # a real .docx (zip) came back
    page.get_by_text("自治体プロファイル").first.click()  # fold the form so the draft fills the screenshot
    page.wait_for_timeout(500)
    _publish(_shot(page, "draft.png"), "draft.png")

    # send the (edited) posting on: the 面接 tab opens and says it builds on it
    page.locator("#dx-send-posting").click()
    page.get_by_text("前のタブの下書きを元に起案します。").wait_for(timeout=15_000)
    expect(page.get_by_role("tab", name="面接")).to_have_attribute("aria-selected", "true")


class _SlowAnswers:
    """Wraps the real answer pipeline: slows its stream down and records whether the server closed it."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.pieces = 0
        self.closed = False

    def stream_session(self, memory, session_id, question, **kwargs):
        import time

        try:
            for piece in self.inner.stream_session(memory, session_id, question, **kwargs):
                self.pieces += 1
                time.sleep(0.3)
                yield piece
        finally:
            self.closed = True


def test_closing_the_browser_mid_stream_stops_the_answer_and_the_app_keeps_serving(app: RunningApp, page) -> None:
    import time

    slow = _SlowAnswers(app.services.answers)
    app.services.__dict__["answers"] = slow
    try:
        other = page.context.browser.new_page()
        other.goto(app.url)
        other.get_by_role("tab", name="チャット").click()
        other.locator("#dx-q textarea").fill("地域活性化起業人の副業型とは？")
        other.locator("#dx-ask").click()
        deadline = time.monotonic() + 60
        while slow.pieces < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert slow.pieces >= 3, "the answer never started streaming"
        other.close()  # the user closes the tab mid-answer
        deadline = time.monotonic() + 30
        while not slow.closed and time.monotonic() < deadline:
            time.sleep(0.2)
        assert slow.closed, "the server kept generating for a closed browser"
    finally:
        app.services.__dict__["answers"] = slow.inner
    page.get_by_role("tab", name="チャット").click()
    page.locator("#dx-q textarea").fill("地域活性化起業人とは？")
    page.locator("#dx-ask").click()
    page.locator("#dx-chat .message.bot, #dx-chat [data-testid='bot']").nth(1).wait_for(timeout=60_000)
