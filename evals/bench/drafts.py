"""The drafting Targets of issue 13, measured: every kind on every example profile, one fresh `dxhire draft` process
per draft (so the wall time includes Python start-up, the index and the model's first load, as a user's command
does), then the target checks on its `--json` output:

- ``foreign``: characters outside Japanese usage in any section, plus English words in what the model wrote;
- ``figures``: amounts, numbers with a unit, dates and 法令名 found neither in the profile, nor in the passages
  the section cites, nor among the template's own words (the validators' `unsupported_facts`, on every section
  but those computed from the input: the interview's time table, the questionnaire, the contact line);
- ``missing``: required sections (the kind's registry) absent or empty;
- ``slots``: model-written slots kept / slots without a word of the profile (``noterm``) / slots that fell back
  to their template after two failed attempts (``fallback``);
- ``uncited``: sentences with no [n] marker that are neither the profile's words, a 要確認 placeholder, a
  question, nor a slot the model wrote (the "every sentence cited or from the profile" target, approximate).

    .venv/bin/python -m evals.bench.drafts [--profiles town-10k,village-3k] [--kinds posting,plan] \
        [--out DIR] [--recheck DIR] [--llm embedded] [--json]

Run it under the heavy lock, one profile per invocation when others share the machine (`--profiles X`); `--recheck`
re-scores saved outputs without running a model. The table prints p50 wall time per kind.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.checks.answer_form import foreign_characters
from app.config import PROJECT_ROOT
from app.drafting.kinds import KIND_NAMES, kind_info
from app.drafting.knowledge import knowledge
from app.drafting.profile import MunicipalityProfile, load_profile
from app.drafting.textcheck import foreign_words, profile_terms
from app.drafting.validators import unsupported_facts
from app.flags import FlagCode
from app.schemas import Citation, DraftSection

EXAMPLES = PROJECT_ROOT / "app" / "examples"
TARGET_P50_S = 60.0
_MARKER = re.compile(r"\[\d+(?:[,，、]\d+)*\]")
_SENTENCE = re.compile(r"[^。？！?!\n]+[。？！?!]")


@dataclass
class DraftMeasure:
    profile: str
    kind: str
    wall_s: float
    total_s: float = 0.0
    """The draft's own `timings.total` (sections only: no start-up, no model load)."""
    exit_code: int = 0
    foreign: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    slots: int = 0
    noterm: list[str] = field(default_factory=list)
    fallback: int = 0
    uncited: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def clean(self) -> bool:
        return not (self.exit_code or self.foreign or self.figures or self.missing or self.noterm)


def profile_names(arg: str | None) -> list[str]:
    return arg.split(",") if arg else sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


def run_one(profile: str, kind: str, out: Path, llm: str | None) -> tuple[float, int, str]:
    """One `dxhire draft` process; (wall seconds, exit code, stderr tail). The JSON goes to out/<profile>-<kind>.json."""
    exe = Path(sys.executable).with_name("dxhire")
    cmd = [str(exe), "draft", kind, "--profile", str(EXAMPLES / f"{profile}.yaml"), "--json"]
    if llm:
        cmd += ["--llm", llm]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy(), check=False)
    wall = time.perf_counter() - t0
    if proc.returncode == 0:
        (out / f"{profile}-{kind}.json").write_text(proc.stdout, encoding="utf-8")
    return wall, proc.returncode, proc.stderr.strip()[-300:]


def _from_profile(sentence: str, profile: MunicipalityProfile) -> bool:
    facts = profile.facts_text()
    return any(len(part) >= 6 and part in facts for part in re.split(r"[「」『』、。：:（）()]", sentence))


def check(data: dict, profile: MunicipalityProfile, m: DraftMeasure) -> None:
    """Fill the target checks of `m` from a draft's --json output."""
    info = kind_info(data["kind"])
    known_profile = profile.facts_text()
    terms = profile_terms(profile)
    template_terms = knowledge().template_terms
    titles = {s["title"]: s for s in data["sections"]}
    m.missing = [s.title for s in info.specs if s.title not in titles or not titles[s.title]["body"].strip()]
    m.total_s = float(data.get("timings", {}).get("total", 0.0))
    m.warnings = [c["code"] for c in data.get("checks", [])]
    m.fallback = m.warnings.count(FlagCode.DRAFT_SLOT_FALLBACK)
    for s in data["sections"]:
        section = DraftSection(title=s["title"], body=s["body"], generated=s.get("generated", []),
                               citations=[Citation.model_validate(c) for c in s["citations"]])
        known = "\n".join([known_profile, *(c.text for c in section.citations)])
        m.foreign += [c for c in foreign_characters(section.body) if c not in m.foreign]
        for text in section.generated:
            m.foreign += [c for c in [*foreign_characters(text, known), *foreign_words(text, known)]
                          if c not in m.foreign]
            m.slots += 1
            if terms and not any(t in text for t in terms):
                m.noterm.append(text[:40])
        spec = info.spec(section.title)
        if spec is None or spec.fact_check:  # the interview's time table is arithmetic on the chosen length
            m.figures += [f"{section.title}: {f}" for f in unsupported_facts(section, known_profile, template_terms)]
        for sentence in _SENTENCE.findall(section.body):
            plain = sentence.strip()
            if (_MARKER.search(plain) or "要確認" in plain or plain.endswith(("？", "?")) or len(plain) < 15
                    or any(plain in g or g in plain for g in section.generated) or _from_profile(plain, profile)):
                continue
            m.uncited.append(f"{section.title}: {plain[:40]}")


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(measures: list[DraftMeasure]) -> str:
    kinds = [k for k in KIND_NAMES if any(m.kind == k for m in measures)]
    profiles = list(dict.fromkeys(m.profile for m in measures))
    cell = {(m.profile, m.kind): m for m in measures}
    lines = ["| profile | " + " | ".join(kinds) + " |", "|---|" + "---:|" * len(kinds)]
    for p in profiles:
        row = []
        for k in kinds:
            m = cell.get((p, k))
            row.append("—" if m is None else f"{m.wall_s:.0f} s" + ("" if m.clean else " ✗"))
        lines.append(f"| {p} | " + " | ".join(row) + " |")
    lines.append("| **p50** | " + " | ".join(f"**{p50([m.wall_s for m in measures if m.kind == k]):.0f} s**"
                                         for k in kinds) + " |")
    lines += ["", "| draft | wall s | sections s | foreign | figures | missing | slots (no term / fallback) | "
              "uncited | warnings |", "|---|---:|---:|---|---|---|---|---:|---|"]
    for m in measures:
        codes = ", ".join(f"{c}×{m.warnings.count(c)}" if m.warnings.count(c) > 1 else c
                          for c in dict.fromkeys(m.warnings)) or "—"
        lines.append(f"| {m.profile} {m.kind} | {m.wall_s:.1f} | {m.total_s:.1f} | {'・'.join(m.foreign) or 0} | "
                     f"{'; '.join(m.figures) or 0} | {', '.join(m.missing) or 0} | "
                     f"{m.slots} ({len(m.noterm)} / {m.fallback}) | {len(m.uncited)} | {codes} |"
                     + (f" exit {m.exit_code}: {m.error}" if m.exit_code else ""))
    walls = [m.wall_s for m in measures]
    lines += ["", f"p50 over all {len(walls)} drafts: {p50(walls):.1f} s (target < {TARGET_P50_S:.0f} s); "
              f"max {max(walls, default=0):.1f} s; clean {sum(m.clean for m in measures)}/{len(measures)}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profiles", help="comma-separated example stems (default: every app/examples/*.yaml)")
    ap.add_argument("--kinds", help="comma-separated kinds (default: all five)")
    ap.add_argument("--out", type=Path, default=Path(os.environ.get("DXHIRE_HOME", ".dxhire")) / "bench-drafts")
    ap.add_argument("--recheck", action="store_true", help="score the JSON files already in --out (no model run)")
    ap.add_argument("--llm", help="embedded | endpoint | fake (default: DXHIRE_LLM_BACKEND)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    kinds = args.kinds.split(",") if args.kinds else list(KIND_NAMES)
    args.out.mkdir(parents=True, exist_ok=True)
    times_file = args.out / "times.json"
    times = json.loads(times_file.read_text(encoding="utf-8")) if times_file.exists() else {}
    measures: list[DraftMeasure] = []
    for name in profile_names(args.profiles):
        profile = load_profile(EXAMPLES / f"{name}.yaml")
        for kind in kinds:
            key = f"{name}-{kind}"
            if not args.recheck:
                wall, code, err = run_one(name, kind, args.out, args.llm)
                times[key] = {"wall_s": round(wall, 2), "exit_code": code, "error": err if code else ""}
                times_file.write_text(json.dumps(times, ensure_ascii=False, indent=1), encoding="utf-8")
                print(f"{key}: {wall:.1f} s (exit {code})", file=sys.stderr, flush=True)
            if key not in times:
                continue
            m = DraftMeasure(profile=name, kind=kind, wall_s=times[key]["wall_s"], exit_code=times[key]["exit_code"],
                             error=times[key].get("error", ""))
            path = args.out / f"{key}.json"
            if m.exit_code == 0 and path.exists():
                check(json.loads(path.read_text(encoding="utf-8")), profile, m)
            measures.append(m)
    if args.json:
        print(json.dumps([asdict(m) for m in measures], ensure_ascii=False, indent=1))
    else:
        print(table(measures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
