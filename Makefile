# Two commands for a fresh machine with Python 3.11+:
#   make run   set up .venv, then start the app on http://localhost:8501 (with the sample district)
#   make test  set up .venv, then run every test (browser tests need Debian's chromium: see README)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

run: $(VENV)/.installed
	$(PY) -m successgaps.process.sample --ensure-project
	$(PY) -m streamlit run Home.py

test: $(VENV)/.installed
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) -m bench --rows 1000000
