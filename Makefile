# Backstage: `make run` installs and starts the studio with its demo; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export DJANGO_SETTINGS_MODULE := backstage.settings

.PHONY: run install install-test test lint typecheck test-suite bench vendor messages clean

run: install
	$(BIN)/backstage demo
	$(BIN)/backstage run

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q uv==$(UV_VERSION)

install: $(VENV)/.installed-base
$(VENV)/.installed-base: $(BIN)/uv requirements/base.txt pyproject.toml
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements/base.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.installed-test
	touch $@

install-test: $(VENV)/.installed-test
$(VENV)/.installed-test: $(BIN)/uv requirements/test.txt pyproject.toml
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements/test.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.installed-base
	touch $@

lint: install-test
	$(BIN)/ruff check src tests bench scripts conftest.py
	$(BIN)/ruff format --check src tests bench scripts conftest.py

typecheck: install-test
	$(BIN)/mypy

# The whole suite on the database named by DATABASE_URL (SQLite in memory when unset).
test-suite: install-test
	$(BIN)/pytest -n 2 -p xdist --dist loadfile -q -ra

test: lint typecheck test-suite

bench: install-test
	$(BIN)/python bench/production_page.py
	$(BIN)/python bench/call_page.py
	$(BIN)/python bench/upload.py --patch-size 2G
	$(BIN)/python bench/transcode.py
	$(BIN)/python bench/torrent.py
	$(BIN)/python bench/release_page.py

# Re-vendor the front-end libraries pinned in package.json (needs npm).
vendor:
	scripts/vendor.sh

# Refresh the French translation catalogue and compile it (needs GNU gettext).
messages: install-test
	cd src/backstage && ../../$(BIN)/django-admin makemessages -l fr --no-obsolete --ignore "*/tests/*" \
	  && ../../$(BIN)/django-admin compilemessages -l fr

clean:
	rm -rf $(VENV) var
