# Two commands: `make demo` (install, start PostGIS, load samples, serve) and `make test` (the whole suite).
# Ports: `make demo HUB_DB_PORT=55433 HUB_API_PORT=5001` (or the same variables in the environment) for a second copy.
# Another Python: `make test PYTHON=python3.13` (its own venv, .venv-3.13; the lock installs on 3.11-3.13).
SHELL := /bin/bash
PYTHON ?= python3
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV ?= $(if $(filter python3,$(PYTHON)),.venv,.venv-$(PYVER))
HUB := $(VENV)/bin/hub
SAMPLES := .hub/samples
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The PostgreSQL major: the newest installed one, else the distribution's default (15 on Debian 12, 16 on
# Ubuntu 24.04, 17 on Debian 13), read from the `postgresql` metapackage; PostGIS 3 for the same major.
PG_MAJOR ?= $(shell ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
BASE_PKGS := gdal-bin python3-venv gcc
TEST_PKGS := chromium qgis python3-qgis
BENCH_PKGS := wrk
ifdef HUB_DB_PORT
export HUB_DB_PORT
endif
ifdef HUB_API_PORT
export HUB_API_PORT
endif
ifdef HUB_LANG
export HUB_LANG
endif

.PHONY: install system-deps test-deps bench-deps assets messages demo load test bench-ingest bench-api clean

install: system-deps $(VENV)/.installed assets messages

define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-deps:
	@pg="$(PG_MAJOR)"; \
	if [ -z "$$pg" ]; then \
	  pg=$$(apt-cache depends postgresql 2>/dev/null | grep -o 'postgresql-[0-9]\+' | head -1 | cut -d- -f2); \
	  if [ -z "$$pg" ]; then $(SUDO) apt-get update -qq; \
	    pg=$$(apt-cache depends postgresql 2>/dev/null | grep -o 'postgresql-[0-9]\+' | head -1 | cut -d- -f2); fi; \
	fi; \
	[ -n "$$pg" ] || { echo "no PostgreSQL package found for this system (apt-cache depends postgresql)"; exit 3; }; \
	pkgs="postgresql-$$pg postgresql-$$pg-postgis-3 postgresql-client-$$pg $(BASE_PKGS)"; \
	command -v npm >/dev/null || pkgs="$$pkgs nodejs npm"; \
	missing=$$(for p in $$pkgs; do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi; \
	dev=postgresql-server-dev-$$pg; \
	dpkg -s $$dev >/dev/null 2>&1 || { v=$$(dpkg-query -W -f='$${Version}' postgresql-$$pg); \
	  echo "installing Debian package: $$dev=$$v (headers of the installed server, for the role guard)"; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends "$$dev=$$v" >/dev/null; }

test-deps:
	$(call apt_install,$(TEST_PKGS))

bench-deps:
	$(call apt_install,$(BENCH_PKGS))

$(VENV)/.installed: pyproject.toml requirements.lock
	@[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

assets: $(VENV)/.installed
	@$(VENV)/bin/python -m hub.api.assets install

messages: $(VENV)/.installed
	@$(VENV)/bin/python -m hub.i18n.build

load: install
	$(HUB) db up
	$(HUB) samples generate $(SAMPLES)
	$(HUB) ref load-boundaries $(SAMPLES)/admin/communes_old.gpkg $(SAMPLES)/admin/communes_new.gpkg
	$(HUB) samples load $(SAMPLES)
	$(HUB) publish

demo: load
	$(HUB) serve

test: install test-deps
	$(VENV)/bin/python -m ruff check hub ingest tests bench
	$(VENV)/bin/python -m mypy
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider

bench-ingest: install
	$(VENV)/bin/python -m bench.ingest

bench-api: install bench-deps
	$(VENV)/bin/python -m bench.api

clean:
	-$(HUB) db down
	rm -rf .hub
