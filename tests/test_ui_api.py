"""The web app's API through `gradio_client` against a running app: /ask, /ingest, /documents, /draft,
and the bad uploads of the issue (renamed .exe, over the size limit, a PDF with a user password)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from ui_server import MAX_FILE_MB, RunningApp, running_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with running_app(tmp_path_factory.mktemp("ui-api")) as running:
        yield running


@pytest.fixture(scope="module")
def client(app: RunningApp) -> Client:
    return Client(app.url, verbose=False, download_files=False)


def _doc_sources(client: Client) -> set[str]:
    return {d.get("path") or d.get("source") for d in client.predict(api_name="/documents")}


def test_ask_returns_an_answer_with_citations(client: Client) -> None:
    result = client.predict("地域活性化起業人の企業派遣型とはどんな制度ですか？", api_name="/ask")
    assert result["answer"].strip()
    assert not result["abstained"]
    assert result["citations"], result
    for c in result["citations"]:
        assert c["title"] and c["kind"] and c["text"]
        assert c["page"] is not None or c["heading"], c  # every source says where in the document it is
        assert f"[{c['n']}]" in result["answer"]


def test_empty_question_is_refused_with_a_message(client: Client) -> None:
    with pytest.raises(AppError, match="質問を入力してください"):
        client.predict("   ", api_name="/ask")


def test_uploaded_markdown_is_ingested_and_listed(client: Client, tmp_path: Path) -> None:
    before = _doc_sources(client)
    note = tmp_path / "uploaded-note.md"
    note.write_text("# 庁内メモ\n\n外部人材の面接では、業務課題を説明してから質問します。\n", encoding="utf-8")
    report = client.predict([handle_file(str(note))], api_name="/ingest")
    statuses = {Path(f["path"]).name: f["status"] for f in report["files"]}
    assert statuses == {"uploaded-note.md": "ingested"}, report
    after = _doc_sources(client)
    assert before < after  # the new document is listed and nothing was dropped
    assert any("uploaded-note.md" in (s or "") for s in after)
    assert not any("abs_path" in d for d in client.predict(api_name="/documents"))  # no server paths leak


def _encrypted_pdf(path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())


def test_bad_uploads_get_clear_per_file_messages_and_lose_nothing(app: RunningApp, client: Client,
                                                                 tmp_path: Path) -> None:
    before = _doc_sources(client)
    exe = tmp_path / "setup.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 2000)
    big = tmp_path / "huge.md"
    big.write_bytes(("# 大きい\n" + "あ" * 100_000).encode())
    assert big.stat().st_size > MAX_FILE_MB * 1024 * 1024
    locked = tmp_path / "locked.pdf"
    _encrypted_pdf(locked)
    report = client.predict([handle_file(str(p)) for p in (exe, big, locked)], api_name="/ingest")
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    assert set(by_name) == {"setup.pdf", "huge.md", "locked.pdf"}, report
    for name, entry in by_name.items():
        assert entry["status"] in {"rejected", "error"}, entry
        assert name in entry["error"] or entry["error"], entry
    assert "executable" in by_name["setup.pdf"]["error"]
    assert "大きすぎ" in by_name["huge.md"]["error"]
    assert "パスワード" in by_name["locked.pdf"]["error"] or "password" in by_name["locked.pdf"]["error"].lower()
    assert _doc_sources(client) == before  # nothing lost, nothing half-added
    uploads = app.settings.home / "uploads"
    assert not any(p.name in {"setup.pdf", "huge.md", "locked.pdf"} for p in uploads.glob("*"))
    result = client.predict("地域活性化起業人とは？", api_name="/ask")  # still serving
    assert result["answer"].strip()


def _example_profile_json() -> str:
    from app.drafting.profile import load_profile
    from app.ui.profile_form import example_profiles

    examples = example_profiles()
    if not examples:
        pytest.skip("no example profiles in app/examples")
    return load_profile(next(iter(examples.values()))).model_dump_json()


def test_draft_returns_sections(client: Client) -> None:
    result = client.predict("posting", _example_profile_json(), "", 60, api_name="/draft")
    assert result["kind"] == "posting"
    assert len(result["sections"]) >= 3
    assert all(s["title"] and s["body"].strip() for s in result["sections"])


def test_draft_refuses_a_bad_profile(client: Client) -> None:
    with pytest.raises(AppError, match="プロファイル"):
        client.predict("posting", json.dumps({"population": -5}), "", 60, api_name="/draft")
    with pytest.raises(AppError, match="kind"):
        client.predict("poem", _example_profile_json(), "", 60, api_name="/draft")
