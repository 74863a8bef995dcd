"""The start page and the 案件 tab's presentation, without a browser: steps from the kind registry, the index by
kind group, the progress path, versions, notes escaped, finder results with their citation and 要確認."""

from __future__ import annotations

from app.cases.kinds import draft_kinds
from app.cases.models import Artefact, Case, Note, Version
from app.finders import FinderQuery, matching_schemes, similar_cases
from app.schemas import Draft, DraftSection
from app.ui import case_view
from app.ui.tabs import start


def _case(**statuses: str) -> Case:
    draft = Draft(kind="posting", title="募集要項（山川村）", sections=[DraftSection(title="業務内容", body="x")])
    versions = [Version(n=1, created_at="2026-12-03T10:00:00+09:00", origin="generated", model="embedded",
                        warnings=["報酬は要確認"], draft=draft),
                Version(n=2, created_at="2026-12-03T10:05:00+09:00", origin="edited", model="利用者の編集", draft=draft)]
    return Case(id="c1", title="山川村<b>", created_at="2026-12-03T10:00:00+09:00",
                updated_at="2026-12-03T10:05:00+09:00", profile={"issues": ["x"]},
                statuses={1: "確認済み", 2: "未着手", 3: "作成中", 4: "未着手"},
                artefacts=[Artefact(kind="posting", step=3, versions=versions)],
                notes=[Note(id=1, created_at="2026-12-03T10:06:00+09:00", step=3, body="<script>x</script>人事課と相談")])


def test_steps_table_lists_every_registered_kind_under_its_step() -> None:
    table = start.steps_markdown()
    rows = {line.split("**")[1][0]: line for line in table.splitlines() if "**" in line}
    for view in draft_kinds():
        assert view.title in rows["①②③④"[view.step - 1]], (view.kind, rows)
    assert "人材要件の定義" in table and "支援制度" in table  # ② has no draft kind: says what it produces instead


def test_index_groups_and_the_missing_official_pdf() -> None:
    docs = [{"kind": "case", "chunks": 5}, {"kind": "support-scheme", "chunks": 3}, {"kind": "document", "chunks": 2}]
    text = start.index_markdown(docs)
    assert "| 要約（dxhire が公開情報から作成） | 2件 | 8 |" in text and "| 利用者の資料 | 1件 | 2 |" in text
    assert "公式ガイドブックのPDFは索引にありません" in text
    assert "ありません" not in start.index_markdown([*docs, {"kind": "official", "chunks": 40}])
    assert "索引はまだ空" in start.index_markdown([])


def test_path_versions_and_notes() -> None:
    case = _case()
    path = case_view.path_html(case)
    assert path.count('class="dx-step') == 4 and "dx-done" in path and "dx-doing" in path
    assert path.index("① 業務課題の特定") < path.index("④ 人材の受け入れ")
    versions = case_view.version_markdown(case.artefact("posting"))
    assert versions.startswith("**最新: 版2**（全2版）") and "利用者の編集" in versions and "指摘1件" in versions
    notes = case_view.notes_markdown(case)
    assert "<script>" not in notes and "人事課と相談" in notes and "③ 人材の選定" in notes
    assert case_view.case_choices([case]) == [("山川村<b>（更新 2026-12-03 10:05）", "c1")]


def test_finder_markdown_quotes_with_sources_and_marks_what_is_unknown() -> None:
    q = FinderQuery(body_type="村", population=3000)
    cases = case_view.cases_markdown(similar_cases(q, limit=2))
    assert cases.startswith("**福島県磐梯町**（町、約3,400人）") and "担当者のアドバイス: 資料にありません" in cases
    assert "出典: 事例：福島県磐梯町" in cases and "case-bandai.md" in cases
    schemes = case_view.schemes_markdown(matching_schemes(q))
    assert "【要確認】地域活性化起業人の企業派遣型" in schemes and "年度: 要確認" in schemes
    assert case_view.cases_markdown([]) == "条件に合う事例は資料にありません。"


def test_toasts_keep_the_japanese_part_of_a_core_message() -> None:
    from app.ui.notify import japanese

    assert japanese("メモが空です / the note is empty") == "メモが空です"
    assert japanese("x.xlsx: 対応していない形式です（…） / unsupported file type (suffix .xlsx)").endswith("（…）")
    assert japanese("保存しました。") == "保存しました。"
    assert japanese(" / only english") == " / only english"
