"""The answer pipeline end to end with fakes: rewriting, abstention, citations, streaming, bad input."""

from __future__ import annotations

import pytest
from answer_fakes import KIGYOJIN, KeywordRetriever, is_rewrite_call, scripted

from app.answer import AnswerPipeline, QuestionError
from app.answer.memory import ConversationMemory
from app.config import Settings
from app.models.fake import FakeChatModel
from app.schemas import Answer, EvidenceReady


@pytest.fixture
def cfg(settings: Settings) -> Settings:
    return settings.model_copy(update={"abstain_threshold": 0.86, "abstain_threshold_en": 0.8, "max_question_chars": 500})


def test_followup_is_rewritten_and_retrieves_support_scheme(cfg: Settings) -> None:
    llm = scripted("予算の上限額は年度ごとに示されます[1]。", rewrite="地域活性化起業人の予算はいくらですか？")
    retriever = KeywordRetriever()
    history = [("地域活性化起業人とはどんな制度ですか？", "三大都市圏の企業の社員を受け入れる制度です[1]。")]
    answer = AnswerPipeline(cfg, llm, retriever).ask("それの予算は？", history=history)
    assert "地域活性化起業人" in answer.standalone_question
    assert retriever.queries == [answer.standalone_question]
    assert answer.hits and answer.hits[0].chunk.kind == "support-scheme"
    assert {c.kind for c in answer.citations} == {"support-scheme"}
    assert not answer.abstained
    assert set(answer.timings) >= {"rewrite_s", "retrieve_s", "first_token_s", "generate_s", "total_s"}


def test_followup_falls_back_when_rewrite_is_garbage(cfg: Settings) -> None:
    llm = scripted("予算の上限額は年度ごとに示されます[1]。", rewrite="")
    retriever = KeywordRetriever()
    history = [("地域活性化起業人とはどんな制度ですか？", "受け入れる制度です。")]
    answer = AnswerPipeline(cfg, llm, retriever).ask("それの予算は？", history=history)
    assert "rewrite_fallback" in answer.flags
    assert "地域活性化起業人" in retriever.queries[0] and "予算" in retriever.queries[0]
    assert answer.hits[0].chunk.kind == "support-scheme"


def test_no_history_means_no_rewrite_call(cfg: Settings) -> None:
    llm = scripted("手順は四段階です[1]。")
    AnswerPipeline(cfg, llm, KeywordRetriever()).ask("確保の手順は？")
    assert len(llm.calls) == 1 and not is_rewrite_call(llm.calls[0])


def test_out_of_scope_abstains_without_calling_the_model(cfg: Settings) -> None:
    llm = scripted("市民税は口座振替で納付できます[1]。")
    answer = AnswerPipeline(cfg, llm, KeywordRetriever()).ask("市民税の納付方法は？")
    assert answer.abstained
    assert answer.citations == []
    assert "記載がありません" in answer.answer
    assert "below_threshold" in answer.flags
    assert llm.calls == []
    assert "口座振替" not in answer.answer


def test_abstention_lists_covered_topics(cfg: Settings, tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "scheme-x.md").write_text(
        "---\ntitle: 地域活性化起業人\nkind: support-scheme\nsources: [https://example.jp]\n"
        "as_of: 令和6年度\nconfidence: confirmed\n---\n本文\n", encoding="utf-8"
    )
    s = cfg.model_copy(update={"corpus_dir": corpus})
    answer = AnswerPipeline(s, scripted("x"), KeywordRetriever()).ask("子育て手当はいくらですか？")
    assert answer.abstained and "地域活性化起業人［支援制度の要約］" in answer.answer


def test_empty_index_abstains(cfg: Settings) -> None:
    answer = AnswerPipeline(cfg, scripted("x"), KeywordRetriever(chunks=[], keywords={})).ask("確保の手順は？")
    assert answer.abstained and "no_hits" in answer.flags and answer.citations == []
    assert "dxhire ingest" in answer.answer


def test_invented_marker_removed_and_flagged(cfg: Settings) -> None:
    llm = scripted("受入れに要する経費は特別交付税の措置対象です[1]。上限はありません[7]。")
    answer = AnswerPipeline(cfg, llm, KeywordRetriever()).ask("地域活性化起業人の経費は？")
    assert "[7]" not in answer.answer and "上限はありません" not in answer.answer
    assert answer.answer.startswith("受入れに要する経費は特別交付税の措置対象です[1]")
    assert "synthesis_sentence_removed" in answer.flags
    cited = answer.citations[0]
    assert cited.text == KIGYOJIN.text and "特別交付税" in cited.text[cited.highlight[0]:cited.highlight[1]]


def test_an_uncited_supported_sentence_gets_its_evidence_marker(cfg: Settings) -> None:
    answer = AnswerPipeline(cfg, scripted("経費は特別交付税の措置対象です。"), KeywordRetriever()).ask("地域活性化起業人の経費は？")
    n = int(answer.answer.split("[")[1][0])
    assert "特別交付税" in answer.evidence[n - 1].text and not answer.abstained


def test_nothing_checkable_leaves_the_evidence_alone_with_a_note(cfg: Settings) -> None:
    answer = AnswerPipeline(cfg, scripted("この制度はとても便利で、誰でも使えます。"), KeywordRetriever()).ask(
        "地域活性化起業人の経費は？")
    assert "便利" not in answer.answer and "資料の該当箇所" in answer.answer
    assert "synthesis_withheld" in answer.flags and answer.evidence and not answer.abstained


def test_model_saying_not_in_material_on_weak_evidence_is_an_abstention(cfg: Settings) -> None:
    answer = AnswerPipeline(cfg, scripted("資料には記載がありません。"), KeywordRetriever()).ask("起業人の退職金の規程は？")
    assert "weak_evidence" in answer.flags
    assert answer.abstained and "llm_not_in_material" in answer.flags and "記載がありません" in answer.answer


def test_stream_yields_evidence_before_any_model_text_then_the_answer(cfg: Settings) -> None:
    text = "確保の手順は、業務課題の特定、人材要件の定義、人材の選定、人材の受け入れの四段階です[1]。"
    llm = scripted(text)
    items = list(AnswerPipeline(cfg, llm, KeywordRetriever()).stream("確保の手順は？"))
    assert isinstance(items[0], EvidenceReady) and isinstance(items[-1], Answer)
    assert not any(isinstance(i, str) for i in items[:1])
    ready, answer = items[0], items[-1]
    assert ready.evidence and "四段階" in ready.evidence[0].text  # verbatim, from the passage, before the model ran
    assert ready.elapsed_s == answer.timings["evidence_s"] <= answer.timings["total_s"]
    pieces = [i for i in items if isinstance(i, str)]
    assert "".join(pieces) == text and len(pieces) == len(text)
    assert answer.answer == text and answer.evidence == ready.evidence
    prompt = str(llm.calls[-1][-1].content)
    assert ready.evidence[0].text in prompt and "<資料" not in prompt  # the model reads the evidence only


def test_the_model_reads_only_the_best_excerpts_the_reader_gets_all(cfg: Settings) -> None:
    llm = scripted("四段階です[1]。")
    s = cfg.model_copy(update={"synthesis_evidence_chars": 30})  # less than any excerpt: the first one only
    answer = AnswerPipeline(s, llm, KeywordRetriever()).ask("地域活性化起業人の経費の上限と期間は？")
    assert len(answer.evidence) >= 2
    prompt = str(llm.calls[-1][-1].content)
    assert answer.evidence[0].text in prompt  # the best excerpt is always read, whatever its length
    assert any(e.text not in prompt for e in answer.evidence[1:])  # the rest past the budget is the reader's only
    assert [e.n for e in answer.evidence if f"[{e.n}] {e.text}" in prompt] == [1]


def test_synthesis_stops_after_the_configured_sentences(cfg: Settings) -> None:
    text = "四段階です[1]。" * 6
    s = cfg.model_copy(update={"synthesis_sentences": 2})
    items = list(AnswerPipeline(s, scripted(text), KeywordRetriever()).stream("確保の手順は？"))
    streamed = "".join(i for i in items if isinstance(i, str))
    assert streamed == "四段階です[1]。" * 2


def test_empty_question_is_refused_clearly(cfg: Settings) -> None:
    pipeline = AnswerPipeline(cfg, scripted("x"), KeywordRetriever())
    for bad in ["", "   \n ", None]:
        with pytest.raises(QuestionError, match="質問が空です.*empty"):
            pipeline.ask(bad)  # type: ignore[arg-type]


def test_the_bare_guidebook_is_retrieved_by_its_full_name(cfg: Settings) -> None:
    retriever = KeywordRetriever()
    answer = AnswerPipeline(cfg, scripted("四段階です[1]。"), retriever).ask("ガイドブックの手順は？")
    assert retriever.queries == ["外部デジタル人材の確保ガイドブックの手順は?"]  # NFKC
    assert answer.standalone_question == "ガイドブックの手順は?"  # the user's wording for selection and the model


def test_punctuation_only_question_is_refused_before_retrieval(cfg: Settings) -> None:
    retriever = KeywordRetriever()
    pipeline = AnswerPipeline(cfg, scripted("x"), retriever)
    for bad in ["？？？", "...", "！？　…", "【】"]:
        with pytest.raises(QuestionError, match="記号だけ.*punctuation"):
            pipeline.ask(bad)
    assert retriever.queries == []
    assert pipeline.ask("DX?").answer  # one letter is enough to be a question


def test_long_question_is_truncated_and_flagged(cfg: Settings) -> None:
    retriever = KeywordRetriever()
    answer = AnswerPipeline(cfg, scripted("四段階です[1]。"), retriever).ask("確保の手順は？" + "あ" * 20_000)
    assert "question_truncated" in answer.flags
    assert len(retriever.queries[0]) == cfg.max_question_chars


def test_english_question_answered_in_japanese_unless_asked(cfg: Settings) -> None:
    llm = scripted("四段階です[1]。")
    pipeline = AnswerPipeline(cfg, llm, KeywordRetriever(keywords={"guide-steps-0": ["steps"]}))
    pipeline.ask("What are the steps to hire digital talent?")
    assert "答え（日本語" in llm.calls[-1][1].content
    pipeline.ask("What are the steps? Please answer in English.")
    assert "答え（英語" in llm.calls[-1][1].content


def test_model_failure_becomes_llm_error_naming_the_setting(cfg: Settings) -> None:
    from app.models.llm import LLMError

    def boom(_messages):
        raise ConnectionError("Connection refused")

    llm = FakeChatModel(boom)
    with pytest.raises(LLMError, match="DXHIRE_LLM_BASE_URL"):
        AnswerPipeline(cfg, llm, KeywordRetriever()).ask("確保の手順は？")


def test_session_memory_feeds_the_rewrite(cfg: Settings) -> None:
    llm = FakeChatModel(
        lambda m: "地域活性化起業人の予算は？" if is_rewrite_call(m) else "年度ごとに示されます[1]。",
    )
    memory = ConversationMemory(max_turns=2)
    pipeline = AnswerPipeline(cfg, llm, KeywordRetriever())
    list(pipeline.stream_session(memory, "s1", "地域活性化起業人とは？"))
    list(pipeline.stream_session(memory, "s1", "それの予算は？"))
    rewrite_calls = [c for c in llm.calls if is_rewrite_call(c)]
    assert len(rewrite_calls) == 1 and "地域活性化起業人とは" in rewrite_calls[0][1].content
    assert len(memory.history("s1")) == 2 and memory.history("s2") == []


def test_english_questions_use_their_own_threshold(cfg: Settings) -> None:
    retriever = KeywordRetriever(keywords={"guide-steps-0": ["steps", "手順"]}, matched_dense=0.83)
    pipeline = AnswerPipeline(cfg, scripted("四段階です[1]。"), retriever)
    assert not pipeline.ask("What are the steps?").abstained
    assert pipeline.ask("確保の手順は？").abstained


def test_passages_that_are_only_provenance_notes_give_an_abstention_not_an_empty_evidence_block(cfg: Settings) -> None:
    from answer_fakes import make_chunk

    note = make_chunk("scheme-note", "地域活性化起業人", "support-scheme",
                      "この文書は、地域活性化起業人について公開情報から dxhire がまとめたものです。")
    llm = scripted("使われない[1]。")
    retriever = KeywordRetriever(chunks=[note], keywords={note.chunk_id: ["地域活性化起業人"]})
    items = list(AnswerPipeline(cfg, llm, retriever).stream("地域活性化起業人とは？"))
    answer = items[-1]
    assert answer.abstained and "no_hits" in answer.flags and answer.evidence == []
    assert not any(isinstance(i, EvidenceReady) for i in items) and llm.calls == []
