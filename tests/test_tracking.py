"""``seqlab run --mlflow``: runs logged to a real local MLflow store (sqlite in tmp_path), no mocks."""

import json
import sys
from pathlib import Path

import pytest

from seqlab import grid, run, tracking

TINY = "notebook: notebooks/tiny.ipynb\n"
GRID = "grid:\n  - {seed: 1}\n  - {seed: 2, fail: true}\n"


@pytest.fixture
def mlflow(monkeypatch):
    """MLflow with what a sqlite store needs; the whole test is skipped when they are missing."""
    reason = "MLflow is an optional extra: pip install 'seqlab[mlflow]' (mlflow-skinny, sqlalchemy, alembic)"
    for module in ("sqlalchemy", "alembic"):
        pytest.importorskip(module, reason=reason)
    module = pytest.importorskip("mlflow", reason=reason)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return module


def logged(mlflow, uri, experiment="sweep"):
    """The active MLflow runs of ``experiment``, by seqlab run id (a list per run id)."""
    mlflow.set_tracking_uri(uri)
    try:
        runs = mlflow.search_runs(experiment_names=[experiment], output_format="list")
    finally:
        mlflow.set_tracking_uri(None)
    by_run_id = {}
    for found in runs:
        by_run_id.setdefault(found.data.tags["seqlab.run_id"], []).append(found)
    return by_run_id


def test_sweep_is_logged_once_per_run_and_parameters(mlflow, fixture_project, tmp_path):
    path = fixture_project.experiment(TINY + "params: {learning_rate: 0.5, side_output: hello}\n" + GRID)
    assert run.main([str(path), "--mlflow"]) == 1  # one run fails on purpose
    results_dir = fixture_project.root / "results"
    uri = f"sqlite:///{results_dir / 'mlflow.db'}"
    runs = logged(mlflow, uri)
    assert sorted(runs) == ["fail=true,seed=2", "seed=1"]
    [ok], [failed] = runs["seed=1"], runs["fail=true,seed=2"]

    # params: every parameter value of the run, the notebook's defaults included
    [values] = [found.values for found in grid.load(path).runs if found.run_id == "seed=1"]
    assert ok.data.params == {name: grid.format_value(value) for name, value in values.items()}
    assert [ok.data.params[name] for name in ("seed", "learning_rate", "cell", "bidirectional", "started_marker")] == [
        "1", "0.5", "gru", "false", "",
    ]
    # metrics: the numeric fields that are not parameters
    assert ok.data.metrics["test_accuracy"] == pytest.approx(0.61)
    assert ok.data.metrics["duration_s"] > 0 and ok.data.metrics["train_seconds"] == 0.0
    assert not set(ok.data.metrics) & set(ok.data.params)
    tags = ok.data.tags
    assert [tags[name] for name in ("seqlab.experiment", "mlflow.runName", "status", "task")] == [
        "sweep", "seed=1", "ok", "fixture",
    ]
    assert "error" not in tags and ok.info.status == "FINISHED"
    assert failed.info.status == "FAILED" and "test_accuracy" not in failed.data.metrics
    assert failed.data.tags["error"].startswith("RuntimeError: fixture failure for cell=gru seed=2")

    # artifacts: the executed notebook, the row, the kernel log and the side outputs, beside the database
    runs_dir = fixture_project.runs_dir()
    client = mlflow.MlflowClient(tracking_uri=uri)
    artifact_names = sorted(item.path for item in client.list_artifacts(ok.info.run_id))
    assert artifact_names == ["outputs", "seed=1.ipynb", "seed=1.json", "seed=1.log"]
    assert [item.path for item in client.list_artifacts(ok.info.run_id, "outputs")] == ["outputs/note.txt"]
    assert ok.info.artifact_uri.startswith((results_dir / "mlruns" / "sweep").as_uri())
    downloaded = mlflow.artifacts.download_artifacts(
        artifact_uri=f"{ok.info.artifact_uri}/seed=1.ipynb", dst_path=str(tmp_path / "download")
    )
    executed = json.loads(Path(downloaded).read_text())
    assert executed == json.loads((runs_dir / "seed=1.ipynb").read_text())
    assert any("fixture" in json.dumps(cell.get("outputs", [])) for cell in executed["cells"])

    # resume: only the failed run executes again, and it updates its MLflow run in place
    assert run.main([str(path), "--mlflow"]) == 1
    again = logged(mlflow, uri)
    assert {name: [found.info.run_id for found in runs_found] for name, runs_found in again.items()} == {
        "seed=1": [ok.info.run_id], "fail=true,seed=2": [failed.info.run_id],
    }

    # the same run ids with another learning rate: new MLflow runs beside the old ones
    path.write_text(TINY + "params: {learning_rate: 0.25, side_output: hello}\n" + GRID)
    assert run.main([str(path), "--mlflow", "--force"]) == 1
    changed = logged(mlflow, uri)
    assert {name: len(runs_found) for name, runs_found in changed.items()} == {"seed=1": 2, "fail=true,seed=2": 2}
    accuracies = sorted(found.data.metrics["test_accuracy"] for found in changed["seed=1"])
    assert accuracies == pytest.approx([0.36, 0.61])


def test_log_run_again_updates_the_same_mlflow_run(mlflow, tmp_path):
    uri = f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"
    run_dir = tmp_path / "runs" / "demo"
    (run_dir / "seed=1").mkdir(parents=True)
    (run_dir / "seed=1.ipynb").write_text("{}")
    (run_dir / "seed=1" / "curve.csv").write_text("epoch,loss\n1,0.5\n")
    (run_dir / "seed=1.5.json").write_text("{}")  # another run's file
    row = {
        "experiment": "demo", "run_id": "seed=1", "status": "failed", "seed": 1, "error": "RuntimeError: boom",
        "parameters_hash": "a" * 64, "code_hash": "b" * 64, "git_commit": "c" * 40, "duration_s": 1.5,
    }
    keywords = {"experiment_name": "demo", "run_dir": run_dir, "tracking_uri": uri, "parameters": {"seed": 1}}
    first = tracking.log_run(row, **keywords)
    second = tracking.log_run({**row, "status": "ok", "error": None, "test_accuracy": 0.75}, **keywords)
    assert first == second
    other = tracking.log_run({**row, "parameters_hash": "d" * 64}, **keywords)
    assert other != first

    client = mlflow.MlflowClient(tracking_uri=uri)
    updated = client.get_run(first)
    assert updated.info.status == "FINISHED" and "error" not in updated.data.tags
    assert updated.data.metrics == {"duration_s": 1.5, "test_accuracy": 0.75}
    assert {name: updated.data.tags[name] for name in ("parameters_hash", "code_hash", "git_commit")} == {
        "parameters_hash": "a" * 64, "code_hash": "b" * 64, "git_commit": "c" * 40,
    }
    assert updated.data.tags["seqlab.fingerprint"] == "a" * 64
    assert updated.data.tags["mlflow.source.git.commit"] == "c" * 40
    assert [item.path for item in client.list_artifacts(first)] == ["outputs", "seed=1.ipynb"]
    assert [item.path for item in client.list_artifacts(first, "outputs")] == ["outputs/curve.csv"]
    assert len(logged(mlflow, uri, "demo")["seed=1"]) == 2


def test_missing_mlflow_stops_before_any_notebook_runs(fixture_project, monkeypatch):
    path = fixture_project.experiment(TINY + "grid: {seed: [1]}\n")
    monkeypatch.setitem(sys.modules, "mlflow", None)  # what `import mlflow` sees when it is not installed
    monkeypatch.setitem(sys.modules, "mlflow.tracking", None)
    with pytest.raises(SystemExit, match=r"pip install 'seqlab\[mlflow\]'"):
        run.run_experiment(grid.load(path), mlflow="default")
    assert not fixture_project.runs_dir().exists()


def test_mlflow_option():
    assert run.parser().parse_args(["e.yaml"]).mlflow is None
    assert run.parser().parse_args(["e.yaml", "--mlflow"]).mlflow == "default"
    assert run.parser().parse_args(["e.yaml", "--mlflow", "http://127.0.0.1:5000"]).mlflow == "http://127.0.0.1:5000"
