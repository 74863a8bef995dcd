"""Markdown and .docx export with a sources section; edited Markdown read back keeps the citations."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from app.drafting.export import draft_from_markdown, to_docx, to_markdown
from app.schemas import Citation, Draft, DraftSection

CITE = Citation(n=1, title="地域活性化起業人", kind="support-scheme", source="corpus/scheme-kigyojin.md",
                heading="地域活性化起業人 > 副業型", text="副業型は令和6年度から。")
DRAFT = Draft(kind="posting", title="募集要項（案）（〇〇町）", warnings=["「報酬」: 根拠のない数値"], sections=[
    DraftSection(title="背景とミッション", body="- **副業型**を検討します[1]。\n  - 詳細は要確認", citations=[CITE]),
    DraftSection(title="面接の構成（時間配分）", body="説明\n\n| 順 | 進行 | 時間 |\n|---|---|---|\n| 1 | 導入 | 5分 |"),
])


def test_markdown_has_sections_sources_with_kind_label_and_warnings() -> None:
    md = to_markdown(DRAFT)
    assert md.startswith("# 募集要項（案）（〇〇町）")
    assert "## 背景とミッション" in md and "## 出典" in md
    assert "[1] 地域活性化起業人／支援制度の要約／副業型（corpus/scheme-kigyojin.md）" in md
    assert "根拠のない数値" in md


def test_docx_is_readable_by_python_docx(tmp_path: Path) -> None:
    path = tmp_path / "out" / "posting.docx"
    to_docx(DRAFT, path)
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert "背景とミッション" in texts and "出典" in texts
    assert any("副業型を検討します[1]" in t for t in texts)
    assert any("支援制度の要約" in t and "scheme-kigyojin" in t for t in texts)
    table = doc.tables[0]
    assert [c.text for c in table.rows[1].cells] == ["1", "導入", "5分"]
    bold = [r.text for p in doc.paragraphs for r in p.runs if r.bold]
    assert "副業型" in bold


def test_edited_markdown_round_trip_keeps_citations() -> None:
    md = to_markdown(DRAFT).replace("検討します", "優先して検討します")
    edited = draft_from_markdown(md, DRAFT)
    assert [s.title for s in edited.sections] == ["背景とミッション", "面接の構成（時間配分）"]
    assert "優先して検討します" in edited.sections[0].body and edited.sections[0].citations == [CITE]
    assert "出典" not in [s.title for s in edited.sections]
    assert draft_from_markdown("", DRAFT) == DRAFT


def test_checklist_boxes_and_japanese_only_warnings_in_both_exports(tmp_path: Path) -> None:
    from app.schemas import DraftCheck

    checklist = Draft(kind="checklist", title="受け入れチェックリスト（〇〇町）", sections=[
        DraftSection(title="着任初日", body="- [ ] 誓約書の提出を受ける（担当: 要確認）")],
        checks=[DraftCheck(code="draft_no_source", section="着任初日", detail="practice-onboarding")],
        warnings=["「着任初日」: … / draft_no_source"])
    md = to_markdown(checklist)
    assert "- [ ] 誓約書の提出を受ける" in md
    assert "根拠となる資料の箇所が索引に見つかりませんでした" in md and "draft_no_source" not in md
    path = tmp_path / "checklist.docx"
    to_docx(checklist, path)
    texts = [p.text for p in Document(str(path)).paragraphs]
    assert "☐ 誓約書の提出を受ける（担当: 要確認）" in texts
    assert not any("draft_no_source" in t for t in texts)
