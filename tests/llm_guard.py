"""Test guard (in the spirit of pydantic-ai's ALLOW_MODEL_REQUESTS=False): no test calls a real LLM or leaves the
machine by accident. Unless a test is marked `slow` (loads real models / starts servers) or `allow_llm`, it may not
start the embedded engine, send a request through the OpenAI client, or open a socket to a non-loopback address;
doing so fails the test with a message saying which marker to add. Wired into tests/conftest.py."""

from __future__ import annotations

import ipaddress
import socket

import pytest

ALLOW_MARKERS = ("slow", "allow_llm")


def _blocked(what: str):
    def refuse(*_args, **_kwargs):
        pytest.fail(f"real {what} blocked in tests: mark the test @pytest.mark.allow_llm (or slow) if intended",
                    pytrace=False)

    return refuse


def _is_loopback(address) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like are local
    host = str(address[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost: would need DNS/network


@pytest.fixture(autouse=True)
def _block_real_llm_calls(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    if any(request.node.get_closest_marker(name) for name in ALLOW_MARKERS):
        yield
        return
    import app.models.embedded as llm

    monkeypatch.setattr(llm, "load_engine", _blocked("embedded LLM load"))
    monkeypatch.setattr(llm, "_cached_engine", _blocked("embedded LLM call"))
    try:
        from openai import _base_client

        monkeypatch.setattr(_base_client.SyncAPIClient, "request", _blocked("OpenAI-compatible request"))
        monkeypatch.setattr(_base_client.AsyncAPIClient, "request", _blocked("OpenAI-compatible request"))
    except ImportError:  # pragma: no cover - openai is a dependency
        pass
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        # TCP only: a UDP connect sends nothing (some libraries use it to learn the local address).
        if sock.type == socket.SOCK_STREAM and sock.family != socket.AF_UNIX and not _is_loopback(address):
            pytest.fail(f"network access to {address!r} blocked in tests (no internet here; mark allow_llm if "
                        f"intended)", pytrace=False)
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    yield
