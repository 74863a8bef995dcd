"""Citations of composed lines: a passage an earlier search of the same draft returned is used for a later fact
it states, even when that fact's own search ranks the passage out of the top hits."""

from __future__ import annotations

from typing import Any

from draft_fakes import make_chunk

from app.drafting.cite import SectionRefs, Sources
from app.drafting.knowledge.models import Fact
from app.schemas import Hit

PASSAGE = make_chunk("practice-onboarding", "受入れ", "practice",
                     "受入れ前に、担当部署、相談相手、権限、情報やシステムへのアクセスを決めておく。", n=3)
OTHER = make_chunk("practice-onboarding", "受入れ", "practice", "着任後の振り返りを行う。", n=4)


class OnlyFirstQuery:
    """Returns the passage for the query naming 担当部署, and only an unrelated hit for anything else."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def search(self, query: str, k: int | None = None, filters: Any = None) -> list[Hit]:
        self.queries.append(query)
        chunk = PASSAGE if "担当部署" in query else OTHER
        return [Hit(chunk=chunk, rank=1, scores={})]


def test_a_passage_seen_earlier_in_the_draft_cites_a_later_fact() -> None:
    retriever = OnlyFirstQuery()
    refs = SectionRefs(Sources(retriever))
    first = Fact(text="担当部署と相談相手を決める", source="practice-onboarding", terms=("担当部署", "相談相手"))
    later = Fact(text="アカウントと端末を用意する", source="practice-onboarding", terms=("情報やシステムへのアクセス",))
    assert refs.mark(first) == "[1]"
    searches = len(retriever.queries)
    assert refs.mark(later) == "[1]" and not refs.missing
    assert len(retriever.queries) == searches  # found among the passages already seen, no new search


def test_a_seen_passage_from_another_document_is_not_used() -> None:
    retriever = OnlyFirstQuery()
    refs = SectionRefs(Sources(retriever))
    refs.mark(Fact(text="担当部署と相談相手を決める", source="practice-onboarding", terms=("担当部署",)))
    wrong_doc = Fact(text="アクセスを用意する", source="guidebook-step4-onboarding", terms=("情報やシステムへのアクセス",))
    assert refs.mark(wrong_doc) == "" and refs.missing == [wrong_doc]
