# seqlab: `make run` (the main job) and `make test` (the whole suite). Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS ?= cpu,dask,dev
WORKERS ?= 2
SHARED_DATA := $(abspath ../shared/data)
export SEQLAB_DATA_DIR ?= $(if $(wildcard $(SHARED_DATA)),$(SHARED_DATA),)
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONHASHSEED ?= 0
export MPLBACKEND ?= Agg

.PHONY: install run test test-fast lab benchmark sync clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (seqlab)" >/dev/null
	$(BIN)/python -m seqlab.kernel_config
	touch $(STAMP)

## run: the main job: every experiment notebook at its defaults on embedded data, then the results table.
## Everything it writes goes to results/local/ (git-ignored): no tracked file changes.
run: $(STAMP)
	$(BIN)/seqlab run experiments/quickstart.yaml --workers $(WORKERS) --results-dir results/local

## test: unit tests, doctests, py/ipynb sync, notebooks under nbval, runner and Dask tests
test: $(STAMP)
	$(BIN)/python -m pytest tests seqlab notebooks --nbval-lax --durations=15

## lab: JupyterLab rooted at the project (notebooks/ and results/), with jupytext, so the .py notebooks open as notebooks
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=.

## sync: rewrite every paired .ipynb from its reviewed .py source (keeps outputs)
sync: $(STAMP)
	$(BIN)/jupytext --sync notebooks/*/*.py

## benchmark: speed benchmarks -> results/benchmarks/
benchmark: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) .pytest_cache results/runs results/local
