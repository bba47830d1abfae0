# The everyday commands. `make run` installs and starts the app; `make test` installs
# and runs the tests (this is what .ci/run calls).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: setup run test bench package

$(VENV)/.installed: pyproject.toml setup.py
	bash packaging/linux/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,package]'
	touch $@

setup: $(VENV)/.installed

run: setup
	bash packaging/linux/start.sh $(VENV)/bin/plm-desktop

test: setup
	$(PY) -m ruff check plm_desktop tests
	$(PY) -m pytest

bench: setup
	$(PY) -m tests.bench $(BENCH)

# The one-folder bundle and the installer (.deb on Linux) in dist/; packaging/build.py.
package: setup
	$(PY) packaging/build.py
