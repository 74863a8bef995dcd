"""Precision and recall of the text-quality check (`ingest.quality`) on a labelled set of page texts.

Clean pages: every page of the real government PDFs in ``../shared/fixtures/pdfs/`` (read at run time, never copied
into the repository) that has enough text to judge, plus each Markdown file of our own corpus as a whole (a non-PDF
document is judged as one text). The thresholds of `ingest.quality` were chosen looking at those pages, so a
held-out clean set checks that they generalise: paragraphs of Japanese Wikipedia (JSQuAD) and articles of Japanese
laws (lawqa_jp) from ``../shared/benchmarks/`` (``clean_heldout``; `--heldout 0` leaves it out). Garbage pages: made by code
from a seeded sample of the clean Japanese pages, one set per kind of failure seen in real broken PDFs:

- ``repeated_glyph``: one random glyph name repeated (the ``/edGj0 /edGj0 …`` PDF),
- ``glyph_names``: every character replaced by a glyph name of its own (``/g17 /g4 /g17 …``),
- ``cid``: every character as ``(cid:n)``,
- ``random_latin``: random lower-case "words",
- ``shifted``: every code point moved by a random offset (a font whose map is off by k),
- ``sjis_as_latin1``: the page's Shift_JIS bytes read as Latin-1,
- ``utf8_as_cp932``: the page's UTF-8 bytes read as CP932 (「縺ゅ≠」 mojibake),
- ``replacement``: most characters lost as U+FFFD.

Every text goes through `ingest.normalise.normalise_text`, as extracted text does. A "positive" is a page the check
refuses; precision = refused garbage / all refused, recall = refused garbage / all garbage.

    .venv/bin/python -m evals.bench.text_quality [--shared DIR] [--per-kind 80] [--heldout 200] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from app.config import PROJECT_ROOT
from ingest.normalise import normalise_text
from ingest.quality import MIN_CHARS, measure

SEED = 20261130
_JA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class Sample:
    label: str  # "clean" or a garbage kind
    origin: str  # file and page it came from
    text: str

    @property
    def garbage(self) -> bool:
        return not self.label.startswith("clean")


def default_shared() -> Path:
    return Path(os.environ.get("SHARED_DIR", PROJECT_ROOT.parent / "shared"))


def _enough(text: str) -> bool:
    return len(re.sub(r"\s+", "", text)) >= MIN_CHARS


def clean_pages(shared: Path, limit_files: int | None = None) -> list[Sample]:
    """Each page of each fixture PDF with enough text to judge (as `ingest.loaders.load_pdf` extracts it)."""
    import pypdf

    out = []
    for path in sorted((shared / "fixtures" / "pdfs").rglob("*.pdf"))[:limit_files]:
        reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
        if reader.is_encrypted:
            reader.decrypt("")
        for number, page in enumerate(reader.pages, start=1):
            try:
                text = normalise_text(page.extract_text() or "")
            except Exception:  # noqa: BLE001 - an unreadable page is not a sample
                continue
            if _enough(text):
                out.append(Sample("clean", f"{path.relative_to(shared).as_posix()} p.{number}", text))
    return out


def heldout_texts(shared: Path, n: int, seed: int = SEED) -> list[Sample]:
    """`n` texts from each benchmark corpus (seeded sample), never looked at when the thresholds were chosen."""
    rng = random.Random(seed)
    out = []
    for path in sorted((shared / "benchmarks").glob("*_corpus.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for row in rng.sample(rows, min(n, len(rows))):
            text = normalise_text(str(row.get("text", "")))
            if _enough(text):
                out.append(Sample("clean_heldout", f"{path.name}:{row.get('id')}", text))
    return out


def corpus_documents(corpus_dir: Path) -> list[Sample]:
    """Our own Markdown files, whole: a non-PDF document is judged as one text (`ingest.pipeline`)."""
    from ingest.loaders import load_markdown

    docs = [load_markdown(p, p.read_bytes()) for p in sorted(corpus_dir.glob("*.md"))]
    return [Sample("clean", f"corpus/{d.title}", d.text) for d in docs if _enough(d.text)]


# --- garbage generators: (clean text, rng) -> garbage text ----------------------------------------------------

def _glyph_name(rng: random.Random) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "/" + "".join(rng.choice(alphabet) for _ in range(rng.randint(3, 6)))


def repeated_glyph(text: str, rng: random.Random) -> str:
    name = _glyph_name(rng)
    n = max(20, len(text) // (len(name) + 1))
    return "\n".join(" ".join([name] * 12) for _ in range(n // 12 + 1))


def glyph_names(text: str, rng: random.Random) -> str:
    style = rng.choice(["/g{}", "/G{:02X}", "/uni{:04X}", "/c{}"])
    names: dict[str, str] = {}
    return "".join(ch if ch.isspace() else names.setdefault(ch, style.format(len(names) + rng.randint(1, 40)) + " ")
                   for ch in text)


def cid(text: str, rng: random.Random) -> str:
    offset = rng.randint(0, 5000)
    return "".join(ch if ch.isspace() else f"(cid:{(ord(ch) + offset) % 9000})" for ch in text)


def random_latin(text: str, rng: random.Random) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10))) for _ in range(max(20, len(text) // 6))]
    return "\n".join(" ".join(words[i : i + 12]) for i in range(0, len(words), 12))


def shifted(text: str, rng: random.Random) -> str:
    k = rng.randint(1, 400)
    return "".join(ch if ch.isspace() or ord(ch) < 0x21 else chr(ord(ch) + k) for ch in text)


def sjis_as_latin1(text: str, rng: random.Random) -> str:
    return text.encode("cp932", errors="replace").decode("latin-1")


def utf8_as_cp932(text: str, rng: random.Random) -> str:
    return text.encode("utf-8").decode("cp932", errors="replace")


def replacement(text: str, rng: random.Random) -> str:
    return "".join(ch if ch.isspace() or rng.random() < 0.3 else "\ufffd" for ch in text)


GENERATORS: dict[str, Callable[[str, random.Random], str]] = {
    "repeated_glyph": repeated_glyph, "glyph_names": glyph_names, "cid": cid, "random_latin": random_latin,
    "shifted": shifted, "sjis_as_latin1": sjis_as_latin1, "utf8_as_cp932": utf8_as_cp932, "replacement": replacement,
}


def _japanese(sample: Sample) -> bool:
    body = re.sub(r"\s+", "", sample.text)
    return len(_JA.findall(body)) >= 0.5 * len(body)


def garbage_pages(clean: list[Sample], per_kind: int, seed: int = SEED) -> list[Sample]:
    """`per_kind` garbage pages of every kind, each made from a different clean Japanese page (seeded)."""
    rng = random.Random(seed)
    sources = [s for s in clean if _japanese(s)]
    out = []
    for kind, make in GENERATORS.items():
        for src in rng.sample(sources, min(per_kind, len(sources))):
            text = normalise_text(make(src.text, rng))
            if _enough(text):
                out.append(Sample(kind, src.origin, text))
    return out


# --- scoring ----------------------------------------------------------------------------------------------------

@dataclass
class Row:
    label: str
    n: int
    refused: int

    @property
    def rate(self) -> float:
        return self.refused / self.n if self.n else 0.0


def evaluate(samples: list[Sample]) -> dict:
    measured = [(s, measure(s.text)) for s in samples]
    verdicts = [(s, q.reason()) for s, q in measured]
    labels = sorted({s.label for s in samples}, key=lambda k: (not k.startswith("clean"), k))
    rows = [Row(label, sum(1 for s, _ in verdicts if s.label == label),
                sum(1 for s, r in verdicts if s.label == label and r)) for label in labels]
    spread = {}
    for label in labels:
        shares = sorted(q.recognised for s, q in measured if s.label == label)
        spread[label] = {"min": round(shares[0], 3), "median": round(shares[len(shares) // 2], 3),
                         "max": round(shares[-1], 3)}
    tp = sum(1 for s, r in verdicts if s.garbage and r)
    fp = sum(1 for s, r in verdicts if not s.garbage and r)
    fn = sum(1 for s, r in verdicts if s.garbage and not r)
    return {
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "tp": tp, "fp": fp, "fn": fn,
        "rows": [asdict(r) | {"rate": round(r.rate, 4), "recognised": spread[r.label]} for r in rows],
        "false_positives": [{"origin": s.origin, "reason": r, "text": s.text[:120]} for s, r in verdicts
                            if not s.garbage and r],
        "missed": [{"kind": s.label, "origin": s.origin, "text": s.text[:120]} for s, r in verdicts
                   if s.garbage and not r][:20],
    }


def labelled_set(shared: Path, per_kind: int, seed: int = SEED, limit_files: int | None = None,
                 heldout: int = 200) -> list[Sample]:
    clean = clean_pages(shared, limit_files)
    if not clean:
        raise FileNotFoundError(f"no fixture PDFs under {shared / 'fixtures' / 'pdfs'} (set SHARED_DIR or --shared)")
    held = heldout_texts(shared, heldout, seed) if heldout else []
    return clean + corpus_documents(PROJECT_ROOT / "corpus") + held + garbage_pages(clean + held, per_kind, seed)


def table(result: dict) -> str:
    lines = ["| set | pages | refused | rate | recognised share min / median / max |", "|---|---:|---:|---:|---|"]
    for r in result["rows"]:
        q = r["recognised"]
        lines.append(f"| {r['label']} | {r['n']} | {r['refused']} | {r['rate']:.1%} | "
                     f"{q['min']:.2f} / {q['median']:.2f} / {q['max']:.2f} |")
    lines.append(f"\nprecision {result['precision']:.4f}, recall {result['recall']:.4f} "
                 f"(tp {result['tp']}, fp {result['fp']}, fn {result['fn']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=default_shared(), help="the shared/ folder (fixtures/pdfs)")
    parser.add_argument("--per-kind", type=int, default=80, help="garbage pages per kind")
    parser.add_argument("--heldout", type=int, default=200, help="held-out clean texts per benchmark corpus")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = parser.parse_args(argv)
    result = evaluate(labelled_set(args.shared, args.per_kind, args.seed, heldout=args.heldout))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(table(result))
        for fp in result["false_positives"]:
            print(f"false positive: {fp['origin']}: {fp['reason']}")
        for miss in result["missed"]:
            print(f"missed {miss['kind']}: {miss['origin']}: {miss['text'][:60]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
