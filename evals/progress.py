"""Progress of an eval run on stderr: item n/N, elapsed and ETA, the verdict of every finished item.

A 48-item embedded run takes over an hour; one that prints nothing looks hung. On a terminal a tqdm bar shows the
item being worked on with elapsed time and ETA, and each finished item is written above it; in a log (stderr not a
terminal) the same facts come as one plain line per item, so `tail -f` shows them too.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import IO, Protocol


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def item_started(self, n: int, item_id: str) -> None: ...
    def item_done(self, n: int, item_id: str, passed: bool, reasons: Sequence[str]) -> None: ...
    def close(self) -> None: ...


def clock(seconds: float) -> str:
    """12:05 or 1:02:05."""
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def verdict_line(n: int, total: int, item_id: str, passed: bool, reasons: Sequence[str]) -> str:
    return f"[{n}/{total}] {item_id}: {'PASS' if passed else 'FAIL'} {'; '.join(reasons)[:120]}".rstrip()


class LineProgress:
    """One line per finished item with elapsed time and ETA (mean time per item so far × items left)."""

    def __init__(self, write: Callable[[str], None], now: Callable[[], float] = time.monotonic) -> None:
        self.write, self.now = write, now
        self.total, self.started = 0, 0.0

    def start(self, total: int) -> None:
        self.total, self.started = total, self.now()

    def eta(self, done: int, elapsed: float) -> float:
        return elapsed / done * (self.total - done) if done else 0.0

    def item_started(self, n: int, item_id: str) -> None:
        return None

    def item_done(self, n: int, item_id: str, passed: bool, reasons: Sequence[str]) -> None:
        elapsed = self.now() - self.started
        self.write(f"{verdict_line(n, self.total, item_id, passed, reasons)} | elapsed {clock(elapsed)}, "
                   f"ETA {clock(self.eta(n, elapsed))}")

    def close(self) -> None:
        return None


class TqdmProgress:
    """A tqdm bar (n/N, elapsed, ETA, the item being run) with each finished item written above it."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.bar = None
        self.total = 0

    def start(self, total: int) -> None:
        from tqdm import tqdm

        self.total = total
        self.bar = tqdm(total=total, file=self.stream, unit="item", dynamic_ncols=True, leave=True,
                        bar_format="{n_fmt}/{total_fmt} |{bar}| {elapsed}<{remaining} {desc}")

    def item_started(self, n: int, item_id: str) -> None:
        if self.bar is not None:
            self.bar.set_description_str(item_id)

    def item_done(self, n: int, item_id: str, passed: bool, reasons: Sequence[str]) -> None:
        if self.bar is None:
            return
        self.bar.write(verdict_line(n, self.total, item_id, passed, reasons), file=self.stream)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _Silent:
    def start(self, total: int) -> None: ...
    def item_started(self, n: int, item_id: str) -> None: ...
    def item_done(self, n: int, item_id: str, passed: bool, reasons: Sequence[str]) -> None: ...
    def close(self) -> None: ...


def as_progress(progress: Progress | Callable[[str], None] | None) -> Progress:
    """A Progress from what run_eval was given: nothing, a line callback (tests, scripts), or a Progress."""
    if progress is None:
        return _Silent()
    if hasattr(progress, "item_done"):
        return progress  # type: ignore[return-value]
    return LineProgress(progress)  # type: ignore[arg-type]


def stderr_progress(stream: IO[str] | None = None) -> Progress:
    """tqdm on a terminal, plain lines in a log."""
    stream = stream or sys.stderr
    if getattr(stream, "isatty", lambda: False)():
        return TqdmProgress(stream)
    return LineProgress(lambda line: print(line, file=stream, flush=True))
