"""Progress of `dxhire eval` on stderr: a tqdm bar on a terminal, one line per item in a log."""

from __future__ import annotations

import io

from evals.progress import LineProgress, TqdmProgress, as_progress, clock, stderr_progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_tqdm_bar_shows_n_of_total_and_writes_each_verdict() -> None:
    stream = Tty()
    bar = stderr_progress(stream)
    assert isinstance(bar, TqdmProgress)
    bar.start(2)
    bar.item_started(1, "st-gb-what")
    bar.item_done(1, "st-gb-what", False, ["facts missed: 総務省が作成した資料である"])
    bar.close()
    out = stream.getvalue()
    assert "[1/2] st-gb-what: FAIL facts missed: 総務省が作成した資料である" in out
    assert "1/2" in out and "st-gb-what" in out


def test_a_log_gets_plain_lines_and_a_callback_is_wrapped() -> None:
    assert isinstance(stderr_progress(io.StringIO()), LineProgress)
    lines: list[str] = []
    wrapped = as_progress(lines.append)
    wrapped.start(1)
    wrapped.item_done(1, "a", True, [])
    assert lines[0].startswith("[1/1] a: PASS | elapsed ")
    assert clock(3725) == "1:02:05" and clock(65) == "1:05"
