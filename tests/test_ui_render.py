"""The presentation functions of the web app: what a user sees for answers, sources, drafts, documents, settings."""

from __future__ import annotations

from app.config import Settings
from app.schemas import Answer, Citation, Draft, DraftSection
from app.ui import render


def _cite(n: int = 1, page: int | None = None, heading: str = "企業派遣型", kind: str = "support-scheme") -> Citation:
    return Citation(n=n, title="地域活性化起業人", kind=kind, source="corpus/scheme-kigyojin.md", page=page,
                    heading=heading, text="企業派遣型は<b>三大都市圏</b>の企業の社員を受け入れる制度。", chunk_id=f"c{n}")


def test_sources_panel_shows_title_kind_location_and_passage() -> None:
    answer = Answer(answer="受け入れます[1]。公式資料では[2]。",
                    citations=[_cite(1), _cite(2, page=12, heading="第3章", kind="official")])
    md = render.sources_markdown(answer)
    assert "[1] 地域活性化起業人" in md and "[2] 地域活性化起業人" in md
    assert "支援制度の要約" in md and "公式PDF" in md  # kind labels, so a summary never passes for the guidebook
    assert "位置: 企業派遣型" in md and "位置: p.12（第3章）" in md
    assert "三大都市圏" in md
    assert "<b>" not in md and "&lt;b&gt;" in md  # passage text cannot inject markup


def test_abstention_shows_no_sources_even_if_hits_were_found() -> None:
    answer = Answer(answer="資料に記載がありません。", abstained=True, citations=[_cite()], flags=["low_similarity"])
    md = render.sources_markdown(answer)
    assert render.NO_SOURCES_JA in md and "地域活性化起業人" not in md
    assert "low_similarity" not in md  # a raw code never reaches the reader


def test_known_flags_are_explained_in_japanese() -> None:
    md = render.sources_markdown(Answer(answer="制度です。", citations=[], flags=["no_citations", "new_flag"]))
    assert "出典番号がありません" in md and "no_citations" not in md and "new_flag" not in md
    assert "検証で注意点が見つかりました" in md  # an unregistered code still gets a Japanese line


def test_answer_markdown_highlights_only_known_markers() -> None:
    answer = Answer(answer="上限があります[1]。別の話[7]。", citations=[_cite(1)])
    md = render.answer_markdown(answer)
    assert "<b>[1]</b>" in md and "<b>[7]</b>" not in md and "\\[7\\]" in md  # escaped: renders as [7], never a link
    abstained = Answer(answer="資料にありません[1]。", abstained=True)
    assert "<b>" not in render.answer_markdown(abstained)


def test_chat_messages_alternate_user_and_assistant_and_escape_the_question() -> None:
    messages = render.chat_messages([("<script>x</script>質問", "回答[1]")])
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "<script>" not in messages[0]["content"]
    assert messages[1]["content"] == "回答[1]"


def test_location_prefers_page_then_heading() -> None:
    assert render.location(3, "") == "p.3"
    assert render.location(3, "概要") == "p.3（概要）"
    assert render.location(None, "概要 > 手順") == "概要 > 手順"
    assert render.location(None, "") == ""


def test_draft_panels_list_citations_per_section_and_warnings() -> None:
    draft = Draft(kind="posting", sections=[
        DraftSection(title="業務内容", body="…[1]", citations=[_cite(1, page=5, heading="")]),
        DraftSection(title="報酬", body="要確認", citations=[]),
    ], warnings=["報酬の金額「月50万円」はプロファイルにも根拠にもありません"], timings={"total": 12.34})
    sources = render.draft_sources_markdown(draft)
    assert "**業務内容**" in sources and "p.5" in sources and "**報酬**" not in sources
    warnings = render.draft_warnings_markdown(draft)
    assert "月50万円" in warnings and "要確認" in warnings
    assert "2節" in render.draft_status_markdown(draft) and "1件" in render.draft_status_markdown(draft)
    clean = Draft(kind="posting", sections=[DraftSection(title="業務内容", body="x")])
    assert "指摘はありません" in render.draft_warnings_markdown(clean)
    assert render.NO_SOURCES_JA in render.draft_sources_markdown(clean)


def test_document_and_ingest_rows() -> None:
    rows = render.document_rows([{"title": "手順書", "kind": "official", "pages": 40, "chunks": 120,
                                  "ingested_at": "2026-11-29T03:00:00", "path": "uploads/guide.pdf"},
                                 {"title": "要約", "kind": "guidebook-summary", "chunks": 8}])
    assert rows[0] == ["手順書", "公式PDF", 40, 120, "2026-11-29 03:00", "uploads/guide.pdf"]
    assert rows[1][1].startswith("要約") and rows[1][2] == ""
    report = {"files": [
        {"path": "a.pdf", "status": "ingested", "pages": 3, "chunks": 9, "image_only_pages": [2], "warnings": []},
        {"path": "b.pdf", "status": "error", "error": "b.pdf: パスワードで保護されています"},
    ]}
    ingest = render.ingest_rows(report)
    assert ingest[0][1] == "取り込み済み" and ingest[0][4] == "2"
    assert ingest[1][1] == "エラー" and "パスワード" in ingest[1][5]
    summary = render.ingest_summary(report)
    assert "取り込み済み 1件" in summary and "エラー 1件" in summary and "既存の索引" in summary
    assert "対象ファイルなし" in render.ingest_summary({"files": []})


def test_settings_view_never_shows_the_api_key(tmp_path) -> None:
    s = Settings(home=tmp_path, llm_backend="openai", llm_base_url="http://127.0.0.1:8080/v1", llm_model="m",
                 llm_api_key="sk-secret-123", auth="u:p")
    view = render.settings_view(s)
    text = repr(view)
    assert "sk-secret-123" not in text and "設定済み" in text
    assert "m @ http://127.0.0.1:8080/v1" in view["LLM"]
    assert view["ログイン / auth"] == "有効" and view["待ち受け / bind"] == "127.0.0.1:7860"


def test_a_passage_starting_like_a_list_stays_one_quote() -> None:
    md = render.citation_markdown(Citation(n=1, title="t", kind="case", source="s", text="- 上限額は年度ごとに示されます。"))
    assert "> \\- 上限額" in md
    assert "> 3\\. 手順" in render.citation_markdown(Citation(n=1, title="t", kind="case", source="s", text="3. 手順"))


def _highlighted(text: str, sentence: str) -> Citation:
    start = text.index(sentence)
    return Citation(n=1, title="地域活性化起業人", kind="support-scheme", source="corpus/scheme-kigyojin.md",
                    heading="副業型", text=text, chunk_id="c1", highlight=(start, start + len(sentence)))


def test_sources_panel_marks_the_evidence_sentence_inside_its_passage() -> None:
    sentence = "副業型の上限は、謝金が年間100万円です。"
    cite = _highlighted(f"副業型は2024年度に新設されました。{sentence}現地での勤務は月1日以上です。", sentence)
    md = render.sources_markdown(Answer(answer="上限は100万円です[1]。", citations=[cite]))
    assert f"<mark>{sentence}</mark>" in md
    passage = md[md.index("> "):]
    assert passage.index("新設されました") < passage.index("<mark>") < passage.index("</mark>") < passage.index("現地")
    assert render.HIGHLIGHT_NOTE_JA in md  # the panel says what the colour means
    plain = render.sources_markdown(Answer(answer="x[1]。", citations=[_cite(1)]))
    assert "<mark>" not in plain and render.HIGHLIGHT_NOTE_JA not in plain


def test_a_long_passage_is_cut_to_a_window_around_its_highlight() -> None:
    sentence = "措置率は0.5です。"
    text = "前置きの文です。" * 80 + sentence + "後ろの文です。" * 80
    md = render.passage_markdown(text, (text.index(sentence), text.index(sentence) + len(sentence)))
    assert f"<mark>{sentence}</mark>" in md  # found however deep in the passage it sits
    assert md.startswith("> …") and md.endswith("…")
    assert len(md) < render.PASSAGE_LIMIT + 40
    assert "前置き" in md and "後ろの文" in md  # context on both sides
    start = render.passage_markdown(sentence + "後ろの文です。" * 80, (0, len(sentence)))
    assert start.startswith(f"> <mark>{sentence}</mark>後ろ") and start.endswith("…")


def test_a_highlight_outside_the_text_falls_back_to_the_plain_quote() -> None:
    assert "<mark>" not in render.passage_markdown("短い本文です。", (3, 99))


def test_answer_bubble_shows_the_evidence_then_the_synthesis() -> None:
    from app.schemas import Evidence

    sentence = "副業型の上限は、謝金が年間100万円です。"
    cite = _highlighted(f"前の文。{sentence}", sentence)
    answer = Answer(answer="謝金の上限は年間100万円です[1]。", citations=[cite], evidence=[Evidence.of(cite, sentence)])
    md = render.answer_markdown(answer)
    assert md.index(render.EVIDENCE_HEADER_JA) < md.index(f"> <b>[1]</b> {sentence}") \
        < md.index(render.SYNTHESIS_HEADER_JA) < md.index("年間100万円です<b>[1]</b>")
    assert "前の文" not in md  # the excerpt, not the passage


def test_two_evidence_sentences_of_one_passage_share_one_card_with_both_marked() -> None:
    first, second = "副業型は2024年度に新設されました。", "謝金の上限は年間100万円です。"
    text = f"{first}現地での勤務は月1日以上です。{second}"
    one, two = _highlighted(text, first), _highlighted(text, second).model_copy(update={"n": 2})
    other = _cite(3)
    md = render.sources_markdown(Answer(answer="x[1]。y[2]。", citations=[one, other, two]))
    assert md.count("出典ファイル: corpus/scheme-kigyojin.md") == 2  # cards: [1]・[2] and [3]
    assert "**[1]・[2] 地域活性化起業人**" in md and "**[3] 地域活性化起業人**" in md
    assert f"<mark><b>[1]</b> {first}</mark>現地での勤務は月1日以上です。<mark><b>[2]</b> {second}</mark>" in md
    assert md.index("[1]・[2]") < md.index("[3] 地域")  # in order of first appearance


def test_a_long_gap_between_two_highlights_is_shortened() -> None:
    first, second = "最初の根拠の文です。", "最後の根拠の文です。"
    text = first + "間の文です。" * 100 + second
    md = render.passage_markdown(text, [(0, len(first)), (len(text) - len(second), len(text))])
    assert md.count("<mark>") == 2 and "…" in md and len(md) < render.PASSAGE_LIMIT


def test_adjacent_evidence_sentences_keep_their_own_numbers() -> None:
    first, second = "一つ目の支援です。", "もう一つの支援です。"
    text = first + second
    md = render.passage_markdown(text, [(len(first), len(text)), (0, len(first))], labels=[3, 1])
    assert md == f"> <mark><b>[1]</b> {first}</mark><mark><b>[3]</b> {second}</mark>"
    overlapping = render.passage_markdown(text, [(0, len(first) + 2), (len(first), len(text))], labels=[1, 2])
    assert overlapping.count("<mark>") == 1 and "<b>[1]</b> <b>[2]</b>" in overlapping  # one mark, both numbers


def test_a_cards_location_leaves_out_a_heading_that_only_repeats_the_title() -> None:
    cite = _cite(1, heading="地域活性化起業人 > 使うときの注意")
    md = render.sources_markdown(Answer(answer="x[1]。", citations=[cite]))
    assert "位置: 使うときの注意" in md and "位置: 地域活性化起業人" not in md
    assert render.location(None, "地域活性化起業人", "地域活性化起業人") == ""
    assert render.location(3, "第3章", "地域活性化起業人") == "p.3（第3章）"
