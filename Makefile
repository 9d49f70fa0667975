# The README's two commands, and the steps they are made of.
#
#   make demo   install the service into .venv and run it with demo data on the embedded default
#   make test   install everything the tests need, then run every check; non-zero if any fails
#
# Each step also runs on its own: make lint, make typecheck, make pytest, make jest.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
NODE_DIRS := $(patsubst %/package.json,%,$(wildcard miniprogram/package.json web/package.json))
# Order matters for the log's tail: pytest's closing line comes last, then the summary.
CHECKS := lint typecheck jest pytest

.PHONY: demo test deps venv lint typecheck jest pytest browser node-deps clean

demo: $(VENV)/.installed-demo
	$(BIN)/seatcore demo

test: deps
	@failed=""; \
	for check in $(CHECKS); do \
		echo ""; echo "==> $$check"; \
		$(MAKE) --no-print-directory $$check || failed="$$failed $$check"; \
	done; \
	echo ""; echo "==> summary"; \
	for check in $(CHECKS); do \
		case " $$failed " in *" $$check "*) echo "  FAILED  $$check";; *) echo "  ok      $$check";; esac; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: failed:$$failed"; exit 1; fi; \
	echo "make test: every check passed"

deps: $(VENV)/.installed-test browser node-deps

venv: $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: pip runs again only when the package's metadata changes.
$(VENV)/.installed-demo: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,load]'
	@touch $@ $(VENV)/.installed-demo

# Debian's Chromium for the browser tests; installed only where it is missing and we may install.
browser:
	@if [ -x $(CHROMIUM) ]; then \
		echo "chromium: $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
			&& echo "chromium: installed $(CHROMIUM)"; \
	else \
		echo "chromium: missing and not root; the browser tests will say so (apt-get install chromium)"; \
	fi

node-deps:
	@for dir in $(NODE_DIRS); do \
		echo "npm: installing $$dir"; \
		if [ -f $$dir/package-lock.json ]; then \
			(cd $$dir && npm ci --no-audit --no-fund --loglevel=error) || exit 1; \
		else \
			(cd $$dir && npm install --no-audit --no-fund --loglevel=error) || exit 1; \
		fi; \
	done

lint:
	$(BIN)/ruff check seatcore tests loadtests

typecheck:
	$(BIN)/mypy

jest:
	@if [ -f miniprogram/package.json ]; then \
		cd miniprogram && npm test --silent; \
	else \
		echo "jest: no miniprogram/package.json"; \
	fi

# pytest exits 5 when it collects no test: that counts as a failure here, like any non-zero exit.
# Each test has its own limit (setup.cfg); this one stops a run that hangs where that limit cannot.
PYTEST_LIMIT_S ?= 1800
pytest:
	@echo "$(BIN)/python -m pytest -q"; \
	timeout --kill-after=30 $(PYTEST_LIMIT_S) $(BIN)/python -m pytest -q; rc=$$?; \
	if [ $$rc -eq 124 ]; then echo "pytest: stopped after $(PYTEST_LIMIT_S) s: a test hung"; fi; \
	exit $$rc

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
