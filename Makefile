# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
ASSETS := static/vendor/.copied
HOST ?= 127.0.0.1:8000
# The demo plan is 2024/25; pin "today" to November 2024 so it reads as a live year.
DEMO_TODAY ?= 2024-11-15

.PHONY: run test lint format migrations-check setup assets browser serve worker clean bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $(STAMP)

$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor/nhsuk-frontend static/vendor/htmx
	cp node_modules/nhsuk-frontend/dist/nhsuk.min.css node_modules/nhsuk-frontend/dist/nhsuk.min.js static/vendor/nhsuk-frontend/
	cp -r node_modules/nhsuk-frontend/packages/assets static/vendor/nhsuk-frontend/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	touch $(ASSETS)

setup: $(STAMP) $(ASSETS)

assets: $(ASSETS)

run: setup
	$(PY) manage.py migrate --noinput
	TODAY=$${TODAY-$(DEMO_TODAY)} $(PY) manage.py seed_demo --if-empty
	@# A job worker beside the dev server, so jobs (big review packs) run as they would in
	@# production; stopped with the server.
	TODAY=$${TODAY-$(DEMO_TODAY)} $(PY) manage.py db_worker --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  TODAY=$${TODAY-$(DEMO_TODAY)} $(PY) manage.py runserver $(HOST)

# Browser tests need Chromium; PDF packs embed DejaVu Sans; PDF checks use poppler. All from Debian;
# installed when missing and we may.
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
	  || ! command -v pdftoppm >/dev/null; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core poppler-utils >/dev/null; \
	  else echo "Missing: run 'sudo apt-get install -y chromium fonts-dejavu-core poppler-utils'"; exit 1; fi; fi

test: setup browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

serve: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn config.wsgi --config config/gunicorn.conf.py --bind $${BIND:-$(HOST)}

# A background-job worker for production (one or more per machine; they share the database queue).
worker: setup
	$(PY) manage.py db_worker --no-reload --interval 1

# Each benchmark prints its figure beside a floor measured in the same run (see README).
bench: setup
	$(PY) bench/bench_spc.py
	$(PY) bench/bench_list.py
	$(PY) bench/bench_import.py

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles
