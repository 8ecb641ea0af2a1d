# Two commands matter: `make demo` (run the product locally) and `make test` (install + every test).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHECKOV_VENV := .venv-checkov
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install tools lint lambdas test demo bench clean

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
	@# The real-scheduler lane (tests/scheduler) starts its own PostgreSQL cluster and Redis on
	@# loopback; only the Debian packages' binaries are used (no main cluster is created).
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then \
		echo "installing postgresql (Debian package) for the real-scheduler lane"; \
		mkdir -p /etc/postgresql-common && { [ -e /etc/postgresql-common/createcluster.conf ] || echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf; }; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; \
	fi
	@if ! command -v redis-server >/dev/null; then \
		echo "installing redis-server (Debian package) for the real-scheduler lane"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null; \
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

# The refresh helper Lambdas' zips (build/lambdas/, reproducible), which the refresh stacks deploy.
lambdas: install
	$(PY) -m platform_ops.refresh.lambda_package

# One pytest run, the real-scheduler lane (tests/scheduler: Airflow on CeleryExecutor, PostgreSQL,
# Redis) included: tests/conftest.py keeps the lane whole on one xdist worker (one cluster start),
# where it mostly waits on Airflow's scheduling while the other workers run the rest.
test: install tools lint lambdas
	$(PY) -m pytest --junitxml=$(TEST_REPORT)

demo: install
	$(PY) -m platform_ops.local.demo

bench: install tools
	$(PY) -m platform_ops.bench
	$(PY) -m platform_ops.events.bench
	$(PY) -m platform_ops.refresh.bench
	$(PY) -m tests.scheduler.triggerer_bench

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache .demo
