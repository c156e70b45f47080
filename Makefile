# The two commands of the README, and the environment they need.
#   make html   builds the site into docs/_build/html (warnings are errors)
#   make test   runs every test, starting its own PostgreSQL servers
# Both create .venv (nox and uv) on first use; nox makes the rest.

# The first Python that is 3.12 or newer.
PYTHON ?= $(firstword $(foreach p,python3.12 python3.13 python3.14 python3,\
	$(shell $(p) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && echo $(p))))
VENV := .venv
NOX := $(VENV)/bin/nox

.PHONY: html serve test lint bench browser cockroachdb venv docs-env

html: $(NOX)
	$(NOX) -s docs

# Live preview on http://127.0.0.1:$(PORT)/: rebuilds what you save, the browser reloads.
PORT ?= 8000
serve: $(NOX)
	$(NOX) -s serve -- --port $(PORT)

test: $(NOX)
	$(NOX) -s tests

lint: $(NOX)
	$(NOX) -s lint

bench: $(NOX)
	$(NOX) -s bench

# The built site in Chromium (the system's: apt-get install chromium) and the HTML
# validator (Java); builds the site first, installs axe-core with npm.
browser: $(NOX)
	$(NOX) -s browser

# The CockroachDB recipe against CockroachDB itself: needs a cockroach binary
# (COOKBOOK_COCKROACH=/path/to/cockroach, or cockroach on PATH).
cockroachdb: $(NOX)
	$(NOX) -s cockroachdb

venv: $(NOX)

docs-env: $(NOX)
	$(NOX) -s docs --install-only

$(NOX):
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed: none of python3.12, python3.13, python3.14, python3 is." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check "nox>=2025.2" uv
