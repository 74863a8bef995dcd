"""Everything from documents, file names and the model is rendered inert: no raw tag survives a real Markdown renderer."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from app.schemas import Answer, Citation, Draft, DraftSection
from app.ui import render

HOSTILE_NAME = "x`<img src=x onerror=alert(1)>`.md"
HOSTILE_TEXT = "本文</p><script>alert(1)</script>[ここ](javascript:alert(1)) `code` **強調** $$x$$"

_MD = MarkdownIt("commonmark", {"html": True})  # raw HTML on, as a permissive page would render it


def _html(markdown: str) -> str:
    return _MD.render(markdown)


def _assert_inert(markdown: str) -> None:
    out = _html(markdown)
    assert "<img" not in out and "<script" not in out and "</p><script" not in out
    assert 'href="javascript' not in out and "<code>" not in out


def _hostile_citation(n: int = 1) -> Citation:
    return Citation(n=n, title=f"題<img src=x onerror=alert(1)>{HOSTILE_NAME}", kind="document", source=HOSTILE_NAME,
                    heading="見出し<b>x</b>", text=HOSTILE_TEXT)


def test_hostile_file_name_and_passage_render_escaped_in_the_sources_panel() -> None:
    md = render.sources_markdown(Answer(answer="回答です[1]。", citations=[_hostile_citation()]))
    _assert_inert(md)
    assert "onerror=alert(1)" in _html(md)  # shown as the characters it is, not dropped


def test_answer_bubble_and_question_are_inert_but_known_markers_stay_bold() -> None:
    answer = Answer(answer=f"{HOSTILE_TEXT}[1]と[7]", citations=[_hostile_citation()])
    md = render.answer_markdown(answer)
    _assert_inert(md.replace("<b>[1]</b>", ""))
    assert "<b>[1]</b>" in md and "<b>[7]</b>" not in md
    assert "[7]" in _html(md)  # an unknown marker is shown as written
    _assert_inert(render.streaming_markdown(HOSTILE_TEXT))
    _assert_inert(render.chat_messages([(HOSTILE_TEXT, "回答")])[0]["content"])


def test_draft_panels_are_inert() -> None:
    draft = Draft(kind="posting", sections=[DraftSection(title="業務<img src=x>", body="x", citations=[_hostile_citation()])],
                  warnings=[f"{HOSTILE_NAME}: 注意"])
    _assert_inert(render.draft_sources_markdown(draft))
    _assert_inert(render.draft_warnings_markdown(draft))


@pytest.mark.parametrize("text", ["a*b*c", "a_b_c", "[x](y)", "`x`", "<b>", "&amp;", "1|2", "$$x$$", "\\"])
def test_escape_md_renders_as_the_same_characters(text: str) -> None:
    import html

    rendered = _html(render.escape_md(text))
    assert html.unescape(rendered.removeprefix("<p>").removesuffix("</p>\n")) == text


def test_highlighted_passage_and_evidence_excerpts_are_inert_around_the_mark() -> None:
    from app.schemas import Evidence

    text = f"前{HOSTILE_TEXT}後"
    cite = _hostile_citation().model_copy(update={"text": text, "highlight": (1, 1 + len(HOSTILE_TEXT))})
    md = render.sources_markdown(Answer(answer="x[1]。", citations=[cite]))
    _assert_inert(md.replace("<mark>", "").replace("</mark>", ""))
    assert "<mark>" in _html(md) and "onerror" not in _html(md).replace("onerror=alert(1)", "")
    answer = Answer(answer="x[1]。", citations=[cite], evidence=[Evidence.of(cite, HOSTILE_TEXT)])
    _assert_inert(render.answer_markdown(answer).replace("<b>[1]</b>", ""))
