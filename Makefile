# Meldkamer: `make run` starts the assistant, `make test` runs every check.
# Both set up what they need first (Python 3.10 virtualenv, trained model, database).

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL := models/meldkamer.tar.gz
TRAINING := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) rasa_addons/nlu.py rasa_addons/topic_classifier.py

# This machine sets PYTHONDONTWRITEBYTECODE; without bytecode caches each of the tests'
# workers and server processes compiled the project's modules again, and pytest rewrote
# every test module again in each worker (collection 23 s of CPU instead of 12 s).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help setup model run test test-unit test-conversations test-e2e browser lint docs nlu-report bench clean

help:
	@echo "make run    set up, train if data changed, start the assistant (REST on :5005, actions on :5055)"
	@echo "make test   lint, unit tests, data validation, conversation tests, end-to-end on SQLite and PostgreSQL"
	@echo "make lint   ruff, mypy and the static checks of deploy/";  echo "make docs   regenerate docs/urgentiematrix.md"
	@echo "make nlu-report   NLU held-out figures, safety confusions, cross-validation (docs/NLU.md)"
	@echo "make bench  latency, throughput, start-up, training and memory against a bare Rasa baseline (scripts/bench/run.py)"

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml scripts/setup_venv.sh
	scripts/setup_venv.sh $(VENV)
	touch $@

# Rasa trains only when the training data, domain or pipeline changed (make compares times).
model: $(MODEL)
$(MODEL): $(TRAINING) | $(STAMP)
	$(BIN)/rasa train --domain domain.yml --data data --config config.yml --out models --fixed-model-name meldkamer
	touch $@

run: $(MODEL)
	scripts/run.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy meldkamer actions channels rasa_addons console
# deploy/: Compose, Helm chart, Dockerfile, systemd, alert rules, dashboard (docs/DEPLOY.md)
	$(BIN)/pytest -q -p no:cacheprovider tests/deploy/test_static.py tests/deploy/test_alerts.py

# pytest-xdist workers (CONTRIBUTING.md, CI time). With the e2e suite beside it the unit
# suite is bound by the CPU, and each worker collects and imports everything again: three
# workers, not four. WORKERS=0 runs in one process, for debugging (pdb, prints, one
# failure at a time).
WORKERS ?= 3
E2E_WORKERS ?= 3
XDIST = -n $(1) $(if $(filter 0,$(1)),,--dist loadgroup)

# tests/deploy/test_static.py and test_alerts.py belong to lint (above), not here again.
test-unit: $(STAMP)
	$(BIN)/pytest -m "not e2e" -q $(call XDIST,$(WORKERS)) \
	  --ignore tests/deploy/test_static.py --ignore tests/deploy/test_alerts.py

test-conversations: $(MODEL)
	$(BIN)/rasa data validate --domain domain.yml --data data --max-history 5
	$(BIN)/rasa test core --stories tests/conversations --model $(MODEL) --out results/conversations --fail-on-prediction-errors

test-e2e: $(MODEL) browser
	MELDKAMER_REQUIRE_BROWSER=1 $(BIN)/pytest -m e2e -q $(call XDIST,$(E2E_WORKERS))

browser:
	scripts/ensure_chromium.sh

# Lint, the unit suite, the training with the conversation tests, Chromium's install and
# the end-to-end tests run side by side (they wait on different things); the end-to-end
# tests start once the model and Chromium are there. Each one's output is shown whole
# when it ends.
test: $(STAMP)
	$(MAKE) --no-print-directory --jobs=5 --output-sync=target lint test-unit test-conversations test-e2e

docs: $(STAMP)
	$(BIN)/python -m meldkamer.triage.render > docs/urgentiematrix.md

# Held-out accuracy, safety confusions (fails on any) and 3-fold cross-validation.
nlu-report: $(MODEL)
	scripts/nlu_report.sh

bench: $(MODEL)
	$(BIN)/python scripts/bench/run.py
	$(BIN)/python scripts/bench/turns.py

clean:
	rm -rf models results .pytest_cache .mypy_cache .ruff_cache
