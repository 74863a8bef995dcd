"""Conversation memory per chat session: only the last N turns, because the rewrite prompt must stay short."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque

Turn = tuple[str, str]
"""(question, answer)"""


class ConversationMemory:
    """Last `max_turns` turns for each session id, thread-safe (Gradio serves sessions concurrently).

    The number of sessions is bounded too (least recently used are dropped) so a long-running server does not
    grow without limit.
    """

    def __init__(self, max_turns: int = 4, max_sessions: int = 1000) -> None:
        self.max_turns = max_turns
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, deque[Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def history(self, session_id: str) -> list[Turn]:
        with self._lock:
            turns = self._sessions.get(session_id)
            if turns is None:
                return []
            self._sessions.move_to_end(session_id)
            return list(turns)

    def add(self, session_id: str, question: str, answer: str) -> None:
        if self.max_turns <= 0:
            return
        with self._lock:
            turns = self._sessions.get(session_id)
            if turns is None:
                turns = self._sessions[session_id] = deque(maxlen=self.max_turns)
            turns.append((question, answer))
            self._sessions.move_to_end(session_id)
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)

    def clear(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._sessions)
