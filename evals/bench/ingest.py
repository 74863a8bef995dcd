"""Ingest throughput: pages/s and chunks/s of the full pipeline (load, normalise, chunk, embed, write Chroma,
BM25, manifest) into a throw-away DXHIRE_HOME, plus the load+chunk stage alone and peak RSS.

    dxhire bench ingest ../shared/fixtures/pdfs/cio-jp/
"""

from __future__ import annotations

import hashlib
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from app.config import Settings


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def _extract_only(settings: Settings, paths: list[Path]) -> dict[str, float]:
    """Load + chunk without embedding: tells whether the PDF parser or the embedder is the bottleneck."""
    from ingest.chunking import make_chunks
    from ingest.detect import SUPPORTED_SUFFIXES, detect_format
    from ingest.loaders import load_document

    files = []
    for p in paths:
        files.extend(sorted(q for q in p.rglob("*") if q.suffix.lower() in SUPPORTED_SUFFIXES) if p.is_dir() else [p])
    t0 = time.perf_counter()
    pages = chunks = 0
    for f in files:
        data = f.read_bytes()
        try:
            doc = load_document(f, data, detect_format(f, data))
        except Exception:  # noqa: BLE001 - the full run reports rejections
            continue
        h = hashlib.sha256(data).hexdigest()
        pages += doc.pages or 1
        chunks += len(make_chunks(doc.blocks, size=settings.chunk_size, overlap=settings.chunk_overlap, source=f.name,
                                  title=doc.title, kind="document", doc_hash=h, path_key="bench", extra={}))
    secs = time.perf_counter() - t0
    return {"pages": pages, "chunks": chunks, "seconds": round(secs, 2), "pages_per_s": round(pages / secs, 2)}


def run_ingest_bench(paths: list[Path], base: Settings | None = None) -> dict[str, Any]:
    from ingest.pipeline import ingest_paths

    with tempfile.TemporaryDirectory(prefix="dxhire-bench-") as tmp:
        overrides = base.model_dump(exclude={"home", "chroma_url"}) if base else {}
        settings = Settings(**{**overrides, "home": Path(tmp) / "home"})
        extract = _extract_only(settings, paths)
        t0 = time.perf_counter()
        report = ingest_paths(settings, paths)
        secs = time.perf_counter() - t0
        pages = sum(f.pages or 0 for f in report.files if f.status == "ingested")
        chunks = report.totals.get("chunks", 0)
        t1 = time.perf_counter()
        again = ingest_paths(settings, paths)
        rerun = time.perf_counter() - t1
        return {
            "files": report.totals.get("ingested", 0),
            "pages": pages,
            "chunks": chunks,
            "seconds": round(secs, 2),
            "pages_per_s": round(pages / secs, 3) if secs else None,
            "chunks_per_s": round(chunks / secs, 3) if secs else None,
            "extract_only": extract,
            "unchanged_rerun_seconds": round(rerun, 2),
            "unchanged_rerun_ingested": again.totals.get("ingested", 0),
            "peak_rss_mb": round(_peak_rss_mb(), 1),
            "embed": f"{settings.embed_backend}:{settings.embed_model}",
            "chunk_size": settings.chunk_size,
        }
