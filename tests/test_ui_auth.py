"""Login: the right pair gets in, repeated wrong logins are slowed (without blocking anyone else), success resets."""

from __future__ import annotations

import asyncio
import inspect

from app.config import Settings
from app.ui import auth
from app.ui.auth import FREE_FAILURES, FREE_FAILURES_ALL, MAX_DELAY_S, WINDOW_S, LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _throttle(clock: Clock) -> LoginThrottle:
    return LoginThrottle("staff", "pa:ss", clock=clock, sleep=clock.sleep)


def _try(t: LoginThrottle, user: str, password: str) -> bool:
    return asyncio.run(t.check(user, password))


def test_right_pair_only() -> None:
    t = _throttle(Clock())
    assert _try(t, "staff", "pa:ss")
    assert not _try(t, "staff", "pa:s") and not _try(t, "Staff", "pa:ss") and not _try(t, "staff", "")


def test_repeated_failures_wait_longer_and_longer_until_success() -> None:
    clock = Clock()
    t = _throttle(clock)
    for _ in range(FREE_FAILURES):
        assert not _try(t, "staff", "guess")
    assert clock.slept == []  # a few typos cost nothing
    for _ in range(4):
        _try(t, "staff", "guess")
    assert clock.slept == [1.0, 2.0, 4.0, 8.0]
    clock.slept.clear()
    assert _try(t, "staff", "pa:ss")  # the owner still gets in (after the wait) ...
    assert clock.slept == [16.0]
    assert t.delay("staff") == 0.0  # ... and the slate is clean


def test_the_wait_is_capped() -> None:
    clock = Clock()
    t = _throttle(clock)
    for _ in range(20):
        _try(t, "staff", "guess")
    assert max(clock.slept) == clock.slept[-1] == MAX_DELAY_S


def test_failures_expire_and_rotating_names_are_slowed_too() -> None:
    clock = Clock()
    t = _throttle(clock)
    for _ in range(FREE_FAILURES + 2):
        _try(t, "staff", "guess")
    clock.now += WINDOW_S + 1
    assert t.delay("staff") == 0.0
    for i in range(FREE_FAILURES_ALL + 1):
        _try(t, f"user{i}", "guess")  # a new name each time: never over the per-name limit
    assert t.delay("someone-else") > 0


def test_launch_passes_an_async_check_only_when_auth_is_set(tmp_path) -> None:
    off = auth.launch_auth(Settings(home=tmp_path))
    assert off == {"auth": None, "auth_message": None}
    on = auth.launch_auth(Settings(home=tmp_path, auth="staff:pa:ss"))
    assert inspect.iscoroutinefunction(on["auth"])  # Gradio awaits it: the wait blocks no other request
    assert asyncio.run(on["auth"]("staff", "pa:ss")) and on["auth_message"] == auth.AUTH_MESSAGE_JA
