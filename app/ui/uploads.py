"""The upload gate of the 資料 tab: refuse a file before it is copied into DXHIRE_HOME when its name, size or first
bytes say it cannot be a document we ingest.

The decisions are the ingest pipeline's own (`ingest.detect`), applied early: a renamed executable or an oversized
file gets its per-file message at once and never lands in the uploads folder. The pipeline stays the authority on
everything that needs parsing (encrypted, corrupt, mojibake).
"""

from __future__ import annotations

from pathlib import Path

from ingest.detect import SUPPORTED_SUFFIXES, detect_format
from ingest.errors import IngestRejected

ALLOWED_SUFFIXES: tuple[str, ...] = tuple(sorted(SUPPORTED_SUFFIXES))
_SNIFF_BYTES = 8192  # detect_format looks at no more than this


def check_upload(path: Path, max_file_mb: float, display_name: str | None = None) -> str | None:
    """Return a one-line Japanese/English refusal for this file, or None when it may go on to ingest."""
    name = display_name or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return (f"{name}: 対応していない形式です（{', '.join(ALLOWED_SUFFIXES)} のみ）"
                f" / unsupported file type {suffix or '(none)'}")
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
