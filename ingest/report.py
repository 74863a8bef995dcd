"""What an ingest run tells its caller: the exact `dxhire ingest --json` shape (issue 2)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

FileStatus = Literal["ingested", "unchanged", "rejected", "error"]


class FileReport(BaseModel):
    path: str
    status: FileStatus
    pages: int | None = Field(None, description="PDF page count; None for Markdown/HTML/text.")
    chunks: int = 0
    image_only_pages: list[int] = Field(default_factory=list)
    garbage_pages: list[int] = Field(default_factory=list, description="PDF pages left out as mojibake/glyph names.")
    warnings: list[str] = Field(default_factory=list)
    error: str | None = None


class IngestReport(BaseModel):
    files: list[FileReport] = Field(default_factory=list)
    totals: dict[str, Any] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when at least one file is in the index after this run (the CLI exits non-zero otherwise)."""
        return any(f.status in ("ingested", "unchanged") for f in self.files)

    def summarise(self, generation: str | None, removed: list[str], index_documents: int, index_chunks: int) -> None:
        by_status = {s: sum(1 for f in self.files if f.status == s) for s in ("ingested", "unchanged", "rejected", "error")}
        self.totals = {
            "files": len(self.files),
            **by_status,
            "removed": len(removed),
            "removed_paths": removed,
            "pages": sum(f.pages or 0 for f in self.files if f.status == "ingested"),
            "chunks": sum(f.chunks for f in self.files if f.status == "ingested"),
            "image_only_pages": sum(len(f.image_only_pages) for f in self.files),
            "warnings": sum(len(f.warnings) for f in self.files),
            "generation": generation,
            "index_documents": index_documents,
            "index_chunks": index_chunks,
        }
