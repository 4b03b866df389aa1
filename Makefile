# The two set-up commands of the README.  Each target builds the virtual environment it
# needs, so both work on a fresh clone.
PY ?= python3
# setuptools announces every editable install of a package-dir layout (ours maps impl/,
# sim/, ... onto aioctx.*) with an information-only warning; PYTHONWARNINGS filters are
# its documented way to quiet one, here by the start of that message only.
QUIET_EDITABLE = PYTHONWARNINGS="ignore:Editable installation"

.PHONY: regress demo test spin

.venv/.installed: pyproject.toml
	$(PY) -m venv .venv
	.venv/bin/pip install -q --upgrade pip
	$(QUIET_EDITABLE) .venv/bin/pip install -q -e .
	touch $@

.venv-test/.installed: pyproject.toml
	$(PY) -m venv .venv-test
	.venv-test/bin/pip install -q --upgrade pip
	$(QUIET_EDITABLE) .venv-test/bin/pip install -q -e '.[test,dask]'
	touch $@

# The main job: the race-regression catalogue (table on stdout, pictures and reports
# in regress-out/).
regress: .venv/.installed
	mkdir -p regress-out
	.venv/bin/aioctx regress --force --json regress-out/report.json --html regress-out/report.html

# The real loop under load, and what it measured.
demo: .venv/.installed
	.venv/bin/aioctx demo

# The whole test suite (SPIN is the oracle for the Promela front end).
test: .venv-test/.installed spin
	.venv-test/bin/python -m pytest

spin:
	@command -v spin >/dev/null 2>&1 || .ci/install-spin
