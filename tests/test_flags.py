"""The flags registry: every code raised anywhere is registered, explained in Japanese, and never shown raw."""

from __future__ import annotations

import re
from pathlib import Path

from app import flags
from app.config import PROJECT_ROOT

_JAPANESE = re.compile(r"[ぁ-んァ-ヴ一-龥]")


def test_every_flag_has_a_japanese_explanation() -> None:
    for code, flag in flags.REGISTRY.items():
        assert _JAPANESE.search(flag.ja), code
        assert code not in flag.ja
        assert flag.severity in flags.SEVERITY_ICON


def test_codes_assigned_in_the_code_base_are_registered() -> None:
    """A `*_FLAG = "code"` constant anywhere in app/ must name a registered code (one name, one place)."""
    assigned = set()
    for path in (PROJECT_ROOT / "app").rglob("*.py"):
        assigned |= set(re.findall(r'^[A-Z_]+_FLAG\s*=\s*"([a-z_]+)"', path.read_text(encoding="utf-8"), re.M))
    assert assigned <= set(flags.REGISTRY), assigned - set(flags.REGISTRY)


def test_visible_orders_by_severity_hides_outcome_flags_and_dedupes() -> None:
    shown = flags.visible(["question_truncated", "unsupported_numbers", "below_threshold", "unsupported_numbers"])
    assert [f.code for f in shown] == ["unsupported_numbers", "question_truncated"]
    assert flags.explain("no_such_code") == flags.UNKNOWN_JA


def test_registry_module_is_the_only_place_with_japanese_flag_notes() -> None:
    render = Path(PROJECT_ROOT / "app" / "ui" / "render.py").read_text(encoding="utf-8")
    assert "FLAG_NOTES_JA" not in render
