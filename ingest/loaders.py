"""One loader per format. Each turns bytes into `Block`s: text with its page (PDF) and heading path, already
normalised, so the chunker never has to know where the text came from."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.detect import Format, decode_text
from ingest.errors import IngestRejected
from ingest.normalise import normalise_text
from ingest.quality import _GOOD, mojibake_reason

MIN_PAGE_CHARS = 5
"""A PDF page with fewer meaningful characters than this (e.g. only a page number) has no usable text layer."""


@dataclass(frozen=True)
class Block:
    text: str
    page: int | None = None
    heading_path: tuple[str, ...] = ()


@dataclass
class LoadedDoc:
    title: str
    blocks: list[Block]
    pages: int | None = None
    image_only_pages: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    front_matter: dict[str, Any] | None = None
    garbage_pages: list[int] = field(default_factory=list)
    """PDF pages whose text is not language (broken font maps, mojibake): named in a warning, never indexed."""

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


def garbage_warning(name: str, pages: list[int], reason: str) -> str:
    listed = ", ".join(str(p) for p in pages)
    return (f"{name}: {len(pages)}ページは文字化けしているため索引に入れません: p.{listed}"
            f"（フォントの文字対応表が壊れたPDFなど） / pages look like mojibake or glyph names ({reason})")


def ocr_warning(name: str, pages: list[int]) -> str:
    listed = ", ".join(str(p) for p in pages)
    return f"{name}: {len(pages)}ページに文字情報がありません（OCRが必要です）: p.{listed} / no text layer, OCR needed"


# --- PDF ----------------------------------------------------------------------------------------------


def _pdf_title(reader: Any, first_text: str, stem: str) -> str:
    try:
        meta_title = (reader.metadata or {}).get("/Title")
    except Exception:  # noqa: BLE001 - broken info dictionaries are common and harmless
        meta_title = None
    if isinstance(meta_title, str):
        title = normalise_text(meta_title)
        if len(title) >= 4 and not re.search(r"PowerPoint|Microsoft|untitled|^\S+\.(docx?|pptx?|xlsx?)$", title, re.I):
            return title
    for line in first_text.splitlines():
        line = line.strip()
        if len(_GOOD.findall(line)) >= 3 and len(line) <= 80:
            return line
    return stem


def load_pdf(path: Path, data: bytes) -> LoadedDoc:
    import pypdf
    from pypdf.errors import DependencyError, PdfReadError

    name = path.name
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        # Many government PDFs carry only an owner password (no printing/editing); the empty user password opens them.
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestRejected(
                f"{name}: パスワードで保護されているため開けません（パスワードを外したPDFを指定してください） / password-protected PDF"
            )
        n_pages = len(reader.pages)
    except IngestRejected:
        raise
    except DependencyError as exc:
        raise IngestRejected(f"{name}: 暗号化PDFの復号に必要な部品がありません / cannot decrypt ({exc})") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestRejected(f"{name}: PDFが壊れていて読めません / corrupt PDF ({exc})") from exc
    if n_pages == 0:
        raise IngestRejected(f"{name}: ページがありません / PDF has no pages")

    blocks: list[Block] = []
    image_only: list[int] = []
    garbage: list[int] = []
    garbage_reason = ""
    warnings: list[str] = []
    first_text = ""
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = normalise_text(page.extract_text() or "")
        except Exception as exc:  # noqa: BLE001 - one unreadable page must not lose the document
            warnings.append(f"{name}: p.{number} の文字を取り出せませんでした / page {number} unreadable ({exc})")
            continue
        if len(_GOOD.findall(text)) < MIN_PAGE_CHARS:
            image_only.append(number)  # scanned page (or blank): nothing to index without OCR
            continue
        reason = mojibake_reason(text)
        if reason:
            garbage.append(number)  # the other pages still go in
            garbage_reason = garbage_reason or reason
            continue
        if not first_text:
            first_text = text
        blocks.append(Block(text=text, page=number))
    if image_only:
        warnings.append(ocr_warning(name, image_only))
    if garbage:
        warnings.append(garbage_warning(name, garbage, garbage_reason))
    if not blocks and garbage:
        raise IngestRejected(
            f"{name}: 文字化けしているため取り込めません（フォントの文字対応表が壊れたPDFなど、{len(garbage)}ページすべて） / "
            f"text looks like mojibake or glyph names: {garbage_reason}"
        )
    if not blocks:
        raise IngestRejected(
            f"{name}: 文字情報のあるページがありません（OCRが必要です） / no page has a text layer (OCR needed)"
        )
    return LoadedDoc(
        title=_pdf_title(reader, first_text, path.stem), blocks=blocks, pages=n_pages,
        image_only_pages=image_only, warnings=warnings, garbage_pages=garbage,
    )


# --- Markdown -----------------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^(```|~~~)")


def split_markdown(body: str) -> list[Block]:
    """Blocks between headings; each carries the path of headings above it (levels h1..h6)."""
    blocks: list[Block] = []
    path: list[tuple[int, str]] = []
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        text = normalise_text("\n".join(lines))
        if text:
            blocks.append(Block(text=text, heading_path=tuple(h for _, h in path)))
        lines.clear()

    for line in body.splitlines():
        if _FENCE.match(line.strip()):
            in_fence = not in_fence
        match = None if in_fence else _MD_HEADING.match(line)
        if match:
            flush()
            level, heading = len(match.group(1)), normalise_text(match.group(2))
            path = [(lv, h) for lv, h in path if lv < level] + [(level, heading)]
        else:
            lines.append(line)
    flush()
    return blocks


def load_markdown(path: Path, data: bytes) -> LoadedDoc:
    import frontmatter
    import yaml

    text = decode_text(path, data)
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise IngestRejected(f"{path.name}: front matter のYAMLが不正です / invalid YAML front matter ({exc})") from exc
    meta = dict(post.metadata)
    blocks = split_markdown(post.content)
    title = str(meta.get("title") or "").strip()
    if not title:
        title = next((b.heading_path[0] for b in blocks if b.heading_path), path.stem)
    return LoadedDoc(title=normalise_text(title), blocks=blocks, front_matter=meta or None)


# --- HTML ---------------------------------------------------------------------------------------------

_HEADINGS = {f"h{i}" for i in range(1, 7)}
_TEXT_TAGS = ["p", "li", "pre", "blockquote", "td", "th", "dt", "dd", "figcaption", "caption"]


def load_html(path: Path, data: bytes) -> LoadedDoc:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(path, data), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "nav"]):
        tag.decompose()
    root = soup.body or soup
    blocks: list[Block] = []
    path_stack: list[tuple[int, str]] = []
    text_tags = set(_TEXT_TAGS)
    for el in root.find_all([*_HEADINGS, *_TEXT_TAGS]):
        if el.name in _HEADINGS:
            level, heading = int(el.name[1]), normalise_text(el.get_text(" "))
            if heading:
                path_stack = [(lv, h) for lv, h in path_stack if lv < level] + [(level, heading)]
            continue
        if any(parent.name in text_tags for parent in el.parents):
            continue  # nested (a <p> inside an <li>): its text is in the outer element already
        text = normalise_text(el.get_text("\n"))
        if text:
            blocks.append(Block(text=text, heading_path=tuple(h for _, h in path_stack)))
    if not blocks:
        text = normalise_text(root.get_text("\n"))
        if text:
            blocks.append(Block(text=text))
    title_tag = soup.find("title")
    title = normalise_text(title_tag.get_text(" ")) if title_tag else ""
    if not title:
        h1 = soup.find("h1")
        title = normalise_text(h1.get_text(" ")) if h1 else path.stem
    return LoadedDoc(title=title or path.stem, blocks=blocks)


# --- plain text ---------------------------------------------------------------------------------------


def load_text(path: Path, data: bytes) -> LoadedDoc:
    text = normalise_text(decode_text(path, data))
    first = next((line for line in text.splitlines() if line.strip()), "")
    title = first if 0 < len(first) <= 80 else path.stem
    return LoadedDoc(title=title, blocks=[Block(text=text)] if text else [])


# --- Word (.docx) ----------------------------------------------------------------------------------------

_WORD_HEADING = re.compile(r"^(?:Heading|見出し)\s*(\d)$")


def load_docx(path: Path, data: bytes) -> LoadedDoc:
    """Paragraphs and tables in document order; Word's heading styles (Heading n / 見出し n) give the heading path,
    so a citation says which section of a municipality's own 要綱 or 募集要項 it came from."""
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestRejected(f"{path.name}: Word文書（.docx）として読めません（壊れているか、別の形式です）"
                             f" / not a readable .docx ({type(exc).__name__})") from exc
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    title = normalise_text(document.core_properties.title or "")
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [" | ".join(normalise_text(c.text) for c in row.cells) for row in item.rows]
            text = "\n".join(r for r in rows if r.strip(" |"))
            if text:
                blocks.append(Block(text=text, heading_path=tuple(h for _, h in stack)))
            continue
        text = normalise_text(item.text)
        if not text:
            continue
        style = item.style.name if item.style is not None else ""
        level = 1 if style in ("Title", "表題") else int(m.group(1)) if (m := _WORD_HEADING.match(style)) else None
        if level is not None:
            title = title or text
            stack = [(lv, h) for lv, h in stack if lv < level] + [(level, text)]
            continue
        blocks.append(Block(text=text, heading_path=tuple(h for _, h in stack)))
    if not blocks:
        raise IngestRejected(f"{path.name}: 本文の文字がありません（画像だけのWord文書など） / the document has no text")
    return LoadedDoc(title=title or path.stem, blocks=blocks)


LOADERS = {"pdf": load_pdf, "markdown": load_markdown, "html": load_html, "text": load_text, "docx": load_docx}


def load_document(path: Path, data: bytes, fmt: Format) -> LoadedDoc:
    return LOADERS[fmt](path, data)
