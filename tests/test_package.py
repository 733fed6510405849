"""The package root: every public submodule is reachable as ``seqlab.<name>`` (lazy import)."""

import pathlib

import pytest

import seqlab

PACKAGE = pathlib.Path(seqlab.__file__).resolve().parent


def public_submodules():
    """Top-level ``.py`` modules and subpackages of ``seqlab/`` whose names do not start with ``_``."""
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    return {name for name in modules | packages if not name.startswith("_")}


def test_every_submodule_is_listed():
    assert public_submodules() - seqlab._SUBMODULES == set(), "add these to seqlab._SUBMODULES"
    assert seqlab._SUBMODULES - public_submodules() == set(), "these in seqlab._SUBMODULES have no module file"


@pytest.mark.parametrize("name", ["results", "data", "metrics"])
def test_submodules_import_on_first_access(name):
    assert getattr(seqlab, name).__name__ == f"seqlab.{name}"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        seqlab.nothing_here
