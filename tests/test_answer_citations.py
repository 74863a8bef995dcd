"""Citation verification: valid markers kept and renumbered, invented ones removed and flagged, none flagged."""

from __future__ import annotations

from answer_fakes import ALL_CHUNKS

from app.answer.citations import cited_numbers, verify_citations
from app.answer.context import build_blocks
from app.schemas import Hit


def blocks(n: int = 3):
    hits = [Hit(chunk=c, rank=i + 1, scores={"dense": 0.9}) for i, c in enumerate(ALL_CHUNKS[:n])]
    return build_blocks(hits, block_chars=400, total_chars=2000)


def test_valid_markers_are_kept() -> None:
    v = verify_citations("制度です[1]。事例があります[2]。", blocks())
    assert v.text == "制度です[1]。事例があります[2]。"
    assert [c.n for c in v.citations] == [1, 2]
    assert [c.title for c in v.citations] == [ALL_CHUNKS[0].title, ALL_CHUNKS[1].title]
    assert v.flags == []


def test_only_cited_blocks_are_listed_and_renumbered_by_first_use() -> None:
    v = verify_citations("手順は四段階です[3]。制度もあります[1]。再び手順[3]。", blocks())
    assert v.text == "手順は四段階です[1]。制度もあります[2]。再び手順[1]。"
    assert [(c.n, c.title) for c in v.citations] == [(1, ALL_CHUNKS[2].title), (2, ALL_CHUNKS[0].title)]


def test_invented_marker_is_removed_and_flagged() -> None:
    v = verify_citations("制度です[1]。上限は百万円です [9]。", blocks())
    assert "[9]" not in v.text and v.text == "制度です[1]。上限は百万円です。"
    assert v.flags == ["invalid_citation_removed"]
    assert [c.n for c in v.citations] == [1]


def test_only_invented_markers_means_invalid_and_no_citations() -> None:
    v = verify_citations("上限は百万円です[4][0]。", blocks())
    assert v.citations == [] and set(v.flags) == {"invalid_citation_removed", "no_citations"}
    assert "[" not in v.text


def test_no_markers_is_flagged_and_nothing_is_attached() -> None:
    v = verify_citations("特別交付税の対象です。", blocks())
    assert v.citations == [] and v.flags == ["no_citations"]


def test_variant_marker_forms_are_normalised() -> None:
    v = verify_citations("制度です［2］。事例です[1, 3]。手順【3】。", blocks())
    assert v.text == "制度です[1]。事例です[2][3]。手順[3]。"
    assert len(v.citations) == 3 and v.flags == []


def test_cited_numbers() -> None:
    assert cited_numbers("a[1]b［2］c[3、4]") == [1, 2, 3, 4]


def test_echoed_delimiters_and_document_style_markers() -> None:
    v = verify_citations("<資料 1>制度です[資料1]。事例です[資料 2、資料3]。</資料 1>", blocks())
    assert v.text == "制度です[1]。事例です[2][3]。" and v.flags == []


def test_echoed_header_line_becomes_a_marker_after_its_paragraph() -> None:
    b = blocks()
    text = f"次の通りです。\n{b[1].header}\n広島県ではCIO補佐官を公募しました。\n"
    v = verify_citations(text, b)
    assert v.text == "次の通りです。\n広島県ではCIO補佐官を公募しました。[1]"
    assert [c.title for c in v.citations] == [ALL_CHUNKS[1].title]


def test_header_echoed_without_its_number_is_folded_too() -> None:
    b = blocks()
    bare = b[1].header.removeprefix("[2]").strip()
    v = verify_citations(f"{bare}\n\n広島県ではCIO補佐官を公募しました。", b)
    assert v.text == "広島県ではCIO補佐官を公募しました。[1]"
    assert [c.title for c in v.citations] == [ALL_CHUNKS[1].title]


def test_simplified_chinese_characters_are_flagged_not_rewritten() -> None:
    v = verify_citations("业务委託の职能を確認します[1]。", blocks())
    assert "non_japanese_characters" in v.flags and v.text.startswith("业务委託")
    assert "non_japanese_characters" not in verify_citations("業務委託の職能を確認します[1]。", blocks()).flags
