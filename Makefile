# The README's two commands, and the steps they are made of.
#
#   make demo   install the service into .venv and run it with demo data on the embedded default
#   make test   install everything the tests need, then run every check; non-zero if any fails
#
# Each step also runs on its own: make lint, make typecheck, make pytest, make jest.
#
# Python packages come from two lock files of exact versions with hashes, so every machine installs
# what CI tested: requirements.txt (the service) and requirements-test.txt (plus the test and load
# extras). setup.cfg keeps the ranges; `make lock` pins again after a change there, and `make test`
# stops at once when setup.cfg and the locks disagree (tests/lockcheck.py says how).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
NODE_DIRS := $(patsubst %/package.json,%,$(wildcard miniprogram/package.json web/package.json))
# Order matters for the log's tail: pytest's closing line comes last, then the summary.
CHECKS := lint typecheck jest pytest

PIP_TOOLS := pip-tools==7.7.0
COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-find-links --no-emit-index-url --build-deps-for editable

.PHONY: demo test test-cluster test-fuzz rehearsal deps venv lock lock-check lint typecheck jest pytest browser servers node-deps clean

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

deps: lock-check $(VENV)/.installed-test browser servers node-deps

venv: $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps: pip runs again only when a lock file or the package's metadata changes. The locked
# packages include the build backend, so the editable install builds without fetching anything.
$(VENV)/.installed-demo: requirements.txt setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.installed-test: requirements-test.txt setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@ $(VENV)/.installed-demo

# Pin again from setup.cfg's ranges: pins that still fit are kept and new dependencies get the
# newest version that fits (`make lock LOCK_UPGRADE=--upgrade` moves every pin to the newest). The
# service's lock takes the test lock's versions, so both install the same packages. Run the tests,
# then commit both files.
LOCK_UPGRADE ?=
lock: | $(BIN)/python
	$(BIN)/pip install --quiet $(PIP_TOOLS)
	$(COMPILE) $(LOCK_UPGRADE) --extra test --extra load -o requirements-test.txt pyproject.toml
	$(COMPILE) --constraint requirements-test.txt -o requirements.txt pyproject.toml
	@$(MAKE) --no-print-directory lock-check

lock-check: | $(BIN)/python
	@$(BIN)/python tests/lockcheck.py

# Debian's Chromium for the browser tests, and a CJK font so Chinese renders in its screenshots;
# installed only where missing and we may install.
browser:
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="chromium"; \
	[ -d /usr/share/fonts/opentype/noto ] || missing="$$missing fonts-noto-cjk"; \
	if [ -z "$$missing" ]; then \
		echo "chromium: $(CHROMIUM) (with fonts-noto-cjk)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
			&& echo "browser: installed$$missing"; \
	else \
		echo "browser: missing$$missing and not root; the browser tests will say so (apt-get install$$missing)"; \
	fi

# The loopback rehearsal's servers (loadtests/rehearsal.py, tests/rehearsal): nginx, and MariaDB's
# and Redis's server programs (it starts throwaway ones of its own); installed only where missing
# and we may install.
servers:
	@missing=""; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="nginx"; \
	command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || missing="$$missing mariadb-server"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	if [ -z "$$missing" ]; then \
		echo "servers: nginx, mariadbd, redis-server, openssl"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
			&& echo "servers: installed$$missing"; \
	else \
		echo "servers: missing$$missing and not root; the rehearsal will say so (apt-get install$$missing)"; \
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

# jest also compiles every page with WeChat's compilers and takes the pages' pictures in Chromium.
jest:
	@if [ -f miniprogram/package.json ]; then \
		cd miniprogram && CHROMIUM=$(CHROMIUM) npm test --silent; \
	else \
		echo "jest: no miniprogram/package.json"; \
	fi

# pytest exits 5 when it collects no test: that counts as a failure here, like any non-zero exit.
# Each test has its own limit (setup.cfg); this one stops a run that hangs where that limit cannot.
PYTEST_LIMIT_S ?= 1800
# The deep runs, each a few minutes; `make test` runs a smaller share of both.
# test-cluster: the service on a throwaway Redis Cluster (redis-server on 127.0.0.1): failover,
# sharded stream and pub/sub, and every test of the key suites a second time (docs/scaling.md).
# test-fuzz: the schemathesis contract test with 25 cases per operation and mode instead of 3.
test-cluster:
	SEATCORE_TEST_CLUSTER=full $(BIN)/python -m pytest -q tests/cluster tests/engine/test_cluster.py

test-fuzz:
	SEATCORE_FUZZ_EXAMPLES=25 $(BIN)/python -m pytest -q tests/loadtests/test_fuzz.py

# The premiere rehearsed on loopback: a 3+3 Redis Cluster, a MariaDB primary and replica, three
# processes behind nginx, failover mid-rush (loadtests/README.md). REHEARSAL_ARGS: its options.
REHEARSAL_ARGS ?=
rehearsal: $(VENV)/.installed-test servers
	$(BIN)/python -m loadtests.rehearsal $(REHEARSAL_ARGS)

pytest:
	@echo "$(BIN)/python -m pytest -q"; \
	timeout --kill-after=30 $(PYTEST_LIMIT_S) $(BIN)/python -m pytest -q; rc=$$?; \
	if [ $$rc -eq 124 ]; then echo "pytest: stopped after $(PYTEST_LIMIT_S) s: a test hung"; fi; \
	exit $$rc

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
