"""User feedback on answers, stored locally in SQLite and exportable as eval cases.

Staff mark answers 役に立った / 根拠が違う / 誤り; the record keeps the question, the answer and the cited
passages so a reviewer can later turn it into an eval item (``export_eval_cases`` writes the hidden-set JSONL
format that ``dxhire eval --file`` reads, with empty fact lists for the reviewer to fill).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from app.schemas import Answer

Rating = Literal["helpful", "wrong_source", "incorrect"]
RATING_LABELS_JA: dict[str, str] = {"helpful": "役に立った", "wrong_source": "根拠が違う", "incorrect": "誤り"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    citations TEXT NOT NULL
)
"""


class FeedbackRecord(BaseModel):
    id: int
    created_at: str
    rating: Rating
    comment: str = ""
    question: str
    answer: str
    abstained: bool
    citations: list[dict] = Field(default_factory=list)


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path)
        try:
            with db:  # commits or rolls back
                yield db
        finally:
            db.close()

    def add(self, question: str, answer: Answer, rating: Rating, comment: str = "") -> int:
        if rating not in RATING_LABELS_JA:
            raise ValueError(f"unknown rating {rating!r}")
        citations = json.dumps([c.model_dump(mode="json") for c in answer.citations], ensure_ascii=False)
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, rating, comment, question, answer, abstained, citations)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (datetime.now(UTC).isoformat(timespec="seconds"), rating, comment.strip(), question,
                 answer.answer, int(answer.abstained), citations),
            )
            return int(cursor.lastrowid)

    def all(self) -> list[FeedbackRecord]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, created_at, rating, comment, question, answer, abstained, citations FROM feedback ORDER BY id"
            ).fetchall()
        return [
            FeedbackRecord(id=r[0], created_at=r[1], rating=r[2], comment=r[3], question=r[4], answer=r[5],
                           abstained=bool(r[6]), citations=json.loads(r[7]))
            for r in rows
        ]

    def export_eval_cases(self, path: Path) -> int:
        """Write every record as a hidden-set eval line; the reviewer fills reference_facts / must_not."""
        records = self.all()
        with path.open("w", encoding="utf-8") as fh:
            for r in records:
                item = {
                    "id": f"feedback-{r.id}",
                    "kind": "abstain" if r.abstained else "qa",
                    "question": r.question,
                    "reference_facts": [],
                    "must_not": [],
                    "gold_sources": [c["title"] for c in r.citations] if r.rating == "helpful" else [],
                    "feedback": {"rating": r.rating, "comment": r.comment, "answer": r.answer},
                }
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
        return len(records)
