"""Shared pytest fixtures.

``fixture_project`` is a throw-away project folder for runner tests: a ``pyproject.toml``
marker (so it is the project root), ``notebooks/tiny.ipynb`` (a notebook without TensorFlow
that runs in about a second) and a helper that writes ``experiments/<name>.yaml``.
"""

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


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
