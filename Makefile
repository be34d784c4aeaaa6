# surveyapp: `make run` sets up and serves the app; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app surveyapp
HOST   ?= 127.0.0.1
PORT   ?= 5000
export HOST PORT

.PHONY: run serve worker test setup catalogs db browser nginx tools bench lint deps clean

# The web server and a worker of the job queue (it sends the mail) together; Ctrl-C stops
# both. The worker runs in a session of its own (setsid, where there is one) so that only
# the trap's SIGINT reaches it: it finishes the mail it is sending, then stops.
run: setup db
	@if command -v setsid >/dev/null 2>&1; then setsid $(FLASK) worker & else $(FLASK) worker & fi; \
	worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 0' INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# Production-style: gunicorn with deploy/gunicorn.conf.py (gevent workers, an access log
# without link tokens); needs SECRET_KEY (and DATABASE_URL). Put nginx in front
# (deploy/nginx.conf, see the README's "Deployment").
WORKERS ?= 4
export WORKERS
serve: setup
	SURVEYAPP_ENV=production $(FLASK) db upgrade
	SURVEYAPP_ENV=production $(FLASK) seed
	SURVEYAPP_ENV=production $(BIN)/gunicorn -c deploy/gunicorn.conf.py 'surveyapp:create_app()'

# Production workers of the job queue (mail): run as many as you like, on every machine that
# reaches the database and the queue (JOB_QUEUE_URL=redis://...); see the README's
# "Deployment". JOB_WORKERS threads each (default 2).
worker: setup
	SURVEYAPP_ENV=production $(FLASK) worker

test: setup browser tools nginx
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed catalogs

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

catalogs: $(VENV)/.installed
	$(FLASK) translate compile

# Upgrade the schema, then add whatever built-in content is missing.
db: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) seed

# Debian's Chromium for the browser tests, and poppler-utils (pdftotext) to read the
# pages of printed profiles; where we cannot install them those tests skip.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium and poppler-utils for the browser tests"; \
	  (apt-get install -y -qq chromium poppler-utils >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium poppler-utils >/dev/null)) \
	  || echo "Could not install chromium: browser tests will be skipped"; \
	else echo "chromium is not installed and we are not root: browser tests will be skipped"; fi

# Debian's nginx for the test that runs deploy/nginx.conf in front of gunicorn; where we
# cannot install it that test skips.
nginx:
	@if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's nginx-light for the slow-client test"; \
	  (apt-get install -y -qq nginx-light >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null)) \
	  || echo "Could not install nginx: the nginx test will be skipped"; \
	else echo "nginx is not installed and we are not root: the nginx test will be skipped"; fi

# axe-core and the Nu HTML Checker, from the npm registry, for the checks in tests/browser.
tools: tests/tools/node_modules/.installed
tests/tools/node_modules/.installed: tests/tools/package.json tests/tools/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  (cd tests/tools && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) && touch $@; \
	else echo "npm is not installed: the accessibility and HTML checks will be skipped"; fi

# Speed and memory against the targets (not part of the tests). Set TEST_DATABASE_URL
# to include PostgreSQL (the exports' benchmark takes BENCH_DATABASE_URL first, and keeps
# its seeded 100,000 responses there and in ~/.cache/surveyapp-bench/ for the next run).
bench: setup
	$(BIN)/python bench/profiles.py
	$(BIN)/python bench/http_bench.py
	$(BIN)/python bench/export_memory.py
	$(BIN)/python bench/peers.py
	$(BIN)/python bench/mail_bench.py
	$(BIN)/python bench/outreach_bench.py
	$(BIN)/python bench/rounds_bench.py
	$(BIN)/python bench/api_bench.py

# The static checks, as CI runs them (.ci/run): style, security, translation catalogs, types.
lint: setup
	$(BIN)/ruff check surveyapp tests
	$(BIN)/ruff format --check surveyapp tests
	$(BIN)/bandit -q -c pyproject.toml -r surveyapp config.py
	$(FLASK) translate check
	$(BIN)/python -m mypy

# Which layer and package imports which (checked by tests/test_architecture.py).
deps: $(VENV)/.installed
	$(BIN)/python -m tests.test_architecture

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache artifacts
	find translations -name '*.mo' -delete
