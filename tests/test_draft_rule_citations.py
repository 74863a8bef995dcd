"""Rule-written draft sections cite a passage only when it supports the sentence that carries the marker."""

from __future__ import annotations

from draft_fakes import BigramRetriever, make_chunk

from app.answer.grounding import supports
from app.drafting.generate import supporting_citations

FLOW = make_chunk("practice-interview-selection", "面接・選考の進め方", "practice",
                  "デジタル庁は技術が分かる面接官による技術面接を加えました。現場の職員が面接に加わる例もあります。")
UNRELATED = make_chunk("practice-interview-selection", "面接・選考の進め方", "practice",
                       "福山市の選考は書類選考のあと面接を2回行う流れでした。", n=1)


def test_supports_needs_shared_wording() -> None:
    assert supports("技術が分かる面接官が面接に加わっています", FLOW.text)
    assert not supports("合否の基準点は要確認です", FLOW.text)
    assert not supports("", FLOW.text)


def test_claim_filters_out_passages_that_do_not_support_it() -> None:
    retriever = BigramRetriever([UNRELATED, FLOW])
    claim = "技術が分かる面接官が面接に加わっています"
    got = supporting_citations(retriever, "面接 選考", doc_ids=("practice-interview-selection",), claim=claim)
    assert [c.text for c in got] == [FLOW.text]
    none = supporting_citations(BigramRetriever([UNRELATED]), "面接 選考",
                                doc_ids=("practice-interview-selection",), claim=claim)
    assert none == []  # no decorative source when nothing supports the claim
