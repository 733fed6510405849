"""Committed notebooks/*.ipynb carry no machine paths and no warning boxes in their outputs.

A stored output is what a reader sees on GitHub and what nbval compares, so it must not name
the machine that executed it (``/work/...``, ``.venv``, ``site-packages``, the home or temporary
folder) and must not hold a stderr stream (Jupyter draws it as a red warning box): a warning is
fixed at its cause in the notebook's ``.py``, or a known-harmless one is filtered by its exact
message in the setup cell. Fix: edit the ``.py``, ``make sync``, then re-execute the notebook in
place (``cd notebooks && ../.venv/bin/jupyter nbconvert --to notebook --execute --inplace NAME.ipynb``
with TF_CPP_MIN_LOG_LEVEL=2 PYTHONHASHSEED=0, SEQLAB_DATA_DIR unset, and MPLBACKEND unset so that
figures are stored). A progress bar is stderr too: the first parse of a data set (Bach chorales,
"cached afterwards") draws one, so execute a notebook for committing once its data cache is warm.
"""

import json
import re
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*/*.ipynb"))

# Fixed markers of this machine's layout, plus the folders of whatever machine runs the test.
_FIXED = [r"(?<![\w.~-])/(?:work|tmp|root|home)/", r"site-packages", r"(?<![\w-])\.venv\b"]
_LOCAL = {str(ROOT), str(Path.home()), sys.prefix, tempfile.gettempdir()}
MACHINE_PATH = re.compile(
    "|".join(_FIXED + [re.escape(path) for path in sorted(_LOCAL) if len(Path(path).parts) > 2])
)


def output_text(output):
    """Every string of one stored output (stream text, text/* data, traceback), joined."""
    pieces = [output.get("text", "")]
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime.endswith("json"):
            pieces.append(value if isinstance(value, str) else json.dumps(value))
    pieces += output.get("traceback", [])
    return "".join("".join(piece) if isinstance(piece, list) else piece for piece in pieces)


def problems(notebook):
    """Lines naming each offending cell (1-based, as Jupyter counts) of one notebook file."""
    content = json.loads(notebook.read_text())
    found = []
    metadata_hit = MACHINE_PATH.search(json.dumps(content.get("metadata", {})))
    if metadata_hit:
        found.append(f"notebook metadata: machine path {metadata_hit.group(0)!r}")
    for number, cell in enumerate(content["cells"], start=1):
        where = f"cell {number} (id {cell.get('id', '?')})"
        first_line = "".join(cell.get("source", "")).strip().splitlines()[:1]
        where += f" `{first_line[0][:60]}`" if first_line else ""
        for output in cell.get("outputs", []):
            text = output_text(output)
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                found.append(f"{where}: stderr output (a warning box): {(text.strip().splitlines() or [''])[0][:160]!r}")
            hit = MACHINE_PATH.search(text)
            if hit:
                line = next(line for line in text.splitlines() if hit.group(0) in line)
                found.append(f"{where}: machine path {hit.group(0)!r} in output: {line.strip()[:160]!r}")
        metadata_hit = MACHINE_PATH.search(json.dumps(cell.get("metadata", {})))
        if metadata_hit:
            found.append(f"{where}: machine path {metadata_hit.group(0)!r} in cell metadata")
    return found


def test_the_check_catches_a_warning_box_and_a_machine_path(tmp_path):
    dirty = tmp_path / "dirty.ipynb"
    dirty.write_text(json.dumps({"metadata": {}, "cells": [
        {"cell_type": "code", "id": "a1", "metadata": {}, "source": ["import seqlab"], "outputs": [
            {"output_type": "stream", "name": "stderr", "text": ["UserWarning: something\n"]}]},
        {"cell_type": "code", "id": "b2", "metadata": {}, "source": "print(path)", "outputs": [
            {"output_type": "execute_result", "data": {"text/plain": "'/home/someone/.cache/x'"}}]},
        {"cell_type": "code", "id": "c3", "metadata": {}, "source": "print('ok')", "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "results/figures/x.png ../results/music\n"}]},
    ]}))
    found = problems(dirty)
    assert len(found) == 2, found
    assert found[0].startswith("cell 1 (id a1) `import seqlab`: stderr output")
    assert found[1].startswith("cell 2 (id b2) `print(path)`: machine path '/home/'")


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks/*.ipynb yet")
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_committed_outputs_have_no_machine_paths_and_no_warning_boxes(notebook):
    found = problems(notebook)
    assert not found, (
        f"notebooks/{notebook.name}:\n  " + "\n  ".join(found) + "\nFix the cause in notebooks/"
        f"{notebook.stem}.py, `make sync`, then re-execute {notebook.name} in place (see this test's docstring)."
    )
