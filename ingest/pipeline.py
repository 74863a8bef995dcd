"""Incremental, atomic ingest: files -> chunks -> a new Chroma generation -> BM25 -> manifest -> CURRENT.

Rules (also in the README):
- A file is identified by its absolute path; its content by the sha256 of its bytes (`doc_hash`).
- Unchanged file (same path, same hash, same embed model and chunk settings): its chunks and stored
  embeddings are copied into the new generation; nothing is re-embedded.
- Changed file: re-loaded, re-chunked, re-embedded. If the new version is rejected, the old one stays.
- A folder argument is a *root*: indexed documents under it whose file no longer exists are removed.
  Documents outside every argument are carried over untouched (ingesting one file never drops the others).
- `rebuild=True`, or a different embed model / chunk setting than the serving generation's manifest,
  re-embeds every document still on disk.
- Nothing changed at all, or every changed file was rejected: no new generation is written.
- Readers only see a generation after its collection, BM25 files and manifest are complete (`GenerationWriter`).
- Half-built generations of a killed ingest are removed by the next run (`IndexStore.sweep`, under the lock).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config import Settings
from app.models.embeddings import get_embeddings
from app.retrieval.text import index_text
from app.schemas import Chunk, MetaValue
from app.store import DocumentEntry, GenerationWriter, IndexSnapshot, IndexStore, get_store
from ingest.annotate import annotate, instruction_warning
from ingest.chunking import chunk_id, make_chunks
from ingest.detect import SUPPORTED_SUFFIXES, detect_format
from ingest.errors import IngestRejected
from ingest.frontmatter import validate_front_matter
from ingest.loaders import LoadedDoc, load_document
from ingest.lock import IngestBusyError, ingest_lock
from ingest.manifest import config_changed, dxhire_version, index_config, now_iso
from ingest.quality import mojibake_reason
from ingest.report import FileReport, IngestReport

__all__ = ["IngestBusyError", "IngestReport", "ensure_corpus_indexed", "ingest_paths"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], Any]
"""progress(done_files, total_files, current file name)."""

EMBED_BATCH = 64
"""Chunks embedded and written per step: bounds memory and lets a crash lose at most one batch of work."""


@dataclass
class _Input:
    path: Path  # absolute, resolved
    source: str  # what citations show


@dataclass
class _Plan:
    inputs: list[_Input] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    reports: list[FileReport] = field(default_factory=list)  # problems found while resolving arguments
    skipped: int = 0


# --- resolving arguments ------------------------------------------------------------------------------


def _source_for(settings: Settings, path: Path, given: Path) -> str:
    """What citations, the ingest report and /documents show for a file: never an absolute server path.

    Corpus files relative to the corpus, uploads by their original file name, other files as given on the command
    line when relative (the user typed it), by name (under the folder's name for a folder argument) when absolute."""
    for base in (settings.corpus_dir, settings.uploads_dir):
        with contextlib.suppress(ValueError):
            return path.relative_to(base).as_posix()
    return given.as_posix() if not given.is_absolute() else given.name


def _is_under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _walk(settings: Settings, root: Path, given: Path, plan: _Plan) -> None:
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES or (
            path.name.lower() == "readme.md" and path.parent == settings.corpus_dir
        ):
            plan.skipped += 1  # index.csv next to PDFs, the corpus README: not documents
            continue
        resolved = path.resolve()
        shown = given / rel if not given.is_absolute() else Path(root.name) / rel
        plan.inputs.append(_Input(resolved, _source_for(settings, resolved, shown)))


def _resolve(settings: Settings, paths: Sequence[Path | str]) -> _Plan:
    plan = _Plan()
    for raw in paths:
        given = Path(raw).expanduser()
        resolved = given.resolve()
        if resolved.is_dir():
            plan.roots.append(resolved)
            _walk(settings, resolved, given, plan)
        elif resolved.is_file():
            plan.inputs.append(_Input(resolved, _source_for(settings, resolved, given)))
        else:
            plan.reports.append(FileReport(
                path=str(given), status="error",
                error=f"{given}: ファイルが見つかりません / file or folder not found",
            ))
    seen: set[Path] = set()
    plan.inputs = [i for i in plan.inputs if not (i.path in seen or seen.add(i.path))]
    return plan


# --- one file -----------------------------------------------------------------------------------------


def _read(settings: Settings, item: _Input) -> bytes:
    name = item.path.name
    size = item.path.stat().st_size
    if size == 0:
        raise IngestRejected(f"{name}: 空のファイルです / empty file")
    if size > settings.max_file_mb * 1024 * 1024:
        raise IngestRejected(
            f"{name}: ファイルが大きすぎます（{size / 1024 / 1024:.1f} MB、上限 {settings.max_file_mb:g} MB、"
            f"DXHIRE_MAX_FILE_MB で変更可） / file too large"
        )
    return item.path.read_bytes()


def _kind_and_extra(settings: Settings, item: _Input, doc: LoadedDoc) -> tuple[str, dict[str, MetaValue], str]:
    """(kind, chunk extra, title). Corpus Markdown must carry valid front matter (BRIEF contract)."""
    extra: dict[str, MetaValue] = {"doc_id": item.path.stem}
    if _is_under(item.path, settings.corpus_dir / "official"):
        return "official", extra, doc.title
    meta = doc.front_matter or {}
    in_corpus = _is_under(item.path, settings.corpus_dir)
    if item.path.suffix.lower() in {".md", ".markdown"} and (in_corpus or "kind" in meta):
        try:
            fm = validate_front_matter(meta)
        except ValueError as exc:
            raise IngestRejected(f"{item.path.name}: front matter が不正です / invalid front matter: {exc}") from None
        extra.update(fm.chunk_extra())
        return fm.kind, extra, fm.title
    return "document", extra, doc.title


NAVIGATION_HEADINGS = frozenset({"出典", "次に参照するとよい文書"})
"""Sections of the shipped corpus that list URLs or other documents. Indexed, they won retrieval for broad
questions and the model copied the lists into answers and drafts instead of facts; the URLs stay in each chunk's
`x_sources` metadata (front matter), so citations lose nothing. Uploaded and official documents keep every section."""


def _path_key(path: Path) -> str:
    return hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:8]


def _chunk_file(settings: Settings, item: _Input, data: bytes, doc_hash: str) -> tuple[LoadedDoc, str, list[Chunk]]:
    doc = load_document(item.path, data, detect_format(item.path, data))
    reason = None if doc.pages is not None else mojibake_reason(doc.text)  # PDFs are judged per page by the loader
    if reason:
        raise IngestRejected(
            f"{item.path.name}: 文字化けしているため取り込めません（フォントの文字対応表が壊れたPDFなど） / "
            f"text looks like mojibake or glyph names: {reason}"
        )
    kind, extra, title = _kind_and_extra(settings, item, doc)
    blocks = doc.blocks
    if kind not in ("document", "official"):  # our corpus: its bibliography and reading list are not content
        blocks = [b for b in blocks if not (b.heading_path and b.heading_path[-1].strip() in NAVIGATION_HEADINGS)]
    chunks = make_chunks(
        blocks, size=settings.chunk_size, overlap=settings.chunk_overlap, source=item.source, title=title,
        kind=kind, doc_hash=doc_hash, path_key=_path_key(item.path), extra=extra,
    )
    if not chunks:
        raise IngestRejected(f"{item.path.name}: 本文がありません / no text to index")
    chunks = annotate(chunks)
    warning = instruction_warning(item.path.name, chunks)
    if warning:
        doc.warnings.append(warning)
    return doc, kind, chunks


# --- the run ------------------------------------------------------------------------------------------


class _Run:
    """One ingest's new generation: the writer plus the embedding model, loaded only if something needs it."""

    def __init__(self, settings: Settings, writer: GenerationWriter) -> None:
        self.settings = settings
        self.writer = writer
        self.embeddings = None
        self.ingested = 0

    def _embedder(self):
        if self.embeddings is None:
            self.embeddings = get_embeddings(self.settings)
        return self.embeddings

    def copy_document(self, old_collection: Any, doc: DocumentEntry) -> None:
        self.writer.copy(old_collection, [chunk_id(doc.doc_hash, doc.path_key, i) for i in range(doc.chunks)])
        self.writer.add_document(doc)

    def embed_document(self, chunks: list[Chunk]) -> None:
        for i in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[i : i + EMBED_BATCH]
            self.writer.add(batch, self._embedder().embed_documents([index_text(c) for c in batch]))


def ingest_paths(
    settings: Settings, paths: Sequence[Path | str], rebuild: bool = False, progress: Progress | None = None
) -> IngestReport:
    """Ingest files and folders into a new generation (see the module docstring for the rules).

    Raises IngestBusyError if another ingest runs, StoreError if the store cannot be opened; a failure while
    writing removes the half-built generation and re-raises, leaving the previous one serving."""
    with ingest_lock(settings):
        return _ingest_locked(settings, paths, rebuild, progress)


def _sweep(store: IndexStore, snapshot: IndexSnapshot | None) -> None:
    """Keep the serving generation and its predecessor (a reader may still hold it); drop the rest."""
    keep = {snapshot.generation, snapshot.manifest.previous_generation} if snapshot else set()
    gone = store.sweep(keep)
    if gone:
        log.info("removed %d old or half-built generation(s): %s", len(gone), ", ".join(gone))


def _ingest_locked(settings: Settings, paths: Sequence[Path | str], rebuild: bool, progress: Progress | None) -> IngestReport:
    store = get_store(settings)
    snapshot = store.open()
    _sweep(store, snapshot)
    old_docs: dict[str, DocumentEntry] = {d.abs_path: d for d in snapshot.manifest.documents} if snapshot else {}
    full = bool(snapshot) and (rebuild or config_changed(settings, snapshot.manifest))

    plan = _resolve(settings, paths)
    report = IngestReport(files=list(plan.reports))
    input_paths = {str(i.path) for i in plan.inputs}

    # Phase 1 (cheap): hash inputs, decide what needs work.
    work: list[tuple[_Input, bytes, str]] = []
    unchanged: list[tuple[_Input, DocumentEntry]] = []
    for item in plan.inputs:
        old = old_docs.get(str(item.path))
        try:
            data = _read(settings, item)
        except IngestRejected as exc:
            report.files.append(FileReport(path=item.source, status="rejected", error=str(exc),
                                           warnings=_kept_warning(old)))
            continue
        except OSError as exc:
            report.files.append(FileReport(path=item.source, status="error",
                                           error=f"{item.path.name}: 読み込めません / cannot read ({exc})"))
            continue
        doc_hash = hashlib.sha256(data).hexdigest()
        if old and old.doc_hash == doc_hash and not full:
            unchanged.append((item, old))
        else:
            work.append((item, data, doc_hash))
    removed = [
        p for p in old_docs
        if p not in input_paths and any(_is_under(Path(p), r) for r in plan.roots) and not Path(p).is_file()
    ]
    carried = [d for p, d in old_docs.items() if p not in input_paths and p not in removed]
    if full:  # vectors of carried documents are stale too: re-embed those still on disk
        for doc in carried:
            item = _Input(Path(doc.abs_path), _source_for(settings, Path(doc.abs_path), Path(doc.path)))
            try:
                data = _read(settings, item)
            except (IngestRejected, OSError) as exc:
                report.files.append(FileReport(path=doc.path, status="error", error=f"再構築できません / cannot rebuild: {exc}"))
                continue
            work.append((item, data, hashlib.sha256(data).hexdigest()))
        carried = []

    for _item, old in unchanged:
        report.files.append(FileReport(path=old.path, status="unchanged", pages=old.pages, chunks=old.chunks,
                                       image_only_pages=old.image_only_pages, garbage_pages=old.garbage_pages,
                                       warnings=old.warnings))

    def unchanged_index() -> IngestReport:
        report.summarise(snapshot.generation if snapshot else None, [], len(old_docs),
                         snapshot.manifest.totals.chunks if snapshot else 0)
        return report

    if not work and not removed and not (rebuild and snapshot):
        return unchanged_index()

    # Phase 2: write a complete new generation; only then publish it (the writer removes it otherwise).
    with GenerationWriter(settings, previous=snapshot, store=store) as writer:
        run = _Run(settings, writer)
        total = len(work) + len(unchanged) + len(carried)
        done = 0
        for doc in [old for _, old in unchanged] + carried:
            run.copy_document(snapshot.collection, doc)
            done += 1
            if progress:
                progress(done, total, doc.path)
        for item, data, doc_hash in work:
            if progress:
                progress(done, total, item.source)
            entry = _ingest_one(settings, run, item, data, doc_hash)
            if entry.status != "ingested" and str(item.path) in old_docs and not full:
                run.copy_document(snapshot.collection, old_docs[str(item.path)])
                entry.warnings.extend(_kept_warning(old_docs[str(item.path)]))
            report.files.append(entry)
            done += 1
            if progress:
                progress(done, total, item.source)
        if not run.ingested and not removed and not (full and writer.documents):
            return unchanged_index()  # every changed file was refused: the serving generation stays as it is
        if full and old_docs and not writer.documents:  # a rebuild in which every file failed: keep the old index
            log.warning("refusing to publish an empty rebuild over %d documents", len(old_docs))
            return unchanged_index()
        writer.publish(index_config(settings), dxhire_version())
    _sweep(store, store.open())
    report.summarise(writer.generation, sorted(old_docs[p].path for p in removed), len(writer.documents),
                     len(writer.chunks))
    return report


def _kept_warning(old: DocumentEntry | None) -> list[str]:
    if not old:
        return []
    return [f"{Path(old.path).name}: 以前に取り込んだ版を索引に残します / the previously indexed version stays"]


def _ingest_one(settings: Settings, run: _Run, item: _Input, data: bytes, doc_hash: str) -> FileReport:
    try:
        doc, kind, chunks = _chunk_file(settings, item, data, doc_hash)
    except IngestRejected as exc:
        return FileReport(path=item.source, status="rejected", error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a parser bug on one file must not stop the others
        log.exception("ingest failed for %s", item.path)
        return FileReport(path=item.source, status="error",
                          error=f"{item.path.name}: 取り込み中にエラーが発生しました / failed: {type(exc).__name__}: {exc}")
    run.embed_document(chunks)
    run.ingested += 1
    run.writer.add_document(DocumentEntry(
        path=item.source, abs_path=str(item.path), path_key=_path_key(item.path), title=chunks[0].title, kind=kind,
        doc_id=item.path.stem, doc_hash=doc_hash, pages=doc.pages, chunks=len(chunks),
        image_only_pages=doc.image_only_pages, garbage_pages=doc.garbage_pages, ingested_at=now_iso(),
        warnings=list(doc.warnings),
    ))
    return FileReport(path=item.source, status="ingested", pages=doc.pages, chunks=len(chunks),
                      image_only_pages=doc.image_only_pages, garbage_pages=doc.garbage_pages,
                      warnings=list(doc.warnings))


def ensure_corpus_indexed(settings: Settings, progress: Progress | None = None) -> IngestReport:
    """Incremental ingest of `settings.corpus_dir` (what `dxhire serve` runs on start): cheap when nothing changed,
    and it removes what a killed ingest half-built."""
    if not settings.corpus_dir.is_dir():
        with ingest_lock(settings):
            store = get_store(settings)
            _sweep(store, store.open())
            return IngestReport(files=[], totals={"files": 0, "generation": store.current()})
    return ingest_paths(settings, [settings.corpus_dir], progress=progress)
