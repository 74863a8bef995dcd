"""The はじめに page, the first screen: what the four steps are and what each produces, example questions one click
away, and what the assistant is working with (the index by kind, the model).

Binds to `services.documents()`, the draft-kind registry (`app.cases.kinds`) and the chat tab's `ask_after`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from app.cases.kinds import draft_kinds
from app.cases.models import STEP_TITLES, step_label
from app.services import Services
from app.ui.tabs.chat import ChatTab

EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "地域活性化起業人の企業派遣型とはどんな制度ですか？",
    "地域活性化起業人の副業型の条件は？",
    "地域プロジェクトマネージャーの特別交付税の上限はいくらですか？",
    "CIO補佐官を任用する経費への特別交付税の措置率は？",
    "外部人材リストはどうすれば受け取れますか？",
    "特別職非常勤職員と任期付職員の違いは何ですか？",
    "募集要項にはどんな項目を書けばよいですか？",
    "面接では何を確認すればよいですか？",
)
STEP_EXTRA: dict[int, str] = {2: "役割・スキル・雇用形態・予算の時期の整理（似た団体の事例と使える支援制度を案件画面で確認）",
                              4: "受け入れ前の確認と準備（このステップの起案はまだありません）"}
"""What a step produces when no draft kind belongs to it (② is decided with the finders, not drafted)."""

INDEX_GROUPS: dict[str, tuple[str, ...]] = {
    "要約（dxhire が公開情報から作成）": ("guidebook-summary", "case", "support-scheme", "policy", "practice"),
    "公式PDF": ("official",),
    "利用者の資料": ("document",),
}
MODEL_JA: dict[str, str] = {"embedded": "内蔵モデル（Qwen2.5-Coder-1.5B、このPCのCPUで動作）",
                            "openai": "OpenAI互換のエンドポイント", "fake": "テスト用モデル（決まった応答）"}


def steps_markdown() -> str:
    produces: dict[int, list[str]] = {step: [] for step in STEP_TITLES}
    for view in draft_kinds():
        produces.setdefault(view.step, []).append(view.title)
    rows = ["| ステップ | 作るもの |", "|---|---|"]
    for step in STEP_TITLES:
        made = "、".join(produces[step]) or STEP_EXTRA.get(step, "")
        rows.append(f"| **{step_label(step)}** | {made} |")
    return "\n".join(rows)


def index_markdown(documents: list[dict[str, Any]]) -> str:
    """Documents and passages by kind group; says plainly when the official guidebook PDF is not in the index."""
    lines = ["| 種別 | 文書 | チャンク |", "|---|---|---|"]
    counts: dict[str, tuple[int, int]] = {}
    for group, kinds in INDEX_GROUPS.items():
        docs = [d for d in documents if d.get("kind", "document") in kinds]
        counts[group] = (len(docs), sum(int(d.get("chunks") or 0) for d in docs))
        lines.append(f"| {group} | {counts[group][0]}件 | {counts[group][1]} |")
    text = "\n".join(lines)
    if not documents:
        return "索引はまだ空です。資料タブから文書を追加するか、`dxhire serve` で corpus/ を取り込んでください。"
    if counts["公式PDF"][0] == 0:
        text += ("\n\n公式ガイドブックのPDFは索引にありません。入手したPDFを「資料」タブから追加すると、"
                 "回答にページ番号付きで引用されます。")
    return text


def model_markdown(services: Services) -> str:
    s = services.settings
    name = MODEL_JA.get(s.llm_backend, s.llm_backend)
    if s.llm_backend == "openai":
        name += f"（{s.llm_model or 'モデル名未設定'}）"
    loaded = "読み込み済み" if "llm" in services.__dict__ else "最初の質問・起案のときに読み込みます"
    return (f"- 回答・起案のモデル: {name} — {loaded}\n"
            f"- 検索の埋め込みモデル: {s.embed_model}\n"
            "- 外部への送信: なし（エンドポイントを設定した場合のみ、そのサーバーへ送ります）")


@dataclass
class StartTab:
    """The page's buttons; `connect` wires them once the chat tab and the main tabs exist."""

    to_cases: gr.Button
    to_chat: gr.Button
    examples: list[tuple[gr.Button, str]]

    def connect(self, chat: ChatTab, tabs: gr.Tabs) -> None:
        self.to_cases.click(lambda: gr.Tabs(selected="cases"), None, tabs, api_visibility="private")
        self.to_chat.click(lambda: gr.Tabs(selected="chat"), None, tabs, api_visibility="private")
        for button, question in self.examples:
            chat.ask_after(button.click(lambda q=question: (q, gr.Tabs(selected="chat")), None,
                                        [chat.question, tabs], api_visibility="private", queue=False))


def build(services: Services, page: gr.Blocks) -> StartTab:
    gr.Markdown("## 外部デジタル人材の確保を、ガイドブックの4つのステップで\n"
                "総務省「外部デジタル人材の確保ガイドブック」の流れに沿って、1件の採用を **案件** として最後まで進めます。"
                "各ステップで作る文書は dxhire が根拠付きで起案し、編集した内容は版として保存されます。")
    gr.Markdown(steps_markdown(), elem_id="dx-start-steps")
    with gr.Row():
        to_cases = gr.Button("案件を始める（プロファイルから）", variant="primary", elem_id="dx-start-case")
        to_chat = gr.Button("質問する", elem_id="dx-start-chat")
    gr.Markdown("### 質問の例（押すとチャットで回答します）")
    with gr.Row(elem_classes=["dx-examples"]):
        buttons = [gr.Button(q, size="sm", elem_classes=["dx-example-q"]) for q in EXAMPLE_QUESTIONS]
    with gr.Row():
        with gr.Column():
            gr.Markdown("### 索引にある資料")
            index = gr.Markdown(elem_id="dx-start-index")
        with gr.Column():
            gr.Markdown("### モデル")
            model = gr.Markdown(elem_id="dx-start-model")
    page.load(lambda: (index_markdown(services.documents()), model_markdown(services)), None, [index, model],
              api_visibility="private")
    return StartTab(to_cases, to_chat, list(zip(buttons, EXAMPLE_QUESTIONS, strict=True)))
