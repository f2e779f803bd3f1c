# Build, test and demo targets for missionsim.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
UV := $(VENV)/bin/uv
# uv at the version the lock holds, installed with pip to bootstrap the environment
UV_PIN := $(shell grep -m1 '^uv==' requirements.lock | cut -d' ' -f1)

export SOLARA_TELEMETRY_MIXPANEL_ENABLE := False
export MPLBACKEND := Agg

.PHONY: venv chromium lock demo test lint bench ui screenshots docs claims baseline-doc validation robustness clean

# The main job: the baseline against each reform alone, all nine together and the sequenced
# mission-ready package, over paired seeds, at equal public cost (with each option as set
# beside it), with an HTML report.
DEMO_BUDGET := £20m
DEMO_OUT := results/demo
DEMO_SCENARIOS := baseline local_capacity long_term_funding civil_society_partnerships \
	devolution mission_leadership experimentation workforce_codesign citizen_mobilisation \
	learning_accountability all_reforms mission_ready

venv: $(STAMP)

# The environment: exact versions with hashes from requirements.lock (every extra and the test
# tools), installed with uv; the package itself is installed in editable mode, without deps.
# The packages are compiled to bytecode as they are installed: where PYTHONDONTWRITEBYTECODE is
# set, Python never writes it, and every process (a CLI call, a test's server, a dask worker)
# would compile pandas, scipy, numba and Mesa again: 6.3 s to import the model, against 1.6 s.
# `make lock` refreshes the lock from pyproject.toml's ranges (the newest versions they allow).
$(STAMP): pyproject.toml requirements.lock
	@if [ ! -x "$(VPY)" ]; then \
		py=$$(PYTHON="$(PYTHON)" scripts/find-python); \
		echo "Creating $(VENV) with $$py"; \
		"$$py" -m venv $(VENV); \
	fi
	@if [ ! -x "$(VENV)/bin/uv" ]; then \
		$(VPY) -m pip install --quiet --disable-pip-version-check "$(UV_PIN)"; \
	fi
	$(UV) pip sync --python $(VPY) --compile-bytecode requirements.lock
	$(UV) pip install --python $(VPY) --no-deps -e .
	touch $(STAMP)

# Debian's Chromium for the browser tests (never a browser downloaded by a test tool).
chromium:
	@scripts/ensure-chromium

lock: $(STAMP)
	$(UV) pip compile pyproject.toml --extra dev --universal --generate-hashes --upgrade \
		--custom-compile-command "make lock" -o requirements.lock

demo: venv
	rm -rf $(DEMO_OUT)
	$(VENV)/bin/missionsim compare $(patsubst %,scenarios/%.toml,$(DEMO_SCENARIOS)) \
		--out $(DEMO_OUT) --equal-cost $(DEMO_BUDGET) --report $(DEMO_OUT)/report.html

# Every test, the browser tests included (MISSIONSIM_SKIP_BROWSER=1 skips those instead).
# A worker that runs out of tests takes some of the other's (worksteal): a few tests take a
# minute or more, and handed out in fixed shares they left one core idle at the end. The
# package's own modules are compiled to bytecode first, for the same reason as the venv's.
test: venv chromium
	$(VPY) -m compileall -q src
	MISSIONSIM_REQUIRE_BROWSER=$$([ -n "$${MISSIONSIM_SKIP_BROWSER:-}" ] || echo 1) \
		$(VPY) -m pytest -q -n auto --dist worksteal

# The workshop browser app on http://127.0.0.1:8765/ (HOST=0.0.0.0 to serve the network).
HOST ?= 127.0.0.1
PORT ?= 8765
ui: venv
	$(VENV)/bin/missionsim ui --host $(HOST) --port $(PORT)

# Refresh the screenshots in docs/images from the browser tests.
screenshots: venv chromium
	MISSIONSIM_SCREENSHOTS=docs/images $(VPY) -m pytest -q -p no:xdist tests/browser

# The generated documents, each built by `missionsim docs NAME` (`missionsim docs` lists them
# and says which are current; `--check` verifies one without writing).
# docs/claims.md: each claim of DESIGN §1, its mechanism and the effect measured (a few minutes).
claims: venv
	$(VENV)/bin/missionsim docs claims

# The two measured tables of docs/model.md §10 (the default baseline, seeds 0–9, workshop world).
baseline-doc: venv
	$(VENV)/bin/missionsim docs baseline

# docs/validation.md: the model against the observed patterns.
validation: venv
	$(VENV)/bin/missionsim docs validation

# docs/robustness.md: the reform ranking under uncertainty (about 15 minutes on 2 cores;
# ROBUSTNESS_ARGS=--resume continues an interrupted build).
robustness: venv
	$(VENV)/bin/missionsim docs robustness --store results/robustness $(ROBUSTNESS_ARGS)

# The tables of docs/model.md drawn from the code, then a check of every cheap document.
docs: venv
	$(VENV)/bin/missionsim docs model-tables
	$(VENV)/bin/missionsim docs baseline --check

lint: venv
	$(VPY) -m ruff check .
	$(VENV)/bin/lint-imports

bench: venv
	$(VPY) benchmarks/run.py

clean:
	rm -rf build dist .pytest_cache .ruff_cache .hypothesis src/*.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
