"""Profile form <-> MunicipalityProfile conversion, the upload gate and the double-run guard of the web app."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import gradio as gr
import pytest
from pydantic import BaseModel, Field

from app.ui.auth import auth_pair
from app.ui.profile_form import field_widget, form_to_data, profile_from_form, profile_to_form
from app.ui.session import RunGuard
from app.ui.uploads import upload_limit_bytes
from ingest.uploads import check_upload


class Contact(BaseModel):
    department: str
    email: str


class SampleProfile(BaseModel):
    """Stands in for the shapes MunicipalityProfile uses, so each widget kind is covered."""

    name: str = Field(title="自治体名")
    population: int = Field(gt=0)
    area: float | None = None
    size: Literal["small", "large"] | None = None
    roles: list[Literal["CIO補佐官", "PM"]] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)
    current_issues: str = ""
    remote_ok: bool = False
    contact: Contact | None = None


NAMES = list(SampleProfile.model_fields)


def test_widget_per_field_kind() -> None:
    f = SampleProfile.model_fields
    assert field_widget("name", f["name"].annotation) == "text"
    assert field_widget("population", f["population"].annotation) == "number"
    assert field_widget("area", f["area"].annotation) == "number"
    assert field_widget("size", f["size"].annotation) == "dropdown"
    assert field_widget("roles", f["roles"].annotation) == "multiselect"
    assert field_widget("departments", f["departments"].annotation) == "lines"
    assert field_widget("current_issues", f["current_issues"].annotation) == "long_text"
    assert field_widget("remote_ok", f["remote_ok"].annotation) == "checkbox"
    assert field_widget("contact", f["contact"].annotation) == "json"


def test_form_round_trip() -> None:
    values = ["小山町", 10000.0, None, "small", ["PM"], "情報政策課\n\n 人事課 ", "窓口が紙中心", True,
              '{"department": "総務課", "email": "a@example.jp"}']
    profile = profile_from_form(NAMES, values, SampleProfile)
    assert profile.population == 10000 and isinstance(profile.population, int)
    assert profile.departments == ["情報政策課", "人事課"]
    assert profile.contact == Contact(department="総務課", email="a@example.jp")
    assert profile.area is None  # empty input left out, never guessed
    again = profile_from_form(NAMES, profile_to_form(profile, NAMES), SampleProfile)
    assert again == profile


def test_empty_inputs_are_omitted() -> None:
    data = form_to_data(NAMES, ["町", 5, 0, None, [], "  ", "", False, ""], SampleProfile)  # 0: untouched box
    assert data == {"name": "町", "population": 5, "remote_ok": False}


def test_bad_form_names_the_field() -> None:
    with pytest.raises(gr.Error, match="population"):
        profile_from_form(NAMES, ["町", -3, None, None, [], "", "", False, ""], SampleProfile)
    with pytest.raises(gr.Error, match="contact"):
        profile_from_form(NAMES, ["町", 3, None, None, [], "", "", False, "{oops"], SampleProfile)


def test_real_profile_model_form_round_trip() -> None:
    profile_mod = pytest.importorskip("app.drafting.profile", reason="drafting engineer's profile.py not present")
    from app.ui.profile_form import example_profiles

    model = profile_mod.MunicipalityProfile
    names = list(model.model_fields)
    examples = example_profiles()
    if not examples:
        pytest.skip("no example profiles in app/examples yet")
    for path in examples.values():
        profile = profile_mod.load_profile(path)
        assert profile_from_form(names, profile_to_form(profile, names), model) == profile


# --- uploads --------------------------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_upload_gate(tmp_path: Path) -> None:
    assert check_upload(_write(tmp_path, "ok.pdf", b"%PDF-1.7\n..."), 1) is None
    assert check_upload(_write(tmp_path, "ok.md", "# 見出し\n本文".encode()), 1) is None
    exe = check_upload(_write(tmp_path, "setup.pdf", b"MZ\x90\x00" + b"\x00" * 100), 1)
    assert exe and "setup.pdf" in exe and "executable" in exe
    assert "対応していない形式" in (check_upload(_write(tmp_path, "x.xlsx", b"PK\x03\x04"), 1) or "")
    assert check_upload(_write(tmp_path, "yoko.docx", b"PK\x03\x04rest"), 1) is None  # Word: the loader decides
    legacy = check_upload(_write(tmp_path, "old.docx", b"\xd0\xcf\x11\xe0" + b"\x00" * 50), 1)
    assert legacy and "古い形式" in legacy and "old.docx" in legacy
    assert "空のファイル" in (check_upload(_write(tmp_path, "empty.md", b""), 1) or "")
    big = check_upload(_write(tmp_path, "big.pdf", b"%PDF-1.7\n" + b"0" * 30_000), 0.02)
    assert big and "大きすぎ" in big and "0.02" in big
    assert "binary" in (check_upload(_write(tmp_path, "bin.html", b"\x00\x01\x02abc"), 1) or "")
    assert "PDFではありません" in (check_upload(_write(tmp_path, "fake.pdf", "# 見出し".encode()), 1) or "")


def test_gradio_cap_is_above_ours() -> None:
    assert upload_limit_bytes(50) == 100 * 1024 * 1024
    assert upload_limit_bytes(0.01) == 1024 * 1024


def test_auth_pair_keeps_colons_in_the_password() -> None:
    assert auth_pair(None) is None
    assert auth_pair("staff:pa:ss") == ("staff", "pa:ss")


def test_run_guard_refuses_a_second_run_of_the_same_session() -> None:
    guard = RunGuard()
    with guard.hold("s1", "draft-posting") as first:
        assert first
        with guard.hold("s1", "draft-posting") as second:
            assert not second
        with guard.hold("s2", "draft-posting") as other_session:
            assert other_session
    with guard.hold("s1", "draft-posting") as after:
        assert after  # released, also after the refused attempt


def test_municipality_profile_form_round_trip_and_field_errors() -> None:
    profile_mod = pytest.importorskip("app.drafting.profile", reason="drafting engineer's profile.py not present")
    model = profile_mod.MunicipalityProfile
    names = list(model.model_fields)
    assert field_widget("issues", model.model_fields["issues"].annotation) == "lines"
    assert field_widget("work_style", model.model_fields["work_style"].annotation) == "multiselect"
    assert field_widget("population", model.model_fields["population"].annotation) == "number"
    profile = model(name="小山町", population=9800, departments=["住民課", "総務課"],
                    issues=["窓口の申請が紙のまま", "庁内にIT人材がいない"], work_style=["副業", "リモート"])
    values = profile_to_form(profile, names)
    assert values[names.index("issues")] == "窓口の申請が紙のまま\n庁内にIT人材がいない"
    assert profile_from_form(names, values) == profile
    blank = ["" if v is not None and not isinstance(v, list | int) else None for v in values]
    with pytest.raises(gr.Error, match="issues"):  # the only required field, named in the message
        profile_from_form(names, blank)
    values[names.index("population")] = -1
    with pytest.raises(gr.Error, match="population"):
        profile_from_form(names, values)
