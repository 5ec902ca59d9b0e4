# sheetsync: the two commands a new user needs are `make demo` and `make test`.
# Needs only Python 3.11+ and make; everything else is installed here.

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
AS_OF ?= 2026-11-26

.PHONY: demo test lint fmt samples bench clean

$(VENV)/.installed: pyproject.toml
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sheetsync needs Python 3.11 or newer (PY=$(PY) is older)")'
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

## demo: run sheetsync on a copy of the bundled sample workbook (in ./demo)
demo: $(VENV)/.installed
	@rm -rf demo && mkdir -p demo && cp sample_workbooks/team_pipeline.xlsx demo/
	@echo "== sheetsync sync demo/team_pipeline.xlsx --as-of $(AS_OF)"
	@$(BIN)/sheetsync sync demo/team_pipeline.xlsx --as-of $(AS_OF); \
	  status=$$?; echo "(exit code $$status: 0 clean, 1 the sheet has errors, see README)"; test $$status -le 1
	@echo
	@echo "== sheetsync check demo/team_pipeline.xlsx --as-of $(AS_OF)"
	@$(BIN)/sheetsync check demo/team_pipeline.xlsx --as-of $(AS_OF); test $$? -le 1
	@echo
	@echo "Open demo/team_pipeline.xlsx: your tabs are untouched; the 'sheetsync …' tabs are new."

## test: install test dependencies, start what the tests need, run every test
test: $(VENV)/.test-installed
	@bash tests/services/setup.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(VENV)/.test-installed
	$(BIN)/ruff check sheetsync tests bench sample_workbooks
	$(BIN)/ruff format --check sheetsync tests bench sample_workbooks

fmt: $(VENV)/.test-installed
	$(BIN)/ruff format sheetsync tests bench sample_workbooks
	$(BIN)/ruff check --fix sheetsync tests bench sample_workbooks

## samples: regenerate the sample workbooks (reproducible, byte for byte)
samples: $(VENV)/.test-installed
	$(BIN)/python sample_workbooks/make_samples.py

bench: $(VENV)/.test-installed
	$(BIN)/python bench/sync_bench.py

clean:
	rm -rf $(VENV) demo build *.egg-info .pytest_cache
