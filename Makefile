# Two commands for a fresh machine with Python 3.11+:
#   make run   set up .venv, then start the app on http://localhost:8501 (with the sample district)
#   make test  set up .venv, then run every test (browser tests need Debian's chromium: see README)
#   make team  a team server: sign-in on every page (README "Deploy for a team"); first make a facilitator:
#              make account EMAIL=you@district.org
# Another port or workspace folder: make run PORT=8600 WORKSPACE=~/equity-team
PYTHON ?= python3
PORT ?= 8501
WORKSPACE ?=
WITH_WORKSPACE := $(if $(WORKSPACE),SUCCESSGAPS_WORKSPACE="$(WORKSPACE)" ,)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench team account
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

run: $(VENV)/.installed
	$(WITH_WORKSPACE)$(PY) -m successgaps.process.sample --ensure-project
	$(WITH_WORKSPACE)$(PY) -m streamlit run Home.py --server.port $(PORT)

team: $(VENV)/.installed
	SUCCESSGAPS_MODE=team $(WITH_WORKSPACE)$(PY) -m streamlit run Home.py --server.port $(PORT) --server.address 127.0.0.1

account: $(VENV)/.installed
	SUCCESSGAPS_MODE=team $(WITH_WORKSPACE)$(PY) -m successgaps account "$(EMAIL)"

test: $(VENV)/.installed
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) -m bench --rows 1000000
