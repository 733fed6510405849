"""Every notebooks/*.py (the reviewed source) has a paired .ipynb with the same code cells."""

from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "notebooks").glob("*.py"))


def code_cells(notebook):
    return [
        (cell.source.strip(), "parameters" in cell.metadata.get("tags", []))
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


@pytest.mark.skipif(not SOURCES, reason="no notebooks/*.py yet")
@pytest.mark.parametrize("source", SOURCES, ids=[path.stem for path in SOURCES])
def test_py_and_ipynb_have_the_same_code(source):
    paired = source.with_suffix(".ipynb")
    assert paired.exists(), f"{source.name} has no paired notebook {paired.name}; run `make sync` (jupytext --sync)."
    from_source, from_notebook = code_cells(jupytext.read(source)), code_cells(jupytext.read(paired))
    differing = [
        index for index in range(max(len(from_source), len(from_notebook)))
        if index >= min(len(from_source), len(from_notebook)) or from_source[index] != from_notebook[index]
    ]
    assert not differing, (
        f"notebooks/{source.stem}: code cell {differing[0] + 1} (of {len(from_source)} in {source.name}, "
        f"{len(from_notebook)} in {paired.name}) differs in source or parameters tag; "
        "run `make sync` after editing the .py, and commit both."
    )
    assert [tagged for _, tagged in from_source].count(True) == 1, (
        f"notebooks/{source.stem}: exactly one code cell must be tagged parameters."
    )
