"""One ingest at a time per DXHIRE_HOME. flock is released by the kernel when a process dies, so a killed
ingest never leaves a stale lock behind."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator

from app.config import Settings
from app.store import StoreError


class IngestBusyError(StoreError):
    """Another ingest holds the lock."""


@contextlib.contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    path = settings.index_dir / "ingest.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IngestBusyError(
                f"別の取り込みが実行中です。終わってから再実行してください / another ingest is running ({path})"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)
