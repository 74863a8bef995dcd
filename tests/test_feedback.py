from __future__ import annotations

import json

import pytest

from app.feedback import FeedbackStore
from app.schemas import Answer, Citation


def _answer() -> Answer:
    cite = Citation(n=1, title="地域活性化起業人", kind="support-scheme", source="corpus/scheme-kigyojin.md",
                    heading="企業派遣型", text="企業派遣型の特別交付税の上限は年560万円。")
    return Answer(answer="上限は年560万円です[1]。", citations=[cite])


def test_feedback_roundtrip_and_export(tmp_path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    first = store.add("起業人の上限は？", _answer(), "helpful", "わかりやすい")
    second = store.add("市民税は？", Answer(answer="資料に記載がありません。", abstained=True), "incorrect")
    assert second == first + 1
    # a new store on the same file sees the records: they persist
    records = FeedbackStore(tmp_path / "fb.sqlite3").all()
    assert [r.rating for r in records] == ["helpful", "incorrect"]
    assert records[0].citations[0]["title"] == "地域活性化起業人"

    out = tmp_path / "cases.jsonl"
    assert store.export_eval_cases(out) == 2
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["question"] == "起業人の上限は？" and lines[0]["kind"] == "qa"
    assert lines[0]["gold_sources"] == ["地域活性化起業人"]
    assert lines[1]["kind"] == "abstain"


def test_unknown_rating_is_refused(tmp_path) -> None:
    with pytest.raises(ValueError):
        FeedbackStore(tmp_path / "fb.sqlite3").add("q", _answer(), "great")  # type: ignore[arg-type]
