"""Project-wide pytest hooks.

nbval runs every notebook under ``notebooks/``; a notebook whose default data is a benchmark file (not
embedded in an installed package) is skipped, saying which source is missing, when that file cannot be
found (set ``SEQLAB_DATA_DIR``; the Makefile points it at ``../shared/data`` when that folder exists).
The test fixtures live in ``tests/conftest.py``.
"""

import pytest

# notebook file name -> the data source its literal defaults read
BENCHMARK_DEFAULTS = {"dna_splice.ipynb": "uci_splice"}


def pytest_collection_modifyitems(config, items):
    from seqlab.data import sources

    missing = {}
    for name, source in BENCHMARK_DEFAULTS.items():
        try:
            sources.locate(source)
        except sources.DataNotFoundError as error:
            missing[name] = f"{name} reads {source} at its defaults and it is not available: {error}".splitlines()[0]
    for item in items:
        if item.path.name in missing:
            item.add_marker(pytest.mark.skip(reason=missing[item.path.name]))
