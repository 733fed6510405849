"""Rows say what made them: changed parameters re-run, stale code is flagged, tables hold the current grid only.

Real runs of tests/fixtures/tiny.ipynb through `seqlab run` (no mocks).
"""

import json
import shutil

import pandas
import pytest

from seqlab import provenance, results, run

TINY = "notebook: notebooks/tiny.ipynb\n"


def rows_in(runs_dir):
    return {path.stem: json.loads(path.read_text()) for path in sorted(runs_dir.glob("*.json"))}


def test_changed_parameter_reruns_and_shrunk_grid_shows_new_n(fixture_project, capsys):
    path = fixture_project.experiment(TINY + "params: {learning_rate: 0.1}\ngrid: {seed: [0, 1, 2, 3]}\n")
    assert run.main([str(path)]) == 0
    first = rows_in(fixture_project.runs_dir())
    row = first["seed=0"]
    assert row["parameters_hash"] == provenance.fingerprint({"notebook": "notebooks/tiny.ipynb", **{
        name: row[name] for name in ("cell", "depth", "seed", "learning_rate", "bidirectional", "fail", "sleep_seconds",
                                     "started_marker", "shadow", "side_output")}})
    assert len(row["code_hash"]) == 64 and row["command"].startswith("seqlab run ")
    assert row["git_commit"] == "unknown" and row["git_dirty"] is None  # the fixture project is not a git repository
    assert row["python_version"].startswith("3.") and row["papermill_version"]
    capsys.readouterr()

    # a fixed value changes: every run is re-run, and says why; the table holds the new values only
    path.write_text(TINY + "params: {learning_rate: 0.2}\ngrid: {seed: [0, 1]}\n")
    assert run.main([str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "changed: parameters changed: learning_rate 0.1 -> 0.2" in out and "done" not in out
    assert run.main([str(path)]) == 0
    err = capsys.readouterr().err
    assert "re-running seed=0: parameters changed: learning_rate 0.1 -> 0.2" in err
    assert rows_in(fixture_project.runs_dir())["seed=1"]["learning_rate"] == 0.2
    table = pandas.read_csv(fixture_project.root / "results" / "sweep.csv")
    counted = table[table["in_table"]]
    assert counted["run_id"].tolist() == ["seed=0", "seed=1"]  # the shrunk grid: n = 2, not 4
    assert set(counted["learning_rate"]) == {0.2}
    markdown = (fixture_project.root / "results" / "sweep.md").read_text()
    assert "2 runs ok, 0 failed, 0 not run yet, of 2 in the grid. 2 stored rows are not counted" in markdown
    assert "|   2 |" in markdown
    # rows of runs that left the grid stay on disk and in the CSV, marked
    assert (fixture_project.runs_dir() / "seed=3.json").exists()
    assert table.set_index("run_id")["excluded"].fillna("").to_dict() == {
        "seed=0": "", "seed=1": "", "seed=2": "not in the grid", "seed=3": "not in the grid"}


def test_code_edit_is_stale_until_rerun_stale(fixture_project, capsys):
    path = fixture_project.experiment(TINY + "grid: {seed: [0, 1]}\n")
    assert run.main([str(path)]) == 0
    notebook = fixture_project.root / "notebooks" / "tiny.ipynb"
    document = json.loads(notebook.read_text())
    code = [cell for cell in document["cells"] if cell["cell_type"] == "code"]
    code[-1]["source"] = "".join(code[-1]["source"]) + "\n# an edit to the code"
    notebook.write_text(json.dumps(document))
    capsys.readouterr()

    assert run.main([str(path), "--dry-run"]) == 0
    assert capsys.readouterr().out.count("stale: made by an older version of the notebook's code") == 2
    assert run.main([str(path)]) == 0  # stale rows are kept (not re-run) and flagged
    markdown = (fixture_project.root / "results" / "sweep.md").read_text()
    assert "2 ok rows are stale" in markdown and "--rerun-stale" in markdown
    assert pandas.read_csv(fixture_project.root / "results" / "sweep.csv")["stale"].tolist() == [True, True]
    assert "|   2 |       2 |" in markdown  # n and stale per configuration
    assert run.main([str(path), "--rerun-stale"]) == 0
    assert pandas.read_csv(fixture_project.root / "results" / "sweep.csv")["stale"].tolist() == [False, False]
    assert "rows are stale" not in (fixture_project.root / "results" / "sweep.md").read_text()


def test_committed_csv_rows_count_as_finished_on_a_fresh_clone(fixture_project, capsys):
    path = fixture_project.experiment(TINY + "grid: {seed: [0, 1]}\n")
    assert run.main([str(path)]) == 0
    shutil.rmtree(fixture_project.root / "results" / "runs")  # results/runs is gitignored: a clone has the CSV only
    capsys.readouterr()
    assert run.main([str(path)]) == 0
    assert "2 finished runs skipped" in capsys.readouterr().err
    assert results.main([str(path)]) == 0
    assert "2 runs ok, 0 failed" in capsys.readouterr().out


def test_all_failed_and_empty_experiments_exit_nonzero_with_their_errors(fixture_project, capsys):
    path = fixture_project.experiment(TINY + "params: {fail: true}\ngrid: {seed: [0, 1]}\n")
    assert run.main([str(path)]) == 1
    captured = capsys.readouterr()
    assert "FAILED seed=0: RuntimeError: fixture failure for cell=gru seed=0" in captured.err
    assert "Traceback" not in captured.err
    markdown = (fixture_project.root / "results" / "sweep.md").read_text()
    assert "0 runs ok, 2 failed" in markdown and "(no finished runs)" in markdown
    assert "- `seed=1` (notebooks/tiny.ipynb): RuntimeError: fixture failure" in markdown
    assert results.main([str(path)]) == 0

    empty = fixture_project.experiment(TINY + "grid: {cell: []}\n", name="empty")
    assert run.main([str(empty)]) == 1
    assert "expands to 0 runs" in capsys.readouterr().err


def test_shadowing_field_is_refused_and_side_outputs_land_in_the_run_folder(fixture_project, capsys):
    path = fixture_project.experiment(TINY + "grid:\n  - {seed: 1, shadow: true}\n  - {seed: 2, side_output: hello}\n")
    assert run.main([str(path)]) == 1
    rows = rows_in(fixture_project.runs_dir())
    assert rows["seed=1,shadow=true"]["status"] == "failed"
    assert "record: seed=2 shadows the parameter seed=1" in rows["seed=1,shadow=true"]["error"]
    assert rows["seed=2,side_output=hello"]["outputs"] == "seed=2,side_output=hello/note.txt"
    assert (fixture_project.runs_dir() / "seed=2,side_output=hello" / "note.txt").read_text() == "hello"


def test_select_by_marks_the_validation_choice_and_reports_its_test_scores(tmp_path):
    folder = tmp_path / "runs" / "demo"
    folder.mkdir(parents=True)
    scores = {"gru": [(0.90, 0.70), (0.92, 0.72)], "lstm": [(0.85, 0.80), (0.87, 0.82)]}  # (valid, test)
    for cell, pairs in scores.items():
        for seed, (valid, test) in enumerate(pairs):
            row = {"experiment": "demo", "run_id": f"cell={cell},seed={seed}", "notebook": "x.ipynb", "status": "ok",
                   "cell": cell, "seed": seed, "valid_f1": valid, "test_f1": test, "valid_loss": 1 - valid}
            (folder / f"{row['run_id']}.json").write_text(json.dumps(row))
    text = results.write_tables("demo", {"group_by": ["cell"], "metrics": ["test_f1"], "select_by": "valid_f1"},
                                results_dir=tmp_path)
    # gru has the best validation F1, though lstm has the best test F1: a paper reports gru
    assert ("Selected by valid_f1 (highest mean over its runs, test scores not looked at): cell=gru: "
            "valid_f1 0.91 ± 0.014, test_f1 0.71 ± 0.014 (n=2).") in text
    summary = results.summarize(results.collect("demo", results_dir=tmp_path), {"group_by": ["cell"], "select_by": "valid_loss"})
    assert summary.set_index("cell")["selected"].to_dict() == {"gru": "✓", "lstm": ""}  # the lowest loss


@pytest.mark.parametrize("recorded, wanted, same", [(8.0, 8, True), ("True", True, True), (None, None, True),
                                                   ("none", "none", True), (0.001, 0.01, False), ("gru", "lstm", False)])
def test_values_read_back_from_csv_compare_as_written(recorded, wanted, same):
    assert provenance.same_value(recorded, wanted) is same


def test_plain_papermill_writes_the_row_and_side_outputs_beside_the_output_notebook(fixture_project):
    import subprocess
    import sys

    output = fixture_project.root / "out" / "tiny-run.ipynb"
    output.parent.mkdir()
    subprocess.run(
        [sys.executable, "-m", "papermill", str(fixture_project.root / "notebooks" / "tiny.ipynb"), str(output),
         "-p", "seed", "3", "-p", "side_output", "beside", "--cwd", str(fixture_project.root / "notebooks")],
        check=True, capture_output=True, timeout=300,
    )
    row = json.loads(output.with_suffix(".json").read_text())
    assert row["seed"] == 3 and row["test_accuracy"] == pytest.approx(0.14)
    assert row["learning_rate"] == 0.01 and row["side_output"] == "beside"  # every parameter, defaults included
    assert (output.parent / "tiny-run_outputs" / "note.txt").read_text() == "beside"
    failed = subprocess.run(
        [sys.executable, "-m", "papermill", str(fixture_project.root / "notebooks" / "tiny.ipynb"),
         str(output.with_name("shadow.ipynb")), "-p", "shadow", "True"], capture_output=True, text=True, timeout=300,
    )
    assert failed.returncode != 0 and "shadows the parameter seed=0" in failed.stderr + failed.stdout


def test_git_state_ignores_the_results_tables_every_run_rewrites(tmp_path):
    import subprocess

    def git(*arguments):
        subprocess.run(["git", "-C", str(tmp_path), *arguments], check=True, capture_output=True)

    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "sweep.csv").write_text("a\n")
    (tmp_path / "code.py").write_text("x = 1\n")
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "empty")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "files")
    (tmp_path / "results" / "sweep.csv").write_text("a\nb\n")
    commit, dirty = provenance.git_state(tmp_path)
    assert len(commit) == 40 and dirty is False
    (tmp_path / "code.py").write_text("x = 2\n")
    assert provenance.git_state(tmp_path) == (commit, True)
