# ispsystem.billmanager: development entry points.
#
#   make test      venv, then pytest, sanity and lint, stopping at the first failure
#   make venv      .venv with the tools of requirements-dev.txt (re-installed when it changes)
#   make pytest    pytest tests -q
#   make sanity    ansible-test sanity on a copy of the collection, offline pip bootstrap included
#   make lint      ansible-lint --profile production, antsibull-changelog lint, shellcheck
#   make build     ansible-galaxy collection build (the tarball lands in the repo root)
#   make clean     remove the venv, test output, caches and built tarballs
#
# PYTHON picks the interpreter for the venv (a command or a path; a pyenv
# shim such as python3.12 is resolved even when pyenv has not selected it):
#   make test PYTHON=python3.12 VENV=.venv-3.12

PYTHON ?= python3
VENV ?= .venv

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV_BIN := $(abspath $(VENV))/bin
VENV_PY := $(VENV_BIN)/python
STAMP := $(VENV)/.requirements-installed
PIP_INSTALL := $(VENV_PY) -m pip install --disable-pip-version-check --progress-bar off -q

# Tools from the venv come first (ansible-test finds shellcheck and the
# venv's pythonX.Y there).
export PATH := $(VENV_BIN):$(PATH)

# ansible-test sanity: the venv's Python version unless given.
SANITY_PYTHON ?=
SANITY_ARGS ?=
PYTEST_ARGS ?=

TEST_STEPS := venv pytest sanity lint

.PHONY: help venv pytest sanity lint test build clean

help:
	@sed -n 's/^#   make /  make /p' $(firstword $(MAKEFILE_LIST))

venv: $(STAMP)

$(STAMP): requirements-dev.txt requirements.txt
	@python=$$(tools/find-python "$(PYTHON)"); \
	want=$$("$$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	if [ -x "$(VENV_PY)" ]; then \
		have=$$("$(VENV_PY)" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo broken); \
		if [ "$$have" != "$$want" ]; then \
			echo "venv: $(VENV) has Python $$have, $(PYTHON) is $$want: recreating it"; \
			rm -rf "$(VENV)"; \
		fi; \
	fi; \
	if [ ! -x "$(VENV_PY)" ]; then \
		echo "venv: creating $(VENV) with $$python (Python $$want)"; \
		"$$python" -m venv "$(VENV)"; \
	fi
	@echo "venv: installing requirements-dev.txt"
	$(PIP_INSTALL) -r requirements-dev.txt
	@$(VENV_PY) -m pip freeze --disable-pip-version-check > $@
	@grep -iE '^(ansible-core|ansible-lint|pytest|requests)==' $@ | tr '\n' ' ' | sed 's/^/venv: /; s/ $$/\n/'

pytest: venv
	@rc=0; $(VENV_PY) -m pytest tests -q $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests were collected under tests/: that is a failure" >&2; fi; \
	exit $$rc

sanity: venv
	$(VENV_PY) tools/ansible_test_bootstrap.py
	@pyver="$(SANITY_PYTHON)"; \
	if [ -z "$$pyver" ]; then pyver=$$($(VENV_PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); fi; \
	set -x; \
	ANSIBLE_TEST="$(VENV_BIN)/ansible-test" tools/run-ansible-test sanity --venv --python "$$pyver" $(SANITY_ARGS)

# ansible-test's shellcheck only looks at *.sh files: the scripts without an
# extension are checked here.
SHELL_SCRIPTS := .ci/run tools/find-python tools/run-ansible-test

lint: venv
	$(VENV_BIN)/ansible-lint --profile production
	$(VENV_BIN)/antsibull-changelog lint
	$(VENV_BIN)/shellcheck $(SHELL_SCRIPTS)

build: venv
	$(VENV_BIN)/ansible-galaxy collection build --force

# Each step runs in its own make, timed; the first failure stops the run.
test:
	@start=$$(date +%s); results=(); failed=; \
	for step in $(TEST_STEPS); do \
		echo "==> make $$step"; \
		t0=$$(date +%s); \
		if $(MAKE) --no-print-directory $$step; then rc=0; else rc=$$?; fi; \
		dt=$$(( $$(date +%s) - t0 )); \
		if [ $$rc -eq 0 ]; then results+=("$$step ok $${dt}s"); \
		else results+=("$$step FAILED $${dt}s"); failed=$$step; break; fi; \
	done; \
	echo; echo "==> make test summary"; \
	for step in $(TEST_STEPS); do \
		line="$$step skipped -"; \
		for r in "$${results[@]}"; do case "$$r" in "$$step "*) line=$$r;; esac; done; \
		printf '  %-8s %-8s %s\n' $$line; \
	done; \
	total=$$(( $$(date +%s) - start )); \
	if [ -n "$$failed" ]; then echo "make test: FAILED at $$failed after $${total}s"; exit 1; fi; \
	echo "make test: all steps OK ($(TEST_STEPS)) in $${total}s"

clean:
	rm -rf $(VENV) tests/output .pytest_cache .hypothesis .ansible
	rm -f ispsystem-billmanager-*.tar.gz
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
