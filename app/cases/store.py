"""The 案件 store: SQLite under DXHIRE_HOME with a versioned schema.

Why SQLite with `PRAGMA user_version`: one file beside the index, safe for the few concurrent writers of one office
server, and upgrades that are numbered scripts applied in order inside one transaction (`MIGRATIONS`), never ad-hoc
ALTERs. A database written by a newer dxhire is refused rather than guessed at.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from app.cases.models import (
    STATUSES,
    STEP_TITLES,
    Artefact,
    Case,
    CaseError,
    CaseSummary,
    Note,
    Origin,
    StepStatus,
    Version,
)
from app.schemas import Draft

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        profile TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE steps (
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        step INTEGER NOT NULL CHECK (step BETWEEN 1 AND 4),
        status TEXT NOT NULL CHECK (status IN ('未着手', '作成中', '確認済み')),
        updated_at TEXT NOT NULL,
        PRIMARY KEY (case_id, step)
    );
    CREATE TABLE artefacts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        step INTEGER NOT NULL CHECK (step BETWEEN 1 AND 4),
        UNIQUE (case_id, kind)
    );
    CREATE TABLE versions (
        artefact_id INTEGER NOT NULL REFERENCES artefacts(id) ON DELETE CASCADE,
        n INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('generated', 'edited')),
        model TEXT NOT NULL,
        warnings TEXT NOT NULL,
        draft TEXT NOT NULL,
        PRIMARY KEY (artefact_id, n)
    );
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        step INTEGER CHECK (step BETWEEN 1 AND 4),
        created_at TEXT NOT NULL,
        body TEXT NOT NULL
    );
    """,
)
"""Schema version N is reached by running MIGRATIONS[:N] in order; append, never edit a shipped script."""


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class CaseStore:
    def __init__(self, path: Path, migrations: Sequence[str] = MIGRATIONS) -> None:
        self.path = path
        self.migrations = tuple(migrations)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._migrate()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA foreign_keys = ON")
        try:
            with db:  # commits or rolls back
                yield db
        finally:
            db.close()

    @property
    def schema_version(self) -> int:
        with self._connect() as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("BEGIN IMMEDIATE")  # one process upgrades; the others wait, then see the new version
            current = int(db.execute("PRAGMA user_version").fetchone()[0])
            if current > len(self.migrations):
                db.execute("ROLLBACK")
                raise CaseError(f"案件データベースが新しい版のdxhireで作られています（版{current}） / "
                                f"{self.path} has schema version {current}, this dxhire knows {len(self.migrations)}")
            for version, script in enumerate(self.migrations[current:], start=current + 1):
                for statement in (s for s in script.split(";") if s.strip()):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except sqlite3.Error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    # --- cases -------------------------------------------------------------------------------------------

    def create(self, title: str, profile: dict) -> Case:
        title = (title or "").strip()
        if not title:
            raise CaseError("案件名を入力してください / the case needs a title")
        case_id = secrets.token_hex(4)
        stamp = now()
        with self._connect() as db:
            db.execute("INSERT INTO cases (id, title, profile, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                       (case_id, title, json.dumps(profile, ensure_ascii=False), stamp, stamp))
            db.executemany("INSERT INTO steps (case_id, step, status, updated_at) VALUES (?, ?, '未着手', ?)",
                           [(case_id, step, stamp) for step in STEP_TITLES])
        return self.get(case_id)

    def list(self) -> list[CaseSummary]:
        """Every case, the most recently changed first."""
        with self._connect() as db:
            rows = db.execute("SELECT id, title, created_at, updated_at FROM cases ORDER BY updated_at DESC, id")
            cases = rows.fetchall()
            statuses = self._statuses(db, [r[0] for r in cases])
        return [CaseSummary(id=r[0], title=r[1], created_at=r[2], updated_at=r[3], statuses=statuses[r[0]])
                for r in cases]

    def _statuses(self, db: sqlite3.Connection, ids: list[str]) -> dict[str, dict[int, StepStatus]]:
        out: dict[str, dict[int, StepStatus]] = {i: {} for i in ids}
        for case_id, step, status in db.execute("SELECT case_id, step, status FROM steps ORDER BY step"):
            if case_id in out:
                out[case_id][step] = status
        return out

    def _require(self, db: sqlite3.Connection, case_id: str) -> tuple:
        row = db.execute("SELECT id, title, profile, created_at, updated_at FROM cases WHERE id = ?",
                         (case_id,)).fetchone()
        if row is None:
            raise CaseError(f"案件が見つかりません: {case_id} / no such case")
        return row

    def get(self, case_id: str) -> Case:
        with self._connect() as db:
            cid, title, profile, created, updated = self._require(db, case_id)
            statuses = self._statuses(db, [cid])[cid]
            artefacts = []
            for art_id, kind, step in db.execute(
                    "SELECT id, kind, step FROM artefacts WHERE case_id = ? ORDER BY step, id", (cid,)).fetchall():
                versions = [Version(n=n, created_at=at, origin=origin, model=model, warnings=json.loads(warnings),
                                    draft=Draft.model_validate_json(draft))
                            for n, at, origin, model, warnings, draft in db.execute(
                                "SELECT n, created_at, origin, model, warnings, draft FROM versions"
                                " WHERE artefact_id = ? ORDER BY n", (art_id,))]
                artefacts.append(Artefact(kind=kind, step=step, versions=versions))
            notes = [Note(id=i, created_at=at, step=step, body=body) for i, step, at, body in db.execute(
                "SELECT id, step, created_at, body FROM notes WHERE case_id = ? ORDER BY id", (cid,))]
        return Case(id=cid, title=title, profile=json.loads(profile), created_at=created, updated_at=updated,
                    statuses=statuses, artefacts=[a for a in artefacts if a.versions], notes=notes)

    def update_profile(self, case_id: str, profile: dict) -> None:
        with self._connect() as db:
            self._require(db, case_id)
            db.execute("UPDATE cases SET profile = ?, updated_at = ? WHERE id = ?",
                       (json.dumps(profile, ensure_ascii=False), now(), case_id))

    # --- artefacts, status, notes ----------------------------------------------------------------------------

    def add_version(self, case_id: str, kind: str, step: int, draft: Draft, origin: Origin, model: str) -> Version:
        """Append a version (never overwrite). The step moves from 未着手 to 作成中; a 確認済み step goes back to
        作成中 because what was checked has changed."""
        stamp = now()
        with self._connect() as db:
            self._require(db, case_id)
            db.execute("INSERT OR IGNORE INTO artefacts (case_id, kind, step) VALUES (?, ?, ?)", (case_id, kind, step))
            art_id = db.execute("SELECT id FROM artefacts WHERE case_id = ? AND kind = ?", (case_id, kind)).fetchone()[0]
            n = db.execute("SELECT COALESCE(MAX(n), 0) + 1 FROM versions WHERE artefact_id = ?", (art_id,)).fetchone()[0]
            db.execute("INSERT INTO versions (artefact_id, n, created_at, origin, model, warnings, draft)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (art_id, n, stamp, origin, model, json.dumps(draft.warnings, ensure_ascii=False),
                        draft.model_dump_json()))
            db.execute("UPDATE steps SET status = '作成中', updated_at = ? WHERE case_id = ? AND step = ?",
                       (stamp, case_id, step))
            db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (stamp, case_id))
        return Version(n=n, created_at=stamp, origin=origin, model=model, warnings=list(draft.warnings), draft=draft)

    def set_status(self, case_id: str, step: int, status: StepStatus) -> None:
        if status not in STATUSES:
            raise CaseError(f"状態は {'・'.join(STATUSES)} のいずれかです / unknown status {status!r}")
        if step not in STEP_TITLES:
            raise CaseError(f"ステップは1〜4です / unknown step {step!r}")
        stamp = now()
        with self._connect() as db:
            self._require(db, case_id)
            db.execute("UPDATE steps SET status = ?, updated_at = ? WHERE case_id = ? AND step = ?",
                       (status, stamp, case_id, step))
            db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (stamp, case_id))

    def add_note(self, case_id: str, body: str, step: int | None = None) -> Note:
        body = (body or "").strip()
        if not body:
            raise CaseError("メモが空です / the note is empty")
        stamp = now()
        with self._connect() as db:
            self._require(db, case_id)
            cursor = db.execute("INSERT INTO notes (case_id, step, created_at, body) VALUES (?, ?, ?, ?)",
                                (case_id, step, stamp, body))
            db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (stamp, case_id))
        return Note(id=int(cursor.lastrowid), created_at=stamp, step=step, body=body)
