"""README headlines come from the committed tables, chosen on validation (seqlab.headlines)."""

import json
from pathlib import Path

from seqlab import headlines

ROOT = Path(__file__).resolve().parents[1]


def test_readme_headlines_match_the_committed_tables():
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index(headlines.BEGIN): readme.index(headlines.END) + len(headlines.END)]
    assert block == headlines.headline_table(root=ROOT), "README headlines drifted: run `seqlab results --readme`"


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
