"""What a 1.5B model recites instead of drafting (the prompt's rules, the passages' header lines) is removed."""

from __future__ import annotations

from app.drafting.generate import clean
from app.prompts import load_prompt

HEADERS = "[1] ステップ1 業務課題の特定（ガイドブックの第1段階について分かること）／要約（ガイドブック概要）／公開の事実"


def test_recited_rules_and_headers_are_dropped_and_content_stays() -> None:
    system = load_prompt("draft_system").render()
    raw = ("- 窓口の申請手続が紙中心で、転記に時間がかかっています。\n"
           "- 要確認: ステップ1 業務課題の特定（ガイドブックの第1段階について分かること）／要約（ガイドブック概要）\n"
           "- 参考資料とプロファイルに書かれた事実だけを使う。金額・日付・人数・法令名を新しく作らない。\n"
           "- 職員の負担を減らすため、申請の電子化を検討します[1]。")
    assert clean(raw, avoid=(system, HEADERS)) == (
        "- 窓口の申請手続が紙中心で、転記に時間がかかっています。\n- 職員の負担を減らすため、申請の電子化を検討します[1]。")


def test_short_lines_are_never_treated_as_echoes() -> None:
    assert clean("- 要確認\n- 事実", avoid=("要確認の事実",)) == "- 要確認\n- 事実"
