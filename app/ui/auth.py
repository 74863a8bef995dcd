"""The login of the web app: what `launch()` passes as `auth=` and `auth_message=`.

One place so login policy (refusing an empty password, slowing repeated failures) changes here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from app.config import Settings

AUTH_MESSAGE_JA = "dxhire: ユーザー名とパスワードを入力してください。"


def auth_pair(auth: str | None) -> tuple[str, str] | None:
    """`user:pass` -> ("user", "pass"); the password may itself contain ':'."""
    if not auth:
        return None
    user, password = auth.split(":", 1)
    return user, password


def launch_auth(settings: Settings) -> dict[str, Any]:
    """`auth=` and `auth_message=` for `gr.Blocks.launch`: a login only when DXHIRE_AUTH is set."""
    return {"auth": auth_pair(settings.auth), "auth_message": AUTH_MESSAGE_JA if settings.auth else None}
