# Dealix. On a fresh machine with Python 3.11 and make: `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed

.PHONY: demo test bench migrate messages reset-data

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

## make demo: embedded PostgreSQL + Redis, migrations, demo tenants, web server, RQ worker and scheduler
demo: $(STAMP)
	$(PY) -m dealix.dev.run demo

## make test: the whole pytest suite (ARGS="-k login" to narrow it)
test: $(STAMP)
	$(PY) -m dealix.dev.run test $(ARGS)

## make bench: one JSON line per measured figure
bench: $(STAMP)
	$(PY) -m dealix.dev.run bench $(ARGS)

migrate: $(STAMP)
	$(PY) -m dealix.dev.run migrate

## make messages: refresh locale/*/django.po from the code (needs GNU gettext)
messages: $(STAMP)
	$(PY) manage.py makemessages --locale ar --ignore ".venv/*" --ignore ".data/*" --no-obsolete

## make reset-data: stop the embedded servers and delete their data
reset-data: $(STAMP)
	$(PY) -m dealix.dev.run reset
