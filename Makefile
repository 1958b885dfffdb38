# Everything a fresh machine with Python 3.11 and make needs: `make run`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
# The Nu HTML checker (vnu.jar, from npm), pinned; run by tests/integration/test_valid_html.py.
VNU_VERSION := 26.9.27
TOOLS := .tools

.PHONY: run serve demo test bench bootstrap-css install install-dev test-tools migrate lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: export PORTAL_URL ?= http://$(HOST):$(PORT)
run: export TICKETS_ARTICLES ?= true
run: migrate
	@echo "Portal: http://$(HOST):$(PORT)/  (sandbox API at /sandbox/api/v2/)"
	@echo "Staff account: $(BIN)/python manage.py createsuperuser"
	@echo "Delivery worker: started beside the portal (Ctrl-C stops both)"
	trap 'kill 0' EXIT; \
	$(BIN)/python manage.py delivery_worker & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production stack on this machine, from .env: migrate, collectstatic, then gunicorn
# (PORTAL_WEB_WORKERS x PORTAL_WEB_THREADS on PORTAL_BIND) and PORTAL_DELIVERY_WORKERS delivery
# workers. Ctrl-C stops all.
serve: install
	$(BIN)/python manage.py serve

# A sample support site on another port (another site: 127.0.0.1 vs localhost) embedding two forms.
DEMO_PORT ?= 8001
DEMO_SECRET ?= demo-shared-secret
demo: migrate
	@echo "Sample support site: http://127.0.0.1:$(DEMO_PORT)/   portal: http://localhost:$(PORT)/"
	trap 'kill 0' EXIT; \
	$(BIN)/python demo/serve.py --port $(DEMO_PORT) --portal http://localhost:$(PORT) --secret $(DEMO_SECRET) & \
	EMBED_ALLOWED_ORIGINS=http://127.0.0.1:$(DEMO_PORT) EMBED_CONTEXT_SECRET=$(DEMO_SECRET) \
	PORTAL_URL=http://localhost:$(PORT) $(BIN)/python manage.py delivery_worker & \
	EMBED_ALLOWED_ORIGINS=http://127.0.0.1:$(DEMO_PORT) EMBED_CONTEXT_SECRET=$(DEMO_SECRET) \
	PORTAL_URL=http://localhost:$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Debian's packages the tests need, where missing: Chromium (browser tests), gettext (the
# catalogue check's makemessages), redis-server and postgresql (the second pass, on PostgreSQL +
# Redis; each started by the tests on a free port and stopped after), a Java runtime and npm (the
# HTML check). Skipped quietly where apt is not ours to use (their tests then skip, and fail under
# CI). Then the pinned Nu HTML checker from npm into $(TOOLS)/ (git-ignored), once per version:
# its install script, which would download a Java of its own, is not run.
test-tools:
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	command -v xgettext >/dev/null || missing="$$missing gettext"; \
	command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "Could not install$$missing; their tests will be skipped (and fail under CI)."; \
	  else echo "Missing$$missing and no root apt-get; their tests will be skipped (and fail under CI)."; fi; \
	fi
	@[ -f $(TOOLS)/.vnu-jar-$(VNU_VERSION) ] || { \
	  npm install --prefix $(TOOLS) --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
	    vnu-jar@$(VNU_VERSION) >/dev/null && touch $(TOOLS)/.vnu-jar-$(VNU_VERSION); } \
	  || echo "Could not install vnu-jar@$(VNU_VERSION); the HTML check will be skipped (and fail under CI)."

# PYTEST_MARK (a marker expression) joins each pass's own marker.
AND_MARK = $(if $(PYTEST_MARK), and ($(PYTEST_MARK)))

test: install-dev test-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	@echo "== The whole suite on SQLite, with no Redis; beside it, the production-stack tests and"
	@echo "   the integration and delivery tests again on PostgreSQL + Redis =="
	@# The main suite leaves about half of two cores idle (its browser tests wait on Chromium), and
	@# the stack tests mostly wait out the API's 60 s window in processes of their own: both run
	@# in pytests of their own at the same time (each with its own cache; stopped with the first on
	@# Ctrl-C or TERM as by Ctrl-C, so that they stop the servers and processes they started:
	@# tests/conftest.py, tests/on_postgres.py); their reports follow the main one. The HTML
	@# check runs once: what a page's markup is does not depend on the database. Exit 5 is
	@# "nothing collected" (the arguments chose only some kinds). A marker goes in PYTEST_MARK:
	@# a -m in PYTEST_ARGS would undo the split.
	@$(BIN)/python -m pytest -m "stack$(AND_MARK)" \
	  -o cache_dir=.pytest_cache/stack $(PYTEST_ARGS) > .stack-tests.log 2>&1 & \
	stack=$$!; \
	$(BIN)/python tests/on_postgres.py -m "not browser and not stack$(AND_MARK)" \
	  -o cache_dir=.pytest_cache/postgres --ignore=tests/integration/test_valid_html.py \
	  tests/integration $(PYTEST_ARGS) > .postgres-tests.log 2>&1 & \
	postgres=$$!; trap 'kill -INT $$stack 2>/dev/null; kill $$postgres 2>/dev/null' INT TERM; \
	$(BIN)/python -m pytest -m "not stack$(AND_MARK)" $(PYTEST_ARGS); main=$$?; \
	wait $$stack; side=$$?; wait $$postgres; again=$$?; \
	echo "== The production-stack tests (run beside the suite) =="; cat .stack-tests.log; \
	echo "== The integration and delivery tests on PostgreSQL + Redis (run beside the suite) =="; \
	cat .postgres-tests.log; \
	for code in $$main $$side $$again; do case $$code in 0|5) ;; *) exit 1;; esac; done; \
	case "$$main$$side$$again" in 555) exit 1;; esac

# Benchmarks (figures, not pass/fail; a few minutes): the form pages against a bare Django page
# under the same gunicorn, a submission's cost, first-visit bytes, memory (bench/pages.py);
# submissions accepted per second while the API is down (bench/delivery.py); the API requests
# open ticket pages cost (bench/conversations.py); the article search's recall and latency
# (bench/articles.py). Needs Debian's wrk.
bench: install-dev
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || \
	  echo "wrk is missing and cannot be installed here"
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/delivery.py
	$(BIN)/python bench/conversations.py
	$(BIN)/python bench/articles.py

# The portal's Bootstrap: only the parts static/vendor/bootstrap/portal-bootstrap.scss imports,
# built as Bootstrap builds its own (Sass, then autoprefixer for its browser list), pinned, into
# the committed bootstrap.min.css. Run it after changing that list; nothing else needs Node.
BOOTSTRAP_VERSION := 5.3.3
BOOTSTRAP_BUILD := bootstrap@$(BOOTSTRAP_VERSION) sass@1.77.6 postcss@8.4.49 postcss-cli@11.0.0 \
  autoprefixer@10.4.20
BOOTSTRAP_DIR := static/vendor/bootstrap
bootstrap-css:
	npm install --prefix $(TOOLS)/bootstrap --no-save --no-audit --no-fund --loglevel=error \
	  $(BOOTSTRAP_BUILD)
	$(TOOLS)/bootstrap/node_modules/.bin/sass --style=compressed --no-source-map --quiet-deps \
	  --load-path=$(TOOLS)/bootstrap/node_modules $(BOOTSTRAP_DIR)/portal-bootstrap.scss \
	  $(TOOLS)/bootstrap/bootstrap.css
	BROWSERSLIST_CONFIG=$(BOOTSTRAP_DIR)/.browserslistrc $(TOOLS)/bootstrap/node_modules/.bin/postcss \
	  $(TOOLS)/bootstrap/bootstrap.css --use autoprefixer --no-map -o $(BOOTSTRAP_DIR)/bootstrap.min.css

lint: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(TOOLS)
