"""Why a file could not be ingested, as one line a municipal user can act on (Japanese first, English after)."""

from __future__ import annotations


class IngestRejected(Exception):
    """The file is not something dxhire can index (type, size, password, mojibake, front matter …).

    The message already names the file; the pipeline reports it with status "rejected" and moves on."""
