# Stack8s: `make run` sets up and serves; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
SHARED ?= ../shared

.PHONY: install run test lint bench eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: the CPU build on these machines (an unpinned torch pulls CUDA wheels)
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)
	@# tests/web drive Debian's chromium: add it where it is missing and apt-get can (a fresh CI machine, as root);
	@# if it cannot, the install goes on and those tests skip with the reason
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
		|| ! command -v apt-get >/dev/null 2>&1 \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
		|| echo "chromium could not be installed: the browser tests (tests/web) will be skipped"

run: install
	$(BIN)/stack8s db migrate
	$(BIN)/stack8s serve --host 127.0.0.1 --port 8000

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy --strict src

bench: install
	$(BIN)/python bench/accuracy.py $(SHARED)
	$(BIN)/python bench/understanding.py
	$(BIN)/python bench/run.py --shared $(SHARED)
	$(BIN)/python bench/load.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/cli.py

eval: install
	$(BIN)/python $(SHARED)/eval/evaluate.py --base-url http://127.0.0.1:8000 --cases $(SHARED)/eval/cases.yaml

clean:
	rm -rf $(VENV) .stack8s .pytest_cache
