"""Shared pytest fixtures.

``fixture_project`` is a throw-away project folder for runner tests: a ``pyproject.toml``
marker (so it is the project root), ``notebooks/tiny.ipynb`` (a notebook without TensorFlow
that runs in about a second) and a helper that writes ``experiments/<name>.yaml``.

``shared_data(folder, *files)`` is the one way a test reaches the shared benchmark copies
(``$SEQLAB_DATA_DIR/<folder>``, else ``../shared/data/<folder>`` beside the project): it returns the
folder, or skips the test saying which file is missing and where it looked.
"""

import os
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]


def _shared_data(folder, *files):
    roots = [Path(os.environ["SEQLAB_DATA_DIR"])] if os.environ.get("SEQLAB_DATA_DIR") else []
    roots.append(ROOT.parent / "shared" / "data")
    for root in roots:
        if all((root / folder / name).is_file() for name in files):
            return root / folder
    pytest.skip(f"{folder}/{{{', '.join(files)}}} is in none of {', '.join(map(str, roots))} "
                "(set SEQLAB_DATA_DIR to the folder holding the shared benchmark copies)")


@pytest.fixture
def shared_data():
    """``shared_data(folder, *files)``: the folder of shared benchmark files holding ``files``, or a skip."""
    return _shared_data


class FixtureProject:
    def __init__(self, root):
        self.root = root
        (root / "pyproject.toml").write_text('[project]\nname = "fixture-project"\n')
        (root / "notebooks").mkdir()
        shutil.copy(FIXTURES / "tiny.ipynb", root / "notebooks" / "tiny.ipynb")

    def experiment(self, text, name="sweep"):
        """Write ``experiments/<name>.yaml`` with ``text`` and return its path."""
        path = self.root / "experiments" / f"{name}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        return path

    def runs_dir(self, name="sweep"):
        return self.root / "results" / "runs" / name


@pytest.fixture
def fixture_project(tmp_path):
    return FixtureProject(tmp_path)


# tests/fixtures holds notebooks the runner tests execute themselves: not test modules
# (--doctest-modules would import tiny.py) and not notebooks for nbval to run.
collect_ignore_glob = ["fixtures/*"]
