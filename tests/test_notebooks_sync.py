"""Every notebooks/*.py (the reviewed source) has a paired .ipynb with the same code cells."""

from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "notebooks").glob("*/*.py"))


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


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*/*.ipynb"))


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks/*.ipynb yet")
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_papermill_sees_every_parameter(notebook):
    """`seqlab run` checks keys against papermill's view of the parameters cell: it must match the code.

    papermill skips a line with more than one ``=`` (for example ``= `` inside the help comment),
    and a parameter it skips cannot be set from an experiment file.
    """
    import ast

    import papermill

    cells = [cell for cell in jupytext.read(notebook).cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(cells) == 1, f"notebooks/{notebook.name}: exactly one code cell must be tagged parameters."
    assigned = [
        node.target.id if isinstance(node, ast.AnnAssign) else node.targets[0].id
        for node in ast.parse(cells[0].source).body
        if isinstance(node, (ast.AnnAssign, ast.Assign))
    ]
    seen = list(papermill.inspect_notebook(str(notebook)))
    missing = [name for name in assigned if name not in seen]
    assert not missing, (
        f"notebooks/{notebook.name}: papermill cannot read the parameters {missing}; keep each on one line "
        "with a single '=' (no '=' in the help comment)."
    )
