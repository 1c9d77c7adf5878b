# make test : create .venv, install neuronet with its dev extras, fetch the data, run all tests
# make demo : the same set-up, then `neuronet train`: LeNet-5 on Fashion-MNIST, run in runs/demo
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
FASHION_DIR := /usr/share/datasets/fashion-mnist
WORDS_FILE := /usr/share/dict/words
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup data browser test test-fast demo bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Fashion-MNIST comes from Debian's dataset-fashion-mnist package, the English word list from
# wamerican; install them when missing.
data:
	@if [ ! -f $(FASHION_DIR)/train-images-idx3-ubyte.gz ]; then \
		echo "installing Debian package dataset-fashion-mnist"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq dataset-fashion-mnist; \
	fi
	@if [ ! -f $(WORDS_FILE) ]; then \
		echo "installing Debian package wamerican (the word list of the language model)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wamerican; \
	fi

# The playground's browser tests drive Debian's Chromium through Playwright; install it when missing.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "installing Debian package chromium (headless browser of the playground tests)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; \
	fi

test: setup data browser
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

demo: setup data
	rm -rf runs/demo
	$(VENV)/bin/neuronet train --model lenet5 --dataset fashion-mnist --epochs 4 --lr 2e-3 --normalize --out runs/demo

bench: setup data
	for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks examples

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
