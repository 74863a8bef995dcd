"""Report files (report.json, report.md, report.html) and the comparison with a previous report.

report.json is the machine form (what `--baseline` reads back); the Markdown and HTML show, per item, the
verdict, the answer, its sources and which facts were missed, so a reader can see *why* without re-running.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

SUMMARY_KEYS = ["items", "fact_coverage", "must_not_violations", "invalid_citations", "abstention_accuracy",
                "hit@5", "mrr", "section_coverage", "p50_s"]
LOWER_IS_BETTER = {"must_not_violations", "invalid_citations", "p50_s", "set_errors", "errors", "failed", "draft_warnings",
                   "form_defects", "form_defect_rate"}


class ItemChange(BaseModel):
    id: str
    change: str = Field(description="improved | regressed | new | removed")
    before: str = ""
    after: str = ""


class Comparison(BaseModel):
    improvements: list[ItemChange] = Field(default_factory=list)
    regressions: list[ItemChange] = Field(default_factory=list)
    new: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    summary_delta: dict[str, float] = Field(default_factory=dict)


def _item_score(item: dict[str, Any]) -> tuple[int, float, int]:
    """Order items: pass beats fail, then more facts, then fewer violations."""
    return (int(bool(item.get("passed"))), item.get("fact_coverage") or 0.0,
            -(item.get("must_not_violations") or 0) - (item.get("invalid_citations") or 0))


WORST_SHOWN = 5


def worst_items(report: dict[str, Any], n: int = WORST_SHOWN) -> list[dict[str, Any]]:
    """The `n` worst scored items (failed first, then fewest facts, most violations, most form defects)."""
    scored = [i for i in report.get("items", []) if i.get("status") == "ok" and not i.get("passed")]
    key = [(_item_score(i), -len(i.get("form_issues") or []), -len(i.get("warnings") or []), i["id"]) for i in scored]
    return [i for _, i in sorted(zip(key, scored, strict=True), key=lambda t: t[0])][:n]


def _verdict(item: dict[str, Any]) -> str:
    cov = item.get("fact_coverage")
    cov_s = f" facts={cov:.2f}" if isinstance(cov, (int, float)) else ""
    return ("PASS" if item.get("passed") else "FAIL") + cov_s + (
        f" ({'; '.join(item.get('reasons', []))[:160]})" if item.get("reasons") else "")


def compare(baseline: dict[str, Any], current: dict[str, Any]) -> Comparison:
    """Per-item improvements and regressions (by pass/fail, then fact coverage and violations) and summary deltas."""
    old = {i["id"]: i for i in baseline.get("items", [])}
    new = {i["id"]: i for i in current.get("items", [])}
    out = Comparison()
    for item_id, item in new.items():
        if item_id not in old:
            out.new.append(item_id)
            continue
        before, after = _item_score(old[item_id]), _item_score(item)
        if after == before:
            continue
        change = ItemChange(id=item_id, change="improved" if after > before else "regressed",
                            before=_verdict(old[item_id]), after=_verdict(item))
        (out.improvements if after > before else out.regressions).append(change)
    out.removed = [i for i in old if i not in new]
    for key, value in current.get("summary", {}).items():
        prev = baseline.get("summary", {}).get(key)
        if isinstance(value, (int, float)) and isinstance(prev, (int, float)) and value != prev:
            out.summary_delta[key] = round(value - prev, 4)
    return out


def format_comparison(comp: Comparison) -> str:
    lines = [f"改善 / improvements: {len(comp.improvements)}, 後退 / regressions: {len(comp.regressions)}"]
    for key, delta in comp.summary_delta.items():
        better = (delta < 0) if key in LOWER_IS_BETTER else (delta > 0)
        lines.append(f"  {key}: {delta:+g} {'(better)' if better else '(worse)'}")
    for c in comp.regressions:
        lines.append(f"  REGRESSED {c.id}: {c.before} -> {c.after}")
    for c in comp.improvements:
        lines.append(f"  IMPROVED  {c.id}: {c.before} -> {c.after}")
    if comp.new:
        lines.append(f"  new items: {', '.join(comp.new)}")
    if comp.removed:
        lines.append(f"  removed items: {', '.join(comp.removed)}")
    return "\n".join(lines)


def _terms(fact: dict[str, Any]) -> str:
    """「 [found: 総務省, 資料; missing: 作成]」: what the statement matcher saw, so a reader can check a miss."""
    found, missing = fact.get("terms_found") or [], fact.get("terms_missing") or []
    if not found and not missing:
        return ""
    return f" [found: {', '.join(found) or '–'}; missing: {', '.join(missing) or '–'}]"


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def to_markdown(report: dict[str, Any]) -> str:
    summary = report.get("summary", {})
    lines = ["# dxhire eval report", "", f"- run: {report.get('meta', {})}", "", "## Summary", "",
             "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in summary.items()]
    if report.get("load_errors"):
        lines += ["", "## Skipped items (load errors)", ""] + [f"- {e}" for e in report["load_errors"]]
    if report.get("comparison"):
        lines += ["", "## Compared with baseline", "", "```", format_comparison(Comparison(**report["comparison"])),
                  "```"]
    worst = worst_items(report)
    if worst:
        lines += ["", f"## 最も悪い{len(worst)}項目 / worst items", ""]
        lines += [f"{n}. **{i['id']}** ({i['kind']}): {_verdict(i)}" for n, i in enumerate(worst, start=1)]
    lines += ["", "## Items", ""]
    for item in report.get("items", []):
        mark = "PASS" if item["passed"] else ("SET ERROR" if item["status"] == "set_error" else
                                              "ERROR" if item["status"] == "error" else "FAIL")
        lines += [f"### {item['id']} ({item['kind']}) — {mark}", ""]
        if item.get("question"):
            lines.append(f"- **質問**: {item['question']}")
        if item.get("reasons"):
            lines.append(f"- **理由 / why**: {'; '.join(item['reasons'])}")
        lines.append(f"- **metrics**: hit@5={_fmt(item.get('hit_at_k'))} rr={_fmt(item.get('reciprocal_rank'))} "
                     f"facts={_fmt(item.get('fact_coverage'))} must_not={item.get('must_not_violations')} "
                     f"invalid_citations={item.get('invalid_citations')} sections={_fmt(item.get('section_coverage'))} "
                     f"latency={_fmt(item.get('latency_s'))}s")
        missed = [f"{f['fact']}{_terms(f)}" for f in item.get("facts", []) if not f["found"]]
        found = [f"{f['fact']} ({f['matcher']})" for f in item.get("facts", []) if f["found"]]
        if found:
            lines.append(f"- **facts found**: {'; '.join(found)}")
        if missed:
            lines.append(f"- **facts missed**: {'; '.join(missed)}")
        if item.get("form_issues"):
            lines.append("- **回答の形 / form**: " + "; ".join(f"{i['code']} — {i.get('ja', '')} ({i.get('detail', '')})"
                                                            for i in item["form_issues"]))
        if item.get("sources"):
            lines.append(f"- **sources (retrieved)**: {', '.join(item['sources'][:5])}; gold: "
                         f"{', '.join(item.get('gold_sources', []))}")
        violated = [m["claim"] for m in item.get("must_not", []) if m["violated"]]
        if violated:
            lines.append(f"- **must-not asserted**: {'; '.join(violated)}")
        if item.get("citations"):
            cites = [f"[{c['n']}] {c['title']} {'✔' if c['valid'] else '✘ ' + c['reason']}" for c in item["citations"]]
            lines.append(f"- **citations**: {' / '.join(cites)}")
        if item.get("missing_sections"):
            lines.append(f"- **missing sections**: {'; '.join(item['missing_sections'])}")
        if item.get("warnings"):
            lines.append(f"- **warnings**: {'; '.join(item['warnings'][:5])}")
        if item.get("answer"):
            lines += ["", "> " + item["answer"].strip().replace("\n", "\n> ")]
        lines.append("")
    return "\n".join(lines)


_CSS = ("body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}.pass{background:#e6ffe6}"
        ".fail{background:#ffe6e6}.set_error{background:#fff5cc}pre{white-space:pre-wrap}")


def to_html(report: dict[str, Any]) -> str:
    e = html.escape
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(_fmt(v))}</td></tr>" for k, v in report.get("summary", {}).items())
    parts = [f"<!doctype html><html lang='ja'><meta charset='utf-8'><title>dxhire eval</title><style>{_CSS}</style>",
             "<h1>dxhire eval report</h1>", f"<p>{e(str(report.get('meta', {})))}</p>", f"<table>{rows}</table>"]
    if report.get("load_errors"):
        parts.append("<h2>Skipped items</h2><ul>" + "".join(f"<li>{e(x)}</li>" for x in report["load_errors"])
                     + "</ul>")
    if report.get("comparison"):
        parts.append(f"<h2>Compared with baseline</h2><pre>{e(format_comparison(Comparison(**report['comparison'])))}"
                     "</pre>")
    parts.append("<h2>Items</h2><table><tr><th>id</th><th>verdict</th><th>answer</th><th>facts</th>"
                 "<th>sources</th></tr>")
    for item in report.get("items", []):
        cls = "pass" if item["passed"] else item["status"] if item["status"] != "ok" else "fail"
        facts = "".join(f"<li>{'✔' if f['found'] else '✘'} {e(f['fact'])} <small>{e(f['matcher'])}</small></li>"
                        for f in item.get("facts", []))
        facts += "".join(f"<li>⚠ {e(m['claim'])}</li>" for m in item.get("must_not", []) if m["violated"])
        facts += "".join(f"<li>✎ {e(i['code'])}: {e(i.get('ja', ''))}</li>" for i in item.get("form_issues", []))
        verdict = ("PASS" if item["passed"] else "FAIL") + "<br>" + e("; ".join(item.get("reasons", [])))
        answer = f"<b>{e(item.get('question', ''))}</b><pre>{e(item.get('answer', ''))}</pre>"
        sources = e(", ".join(item.get("sources", [])[:5])) + "<br><small>gold: " + e(
            ", ".join(item.get("gold_sources", []))) + "</small>"
        parts.append(f"<tr class='{cls}'><td>{e(item['id'])}<br><small>{e(item['kind'])}</small></td>"
                     f"<td>{verdict}</td><td>{answer}</td><td><ul>{facts}</ul></td><td>{sources}</td></tr>")
    parts.append("</table></html>")
    return "".join(parts)


def _write_atomic(path: Path, text: str) -> None:
    """Write beside, then rename: a reader (or `--rescore`) of a running eval's report never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_reports(report: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "report.json", "md": out_dir / "report.md", "html": out_dir / "report.html"}
    _write_atomic(paths["json"], json.dumps(report, ensure_ascii=False, indent=2))
    _write_atomic(paths["md"], to_markdown(report))
    _write_atomic(paths["html"], to_html(report))
    return paths


def load_report(path: Path) -> dict[str, Any]:
    """A previous report.json; a clear error when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"基準レポートを読めません / cannot read baseline {path}: {exc}") from exc
    if not isinstance(data, dict) or "items" not in data:
        raise ValueError(f"基準レポートの形式が違います / baseline is not a report.json: {path}")
    return data
