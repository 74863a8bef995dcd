"""The login of the web app: what `launch()` passes as `auth=` and `auth_message=`.

One place so login policy (refusing an empty password, slowing repeated failures) changes here and nowhere else.
An empty user or password never gets this far: `Settings` refuses it (`app.config`). Repeated wrong logins are
slowed: after `FREE_FAILURES` failures for one user name (or `FREE_FAILURES_ALL` across all names, against an
attacker rotating names) every further attempt waits `delay` seconds before it is answered, doubling up to
`MAX_DELAY_S`, until a success or `WINDOW_S` without failures. The wait is an `asyncio.sleep` inside an async
check, so Gradio's event loop keeps serving everyone else while a guesser waits.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from app.config import Settings

log = logging.getLogger(__name__)

AUTH_MESSAGE_JA = "dxhire: ユーザー名とパスワードを入力してください。"
FREE_FAILURES = 3
FREE_FAILURES_ALL = 10
MAX_DELAY_S = 30.0
WINDOW_S = 15 * 60.0
_ALL = "\0all"


def auth_pair(auth: str | None) -> tuple[str, str] | None:
    """`user:pass` -> ("user", "pass"); the password may itself contain ':'."""
    if not auth:
        return None
    user, password = auth.split(":", 1)
    return user, password


@dataclass
class LoginThrottle:
    """Checks one user/password pair and slows repeated failures (see the module docstring)."""

    user: str
    password: str
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> int:
        times = [t for t in self._failures.get(key, []) if now - t < WINDOW_S]
        self._failures[key] = times
        return len(times)

    def delay(self, username: str) -> float:
        """Seconds the next attempt for `username` waits before it is answered (0 while under the free failures)."""
        now = self.clock()
        with self._lock:
            over = max(self._recent(username, now) - FREE_FAILURES, self._recent(_ALL, now) - FREE_FAILURES_ALL)
        return 0.0 if over < 0 else min(MAX_DELAY_S, 2.0 ** over)

    def _matches(self, username: str, password: str) -> bool:
        ok_user = hmac.compare_digest(username.encode("utf-8"), self.user.encode("utf-8"))
        ok_password = hmac.compare_digest(password.encode("utf-8"), self.password.encode("utf-8"))
        return ok_user and ok_password

    async def check(self, username: str, password: str) -> bool:
        """Gradio's `auth=` callable (async: awaited by the login route, so waiting blocks no one else)."""
        wait = self.delay(username)
        if wait:
            await self.sleep(wait)
        ok = self._matches(username, password)
        with self._lock:
            if ok:
                self._failures.pop(username, None)
            else:
                now = self.clock()
                self._failures.setdefault(username, []).append(now)
                self._failures.setdefault(_ALL, []).append(now)
        if not ok:
            log.warning("failed login for user %r (next attempt waits %.0f s)", username[:40], self.delay(username))
        return ok


def launch_auth(settings: Settings) -> dict[str, Any]:
    """`auth=` and `auth_message=` for `gr.Blocks.launch`: a login only when DXHIRE_AUTH is set."""
    pair = auth_pair(settings.auth)
    if pair is None:
        return {"auth": None, "auth_message": None}
    return {"auth": LoginThrottle(*pair).check, "auth_message": AUTH_MESSAGE_JA}
