"""One ingest at a time per DXHIRE_HOME.

flock is released by the kernel when a process dies, so a killed ingest never leaves a *held* lock; a normal exit
also removes the file, so no `ingest.lock` naming a dead PID is left to puzzle anyone. Removing a lock file is only
safe with a check: after taking the lock, the holder verifies that the path still names the file it locked (another
process may have removed it in between) and retries otherwise.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator

from app.config import Settings
from app.store import StoreError


class IngestBusyError(StoreError):
    """Another ingest holds the lock."""


def _same_file(fd: int, path: str) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


@contextlib.contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    path = str(settings.index_dir / "ingest.lock")
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise IngestBusyError(
                f"別の取り込みが実行中です。終わってから再実行してください / another ingest is running ({path})"
            ) from None
        if _same_file(fd, path):
            break
        os.close(fd)  # the previous holder removed the file after we opened it: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # while still holding the lock: a waiter that opened it retries (see _same_file)
        os.close(fd)
