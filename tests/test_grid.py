"""Experiment YAML loading: expansion, run ids, and every error before anything runs."""

import re

import pytest

from seqlab import grid


def test_product_union_sorted_with_deterministic_ids(fixture_project):
    path = fixture_project.experiment(
        "notebook: notebooks/tiny.ipynb\n"
        "description: a sweep\n"
        "params: {learning_rate: 1}\n"  # an int where the notebook says float is fine
        "grid:\n"
        "  - {cell: [lstm, gru], depth: [10, 2]}\n"
        "  - {cell: rnn, bidirectional: [true]}\n"
        "  - {cell: gru, depth: 2}\n"  # the same run again: kept once
        "summary: {group_by: [cell, depth], metrics: [test_accuracy]}\n"
    )
    experiment = grid.load(path)
    assert experiment.name == "sweep"
    assert experiment.root == fixture_project.root
    assert experiment.summary == {"group_by": ["cell", "depth"], "metrics": ["test_accuracy"]}
    # sorted by parameter name, then value (numbers numerically)
    assert [run.run_id for run in experiment.runs] == [
        "bidirectional=true,cell=rnn",
        "cell=gru,depth=2",
        "cell=gru,depth=10",
        "cell=lstm,depth=2",
        "cell=lstm,depth=10",
    ]
    first = experiment.runs[1]
    assert first.notebook == "notebooks/tiny.ipynb"
    assert first.parameters == {"learning_rate": 1, "cell": "gru", "depth": 2}
    # values: the notebook's defaults overridden by the run's parameters
    assert first.values["seed"] == 0 and first.values["depth"] == 2 and first.values["fail"] is False
    assert grid.load(path).runs == experiment.runs


def test_several_notebooks_list_and_grid_key(fixture_project):
    notebooks = fixture_project.root / "notebooks"
    (notebooks / "other.ipynb").write_bytes((notebooks / "tiny.ipynb").read_bytes())
    listed = grid.load(fixture_project.experiment("notebook: [notebooks/tiny.ipynb, notebooks/other.ipynb]\n"))
    assert [(run.run_id, run.notebook) for run in listed.runs] == [
        ("notebook=other", "notebooks/other.ipynb"),
        ("notebook=tiny", "notebooks/tiny.ipynb"),
    ]
    per_notebook = grid.load(
        fixture_project.experiment(
            "grid:\n  - {notebook: notebooks/tiny.ipynb, seed: [1, 2]}\n  - {notebook: notebooks/other.ipynb}\n",
            name="mixed",
        )
    )
    assert [run.run_id for run in per_notebook.runs] == ["notebook=other", "notebook=tiny,seed=1", "notebook=tiny,seed=2"]


def test_unknown_parameter_lists_the_known_ones(fixture_project):
    path = fixture_project.experiment("notebook: notebooks/tiny.ipynb\ngrid: {unit: [8, 16]}\n")
    with pytest.raises(grid.ExperimentError) as error:
        grid.load(path)
    message = str(error.value)
    assert "unknown parameters ['unit']" in message
    assert "cell, depth, seed, learning_rate, bidirectional, fail, sleep_seconds, started_marker" in message


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("depth: two", "parameter depth='two' has type str; expected int"),
        ("depth: true", "parameter depth=True has type bool; expected int"),
        ("depth: 2.5", "parameter depth=2.5 has type float; expected int"),
        ("learning_rate: fast", "parameter learning_rate='fast' has type str; expected float"),
        ("bidirectional: 1", "parameter bidirectional=1 has type int; expected bool"),
        ("cell: 3", "parameter cell=3 has type int; expected str"),
    ],
)
def test_wrong_type_names_key_value_and_type(fixture_project, line, fragment):
    path = fixture_project.experiment(f"notebook: notebooks/tiny.ipynb\nparams:\n  {line}\n")
    with pytest.raises(grid.ExperimentError, match=re.escape(fragment)):
        grid.load(path)


def test_key_both_fixed_and_swept(fixture_project):
    path = fixture_project.experiment("notebook: notebooks/tiny.ipynb\nparams: {seed: 1}\ngrid: {seed: [1, 2]}\n")
    with pytest.raises(grid.ExperimentError, match=re.escape("keys ['seed'] are both fixed and swept")):
        grid.load(path)


def test_missing_notebook(fixture_project):
    path = fixture_project.experiment("notebook: notebooks/absent.ipynb\n")
    with pytest.raises(grid.ExperimentError, match="notebook not found: notebooks/absent.ipynb"):
        grid.load(path)


def test_malformed_yaml_names_the_line(fixture_project):
    path = fixture_project.experiment("notebook: notebooks/tiny.ipynb\nparams:\n  seed: 1\n grid: [\n")
    with pytest.raises(grid.ExperimentError, match=r"sweep.yaml:4:\d+: malformed YAML"):
        grid.load(path)


def test_unknown_top_level_key(fixture_project):
    path = fixture_project.experiment("notebook: notebooks/tiny.ipynb\nparameters: {seed: 1}\n")
    with pytest.raises(grid.ExperimentError, match=re.escape("unknown top-level keys ['parameters']; allowed: notebook,")):
        grid.load(path)


def test_long_run_ids_get_a_hash_suffix():
    short = grid.run_id({"started_marker": "/tmp/" + "a" * 100})
    other = grid.run_id({"started_marker": "/tmp/" + "a" * 99 + "b"})
    assert len(short) == len(other) == grid.MAX_RUN_ID_LENGTH
    assert short != other and short[:60] == other[:60]


def test_runs_are_ordered_replicate_major(fixture_project):
    path = fixture_project.experiment(
        "notebook: notebooks/tiny.ipynb\n"
        "grid: {cell: [lstm, gru], seed: [1, 0]}\n"
    )
    assert [run.run_id for run in grid.load(path).runs] == [
        "cell=gru,seed=0", "cell=lstm,seed=0", "cell=gru,seed=1", "cell=lstm,seed=1"]
