"""ConversationMemory keeps the last N turns per session and bounds the number of sessions."""

from __future__ import annotations

from app.answer.memory import ConversationMemory


def test_window_keeps_last_n_turns_per_session() -> None:
    m = ConversationMemory(max_turns=2)
    for i in range(5):
        m.add("a", f"q{i}", f"a{i}")
    m.add("b", "qb", "ab")
    assert m.history("a") == [("q3", "a3"), ("q4", "a4")]
    assert m.history("b") == [("qb", "ab")]
    m.clear("a")
    assert m.history("a") == [] and m.history("b")


def test_zero_turns_remembers_nothing() -> None:
    m = ConversationMemory(max_turns=0)
    m.add("a", "q", "a")
    assert m.history("a") == []


def test_least_recent_session_dropped() -> None:
    m = ConversationMemory(max_turns=1, max_sessions=2)
    m.add("a", "q", "a")
    m.add("b", "q", "a")
    m.history("a")  # touch a
    m.add("c", "q", "a")
    assert m.history("b") == [] and m.history("a") and m.history("c")
