"""Experiment YAML loading: expansion, run ids, and every error before anything runs."""

import re
import time
import tracemalloc
from pathlib import Path

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
        "table: {group_by: [cell, depth], metrics: [test_accuracy], select_by: test_accuracy}\n"
    )
    experiment = grid.load(path)
    assert experiment.name == "sweep"
    assert experiment.root == fixture_project.root
    assert experiment.table == {"group_by": ["cell", "depth"], "metrics": ["test_accuracy"], "select_by": "test_accuracy"}
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


def test_yaml_1_2_floats(fixture_project):
    # PyYAML's YAML 1.1 rules read 1e-3 (no dot) as the string '1e-3'
    path = fixture_project.experiment(
        "notebook: notebooks/tiny.ipynb\nparams: {learning_rate: 1e-3}\ngrid: {sleep_seconds: [2E0, .5, 1.5e+1]}\n"
        "description: 1e5 ids\n"
    )
    experiment = grid.load(path)
    assert [run.parameters["learning_rate"] for run in experiment.runs] == [0.001] * 3
    assert type(experiment.runs[0].parameters["learning_rate"]) is float
    assert [run.parameters["sleep_seconds"] for run in experiment.runs] == [0.5, 2.0, 15.0]
    assert experiment.description == "1e5 ids"
    assert grid.yaml.safe_load("x: 1e-3") == {"x": "1e-3"}  # the default loader is untouched


def test_grid_size_is_counted_before_expanding(fixture_project):
    swept = ", ".join(f"key{index}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]" for index in range(10))
    path = fixture_project.experiment(f"notebook: notebooks/tiny.ipynb\ngrid: {{{swept}}}\n")
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(grid.ExperimentError) as error:
        grid.load(path)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "the grid makes 10,000,000,000 runs, more than the limit of 10,000" in str(error.value)
    assert "--max-runs" in str(error.value)
    assert seconds < 1 and peak < 5_000_000

    union = fixture_project.experiment(
        "notebook: [notebooks/tiny.ipynb, notebooks/tiny.ipynb]\ngrid:\n  - {seed: [0, 1], depth: [1, 2]}\n  - {cell: lstm}\n",
        name="union",
    )
    assert grid.count_runs(grid.yaml.safe_load(union.read_text())) == 10  # (4 + 1) per notebook
    assert len(grid.load(union, max_runs=10).runs) == 5  # the same notebook twice: runs kept once
    with pytest.raises(grid.ExperimentError, match="makes 10 runs, more than the limit of 9"):
        grid.load(union, max_runs=9)
    assert len(grid.load(union, max_runs=None).runs) == 5


def test_old_summary_key_says_it_is_now_table(fixture_project):
    path = fixture_project.experiment("notebook: notebooks/tiny.ipynb\nsummary: {group_by: [cell]}\n")
    message = re.escape("the top-level key summary is now called table")
    with pytest.raises(grid.ExperimentError, match=message):
        grid.load(path)
    with pytest.raises(grid.ExperimentError, match=message):
        grid.read_table(path)


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ("{group_by: cell}", "table.group_by must be a list of column names; got 'cell'"),
        ("{metrics: [1]}", "table.metrics must be a list of column names; got [1]"),
        ("{select_by: [test_accuracy]}", "table.select_by must be one column name (a string); got ['test_accuracy']"),
        ("{select_by: ''}", "table.select_by must be one column name (a string); got ''"),
        ("{sort_by: x}", "unknown table keys ['sort_by']; allowed: group_by, metrics, select_by"),
        ("[cell]", "table must be a mapping with keys group_by, metrics, select_by; got ['cell']"),
    ],
)
def test_table_section_is_checked(fixture_project, table, fragment):
    path = fixture_project.experiment(f"notebook: notebooks/tiny.ipynb\ntable: {table}\n")
    with pytest.raises(grid.ExperimentError, match=re.escape(fragment)):
        grid.load(path)
    with pytest.raises(grid.ExperimentError, match=re.escape(fragment)):
        grid.read_table(path)


def test_every_experiment_file_uses_table():
    experiments = sorted((Path(__file__).parents[1] / "experiments").glob("*.yaml"))
    assert experiments
    for path in experiments:
        grid.read_table(path)  # no old summary key, a valid table section


def test_folder_or_missing_experiment_file(fixture_project):
    with pytest.raises(grid.ExperimentError, match=re.escape(f"{fixture_project.root} is a folder; give an experiment file")):
        grid.load(fixture_project.root)
    with pytest.raises(grid.ExperimentError, match="experiment file not found: .*absent.yaml"):
        grid.load(fixture_project.root / "absent.yaml")
