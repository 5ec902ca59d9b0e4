# sheetsync: the two commands a new user needs are `make demo` and `make test`.
# Needs only Python 3.11+ and make; everything else is installed here.

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
AS_OF ?= 2026-11-26

.PHONY: demo screenshot test lint fmt samples bench clean

# Everything the installed package is made of: a change reinstalls it for the demo.
SOURCES := pyproject.toml $(wildcard sheetsync/*.py sheetsync/*/*.py sheetsync/*/*/*.py sheetsync/*.toml sheetsync/*/*.toml templates/*.j2 templates/*/*.j2)

$(VENV)/.python:
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sheetsync needs Python 3.11 or newer (PY=$(PY) is older)")'
	@echo "== setting up $(VENV) (the first time only)"
	@$(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@touch $@

# The demo runs sheetsync installed the way a user installs it: not editable
# (setuptools prints a notice on every editable install, and a user's install
# is not one).  Once `make test` has made the developer's editable install,
# that one already runs the checkout's code and is kept.
$(VENV)/.installed: $(VENV)/.python $(SOURCES)
	@if [ -f $(VENV)/.test-installed ] && [ $(VENV)/.test-installed -nt pyproject.toml ]; then :; \
	else echo "== installing sheetsync into $(VENV)"; rm -rf build && $(BIN)/python -m pip install --quiet . ; fi
	@touch $@

# Tests need the checkout's code as it is edited: an editable install (setuptools
# says "Editable installation… be careful with folders…": that notice is its own).
$(VENV)/.test-installed: $(VENV)/.python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

## demo: run sheetsync on a copy of the bundled sample workbook (in ./demo)
demo: $(VENV)/.installed
	@rm -rf demo && mkdir -p demo && cp sample_workbooks/team_pipeline.xlsx demo/
	@echo "== sheetsync sync demo/team_pipeline.xlsx --as-of $(AS_OF)"
	@$(BIN)/sheetsync sync demo/team_pipeline.xlsx --as-of $(AS_OF); test $$? -le 1
	@$(BIN)/python scripts/render_tab.py demo/team_pipeline.xlsx "sheetsync Summary" demo/summary.png
	@echo
	@echo "Next: $(BIN)/sheetsync check demo/team_pipeline.xlsx --as-of $(AS_OF) lists the sample's data problems, each with its cell."
	@echo "      On your own sheet: see \"Use it on your own sheet\" in README.md."

## screenshot: redraw docs/summary.png (the README's picture of the Summary tab) from the demo
screenshot: demo
	$(BIN)/python scripts/render_tab.py demo/team_pipeline.xlsx "sheetsync Summary" docs/summary.png --width 2000 --top 0.45

## test: install test dependencies, start what the tests need, run every test
test: $(VENV)/.test-installed
	@bash tests/services/setup.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(VENV)/.test-installed
	$(BIN)/ruff check sheetsync tests bench sample_workbooks scripts
	$(BIN)/ruff format --check sheetsync tests bench sample_workbooks scripts

fmt: $(VENV)/.test-installed
	$(BIN)/ruff format sheetsync tests bench sample_workbooks scripts
	$(BIN)/ruff check --fix sheetsync tests bench sample_workbooks scripts

## samples: regenerate the sample workbooks (reproducible, byte for byte)
samples: $(VENV)/.test-installed
	$(BIN)/python sample_workbooks/make_samples.py

bench: $(VENV)/.test-installed
	$(BIN)/python bench/sync_bench.py

clean:
	rm -rf $(VENV) demo build *.egg-info .pytest_cache
