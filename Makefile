# Two commands: `make demo` (install, start PostGIS, load samples, serve) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
HUB := $(VENV)/bin/hub
SAMPLES := .hub/samples
APT_PKGS := postgresql-15 postgresql-15-postgis-3 postgresql-client-15 gdal-bin python3-venv gcc
# Headers to build the role guard (hub/db/guard): pinned to the installed server's version, so installing them
# never upgrades the server under a running cluster.
PG_DEV := postgresql-server-dev-15
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install system-deps demo load test bench-ingest bench-api clean

install: system-deps $(VENV)/.installed

system-deps:
	@missing=$$(for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@dpkg -s $(PG_DEV) >/dev/null 2>&1 || { v=$$(dpkg-query -W -f='$${Version}' postgresql-15); \
	  echo "installing Debian package: $(PG_DEV)=$$v"; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends "$(PG_DEV)=$$v" >/dev/null; }

$(VENV)/.installed: pyproject.toml requirements.lock
	@[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

load: install
	$(HUB) db up
	$(HUB) samples generate $(SAMPLES)
	$(HUB) ref load-boundaries $(SAMPLES)/admin/communes_old.gpkg $(SAMPLES)/admin/communes_new.gpkg
	$(HUB) ingest cadastre_cantho $(SAMPLES)/cantho
	$(HUB) ingest cadastre_tuyenquang $(SAMPLES)/tuyenquang
	$(HUB) publish

demo: load
	$(HUB) serve

test: install
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider

bench-ingest: install
	$(VENV)/bin/python -m bench.ingest

bench-api: install
	$(VENV)/bin/python -m bench.api

clean:
	-$(HUB) db down
	rm -rf .hub
