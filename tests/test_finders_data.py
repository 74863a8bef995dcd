"""The finder tables (corpus/data/*.yaml) against the corpus: every quoted string occurs verbatim in the body of the
cited document, the title and heading are the document's own, populations are the figure the text states, and each
employment-form label is backed by a word of the quoted text. A corpus edit that drops a fact fails here."""

from __future__ import annotations

import re

import frontmatter
import pytest

from app.checks.figures import figures
from app.config import PROJECT_ROOT
from app.finders.data import load_cases, load_schemes
from app.finders.models import FORM_KEYWORDS, CaseEntry, SchemeEntry

CORPUS = PROJECT_ROOT / "corpus"


def _doc(source: str) -> tuple[dict, str]:
    post = frontmatter.loads((CORPUS / source).read_text(encoding="utf-8"))
    return post.metadata, post.content


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _headings(body: str) -> set[str]:
    return {m.group(1).strip() for m in re.finditer(r"^#{1,6}\s+(.+)$", body, re.M)}


ENTRIES: list[CaseEntry | SchemeEntry] = [*load_cases(), *load_schemes()]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_quoted_facts_occur_in_the_cited_document(entry: CaseEntry | SchemeEntry) -> None:
    meta, body = _doc(entry.source)
    assert meta["title"] == entry.doc_title
    text = _flat(body)
    missing = [q for q in entry.quoted() if _flat(q) not in text]
    assert not missing, f"{entry.id}: not in {entry.source}: {missing}"
    assert all(part in _headings(body) for part in entry.heading.split(" > ")), entry.heading


@pytest.mark.parametrize("case", load_cases(), ids=lambda e: e.id)
def test_case_population_and_forms_are_what_the_text_says(case: CaseEntry) -> None:
    if case.population is not None:
        assert case.population_text, case.id
        stated = [int(f.value) for f in figures(case.population_text) if f.unit == "人"]
        assert stated == [case.population], (case.id, stated)
    said = " ".join([case.employment_text, *case.did])
    for form in case.employment_forms:
        assert any(w in said for w in FORM_KEYWORDS[form]), (case.id, form)
    assert case.body_type == "都道府県" or case.name.endswith(case.body_type[-1]), case.id


@pytest.mark.parametrize("scheme", load_schemes(), ids=lambda e: e.id)
def test_scheme_forms_are_backed_and_figures_carry_a_year_or_are_marked(scheme: SchemeEntry) -> None:
    said = " ".join([scheme.name, scheme.pairs_text or ""])
    for form in scheme.pairs_with:
        assert any(w in said for w in FORM_KEYWORDS[form]), (scheme.id, form)
    if scheme.region == "outside_metro":
        assert scheme.region_text and ("地方" in scheme.region_text), scheme.id
    assert scheme.amounts, f"{scheme.id}: no figure and no 要確認 line"
    for a in scheme.amounts:
        assert a.missing or figures(a.text) or "無料" in a.text or "負担はありません" in a.text, (scheme.id, a.text)
