# SoMe-vakten: `make run` tries it out, `make test` proves it. Both set everything up themselves.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install run serve clock migrate test lint eval bench i18n clean

# setup.py builds the risk engine's native core: an edited .pyx is rebuilt by `make install`.
$(VENV)/.installed: pyproject.toml setup.py bot/risk/_native.pyx
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install  ## Slack when configured (migrates, serves); otherwise the console loop
	$(PY) -m bot run

serve: install migrate
	$(PY) -m bot serve

clock: install
	$(PY) -m scheduler

migrate: install
	$(PY) -m bot migrate

test: install  ## the whole suite (TEST_DATABASE_URL adds PostgreSQL)
	$(PY) -m pytest -q

lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy

eval: install  ## the risk engine's per-category table and its misses
	$(PY) -m bot.risk.evaluate

bench: install  ## webhook-to-card latency and the risk engine's throughput
	$(PY) bench/bench_webhooks.py
	$(PY) bench/bench_risk.py

i18n: install  ## refresh the message catalog after changing user-facing texts
	$(PY) -m babel.messages.frontend extract -F babel.cfg -k gettext -k ngettext:1,2 -k N_ \
		--no-location --sort-output --project=SoMe-vakten -o bot/locale/messages.pot .
	$(PY) -m babel.messages.frontend update -i bot/locale/messages.pot -d bot/locale \
		--no-fuzzy-matching --width 100

clean:
	rm -rf $(VENV) build bot/risk/_native.c bot/risk/_native.*.so data/*.db data/*.db-wal data/*.db-shm .pytest_cache .mypy_cache .ruff_cache
