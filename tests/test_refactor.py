"""``seqlab refactor``: a refactor proven to compute the same rows keeps them current; a real change does not."""

import json
import subprocess

import yaml

from seqlab import refactor, run

TINY = "notebook: notebooks/tiny.ipynb\nparams: {learning_rate: 0.01}\n"


def commit_all(root):
    for command in (["init", "-q"], ["add", "-A"],
                    ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "fixture"]):
        subprocess.run(["git", "-C", str(root), *command], check=True)


def edit_last_code_cell(notebook, edit):
    document = json.loads(notebook.read_text())
    cell = [cell for cell in document["cells"] if cell["cell_type"] == "code"][-1]
    cell["source"] = edit("".join(cell["source"]))
    notebook.write_text(json.dumps(document))


def test_a_proven_refactor_keeps_rows_current_and_a_real_change_is_refused(fixture_project, capsys):
    root = fixture_project.root
    path = fixture_project.experiment(TINY + "grid: {seed: [0, 1]}\n")
    assert run.main([str(path)]) == 0
    commit_all(root)
    notebook = root / "notebooks" / "tiny.ipynb"

    # The same computation written another way: rows stay valid once the command has shown it.
    edit_last_code_cell(notebook, lambda source: source.replace(
        "score = round(depth * 0.1 + seed * 0.01 + learning_rate, 6)",
        "score = depth * 0.1 + seed * 0.01\nscore = round(score + learning_rate, 6)"))
    capsys.readouterr()
    assert run.main([str(path), "--dry-run"]) == 0
    assert capsys.readouterr().out.count("stale") == 2
    assert refactor.main([str(notebook), "--before", "HEAD", "--case", "", "--case", "depth=2 seed=3"]) == 0
    output = capsys.readouterr().out
    assert "case defaults: equal on" in output and "case {'depth': 2, 'seed': 3}: equal on" in output
    record, = yaml.safe_load((root / "results" / "equivalent_code.yaml").read_text())
    assert record["notebook"] == "notebooks/tiny.ipynb" and record["cases"] == [{}, {"depth": 2, "seed": 3}]
    assert "test_accuracy" not in record["new_fields"] and record["fields_compared"] >= 5
    assert run.main([str(path), "--dry-run"]) == 0
    assert "stale" not in capsys.readouterr().out

    # A change of what is computed is found, named and not recorded.
    edit_last_code_cell(notebook, lambda source: source.replace("score + learning_rate", "score + 2 * learning_rate"))
    assert refactor.main([str(notebook), "--before", "HEAD"]) == 1
    captured = capsys.readouterr()
    assert "test_accuracy: before 0.11, after 0.12" in captured.out and "not recorded" in captured.err
    assert len(yaml.safe_load((root / "results" / "equivalent_code.yaml").read_text())) == 1
    assert run.main([str(path), "--dry-run"]) == 0
    assert capsys.readouterr().out.count("stale") == 2


def test_bad_arguments_are_clear_errors(fixture_project, capsys):
    commit_all(fixture_project.root)
    notebook = fixture_project.root / "notebooks" / "tiny.ipynb"
    assert refactor.main([str(notebook), "--before", "no-such-revision"]) == 1
    assert "git worktree add failed" in capsys.readouterr().err
    assert refactor.main([str(notebook), "--before", "HEAD", "--case", "depth"]) == 1
    assert "case item 'depth' is not name=value" in capsys.readouterr().err
