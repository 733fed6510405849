"""The package root: every public submodule is reachable as ``seqlab.<name>`` (lazy import)."""

import pathlib

import pytest

import seqlab

PACKAGE = pathlib.Path(seqlab.__file__).resolve().parent


def public_submodules(folder=PACKAGE):
    """Top-level ``.py`` modules and subpackages of a package folder whose names do not start with ``_``."""
    modules = {path.stem for path in folder.glob("*.py")}
    packages = {path.parent.name for path in folder.glob("*/__init__.py")}
    return {name for name in modules | packages if not name.startswith("_")}


@pytest.mark.parametrize("package", [seqlab, seqlab.data], ids=["seqlab", "seqlab.data"])
def test_every_submodule_is_listed(package):
    folder = pathlib.Path(package.__file__).resolve().parent
    assert public_submodules(folder) - package._SUBMODULES == set(), f"add these to {package.__name__}._SUBMODULES"
    assert package._SUBMODULES - public_submodules(folder) == set(), (
        f"these in {package.__name__}._SUBMODULES have no module file")


@pytest.mark.parametrize("name", ["results", "data", "metrics"])
def test_submodules_import_on_first_access(name):
    assert getattr(seqlab, name).__name__ == f"seqlab.{name}"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        seqlab.nothing_here


# Layers of the package, lowest first: a module may import its own layer and the layers below.
# data (loaders, vocabularies, batching) < metrics (scores of predictions) < model parts (cells,
# stacks, layers, builders, NADE, CRF, sampling) < tasks (one module per experiment notebook).
LAYERS = {"data": 0, "metrics": 1, "tasks": 3}
MODEL_PARTS = {"cells", "stacks", "layers", "builders", "nade", "crf", "sampling", "losses"}


def _layer(module):
    """The layer of a dotted ``seqlab.x.y`` module name, or None for modules outside the layering."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "seqlab":
        return None
    return 2 if parts[1] in MODEL_PARTS else LAYERS.get(parts[1])


def _imports(path):
    import ast

    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield from ([f"{node.module}.{alias.name}" for alias in node.names] if node.module == "seqlab"
                        else [node.module])


def test_no_module_imports_upward():
    upward = []
    for path in PACKAGE.rglob("*.py"):
        module = "seqlab." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
        own = _layer(module)
        if own is None:
            continue
        upward += [f"{module} imports {imported}" for imported in _imports(path)
                   if (_layer(imported) or 0) > own]
    assert not upward, "imports that run upward (data < metrics < model parts < tasks):\n" + "\n".join(upward)
