# Splunk Add-on for Cisco ThousandEyes — developer entry points.
#   make test      ruff + the whole pytest suite (shipped package on Python 3.9 and 3.13 included)
#   make package   dist/TA-thousandeyes-<version>.tgz + AppInspect report
#   make demo      the product end to end on the built-in simulator
#   make bench     benchmarks
# test and demo first install the missing Debian packages (tools/system_packages.sh, as .ci/run).
SHELL := /bin/bash
PYTHON313 := $(shell tools/find_python.sh 3.13)
PYTHON39 := $(shell tools/find_python.sh 3.9)
VENV := .venv
PY := $(VENV)/bin/python
AI_VENV := .venv-appinspect
# Bare environments with pytest only: the shipped package must bring everything else itself.
BARE39 := .venv-bare-py39
BARE313 := .venv-bare-py313
PYTEST_ARGS ?=

.PHONY: test lint build package inspect demo bench clean venv system

# Only the missing packages, quietly; stops with the command to run when it cannot install.
system:
	@tools/system_packages.sh
	@tools/find_python.sh 3.9 >/dev/null && tools/find_python.sh 3.13 >/dev/null

venv: $(VENV)/.installed
$(VENV)/.installed: requirements/dev.txt requirements/runtime.txt | system
	$(PYTHON313) -m venv $(VENV)  # also mends a venv an interrupted first run left without pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

$(BARE39)/.installed: requirements/bare.txt
	$(PYTHON39) -m venv $(BARE39)
	$(BARE39)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/bare.txt
	touch $@

$(BARE313)/.installed: requirements/bare.txt
	$(PYTHON313) -m venv $(BARE313)
	$(BARE313)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/bare.txt
	touch $@

$(AI_VENV)/.installed: requirements/appinspect.txt
	$(PYTHON313) -m venv $(AI_VENV)
	$(AI_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/appinspect.txt
	touch $@

build: venv
	$(PY) tools/build.py build

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: system build lint $(BARE39)/.installed $(BARE313)/.installed
	TA_BARE_PYTHON39=$(CURDIR)/$(BARE39)/bin/python TA_BARE_PYTHON313=$(CURDIR)/$(BARE313)/bin/python \
	  $(PY) -m pytest $(PYTEST_ARGS)

package: venv $(AI_VENV)/.installed
	$(PY) tools/build.py package
	$(PY) tools/build.py inspect $(CURDIR)/$(AI_VENV)/bin/splunk-appinspect

# The demo builds and packages the app itself, so it needs only the environment.
demo: system venv
	$(PY) tools/demo.py $(if $(SERVE),--serve,)

bench: build
	$(PY) -m tests.benchmarks

clean:
	rm -rf build dist .pytest_cache tests/artifacts
