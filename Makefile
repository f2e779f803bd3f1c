# Build, test and demo targets for missionsim.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export SOLARA_TELEMETRY_MIXPANEL_ENABLE := False
export MPLBACKEND := Agg

.PHONY: venv demo test lint bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ ! -x "$(VPY)" ]; then \
		py=$$(PYTHON="$(PYTHON)" scripts/find-python); \
		echo "Creating $(VENV) with $$py"; \
		"$$py" -m venv $(VENV); \
	fi
	$(VPY) -m pip install --upgrade pip
	$(VPY) -m pip install -e '.[dev]'
	touch $(STAMP)

demo: venv
	$(VPY) -m missionsim.demo

test: venv
	$(VPY) -m pytest -q -n auto

lint: venv
	$(VPY) -m ruff check .

bench: venv
	$(VPY) benchmarks/run.py

clean:
	rm -rf build dist .pytest_cache .ruff_cache .hypothesis src/*.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
