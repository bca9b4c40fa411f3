# ispsystem.billmanager: development entry points.
#
#   make demo      venv, then the main job end to end against the sandbox (demo/run-demo.sh)
#   make test      venv, then pytest, sanity, lint and docs-lint, stopping at the first failure
#   make venv      .venv with the tools of requirements-dev.txt (re-installed when it changes)
#   make pytest    pytest tests -q
#   make sanity    ansible-test sanity on a copy of the collection, offline pip bootstrap included
#   make lint      ansible-lint --profile production, antsibull-changelog lint, shellcheck
#   make build     ansible-galaxy collection build (the tarball lands in the repo root)
#   make bench     benchmarks against the sandbox, ~15 min (BENCH_ARGS=--quick: ~1 min): the fleet grid and per-task cost, also in benchmarks/results/latest.md
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

TEST_STEPS := venv pytest sanity lint docs-lint

.PHONY: help venv pytest sanity lint test build clean demo

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

# Starts the sandbox, provisions three example servers with the playbook, shows
# their licenses, provisions again (changed=0) and stops the sandbox.
demo: venv
	VENV_BIN="$(VENV_BIN)" demo/run-demo.sh

build: venv
	$(VENV_BIN)/ansible-galaxy collection build --force

# Measures, never fails on time (benchmarks/README.md). BENCH_ARGS=--quick: ~2 min.
BENCH_ARGS ?=

.PHONY: bench
bench: venv
	$(VENV_PY) benchmarks/run_all.py $(BENCH_ARGS)

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

# --- documentation, changelog, version matrix ----------------------------------
#
#   make docs-lint    antsibull-docs lint-collection-docs --plugin-docs (a step of make test)
#   make changelog    CHANGELOG.rst from changelogs/, unreleased fragments included (nothing bumped)
#   make test-matrix  sanity, unit, integration and sandbox tests on every ansible-core from 2.16 to 2.21
#                     (MATRIX_CORES="2.16 latest": only the oldest and the newest, what CI runs)
#
# The oldest is the one meta/runtime.yml claims (requires_ansible); each gets
# its own venv, .venv-matrix-<X.Y> and .venv-matrix-latest, on MATRIX_PYTHON.

.PHONY: docs-lint changelog test-matrix matrix-core

# The collection's name, from galaxy.yml.
GALAXY_NAMESPACE := $(shell awk '$$1 == "namespace:" { print $$2; exit }' galaxy.yml)
GALAXY_NAME := $(shell awk '$$1 == "name:" { print $$2; exit }' galaxy.yml)

# antsibull-docs wants the collection under ansible_collections/NAMESPACE/NAME:
# a symlink in a temporary folder is enough.
docs-lint: venv
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	mkdir -p "$$tmp/ansible_collections/$(GALAXY_NAMESPACE)"; \
	ln -s "$(CURDIR)" "$$tmp/ansible_collections/$(GALAXY_NAMESPACE)/$(GALAXY_NAME)"; \
	set -x; \
	$(VENV_BIN)/antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all \
		"$$tmp/ansible_collections/$(GALAXY_NAMESPACE)/$(GALAXY_NAME)"

# `antsibull-changelog release` on a throwaway copy (the version of galaxy.yml,
# the fragments kept here), then `generate` writes CHANGELOG.rst back. The
# repository's changelogs/ and galaxy.yml stay as they are; releasing for real
# is `antsibull-changelog release` in the checkout, after bumping galaxy.yml.
changelog: venv
	$(VENV_BIN)/antsibull-changelog lint
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	dest="$$tmp/ansible_collections/$(GALAXY_NAMESPACE)/$(GALAXY_NAME)"; \
	mkdir -p "$$dest"; \
	cp -R galaxy.yml changelogs meta plugins "$$dest"/; \
	for dir in roles playbooks; do if [ -d "$$dir" ]; then cp -R "$$dir" "$$dest"/; fi; done; \
	rm -f "$$dest/changelogs/.plugin-cache.yaml"; \
	cd "$$dest"; \
	if ls changelogs/fragments/*.y*ml >/dev/null 2>&1; then $(VENV_BIN)/antsibull-changelog release; fi; \
	$(VENV_BIN)/antsibull-changelog generate --output "$(CURDIR)/CHANGELOG.rst" --output-format rst; \
	echo "changelog: wrote CHANGELOG.rst"

# The matrix: one venv per ansible-core, all on MATRIX_PYTHON (3.12 runs every
# ansible-core from 2.16 to 2.21). A pinned X.Y leg takes the lowest versions
# requirements.txt allows; "latest" is whatever pip picks today. MATRIX_CORES
# starts at the lower bound of requires_ansible in meta/runtime.yml (a run
# without it says so).
# The modules also run on the oldest Python 3 that the leg's ansible-core
# supports on managed hosts (from ansible-test's REMOTE_ONLY_PYTHON_VERSIONS:
# 3.6 for 2.16, 3.7 for 2.17, 3.8 for 2.18 and 2.19, 3.9 for 2.20 and 2.21), in a venv of
# its own with requirements.txt (BILLMANAGER_TEST_MODULE_PYTHON); Python 2.7,
# which 2.16 still supports there, is not one the collection supports.
MATRIX_PYTHON ?= python3.12
MATRIX_OLDEST := $(shell sed -n 's/^requires_ansible:[^0-9]*\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' meta/runtime.yml)
MATRIX_CORES ?= $(MATRIX_OLDEST) 2.17 2.18 2.19 2.20 2.21
MATRIX_TESTS ?= tests/unit tests/integration tests/sandbox
MATRIX_PYTEST_ARGS ?=
# These tests need tools that are not part of the matrix (galaxy-importer, ansible-builder, antsibull-*).
MATRIX_IGNORE := --ignore=tests/integration/ecosystem/test_ecosystem_tools.py

test-matrix:
	@case " $(MATRIX_CORES) " in *" $(MATRIX_OLDEST) "*) ;; \
		*) echo "test-matrix: note: MATRIX_CORES leaves out $(MATRIX_OLDEST), the lower bound meta/runtime.yml claims" >&2;; \
	esac; \
	python=$$(tools/find-python "$(MATRIX_PYTHON)") || { echo "test-matrix: no $(MATRIX_PYTHON): the matrix cannot run" >&2; exit 2; }; \
	echo "test-matrix: ansible-core $(MATRIX_CORES) on $$python"
	@start=$$(date +%s); results=(); failed=; \
	for core in $(MATRIX_CORES); do \
		echo "==> matrix: ansible-core $$core"; \
		t0=$$(date +%s); \
		if $(MAKE) --no-print-directory matrix-core MATRIX_CORE=$$core; then r=ok; else r=FAILED; failed="$$failed $$core"; fi; \
		results+=("$$core $$r $$(( $$(date +%s) - t0 ))s"); \
	done; \
	echo; echo "==> make test-matrix summary"; \
	for r in "$${results[@]}"; do printf '  ansible-core %-8s %-8s %s\n' $$r; done; \
	total=$$(( $$(date +%s) - start )); \
	if [ -n "$$failed" ]; then echo "make test-matrix: FAILED on$$failed after $${total}s"; exit 1; fi; \
	echo "make test-matrix: all OK ($(MATRIX_CORES)) in $${total}s"

matrix-core:
	@test -n "$(MATRIX_CORE)" || { echo "matrix-core: set MATRIX_CORE (X.Y or latest)" >&2; exit 2; }
	@core="$(MATRIX_CORE)"; venv="$(CURDIR)/.venv-matrix-$(MATRIX_CORE)"; \
	python=$$(tools/find-python "$(MATRIX_PYTHON)"); \
	pyver=$$("$$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	reqs="$$venv/requirements.txt"; \
	if [ -x "$$venv/bin/python" ] && [ "$$("$$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" != "$$pyver" ]; then rm -rf "$$venv"; fi; \
	if [ ! -x "$$venv/bin/python" ]; then echo "matrix: creating $$venv with $$python"; "$$python" -m venv "$$venv"; fi; \
	if [ "$$core" = latest ]; then echo 'ansible-core' > "$$reqs"; grep -vE '^\s*(#|$$)' requirements.txt >> "$$reqs"; \
	else echo "ansible-core==$$core.*" > "$$reqs"; grep -vE '^\s*(#|$$)' requirements.txt | sed 's/>=/==/' >> "$$reqs"; fi; \
	grep -E '^(pytest|hypothesis)[ <>=!~]' requirements-dev.txt >> "$$reqs"; \
	echo "matrix: installing into $$venv: $$(tr '\n' ' ' < "$$reqs")"; \
	"$$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off -q --upgrade -r "$$reqs"; \
	"$$venv/bin/python" -m pip freeze --disable-pip-version-check | grep -iE '^(ansible-core|requests|pytest)==' | tr '\n' ' '; echo; \
	modmin=$$("$$venv/bin/python" -c 'from ansible_test._util.target.common.constants import REMOTE_ONLY_PYTHON_VERSIONS as v, CONTROLLER_PYTHON_VERSIONS as c; print(min((x for x in v + c if x.startswith("3.")), key=lambda x: tuple(map(int, x.split(".")))))'); \
	modpython=$$(tools/find-python "python$$modmin"); modvenv="$(CURDIR)/.venv-matrix-py$$modmin"; \
	if [ ! -x "$$modvenv/bin/python" ]; then echo "matrix: creating $$modvenv (module side) with $$modpython"; "$$modpython" -m venv "$$modvenv"; fi; \
	grep -vE '^\s*(#|$$)' requirements.txt | sed 's/>=/==/' > "$$modvenv/requirements.txt"; \
	: "the leg's modern pip picks wheels for Python $$modmin (the module venv's own pip may be too old to honour requires-python)"; \
	"$$venv/bin/python" -m pip download --disable-pip-version-check --progress-bar off -q --only-binary=:all: \
		--python-version "$$modmin" --dest "$$modvenv/wheels" -r "$$modvenv/requirements.txt"; \
	"$$modvenv/bin/python" -m pip install --disable-pip-version-check -q --no-index --find-links "$$modvenv/wheels" \
		-r "$$modvenv/requirements.txt"; \
	export PATH="$$venv/bin:$$PATH"; \
	echo "==> matrix $$core: sanity (Python $$pyver)"; \
	"$$venv/bin/python" tools/ansible_test_bootstrap.py; \
	t0=$$(date +%s); sanity=ok; \
	ANSIBLE_TEST="$$venv/bin/ansible-test" tools/run-ansible-test sanity --venv --python "$$pyver" || sanity=FAILED; \
	t1=$$(date +%s); \
	echo "==> matrix $$core: pytest $(MATRIX_TESTS) (modules also on Python $$modmin)"; \
	tests=ok; \
	BILLMANAGER_TEST_MODULE_PYTHON="$$modvenv/bin/python" \
		"$$venv/bin/python" -m pytest $(MATRIX_TESTS) -q -p no:cacheprovider $(MATRIX_IGNORE) $(MATRIX_PYTEST_ARGS) || tests=FAILED; \
	t2=$$(date +%s); \
	echo "==> matrix $$core: sanity $$sanity $$((t1 - t0))s, pytest $$tests $$((t2 - t1))s"; \
	test "$$sanity$$tests" = okok
