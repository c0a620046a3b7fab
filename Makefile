# minibert: `make lab` opens the course, `make test` runs every test and every lesson,
# `make site` and `make slides` build the course to read offline (into _build/, git-ignored).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# A CPU build by default (pip finds it on the course machines' disk). A GPU user either keeps the torch
# already in $(VENV) or chooses a build, e.g. TORCH_SPEC="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128".
TORCH_SPEC ?= torch==2.13.0
STAMP := $(VENV)/.minibert-installed
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

.PHONY: setup lab test test-unit test-lessons kernel clean site slides tag-slides browser

setup: $(STAMP)

$(STAMP): pyproject.toml requirements-nodeps.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install $(TORCH_SPEC)
	$(PY) -m pip install -e ".[lessons,test,docs]"
	$(PY) -m pip install --no-deps --require-hashes -r requirements-nodeps.txt
	$(PY) -m ipykernel install --sys-prefix --name minibert --display-name "minibert"
	$(PY) -c "import minibert, torch; print('minibert', minibert.__version__, '| torch', torch.__version__)"
	touch $(STAMP)

# root (a container, a CI box) must say so to Jupyter explicitly
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup
	$(VENV)/bin/jupyter lab $(ALLOW_ROOT) notebooks/

# Tests run in 2 processes; each gets half the cores for torch. (Two processes that each start a thread per
# core spin-wait on each other: on 2 cores the lessons' small training steps ran about 10x slower.)
TEST_THREADS := $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n > 3 ? n / 2 : 1 )))
# The tests run as most learners' CPUs would (AVX2, no bf16 units): MINIBERT_CPU_BF16=0 keeps minibert in fp32
# on a CPU that has bf16 too. `make test CPU_BF16=1` allows bf16 where the CPU has it.
CPU_BF16 ?= 0
TEST_ENV := OMP_NUM_THREADS=$(TEST_THREADS) MKL_NUM_THREADS=$(TEST_THREADS) MINIBERT_CPU_BF16=$(CPU_BF16)

test: setup browser
	$(TEST_ENV) $(PY) -m pytest -n 2 --dist loadfile -q -rs tests $(NBVAL) notebooks

test-unit: setup
	$(TEST_ENV) $(PY) -m pytest -n 2 -q -rs tests

test-lessons: setup
	$(TEST_ENV) $(PY) -m pytest -n 2 --dist loadfile -q $(NBVAL) notebooks

# The website (Sphinx + MyST-NB, the notebooks with their committed outputs, nothing executed) and the
# reveal.js slides (nbconvert), both offline: open _build/site/index.html and _build/slides/index.html.
# `make site REPOSITORY_URL=https://github.com/you/minibert` points the Colab and repository links there.
REPOSITORY_URL ?=
site: setup
	MINIBERT_REPOSITORY_URL=$(REPOSITORY_URL) $(PY) docs/site.py

slides: setup
	$(PY) docs/slides.py

# Writes the slide tags (cell metadata only) into the lessons; `--check` to only look.
tag-slides: setup
	$(PY) docs/tag_slides.py

# The browser tests (tests/test_site.py, tests/test_lab_widgets.py) drive a headless Chromium: installed here
# when missing and apt-get can (as root); otherwise the tests say what to install.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y --no-install-recommends chromium chromium-driver || \
	  { apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver; } || \
	  echo "could not install chromium and chromium-driver: the browser tests will say what is missing"; \
	else echo "chromium/chromedriver missing: install them (Debian: apt-get install chromium chromium-driver) for the browser tests"; fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis _build
