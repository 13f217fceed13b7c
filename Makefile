# Store Ops Workbook. Two commands do everything on a fresh machine with Python 3.11:
#   make book   set up, generate the store, build the whole book (executed) and the student release
#   make test   set up, build, lint and run the whole test suite
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
STAMP := $(VENV)/.installed
STATIC_JS := build/static-js/mathjax/tex-mml-chtml.js
PYTEST_ARGS ?=

.PHONY: help setup book data pages wheel html release test lint lab serve grade clean system-deps hub

help:
	@echo "make book    build the book (_build/html) and the student release (grader/release)"
	@echo "make test    lint and run the whole test suite (builds the book first)"
	@echo "make lab     open the exercises in JupyterLab as a trainee"
	@echo "make serve   serve the built book on http://localhost:8000"
	@echo "make grade ASSIGNMENT=orientation   grade a class (see README)"
	@echo "make hub     a trial class on JupyterHub on this machine (root; grader/README.md)"

# The virtual environment, reinstalled when the pins change.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP) $(STATIC_JS)

$(STATIC_JS):
	bash scripts/fetch_static_js.sh build/static-js

# The default store in datasets/ (skipped when it is already there for this seed and version).
data: $(STAMP)
	$(BIN)/storeops data --if-missing

# Self-learner exercise pages generated from the chapters' source notebooks.
pages: data
	$(BIN)/storeops book-pages --all

# The library as a wheel, linked from every exercise page (self-learners install it with pip).
wheel: $(STAMP)
	@rm -rf build/wheel build/lib build/bdist.*  # stale copies would end up in the wheel
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir build/wheel .

html: setup data pages wheel
	$(BIN)/python -c "from storeops.sim.dictionary import write_page; write_page('book/appendix/data_dictionary.md')"
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

release: data
	$(BIN)/storeops release --all

book: html release
	@echo
	@echo "Book (HTML):      $(CURDIR)/_build/html/index.html   (make serve, then http://localhost:8000)"
	@echo "Student release:  $(CURDIR)/grader/release/"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Debian's chromium and PostgreSQL server, and the hub's proxy from npm (grader/hub), when missing.
system-deps:
	bash scripts/system_deps.sh

# The suite, then (full runs only) the grading suite again with the gradebook on PostgreSQL;
# with_postgres.sh starts a PostgreSQL server for the command and stops it afterwards.
test: book system-deps lint
	bash scripts/with_postgres.sh $(BIN)/python -m pytest $(PYTEST_ARGS)
	$(if $(PYTEST_ARGS),,bash scripts/with_postgres.sh --gradebook $(BIN)/python -m pytest tests/grading)

# A trainee's own working copy of the release (never overwritten: your answers stay).
lab: data release
	@mkdir -p trainee && cp -rn grader/release/. trainee/
	$(BIN)/jupyter lab --notebook-dir=trainee

serve:
	@test -f _build/html/index.html || { echo "no built book: run make book first"; exit 1; }
	$(BIN)/python -m http.server --directory _build/html 8000

# A trial class on JupyterHub on this machine (root): grader/README.md "The class on JupyterHub".
hub: $(STAMP) system-deps
	$(BIN)/storeops hub

ASSIGNMENT ?= orientation
grade: $(STAMP)
	$(BIN)/storeops grade $(ASSIGNMENT)

clean:
	rm -rf _build build grader/release grader/autograded grader/feedback
