"""Turn files (PDF, Markdown, HTML, text) into clean, page-aware chunks in a new index generation.

Entry points: `ingest.pipeline.ingest_paths` and `ingest.pipeline.ensure_corpus_indexed`."""
