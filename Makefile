# The two commands of the README, and the environment they need.
#   make html   builds the site into docs/_build/html (warnings are errors)
#   make test   runs every test, starting its own PostgreSQL servers
# Both create .venv (nox and uv) on first use; nox makes the rest.

# The first Python that is 3.12 or newer: by these names on PATH, else one that pyenv
# installed but did not select (whose python3.12 shim then answers "command not found").
# The folder of a Python named by its path goes first on PATH, so nox and uv find it too
# (with pyenv's, every installed 3.12 or newer, for the matrix).
NEW_ENOUGH = $(shell $(1) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && echo $(1))
PYTHON := $(or $(PYTHON),$(firstword $(foreach p,python3.12 python3.13 python3.14 python3,$(call NEW_ENOUGH,$(p)))))
PYENV_DIR := $(or $(PYENV_ROOT),$(shell pyenv root 2>/dev/null),$(HOME)/.pyenv)
ifeq ($(PYTHON),)
PYENV_PYTHONS := $(wildcard $(PYENV_DIR)/versions/*/bin/python3.1[2-9])
PYTHON := $(firstword $(foreach p,$(PYENV_PYTHONS),$(call NEW_ENOUGH,$(p))))
PYTHON_DIRS := $(if $(PYTHON),$(dir $(PYENV_PYTHONS)))
else
PYTHON_DIRS := $(dir $(filter /%,$(PYTHON)))
endif
ifneq ($(PYTHON_DIRS),)
export PATH := $(subst $() ,:,$(strip $(PYTHON_DIRS))):$(PATH)
endif
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
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed: none of python3.12, python3.13, python3.14, python3 on PATH is, nor any in $(PYENV_DIR)/versions. Install one (e.g. pyenv install 3.12), or name it: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check "nox>=2025.2" uv
