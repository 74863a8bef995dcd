"""Decide a file's format from its bytes first and its name second: a renamed .exe must never reach a parser."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ingest.errors import IngestRejected

Format = Literal["pdf", "markdown", "html", "text", "docx"]

SUPPORTED_SUFFIXES = {".pdf", ".md", ".markdown", ".html", ".htm", ".txt", ".text", ".docx"}
_BINARY_MAGIC = {
    b"MZ": "Windows executable",
    b"\x7fELF": "ELF executable",
    b"PK\x03\x04": "ZIP/Office archive",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"\xd0\xcf\x11\xe0": "legacy Office file",
    b"\x1f\x8b": "gzip archive",
    b"Rar!": "RAR archive",
    b"7z\xbc\xaf": "7z archive",
}


def unsupported(path: Path, what: str) -> IngestRejected:
    return IngestRejected(
        f"{path.name}: 対応していない形式です（PDF・Word(.docx)・Markdown・HTML・テキストのみ） / unsupported file type ({what})"
    )


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), then Shift_JIS (cp932) which older municipal files still use."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestRejected(f"{path.name}: 文字コードを判別できません（UTF-8かShift_JISで保存してください） / unknown text encoding")


def detect_format(path: Path, data: bytes) -> Format:
    suffix = path.suffix.lower()
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if suffix == ".docx" and data.startswith(b"PK\x03\x04"):
        return "docx"  # a zip: the loader checks it really is a Word document
    if data.startswith(b"\xd0\xcf\x11\xe0") and suffix in {".doc", ".docx"}:
        raise IngestRejected(f"{path.name}: 古い形式（.doc）かパスワード付きのWord文書は読めません。パスワードを外して"
                             f".docx か PDF で保存し直してください / legacy or password-protected Word file")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise unsupported(path, f"content is a {what}")
    if suffix == ".pdf":
        raise IngestRejected(f"{path.name}: PDFではありません（中身がPDF形式ではない） / not a PDF (content does not match)")
    if b"\x00" in data[:8192]:
        raise unsupported(path, "binary content")
    if suffix in {".md", ".markdown"}:
        return "markdown"
    if suffix in {".html", ".htm"}:
        return "html"
    if suffix in {".txt", ".text"}:
        return "text"
    raise unsupported(path, f"suffix {suffix or '(none)'}")
