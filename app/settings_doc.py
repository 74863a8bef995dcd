"""The README's settings table, generated from `Settings` so documentation cannot drift from the code.

`python -m app.settings_doc` prints the table; ``tests/test_settings_documented.py`` fails when the README's
copy (between the ``settings-table`` markers) differs from it.
"""

from __future__ import annotations

from contextlib import suppress

from pydantic_core import PydanticUndefined

from app.config import PROJECT_ROOT, Settings

BEGIN = "<!-- settings-table:begin -->"
END = "<!-- settings-table:end -->"


def _default(field) -> str:
    if field.default is PydanticUndefined or field.default is None:
        return "—"
    value = field.default
    if hasattr(value, "relative_to"):
        with suppress(ValueError):
            value = value.relative_to(PROJECT_ROOT)
    return f"`{value}`"


def settings_table() -> str:
    rows = ["| 環境変数 / variable | 既定値 / default | 説明 / description |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        description = (field.description or "").replace("|", "\\|")
        rows.append(f"| `DXHIRE_{name.upper()}` | {_default(field)} | {description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
