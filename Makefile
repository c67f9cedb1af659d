# The two fresh-machine commands are `make demo` and `make test` (see README.md).
#   make demo   installs the runtime only (no test tools) and runs `mpqr demo`
#   make test   adds the [test] extra and Debian's Chromium, then runs the whole suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install -q --disable-pip-version-check
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.installed

.PHONY: install demo test check lint typecheck browsers clean

# The package and its runtime dependencies: all `make demo` needs.
$(RUNTIME): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(PIP) -e .
	touch $@

# Plus the [test] extra: pytest, Playwright, ruff, mypy, the official SDK...
$(DEV): $(RUNTIME)
	$(PIP) -e '.[test]'
	touch $@

install: $(DEV)

## Browser for the UI tests: Debian's Chromium (Playwright drives it via executable_path).
## Waits up to 2 minutes for the apt/dpkg lock; under CI=true a browser that cannot run fails.
browsers:
	@scripts/ensure-chromium

demo: $(RUNTIME)
	$(BIN)/mpqr demo

test: $(DEV) browsers
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(DEV)
	$(BIN)/python scripts/unasync.py --check
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(DEV)
	$(BIN)/mypy src

check: lint typecheck test

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache
