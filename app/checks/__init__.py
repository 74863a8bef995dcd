"""Model-free checks of text (answers, drafts, passages); core modules that never import ingest, evals or the UI."""
