"""The eval sets stay honest: enough items of each kind, gold sources that exist, facts the corpus supports."""

from __future__ import annotations

from collections import Counter

import pytest

from app.config import PROJECT_ROOT
from evals.calibrate_matcher import choose_threshold, load_pairs
from evals.matchers import EMBED_THRESHOLD, match_fact
from evals.schema import load_items, set_paths
from evals.statement_matcher import match_statement

CORPUS = {p.stem: p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "corpus").glob("*.md") if p.stem != "README"}


@pytest.fixture(scope="module")
def items():
    loaded, errors = load_items(set_paths())
    assert errors == [], [str(e) for e in errors]
    return loaded


def test_set_sizes_meet_the_issue(items) -> None:
    kinds = Counter(i.kind for i in items)
    assert len(items) >= 80
    assert kinds["qa"] >= 50 and kinds["abstain"] >= 10
    assert kinds["deepdive"] + kinds["posting"] + kinds["interview"] >= 20
    assert all(kinds[k] >= 5 for k in ("deepdive", "posting", "interview"))
    assert sum(1 for i in items if i.kind == "qa" and i.turns) >= 5


def test_gold_sources_are_corpus_documents(items) -> None:
    missing = {(i.id, g) for i in items for g in i.gold_sources if g not in CORPUS}
    assert not missing


def test_answerable_items_have_facts_and_gold(items) -> None:
    for item in items:
        if item.kind == "qa":
            assert item.reference_facts and item.gold_sources, item.id
        if item.kind == "abstain":
            assert not item.reference_facts and not item.gold_sources, item.id
        if item.is_draft:
            assert item.required_sections, item.id


def _stated(fact: str, text: str) -> bool:
    return match_fact(fact, text).found or match_statement(fact, text).found


def test_every_qa_fact_is_found_in_the_corpus(items) -> None:
    """Checked with the matchers the eval uses (substring/bigram/statement; no embeddings so this stays strict)."""
    unsupported = [
        (item.id, fact)
        for item in items if item.kind == "qa"
        for fact in item.reference_facts
        if not any(_stated(fact, CORPUS[stem]) for stem in sorted(CORPUS, key=lambda s: s not in item.gold_sources))
    ]
    assert not unsupported


def test_statement_set_facts_are_stated_in_a_gold_source() -> None:
    """The statement-style dev set: 40 questions, every fact stated (as a reader would judge) by one of its gold
    documents, never by a must-not claim's wording."""
    items, errors = load_items(set_paths("statements"))
    assert not errors and len(items) == 40
    assert len({i.id for i in items}) == 40 and all(i.kind == "qa" and i.gold_sources for i in items)
    missing = [(i.id, f) for i in items for f in i.reference_facts
               if not any(match_statement(f, CORPUS[g]).found for g in i.gold_sources)]
    assert not missing
    statement_like = [f for i in items for f in i.reference_facts if len(f) >= 8]
    assert len(statement_like) / sum(len(i.reference_facts) for i in items) > 0.9


def test_qa_facts_are_in_a_gold_source_for_most_items(items) -> None:
    qa = [i for i in items if i.kind == "qa"]
    in_gold = [i for i in qa if all(any(_stated(f, CORPUS[g]) for g in i.gold_sources)
                                    for f in i.reference_facts)]
    assert len(in_gold) / len(qa) >= 0.9


def test_draft_profiles_are_valid(items) -> None:
    from evals.runner import resolve_profile

    for item in items:
        if item.is_draft:
            assert resolve_profile(item.profile).issues, item.id


def test_calibration_pairs_are_balanced_and_threshold_choice_is_sane() -> None:
    pairs = load_pairs()
    labels = Counter(p[2] for p in pairs)
    assert labels[0] >= 10 and labels[1] >= 10
    cut, acc = choose_threshold([0.80, 0.85, 0.93, 0.95], [0, 0, 1, 1])
    assert 0.85 < cut <= 0.93 and acc == 1.0
    assert 0.8 < EMBED_THRESHOLD < 1.0


def test_no_statement_was_split_by_a_yaml_comma(items) -> None:
    """`[日額25,000円]` in a YAML flow list silently becomes ['日額25', '000円']: quote such statements."""
    import re

    split = [(i.id, s) for i in items for s in [*i.reference_facts, *i.must_not] if re.match(r"^0\d\d(?!\d)", s)]
    assert not split
