"""The labelled agreement set: enough triples read by a person, both labels, and the eval's matcher agreeing with
the reader at the issue's target (agreement ≥ 0.90, precision ≥ 0.95)."""

from __future__ import annotations

from collections import Counter

from evals.calibrate_matcher import (
    TARGET_AGREEMENT,
    TARGET_PRECISION,
    agreement,
    format_table,
    load_triples,
    table,
)


def test_agreement_arithmetic() -> None:
    got = agreement("m", [True, True, False, False, True], [1, 0, 1, 0, 1])
    assert (got.tp, got.fp, got.fn, got.tn) == (2, 1, 1, 1)
    assert got.precision == 2 / 3 and got.recall == 2 / 3 and got.agreement == 3 / 5
    assert "| m | 0.667 | 0.667 | 0.600 |" in format_table([got])


def test_the_labelled_set_is_large_and_labelled_both_ways() -> None:
    triples = load_triples()
    assert len(triples) >= 150
    labels = Counter(t.label for t in triples)
    assert set(labels) == {0, 1} and min(labels.values()) >= 40
    assert all(t.fact and t.item for t in triples)
    assert len({(t.item, t.fact, t.answer) for t in triples}) == len(triples)
    assert len({t.item for t in triples}) >= 60  # many answers, not a few answers with many facts


def test_the_eval_matcher_meets_the_target_on_the_labelled_set() -> None:
    rows = {r.name.split(" ")[0]: r for r in table(load_triples())}
    combined = rows["combined"]
    assert combined.agreement >= TARGET_AGREEMENT and combined.precision >= TARGET_PRECISION, combined
    assert combined.agreement > rows["earlier"].agreement  # the statement matcher is why it scores like a reader
