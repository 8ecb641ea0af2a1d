# Two commands matter: `make demo` (run the product locally) and `make test` (install + every test).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHECKOV_VENV := .venv-checkov
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install tools lint test demo bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml .pip-constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c .pip-constraints.txt -e ".[test]"
	touch $@

# Tools the tests run for real: a MariaDB server (run-sql Lambda), checkov in its own venv
# (it would downgrade boto3/botocore in ours), and terraform, which must already be installed.
tools: $(CHECKOV_VENV)/.installed
	@command -v terraform >/dev/null || { echo "terraform is not on PATH: install Terraform >= 1.5"; exit 1; }
	@if ! command -v mariadbd >/dev/null && ! command -v mysqld >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then \
		echo "installing mariadb-server (Debian package) for the run-sql Lambda tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null; \
	fi

$(CHECKOV_VENV)/.installed:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet checkov==3.3.30
	touch $@

lint: install
	$(VENV)/bin/ruff check .
	$(PY) -m platform_ops.stepfunctions.validate asl/

# The JUnit report is what `make bench` reads (suite wall time, slowest tests).
TEST_REPORT := .pytest_cache/platform-ops/junit.xml

test: install tools lint
	$(PY) -m pytest --junitxml=$(TEST_REPORT)

demo: install
	$(PY) -m platform_ops.local.demo

bench: install
	$(PY) -m platform_ops.bench
	$(PY) -m platform_ops.events.bench

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache .demo
