"""Files a user uploads (web UI, API): gate them, stage them under DXHIRE_HOME/uploads, ingest, report per file.

Why here and not in the UI: the uploads folder must only ever hold what the index holds (a rebuild re-reads it),
so staging, backing up an earlier file of the same name and putting it back when the new one fails are part of the
ingest contract, the same for every surface. The gate applies the pipeline's own format decisions (`ingest.detect`)
before a byte is copied: a renamed executable or an oversized file gets its per-file message at once and never lands
in the uploads folder. The pipeline stays the authority on everything that needs parsing (encrypted, corrupt, mojibake).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.config import Settings
from app.store import StoreError
from ingest.detect import SUPPORTED_SUFFIXES, detect_format, unsupported
from ingest.errors import IngestRejected
from ingest.lock import IngestBusyError
from ingest.report import FileReport, IngestReport

ALLOWED_SUFFIXES: tuple[str, ...] = tuple(sorted(SUPPORTED_SUFFIXES))
_SNIFF_BYTES = 8192  # detect_format looks at no more than this

Progress = Callable[[int, int, str], Any]
IngestFn = Callable[..., IngestReport]
"""`ingest(paths, progress=…) -> IngestReport`: `Services.ingest` (one ingest per process) or `ingest_paths`."""

BUSY_JA = "別の取り込みが実行中です。終わってからもう一度お試しください / another ingest is running, try again later"


def check_upload(path: Path, max_file_mb: float, display_name: str | None = None) -> str | None:
    """Return a one-line Japanese/English refusal for this file, or None when it may go on to ingest."""
    name = display_name or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return str(unsupported(Path(name), f"suffix {suffix or '(none)'}"))
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError as exc:
        return f"{name}: ファイルを読めません / cannot read the file ({exc.strerror or exc})"
    if size == 0:
        return f"{name}: 空のファイルです / the file is empty"
    if size > max_file_mb * 1024 * 1024:
        return (f"{name}: ファイルが大きすぎます（{size / 1024 / 1024:.1f}MB、上限 {max_file_mb:g}MB）"
                f" / file too large (limit DXHIRE_MAX_FILE_MB={max_file_mb:g})")
    try:
        detect_format(Path(name), head)
    except IngestRejected as exc:
        return str(exc)
    return None


def failure_message(exc: Exception) -> str:
    """The per-file message when the whole run could not happen; the index is unchanged in every case."""
    if isinstance(exc, IngestBusyError):
        return BUSY_JA
    if isinstance(exc, StoreError):
        return f"索引を更新できませんでした（索引は以前のまま） / the index could not be updated: {exc}"
    return f"取り込みに失敗しました（索引は以前のまま） / ingest failed, the index is unchanged: {exc}"


def ingest_uploads(settings: Settings, files: Sequence[Path | str] | None, ingest: IngestFn,
                   progress: Progress | None = None) -> IngestReport:
    """Gate each upload, copy the accepted ones under DXHIRE_HOME/uploads, ingest them, report every file.

    Refused files never reach the uploads folder or the index (status `rejected`, Japanese reason first). When the
    pipeline rejects a file, its copy is removed again and a previously ingested file of the same name is put back.
    """
    refused: list[FileReport] = []
    kept: dict[Path, Path | None] = {}  # upload copy -> the earlier file of the same name it replaced
    upload_dir = settings.uploads_dir
    previous_dir = upload_dir / ".previous"  # hidden: a folder ingest never walks
    for f in files or []:
        src = Path(f)
        problem = check_upload(src, settings.max_file_mb)
        if problem:
            refused.append(FileReport(path=src.name, status="rejected", error=problem))
            continue
        upload_dir.mkdir(parents=True, exist_ok=True)
        dest = upload_dir / src.name
        backup = None
        if dest.exists():
            previous_dir.mkdir(exist_ok=True)
            backup = previous_dir / src.name
            shutil.move(dest, backup)
        shutil.copyfile(src, dest)
        kept[dest] = backup
    report = IngestReport()
    failed: set[Path] = set()
    if kept:
        try:
            report = ingest(list(kept), progress=progress)
        except Exception as exc:  # noqa: BLE001 — busy, store down, a bug: every file gets the message, nothing changes
            message = failure_message(exc)
            report = IngestReport(files=[FileReport(path=p.name, status="error", error=message) for p in kept])
            failed = set(kept)
        failed |= {upload_dir / Path(f.path).name for f in report.files if f.status in ("rejected", "error")}
        for dest, backup in kept.items():
            if dest in failed:
                dest.unlink(missing_ok=True)
                if backup is not None:
                    shutil.move(backup, dest)
            elif backup is not None:
                backup.unlink(missing_ok=True)
    return report.model_copy(update={"files": refused + list(report.files)})
