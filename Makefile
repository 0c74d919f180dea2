# Clone Hero Hub — every target is idempotent and quick on a second run.
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
STAMP := $(VENV)/.installed-stamp
# checkov (the Kubernetes manifests' linter) pins versions of packaging and boto3 that the
# project's own dependencies outgrew, so it lives in a virtual environment of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
CHECKOV_VERSION := 3.3.30

.PHONY: install run up test test-unit test-integration test-e2e lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,generator]'
	touch $(STAMP)

$(CHECKOV):
	python3.11 -m venv $(CHECKOV_VENV) || python3 -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install -q checkov==$(CHECKOV_VERSION)

install: $(STAMP)

## run: the whole system on this machine (embedded S3 unless CHHUB_S3_ENDPOINT is set)
run: install
	$(VENV)/bin/chhub run all

## up: the whole stack in containers, on a machine with Docker
up:
	docker compose up -d

## test: every tier against real PostgreSQL, RabbitMQ and S3
test: install $(CHECKOV)
	$(PYTEST) -m "unit or integration or e2e" -q

test-unit: install $(CHECKOV)
	$(PYTEST) -m unit -q

test-integration: install
	$(PYTEST) -m integration -q

test-e2e: install
	$(PYTEST) -m e2e -q

lint: install
	$(VENV)/bin/ruff check .

## bench: speed and memory against baselines measured in the same run (takes a while)
bench: install
	$(PY) bench/parse.py
	$(PY) bench/ingest.py
	$(PY) bench/ingest.py --telemetry compare
	$(PY) bench/ingest.py --songs 20 --workers 2
	$(PY) bench/gateway.py
	$(PY) bench/home_page.py
	$(PY) bench/rig_selection.py
	$(PY) bench/generator.py
	$(PY) bench/library_scale.py
	$(PY) bench/memory.py

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) data .pytest_cache .ruff_cache
