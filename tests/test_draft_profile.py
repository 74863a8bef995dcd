"""Municipality profile: loading, clear errors naming the field, and 要確認 for what is missing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.drafting.profile import TBD, MunicipalityProfile, ProfileError, load_profile


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_yaml_profile_needs_only_issues(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, "p.yaml", "issues: 紙の申請が多い\n"))
    assert profile.issues == ["紙の申請が多い"]
    assert profile.get("pay") == TBD and profile.get("population") == TBD and profile.get("departments") == TBD


def test_json_profile(tmp_path: Path) -> None:
    data = {"issues": ["窓口が混む"], "population": 12000, "work_style": ["副業"]}
    profile = load_profile(write(tmp_path, "p.json", json.dumps(data, ensure_ascii=False)))
    assert profile.population == 12000 and profile.get("population") == "12,000人"


@pytest.mark.parametrize("name,text,needle", [
    ("bad.yaml", "issues: [a\nname: x:\n  - ]", "YAML"),
    ("bad.json", "{\"issues\": [", "JSON"),
    ("list.yaml", "- a\n- b\n", "mapping"),
])
def test_unparseable_files_give_clear_errors(tmp_path: Path, name: str, text: str, needle: str) -> None:
    with pytest.raises(ProfileError, match=needle):
        load_profile(write(tmp_path, name, text))


def test_unknown_field_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as err:
        load_profile(write(tmp_path, "p.yaml", "issues: [a]\nsalery: 月額50万円\n"))
    assert "salery" in str(err.value) and "unknown field" in str(err.value)


def test_negative_population_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as err:
        load_profile(write(tmp_path, "p.yaml", "issues: [a]\npopulation: -5\n"))
    assert "population" in str(err.value) and "greater than 0" in str(err.value)


def test_missing_issues_is_named(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as err:
        load_profile(write(tmp_path, "p.yaml", "name: 〇〇町\n"))
    assert "issues" in str(err.value)


def test_bad_work_style_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="work_style"):
        load_profile(write(tmp_path, "p.yaml", "issues: [a]\nwork_style: [週休3日]\n"))
    with pytest.raises(ProfileError, match="not found"):
        load_profile(tmp_path / "missing.yaml")


def test_example_profiles_load_and_are_marked_fictional() -> None:
    paths = sorted((PROJECT_ROOT / "app" / "examples").glob("*.yaml"))
    profiles = [load_profile(p) for p in paths]
    assert {10000, 400000} <= {p.population for p in profiles}
    for path in paths:
        assert "架空" in path.read_text(encoding="utf-8")


def test_examples_cover_the_five_profiles_of_the_targets() -> None:
    """Issue 13 measures every kind on: the 町1万人 and 中核市40万人 examples, a 村 of about 3,000, a 都道府県, and
    a 市 of another size and work style; each has a Japanese label for the example menu."""
    profiles = [load_profile(p) for p in sorted((PROJECT_ROOT / "app" / "examples").glob("*.yaml"))]
    assert len(profiles) >= 5
    assert all(p.label and re.search(r"[ぁ-んァ-ヶ一-龥]", p.label) for p in profiles)
    body = {(p.body(), p.population) for p in profiles}
    assert ("町", 10000) in body and ("市", 400000) in body and ("村", 3000) in body
    assert any(b == "都道府県" for b, _ in body)
    assert len({p.work_style[0] for p in profiles if p.work_style}) >= 3  # 常勤, 副業/リモート, 非常勤


def test_facts_text_holds_only_what_was_given() -> None:
    profile = MunicipalityProfile(issues=["a"], pay="日額25,000円")
    text = profile.facts_text()
    assert "日額25,000円" in text and "人口" not in text
