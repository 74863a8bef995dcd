"""The 案件 store and service: versions are appended (never overwritten), edits survive a reopen, statuses move,
migrations are numbered and refuse a newer database, and a whole case exports to .docx / .zip."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.cases import export as case_export
from app.cases.kinds import draft_kinds
from app.cases.models import CaseError
from app.cases.service import CaseService, next_action
from app.cases.store import MIGRATIONS, CaseStore
from app.config import Settings
from app.drafting.export import to_markdown
from app.drafting.profile import MunicipalityProfile
from app.schemas import Citation, Draft, DraftSection

PROFILE = MunicipalityProfile(name="山川村", population=3000, issues=["窓口の申請が紙のまま"], work_style=["副業"])


class Drafter:
    """Stands in for `Services.draft`: records what it was asked, returns a small cited draft of that kind."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, kind: str, profile: MunicipalityProfile, **kwargs: Any) -> Draft:
        self.calls.append({"kind": kind, "profile": profile, **kwargs})
        cite = Citation(n=1, title="募集要項の書き方", kind="practice", source="practice-job-posting.md",
                        heading="業務内容", text="…")
        return Draft(kind=kind, title=f"{kind}（{profile.display_name}）", warnings=["報酬は要確認です"],
                     sections=[DraftSection(title="業務内容", body="DX推進の助言[1]。", citations=[cite]),
                               DraftSection(title="報酬", body="要確認")])


@pytest.fixture
def service(settings: Settings) -> CaseService:
    return CaseService(CaseStore(settings.cases_db), settings.model_copy(update={"llm_backend": "fake"}), Drafter())


def test_a_case_starts_with_four_steps_not_started(service: CaseService) -> None:
    case = service.new_case("", PROFILE)
    assert case.title == "山川村の外部デジタル人材の確保"
    assert case.statuses == {1: "未着手", 2: "未着手", 3: "未着手", 4: "未着手"}
    assert service.profile(case) == PROFILE
    assert next_action(case).kind == draft_kinds()[0].kind
    with pytest.raises(CaseError, match="案件名"):
        service.store.create("  ", {})


def test_drafts_are_seeded_by_the_case_and_every_version_is_kept(service: CaseService) -> None:
    case = service.new_case("山川村DX", PROFILE)
    first = service.draft(case.id, "deepdive")
    assert (first.n, first.origin, first.model) == (1, "generated", "fake")
    service.draft(case.id, "posting")
    drafter: Drafter = service.draft_fn  # type: ignore[assignment]
    assert drafter.calls[0]["seed"] is None
    assert drafter.calls[1]["seed"].kind == "deepdive"  # the case's own deep-dive seeds its posting
    again = service.draft(case.id, "deepdive")
    case = service.store.get(case.id)
    assert again.n == 2 and [v.n for v in case.artefact("deepdive").versions] == [1, 2]
    assert case.statuses[1] == "作成中" and case.statuses[3] == "作成中" and case.statuses[2] == "未着手"
    assert case.artefact("posting").latest.warnings == ["報酬は要確認です"]


def test_an_edit_is_a_new_version_and_survives_a_new_store(service: CaseService, settings: Settings) -> None:
    case = service.new_case("山川村DX", PROFILE)
    service.draft(case.id, "posting")
    base = service.store.get(case.id).artefact("posting").latest.draft
    text = to_markdown(base).replace("DX推進の助言[1]。", "DX推進計画への助言（週1回）[1]。")
    assert service.save_edit(case.id, "posting", to_markdown(base)) is None  # unchanged text: no new version
    edited = service.save_edit(case.id, "posting", text)
    assert edited is not None and (edited.n, edited.origin) == (2, "edited")
    reopened = CaseStore(settings.cases_db).get(case.id)  # another process, after a restart
    latest = reopened.artefact("posting").latest
    assert latest.draft.sections[0].body == "DX推進計画への助言（週1回）[1]。"
    assert latest.draft.sections[0].citations[0].title == "募集要項の書き方"  # the citations are kept
    assert reopened.artefact("posting").versions[0].draft.sections[0].body == "DX推進の助言[1]。"
    with pytest.raises(CaseError, match="まだ起案"):
        service.save_edit(case.id, "interview", "x")


def test_one_edit_saved_twice_at_once_is_one_version(service: CaseService) -> None:
    """The editor saves on the button and when the box loses focus; both may arrive together."""
    from concurrent.futures import ThreadPoolExecutor

    case = service.new_case("山川村DX", PROFILE)
    service.draft(case.id, "posting")
    base = service.store.get(case.id).artefact("posting").latest.draft
    text = to_markdown(base).replace("DX推進の助言[1]。", "DX推進計画への助言（週1回）[1]。") + "\n"
    with ThreadPoolExecutor(4) as pool:
        saved = list(pool.map(lambda _: service.save_edit(case.id, "posting", text), range(4)))
    assert sum(v is not None for v in saved) == 1
    assert [v.n for v in service.store.get(case.id).artefact("posting").versions] == [1, 2]


def test_status_notes_and_next_action(service: CaseService) -> None:
    case = service.new_case("山川村DX", PROFILE)
    for kind in [v.kind for v in draft_kinds() if v.step == 1]:
        service.draft(case.id, kind)
    assert "確認済み" in next_action(service.store.get(case.id)).text
    service.store.set_status(case.id, 1, "確認済み")
    step2 = next_action(service.store.get(case.id))
    assert step2.step == 2 and "支援制度" in step2.text
    service.store.set_status(case.id, 2, "確認済み")
    assert next_action(service.store.get(case.id)).kind == next(v.kind for v in draft_kinds() if v.step == 3)
    service.store.add_note(case.id, "人事課と報酬を相談する", step=3)
    with pytest.raises(CaseError):
        service.store.set_status(case.id, 1, "完了")  # type: ignore[arg-type]
    with pytest.raises(CaseError, match="空"):
        service.store.add_note(case.id, " ")
    case = service.store.get(case.id)
    assert case.notes[0].body == "人事課と報酬を相談する" and case.notes[0].step == 3
    service.draft(case.id, "deepdive")  # changing a confirmed step's artefact reopens it
    assert service.store.get(case.id).statuses[1] == "作成中"
    listed = service.store.list()
    assert [c.id for c in listed] == [case.id] and listed[0].statuses[2] == "確認済み"
    with pytest.raises(CaseError, match="見つかりません"):
        service.store.get("nope")


def test_migrations_are_numbered_and_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cases.sqlite3"
    store = CaseStore(path)
    assert store.schema_version == len(MIGRATIONS)
    case = store.create("旧版の案件", {"issues": ["x"]})
    upgraded = CaseStore(path, migrations=[*MIGRATIONS, "ALTER TABLE cases ADD COLUMN owner TEXT NOT NULL DEFAULT ''"])
    assert upgraded.schema_version == len(MIGRATIONS) + 1
    assert upgraded.get(case.id).title == "旧版の案件"  # the data survives the upgrade
    with sqlite3.connect(path) as db:
        assert "owner" in [r[1] for r in db.execute("PRAGMA table_info(cases)")]
    with pytest.raises(CaseError, match="新しい版"):
        CaseStore(path)  # this dxhire knows one version fewer
    broken = tmp_path / "broken.sqlite3"
    with pytest.raises(sqlite3.Error):
        CaseStore(broken, migrations=[*MIGRATIONS, "CREATE TABLE cases (x)"])
    assert CaseStore(broken).schema_version == len(MIGRATIONS)  # the failed step was rolled back whole


def test_export_docx_and_zip(service: CaseService, tmp_path: Path) -> None:
    from docx import Document

    case = service.new_case("山川村DX", PROFILE)
    service.draft(case.id, "deepdive")
    service.draft(case.id, "posting")
    base = service.store.get(case.id).artefact("posting").latest.draft
    service.save_edit(case.id, "posting", to_markdown(base).replace("DX推進の助言", "編集した業務内容"))
    service.store.add_note(case.id, "財政課に相談済み")
    case = service.store.get(case.id)
    doc = Document(str(case_export.to_docx(case, tmp_path / "case.docx")))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == "山川村DX" and "自治体プロファイル" in headings
    assert headings.index("① 業務課題の特定（作成中）") < headings.index("deepdive（山川村）") \
        < headings.index("③ 人材の選定（作成中）") < headings.index("posting（山川村）")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "編集した業務内容" in text and "版2（利用者の編集" in text and "財政課に相談済み" in text
    assert "3,000人" in "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    with zipfile.ZipFile(case_export.to_zip(case, tmp_path / "case.zip")) as z:
        names = z.namelist()
        assert names[0] == "00_案件の概要.md" and len(names) == 3
        posting = next(n for n in names if "posting" in n)
        assert "編集した業務内容" in z.read(posting).decode("utf-8")
        assert "③ 人材の選定（作成中）" in z.read(names[0]).decode("utf-8")
