"""The shipped corpus: valid front matter, provenance, coverage of the reference notes, size, and no copied text.

The corpus is what the assistant retrieves from, so a broken front matter (wrong kind, a source that is not a URL)
would either drop a document at ingest or show users a wrong provenance label. These tests keep every document
ingestible and keep the corpus honest about where its facts come from.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import get_args

import pytest
import yaml
from conftest import REFERENCE
from pydantic import ValidationError

from app.config import PROJECT_ROOT
from app.schemas import DocKind
from ingest.frontmatter import CorpusFrontMatter  # the validator ingest uses: one contract, not a copy

CORPUS = PROJECT_ROOT / "corpus"
FACTS = REFERENCE / "guidebook-facts.md"
POSTINGS = REFERENCE / "reference-postings.md"

# Kinds written by us; "official" and "document" are assigned by ingest, never declared in a corpus file.
CORPUS_KINDS = tuple(k for k in get_args(DocKind) if k not in ("official", "document"))
MIN_DOCS = 25
MIN_JA_CHARS = 40_000
COPY_RUN = 40  # a shared run this long means a sentence was pasted, not a name or a figure

_JA = re.compile(r"[\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_URL = re.compile(r"https?://\S+")
_COVER_ID = re.compile(r"^[A-Z]\d*$")
_DOC_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def split_front_matter(text: str) -> tuple[dict, str]:
    """(front matter mapping, body). Raises ValueError when the file has no YAML front matter block."""
    if not text.startswith("---\n"):
        raise ValueError("no front matter (file must start with '---')")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise ValueError("front matter is not closed by '---'")
    meta = yaml.safe_load(text[4:end]) or {}
    if not isinstance(meta, dict):
        raise ValueError("front matter is not a mapping")
    return meta, text[end + 5 :]


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.md") if p.name != "README.md")


def ja_chars(text: str) -> int:
    """Japanese characters (kana, kanji, Japanese punctuation, full-width forms): how corpus size is measured."""
    return len(_JA.findall(text))


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _URL.sub("", text)
    return re.sub(r"\s+", "", text)


def _load(path: Path) -> tuple[CorpusFrontMatter, str]:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    return CorpusFrontMatter.model_validate(meta), body


def _require_reference() -> None:
    if not (FACTS.is_file() and POSTINGS.is_file()):
        pytest.skip(f"reference notes not found under {REFERENCE}")


# --- the validator itself must reject what the contract forbids -------------------------------------------------

_GOOD = {
    "title": "t",
    "kind": "policy",
    "sources": ["https://www.soumu.go.jp/"],
    "as_of": "令和6年度",
    "confidence": "confirmed",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "guidebook"}, "kind"),
        ({"kind": "official"}, "kind"),
        ({"confidence": "likely"}, "confidence"),
        ({"sources": []}, "sources"),
        ({"sources": ["soumu.go.jp/main"]}, "sources"),
        ({"sources": ["ftp://example.org/x"]}, "sources"),
        ({"as_of": "最近"}, "as_of"),
        ({"step": 5}, "step"),
        ({"step": [1, 0]}, "step"),
        ({"population": 0}, "population"),
        ({"covers": ["part d"]}, "covers"),
        ({"autor": "x"}, "autor"),
        ({"title": None}, "title"),
    ],
)
def test_validator_rejects_bad_front_matter(change: dict, field: str) -> None:
    meta = {**_GOOD, **change}
    if change.get("title", "") is None:
        del meta["title"]
    with pytest.raises(ValidationError) as err:
        CorpusFrontMatter.model_validate(meta)
    assert field in str(err.value)


def test_validator_accepts_the_documented_example() -> None:
    meta = {
        **_GOOD,
        "kind": "support-scheme",
        "as_of": dt.date(2025, 4, 18),
        "step": [2, 3],
        "population": 460000,
        "prefecture": "広島県",
        "covers": ["D2"],
    }
    assert CorpusFrontMatter.model_validate(meta).population == 460000


def test_split_front_matter_rejects_missing_block() -> None:
    with pytest.raises(ValueError, match="front matter"):
        split_front_matter("# 見出しだけ\n本文")


# --- the shipped corpus -----------------------------------------------------------------------------------------


def test_corpus_has_documents() -> None:
    assert corpus_files(), f"no corpus documents in {CORPUS}"


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_front_matter_valid(path: Path) -> None:
    assert _DOC_ID.match(path.stem), f"{path.name}: doc id (file stem) must be lowercase ascii words joined by '-'"
    try:
        _load(path)
    except (ValueError, ValidationError) as exc:
        pytest.fail(f"{path.name}: {exc}")


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_document_structure_and_provenance(path: Path) -> None:
    """Headed sections (retrieval chunks by heading) and a closing 出典 list that names at least one URL."""
    _, body = _load(path)
    assert re.search(r"^# \S", body, re.M), f"{path.name}: no '# ' title heading"
    assert len(re.findall(r"^## \S", body, re.M)) >= 2, f"{path.name}: fewer than two '## ' sections"
    tail = body[body.rfind("出典") :] if "出典" in body else ""
    assert tail and _URL.search(tail), f"{path.name}: no 出典 section with URLs"


def test_readme_lists_every_document() -> None:
    """corpus/README.md is the users' map of the corpus: every document file must appear in its list."""
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in corpus_files() if f"`{p.name}`" not in readme]
    assert not missing, f"corpus/README.md does not list: {missing}"


def test_titles_are_unique() -> None:
    titles = [_load(p)[0].title for p in corpus_files()]
    assert len(titles) == len(set(titles)), "two corpus documents share a title (citations would be ambiguous)"


def _reference_parts() -> dict[str, list[str]]:
    """Part letters A–I of guidebook-facts.md mapped to their subsection ids (A1, B3, …)."""
    parts: dict[str, list[str]] = {}
    current: str | None = None
    for line in FACTS.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^## Part ([A-Z])\.", line)
        if m:
            current = m.group(1) if m.group(1) <= "I" else None
            if current:
                parts[current] = []
            continue
        m = re.match(r"^### ([A-Z]\d+)\.", line)
        if m and current and m.group(1).startswith(current):
            parts[current].append(m.group(1))
    return parts


def _all_covers() -> set[str]:
    covered: set[str] = set()
    for path in corpus_files():
        covered.update(_load(path)[0].covers or [])
    return covered


def test_reference_parts_parsed() -> None:
    _require_reference()
    parts = _reference_parts()
    assert set(parts) == set("ABCDEFGHI"), f"unexpected Part headings in {FACTS.name}: {sorted(parts)}"


def test_every_reference_part_is_covered() -> None:
    _require_reference()
    covered_parts = {c[0] for c in _all_covers()}
    missing = sorted(set(_reference_parts()) - covered_parts)
    assert not missing, f"reference-note Parts with no corpus document in `covers:`: {missing}"


def test_every_reference_subsection_is_covered() -> None:
    """A subsection (D2) counts as covered by 'D2' or by a whole-part id 'D'."""
    _require_reference()
    covers = _all_covers()
    missing = [
        sub for part, subs in _reference_parts().items() for sub in subs if sub not in covers and part not in covers
    ]
    assert not missing, f"reference-note subsections with no corpus document in `covers:`: {missing}"


def test_corpus_size() -> None:
    files = corpus_files()
    total = sum(ja_chars(_load(p)[1]) for p in files)
    assert len(files) >= MIN_DOCS, f"{len(files)} documents; the corpus needs at least {MIN_DOCS}"
    assert total >= MIN_JA_CHARS, f"{total} Japanese characters; the corpus needs at least {MIN_JA_CHARS}"


def test_ja_chars_counts_only_japanese() -> None:
    assert ja_chars("DX推進、ABC 123 カタカナ。") == 8


def _reference_windows() -> set[str]:
    ref = _normalise(FACTS.read_text(encoding="utf-8") + "\n" + POSTINGS.read_text(encoding="utf-8"))
    return {ref[i : i + COPY_RUN] for i in range(len(ref) - COPY_RUN + 1)}


def first_shared_run(text: str, windows: set[str]) -> str | None:
    """The first COPY_RUN-character run of `text` (normalised) that also occurs in the reference windows."""
    norm = _normalise(text)
    for i in range(len(norm) - COPY_RUN + 1):
        if norm[i : i + COPY_RUN] in windows:
            return norm[i : i + COPY_RUN]
    return None


def test_no_text_copied_from_reference_notes() -> None:
    """No run of COPY_RUN characters (URLs and whitespace ignored) is shared with the reference notes."""
    _require_reference()
    windows = _reference_windows()
    offenders = []
    for path in [*corpus_files(), CORPUS / "README.md"]:
        text = path.read_text(encoding="utf-8")
        run = first_shared_run(text.split("\n---\n", 1)[-1] if text.startswith("---\n") else text, windows)
        if run:
            offenders.append(f"{path.name}: …{run}…")
    assert not offenders, "text copied from the reference notes:\n" + "\n".join(offenders)


def test_copy_check_detects_a_pasted_run() -> None:
    """The check must be able to fail: a pasted passage (re-wrapped, with a URL) is found; own words are not."""
    _require_reference()
    windows = _reference_windows()
    facts = FACTS.read_text(encoding="utf-8")
    start = facts.index("Issued by")
    pasted = "前置き。" + facts[start : start + 80].replace(" ", "\n ") + " https://example.org/x"
    assert first_shared_run(pasted, windows) is not None
    assert first_shared_run("外部デジタル人材の確保は、課題の整理から始めると進めやすくなります。", windows) is None
