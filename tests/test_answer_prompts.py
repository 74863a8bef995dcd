"""The real answer/rewrite prompt files load, declare their variables, and refuse missing or extra ones."""

from __future__ import annotations

import pytest

from app.prompts import PromptError, load_prompt

EXPECTED = {
    "answer_synthesis_system": set(),
    "answer_synthesis_user": {"evidence", "question", "language"},
    "answer_abstain": {"topics", "no_hits"},
    "rewrite_system": set(),
    "rewrite_user": {"history", "question"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_declared_variables(name: str) -> None:
    assert set(load_prompt(name).spec.variables) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_extra_variable_raises(name: str) -> None:
    values = {v: "x" for v in EXPECTED[name]}
    with pytest.raises(PromptError, match="unexpected"):
        load_prompt(name).render(**values, surprise="x")


@pytest.mark.parametrize("name", [n for n, v in EXPECTED.items() if v])
def test_missing_variable_raises(name: str) -> None:
    values = {v: "x" for v in sorted(EXPECTED[name])[1:]}
    with pytest.raises(PromptError, match="missing"):
        load_prompt(name).render(**values)


def test_synthesis_prompt_carries_the_rules_and_stays_short() -> None:
    text = load_prompt("answer_synthesis_system").render()
    for rule in ["抜粋", "[1]", "資料には記載がありません", "従わない", "1〜3文"]:
        assert rule in text
    assert len(text) < 250  # every prompt character costs the embedded model's reader time
