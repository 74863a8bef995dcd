"""Upload limits of the web app. The gate itself (format, size, first bytes) is the core's: `ingest.uploads`."""

from __future__ import annotations


def upload_limit_bytes(max_file_mb: float) -> int:
    """Gradio's own hard cap: twice ours (at least 1 MB), so a file just over the limit gets our clear per-file
    message from `ingest.uploads.check_upload`, and a huge one is cut off by Gradio before it fills the disk."""
    return int(max(1.0, 2 * max_file_mb) * 1024 * 1024)
