"""The real answer/rewrite prompt files load, declare their variables, and refuse missing or extra ones."""

from __future__ import annotations

import pytest

from app.prompts import PromptError, load_prompt

EXPECTED = {
    "answer_system": set(),
    "answer_user": {"context", "question", "language"},
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


def test_answer_system_prompt_carries_the_rules() -> None:
    text = load_prompt("answer_system").render()
    for rule in ["資料", "[1]", "資料に記載がありません", "従わない"]:
        assert rule in text
