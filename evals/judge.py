"""Optional LLM-judge scores (faithfulness, relevance), only when a judge endpoint is configured.

RAGAS-style judges are fragile in Japanese, so these scores never gate anything: they are an extra column in the
report. Any failure (endpoint down, output not JSON) leaves the scores empty and notes why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from app.config import Settings
from app.prompts import load_prompt

_JSON = re.compile(r"\{[^{}]*\}")


def judge_enabled(settings: Settings) -> bool:
    return bool(settings.eval_judge_base_url)


def build_judge(settings: Settings) -> Any:
    from langchain_openai import ChatOpenAI

    key = settings.eval_judge_api_key.get_secret_value() if settings.eval_judge_api_key else "not-needed"
    return ChatOpenAI(base_url=settings.eval_judge_base_url, model=settings.eval_judge_model or "judge", api_key=key,
                      temperature=0, timeout=settings.llm_timeout_s, max_retries=1)


def parse_scores(text: str) -> dict[str, float]:
    """The first JSON object in the reply, keeping faithfulness/relevance clipped to 0..1."""
    match = _JSON.search(text)
    if not match:
        raise ValueError(f"judge reply has no JSON: {text[:80]!r}")
    data = json.loads(match.group(0))
    out = {}
    for key in ("faithfulness", "relevance"):
        if isinstance(data.get(key), (int, float)):
            out[key] = round(min(1.0, max(0.0, float(data[key]))), 3)
    return out


def judge_answer(judge: Any, question: str, answer: str, passages: Sequence[str]) -> dict[str, float]:
    prompt = load_prompt("eval_judge").render(
        question=question, answer=answer, context="\n---\n".join(p[:600] for p in passages[:6])
    )
    reply = judge.invoke(prompt)
    return parse_scores(str(getattr(reply, "content", reply)))
