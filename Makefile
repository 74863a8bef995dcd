# The two set-up commands of the README: `make run` and `make test`. Both create .venv/ in the project root.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run test lint bench-ingest bench-retrieval bench-answer eval-full

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first and pinned: the CPU wheel on local disk; a bare requirement would pull a CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Install, index corpus/ (first start: full; later: incremental) and start the web app on 127.0.0.1:7860.
run: $(STAMP)
	$(VENV)/bin/dxhire serve

## Install and run the whole test suite (unit, integration with real servers, e2e in headless Chromium).
test: $(STAMP)
	$(VENV)/bin/ruff check app ingest evals tests
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check app ingest evals tests
