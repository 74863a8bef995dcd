"""The knowledge tables: valid against their models, and every fact stated by the corpus document it names.

A composed draft line cites the passage of its fact's document that holds the fact's key terms, so the test
requires those terms to occur together in one sentence (or list item) of that document: a sentence is never cut
across chunks, so the passage found at run time holds them too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
import yaml

from app.config import PROJECT_ROOT
from app.drafting.knowledge import FILES, FOLDER, KnowledgeError, knowledge, load_tables
from app.drafting.knowledge.models import Fact, When
from app.drafting.profile import MunicipalityProfile
from ingest.chunking import split_sentences

CORPUS = PROJECT_ROOT / "corpus"


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@cache
def _sentences(doc_id: str) -> list[str]:
    text = (CORPUS / f"{doc_id}.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    return [_norm(s) for line in split_sentences(body) for s in line]


FACTS = knowledge().facts()


@pytest.mark.parametrize(("where", "fact"), FACTS, ids=[f"{w}:{f.text[:12]}" for w, f in FACTS])
def test_fact_terms_occur_together_in_one_sentence_of_its_document(where: str, fact: Fact) -> None:
    assert (CORPUS / f"{fact.source}.md").is_file(), f"{where}: no corpus document {fact.source}"
    terms = [_norm(t) for t in fact.terms]
    sentences = _sentences(fact.source)
    assert any(all(t in s for t in terms) for s in sentences), (
        f"{where}: terms {fact.terms} do not occur together in one sentence of {fact.source}.md")


def test_tables_cover_every_kind_of_entry() -> None:
    kb = knowledge()
    assert {r.key for r in kb.roles} == {"producer", "pm", "sd", "engineer"}
    assert {ph.title for ph in kb.phases} >= {"内定〜着任前", "着任初日", "着任後1か月"}
    assert all(p.kpis for p in kb.issues) and all(len(p.whys) >= 2 for p in kb.issues)
    assert len(FACTS) > 80


def _copy_tables(tmp_path: Path) -> Path:
    for name in FILES:
        (tmp_path / name).write_text((FOLDER / name).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_unknown_key_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = _copy_tables(tmp_path)
    data = yaml.safe_load((folder / "roles.yaml").read_text(encoding="utf-8"))
    data["roles"][0]["summary"]["sorce"] = "policy-skill-standard"
    (folder / "roles.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="sorce"):
        load_tables(folder)


def test_a_question_without_question_mark_and_an_unknown_role_key_are_errors(tmp_path: Path) -> None:
    folder = _copy_tables(tmp_path)
    data = yaml.safe_load((folder / "issues.yaml").read_text(encoding="utf-8"))
    data["issues"][0]["whys"][0] = "紙で受け付けている理由"
    (folder / "issues.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="？"):
        load_tables(folder)
    data["issues"][0]["whys"][0] = "なぜ紙ですか？"
    data["issues"][0]["roles"] = ["nobody"]
    (folder / "issues.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="nobody"):
        load_tables(folder)


def test_a_fact_whose_terms_are_not_in_its_document_would_fail() -> None:
    """The check above can fail: a term taken from another document is not found together with the rest."""
    terms = [_norm("地域活性化起業人"), _norm("外部人材スキル標準")]
    assert not any(all(t in s for t in terms) for s in _sentences("policy-skill-standard"))


def test_when_conditions() -> None:
    town = MunicipalityProfile(name="〇〇町（架空）", population=10000, issues=["x"], work_style=["副業"])
    metro = MunicipalityProfile(name="△△市", prefecture="大阪府", population=400000, issues=["x"], work_style=["常勤"])
    pref = MunicipalityProfile(name="□□県（架空）", issues=["x"])
    assert When(work_style_any=("副業",)).holds(town) and not When(work_style_any=("副業",)).holds(metro)
    assert When(population_max=50000).holds(town) and not When(population_max=50000).holds(metro)
    assert When(outside_metro=True).holds(town) and not When(outside_metro=True).holds(metro)
    assert When(body_types=("都道府県",)).holds(pref) and not When(body_types=("都道府県",)).holds(town)
    assert When(forms_any=("tokubetsu",)).holds(town, {"tokubetsu"}) and not When(forms_any=("x",)).holds(town, set())
    assert pref.body() == "都道府県" and town.body() == "町" and town.short_name == "〇〇町"
