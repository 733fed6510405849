"""README headlines come from the committed tables, chosen on validation (seqlab.headlines)."""

import json
from pathlib import Path

import pytest

from seqlab import headlines

ROOT = Path(__file__).resolve().parents[1]


def test_readme_headlines_and_tables_match_the_committed_tables():
    readme = (ROOT / "README.md").read_text()
    blocks = headlines.readme_blocks(root=ROOT)
    assert len(blocks) >= 4  # the headlines and the tables of results/readme_tables.yaml
    for (begin, end), block in blocks.items():
        assert begin in readme and end in readme, f"README lacks the {begin} block"
        assert readme[readme.index(begin): readme.index(end) + len(end)] == block, (
            f"README's {begin} block drifted from the tables: run `seqlab results --readme`")


def test_the_validation_best_configuration_wins_across_experiments(fixture_project):
    # two experiments of the tiny notebook; "a" has the best test score, "b" the best validation score
    for name, cell in (("a", "gru"), ("b", "lstm")):
        fixture_project.experiment("notebook: notebooks/tiny.ipynb\n"
                                   f"params: {{cell: {cell}}}\ngrid: {{seed: [0, 1]}}\ntable: {{group_by: [cell]}}\n",
                                   name=name)
        folder = fixture_project.runs_dir(name)
        folder.mkdir(parents=True)
        for seed in (0, 1):
            valid, test = (0.80, 0.90) if name == "a" else (0.85, 0.70)
            row = {"experiment": name, "run_id": f"seed={seed}", "notebook": "notebooks/tiny.ipynb", "status": "ok",
                   "cell": cell, "seed": seed, "valid_accuracy": valid + seed / 100, "test_accuracy": test}
            (folder / f"seed={seed}.json").write_text(json.dumps(row))
    (fixture_project.root / "results" / "headlines.yaml").write_text(
        "- {task: demo, data: demo set, experiments: [a, b], select_by: valid_accuracy, report: [test_accuracy],"
        " anchor: none}\n")
    (row,) = headlines.headline_rows(headlines.read_headlines(fixture_project.root / "results" / "headlines.yaml"),
                                     root=fixture_project.root)
    assert row["chosen by validation (of all configurations)"] == "`b`: cell=lstm (of 2)"
    assert row["validation"] == "valid_accuracy 85.5 ± 0.71" and row["test (mean ± std over runs)"] == "test_accuracy 70 ± 0"
    assert row["n"] == 2


def test_a_readme_table_groups_the_filtered_rows_of_an_experiment(fixture_project):
    fixture_project.experiment("notebook: notebooks/tiny.ipynb\ngrid: {seed: [0, 1], cell: [gru, lstm]}\n", name="a")
    folder = fixture_project.runs_dir("a")
    folder.mkdir(parents=True)
    for seed in (0, 1):
        for cell, accuracy in (("gru", 0.5), ("lstm", 0.75)):
            row = {"experiment": "a", "run_id": f"cell={cell},seed={seed}", "notebook": "notebooks/tiny.ipynb",
                   "status": "ok", "cell": cell, "seed": seed, "task": "fixture", "test_accuracy": accuracy + seed / 10}
            (folder / f"cell={cell},seed={seed}.json").write_text(json.dumps(row))
    entry = {"name": "demo", "experiment": "a", "where": {"cell": "lstm"}, "rows": ["task"], "metrics": ["test_accuracy"]}
    block = headlines.readme_table(entry, root=fixture_project.root)
    begin, end = headlines.table_markers("demo")
    assert block.startswith(begin) and block.endswith(end)
    assert "| fixture |   2 | 80 ± 7.1" in block  # lstm rows only: 75 % and 85 %, in percent
    with pytest.raises(headlines.HeadlineError, match="no ok rows matching"):
        headlines.readme_table({**entry, "where": {"cell": "rnn"}}, root=fixture_project.root)
