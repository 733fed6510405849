"""The papermill runner on real notebook executions (tests/fixtures/tiny.ipynb, no TensorFlow)."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas
import psutil
import pytest

from seqlab import grid, run

TINY = "notebook: notebooks/tiny.ipynb\n"


def rows_in(runs_dir):
    return {path.stem: json.loads(path.read_text()) for path in sorted(runs_dir.glob("*.json"))}


def test_failing_notebook_is_recorded_and_the_others_finish(fixture_project, capsys):
    path = fixture_project.experiment(
        TINY + "params: {learning_rate: 0.5}\n"
        "grid:\n  - {seed: [1, 2]}\n  - {seed: 3, fail: true}\n"
        "table: {group_by: [cell], metrics: [test_accuracy]}\n"
    )
    assert run.main([str(path)]) == 1
    runs_dir = fixture_project.runs_dir()
    rows = rows_in(runs_dir)
    assert sorted(rows) == ["fail=true,seed=3", "seed=1", "seed=2"]
    assert [rows[name]["status"] for name in ("seed=1", "seed=2")] == ["ok", "ok"]
    # the notebook's own row (test_accuracy = depth * 0.1 + seed * 0.01 + learning_rate), parameters, identity
    assert rows["seed=2"]["test_accuracy"] == pytest.approx(0.62)
    assert rows["seed=2"]["experiment"] == "sweep" and rows["seed=2"]["notebook"] == "notebooks/tiny.ipynb"
    assert rows["seed=2"]["sleep_seconds"] == 0.0 and rows["seed=2"]["error"] is None
    assert rows["seed=2"]["duration_s"] > 0 and rows["seed=2"]["seqlab_version"] == "0.1.0"
    failed = rows["fail=true,seed=3"]
    assert failed["status"] == "failed"
    # cell index 4: markdown, parameters, injected parameters, setup, then the cell that raises
    assert failed["error"] == "RuntimeError: fixture failure for cell=gru seed=3 (cell index 4, execution count 4)"
    executed = json.loads((runs_dir / "fail=true,seed=3.ipynb").read_text())
    raised = [cell for cell in executed["cells"] for output in cell.get("outputs", []) if output.get("ename")]
    assert [(cell["execution_count"], "fixture failure" in "".join(cell["source"])) for cell in raised] == [(4, True)]
    # the kernel process's own output (here its start-up log) is kept beside each executed notebook
    assert sorted(path.stem for path in runs_dir.glob("*.log")) == sorted(rows)
    assert "Kernel is running" in (runs_dir / "seed=1.log").read_text()
    captured = capsys.readouterr()
    assert "FAILED fail=true,seed=3: RuntimeError" in captured.err
    assert str(runs_dir / "fail=true,seed=3.ipynb") in captured.err
    table = pandas.read_csv(fixture_project.root / "results" / "sweep.csv")
    assert table["run_id"].tolist() == ["fail=true,seed=3", "seed=1", "seed=2"]
    markdown = (fixture_project.root / "results" / "sweep.md").read_text()
    assert "2 runs ok, 1 failed, 0 not run yet, of 3 in the grid." in markdown
    assert "| gru    |   2 | 0.615 ± 0.0071" in markdown
    assert (fixture_project.root / "results" / "figures" / "sweep.png").read_bytes()[:4] == b"\x89PNG"

    # a re-run executes only the failed run; --force re-executes everything
    finished_mtime = (runs_dir / "seed=1.json").stat().st_mtime_ns
    assert run.main([str(path)]) == 1
    assert "2 finished runs skipped" in capsys.readouterr().err
    assert (runs_dir / "seed=1.json").stat().st_mtime_ns == finished_mtime


def test_dry_run_lists_runs_and_executes_nothing(fixture_project, capsys):
    path = fixture_project.experiment(TINY + "grid: {cell: [gru, lstm]}\n")
    assert run.main([str(path), "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        'cell=gru\tnotebooks/tiny.ipynb\tpending\t{"cell": "gru"}',
        'cell=lstm\tnotebooks/tiny.ipynb\tpending\t{"cell": "lstm"}',
    ]
    assert not fixture_project.runs_dir().exists()


def test_relative_data_dir_is_made_absolute_before_notebooks_run_elsewhere(fixture_project, tmp_path, monkeypatch):
    # notebooks run in their own folder: a relative SEQLAB_DATA_DIR must mean the caller's folder
    path = fixture_project.experiment(TINY + "grid: {cell: [gru]}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEQLAB_DATA_DIR", "../shared/data")
    rows = run.run_experiment(grid.load(path))
    assert [row["status"] for row in rows] == ["ok"]
    assert os.environ["SEQLAB_DATA_DIR"] == str(tmp_path / "../shared/data")


def test_bad_experiment_exits_2_before_running(fixture_project, capsys):
    path = fixture_project.experiment(TINY + "grid: {units: [8]}\n")
    assert run.main([str(path)]) == 2
    assert "unknown parameters ['units']" in capsys.readouterr().err
    assert not fixture_project.runs_dir().exists()


def test_sigkill_mid_sweep_then_resume(fixture_project):
    marker = fixture_project.root / "started"
    path = fixture_project.experiment(
        TINY + f"params: {{sleep_seconds: 1.5, started_marker: {str(marker)!r}}}\ngrid: {{seed: [0, 1, 2, 3]}}\n"
    )
    runs_dir = fixture_project.runs_dir()
    runner = subprocess.Popen(
        [sys.executable, "-m", "seqlab.run", str(path)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        # wait until one run has finished and the next one is executing (it sleeps 1.5 s)
        while time.monotonic() < deadline:
            rows = list(runs_dir.glob("*.json")) if runs_dir.exists() else []
            if rows and marker.exists() and marker.stat().st_mtime > max(row.stat().st_mtime for row in rows):
                break
            assert runner.poll() is None, "the runner ended before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("no run finished within 90 s")
        time.sleep(0.3)
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
    kernel = int(marker.read_text())
    if psutil.pid_exists(kernel):  # the kernel runs in its own session; end it too
        os.kill(kernel, signal.SIGKILL)
    before = rows_in(runs_dir)
    assert 1 <= len(before) < 4
    assert all(row["status"] == "ok" for row in before.values())
    assert [path.name for path in runs_dir.iterdir() if path.suffix not in (".json", ".ipynb", ".log")] == [
        path.name for path in runs_dir.glob(".*.tmp")
    ]
    mtimes = {name: (runs_dir / f"{name}.json").stat().st_mtime_ns for name in before}

    assert run.main([str(path), "--workers", "2"]) == 0
    after = rows_in(runs_dir)
    assert sorted(after) == ["seed=0", "seed=1", "seed=2", "seed=3"]
    assert all(row["status"] == "ok" for row in after.values())
    assert {name: (runs_dir / f"{name}.json").stat().st_mtime_ns for name in before} == mtimes
    assert not list(runs_dir.glob(".*.tmp"))
    table = pandas.read_csv(fixture_project.root / "results" / "sweep.csv")
    assert table["run_id"].tolist() == ["seed=0", "seed=1", "seed=2", "seed=3"]
    assert table["test_accuracy"].tolist() == pytest.approx([0.11, 0.12, 0.13, 0.14])


def test_dask_engine_local_cluster_failure_and_killed_worker(fixture_project, capsys):
    """One real 2-worker LocalCluster: ok runs, a raising notebook, and a worker SIGKILLed mid-run."""
    pytest.importorskip("distributed")
    marker = fixture_project.root / "started"
    path = fixture_project.experiment(
        TINY + "grid:\n  - {depth: [1, 2], side_output: from-a-worker}\n  - {depth: 3, fail: true}\n"
        f"  - {{depth: 4, sleep_seconds: 3.0, started_marker: {str(marker)!r}}}\n"
    )
    exit_codes = []
    runner = threading.Thread(target=lambda: exit_codes.append(run.main([str(path), "--engine", "dask", "--workers", "2"])))
    runner.start()
    deadline = time.monotonic() + 90
    while not (marker.exists() and marker.read_text()):
        assert time.monotonic() < deadline and runner.is_alive(), "the marked run never started"
        time.sleep(0.05)
    kernel = psutil.Process(int(marker.read_text()))
    worker = kernel.parent()
    assert worker.pid != os.getpid() and "python" in worker.name()
    worker.kill()  # SIGKILL the Dask worker process while its notebook sleeps
    kernel.kill()
    runner.join(timeout=150)
    assert not runner.is_alive()
    rows = rows_in(fixture_project.runs_dir())
    statuses = {name: row["status"] for name, row in rows.items()}
    killed = statuses.pop(next(name for name in rows if name.startswith("depth=4")))
    ok_ids = ["depth=1,side_output=from-a-worker", "depth=2,side_output=from-a-worker"]
    assert statuses == {ok_ids[0]: "ok", ok_ids[1]: "ok", "depth=3,fail=true": "failed"}
    assert [rows[name]["test_accuracy"] for name in ok_ids] == pytest.approx([0.11, 0.21])
    # side outputs written on a worker travel back with the row, into the run's folder
    assert all((fixture_project.runs_dir() / name / "note.txt").read_text() == "from-a-worker" for name in ok_ids)
    assert rows["depth=3,fail=true"]["error"].startswith("RuntimeError: fixture failure")
    # the client wrote every executed notebook (the workers return them)
    assert all((fixture_project.runs_dir() / f"{name}.ipynb").exists() for name in rows if name != "depth=3,fail=true")
    # never lost: Dask ran the killed run again on a live worker, or its row says what happened
    row = next(row for name, row in rows.items() if name.startswith("depth=4"))
    assert killed == "ok" and row["test_accuracy"] == pytest.approx(0.41) or "KilledWorker" in row["error"]
    assert exit_codes == [1]
    print("killed-worker run:", killed, row["error"])


def test_kernel_keeps_native_stderr_out_of_cell_outputs(tmp_path):
    """TensorFlow's C++ log lines (written to fd 2) must not become cell output (nbval compares outputs)."""
    import nbformat
    from nbclient import NotebookClient

    from seqlab import kernel_config

    config = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    assert config.exists() and kernel_config.CONFIG in config.read_text(), (
        f"{config} lacks seqlab's kernel settings: run `python -m seqlab.kernel_config` (make install does)."
    )
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import os\nos.write(2, b'I tensorflow/core/fake.cc:1] a C++ log line\\n')\nprint('done')")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    NotebookClient(notebook, timeout=60, resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert [(output["name"], output["text"]) for output in notebook.cells[0].outputs] == [("stdout", "done\n")]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--workers", "two"], "seqlab run: error: --workers must be a positive integer; got 'two'"),
        (["--workers", "0"], "seqlab run: error: --workers must be a positive integer; got '0'"),
        (["--max-runs", "-5"], "seqlab run: error: --max-runs must be a positive integer; got '-5'"),
        (["--timeout", "-1"], "seqlab run: error: --timeout must be a positive number of seconds; got '-1'"),
        (["--timeout", "0"], "seqlab run: error: --timeout must be a positive number of seconds; got '0'"),
        (["--timeout", "nan"], "seqlab run: error: --timeout must be a positive number of seconds; got 'nan'"),
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler tcp://127.0.0.1:8786 is a Dask scheduler; add --engine dask"),
    ],
)
def test_bad_arguments_exit_2_with_one_message(fixture_project, capsys, arguments, message):
    path = fixture_project.experiment(TINY)
    with pytest.raises(SystemExit) as exit_info:
        run.main([str(path), *arguments])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error and "_positive" not in error
    assert not fixture_project.runs_dir().exists()


def test_folder_or_missing_experiment_exits_2(fixture_project, capsys, monkeypatch):
    monkeypatch.chdir(fixture_project.root)
    assert run.main(["."]) == 2
    assert capsys.readouterr().err == "seqlab run: . is a folder; give an experiment file, e.g. experiments/quickstart.yaml.\n"
    assert run.main(["experiments/absent.yaml", "--dry-run"]) == 2
    assert capsys.readouterr().err == "seqlab run: experiment file not found: experiments/absent.yaml\n"


def test_grid_larger_than_max_runs_is_refused_before_anything_runs(fixture_project, capsys):
    swept = ", ".join(f"key{index}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]" for index in range(10))
    huge = fixture_project.experiment(TINY + f"grid: {{{swept}}}\n", name="huge")
    for extra in ([], ["--dry-run"]):
        started = time.monotonic()
        assert run.main([str(huge), *extra]) == 2
        assert time.monotonic() - started < 2
        assert "the grid makes 10,000,000,000 runs, more than the limit of 10,000" in capsys.readouterr().err
    path = fixture_project.experiment(TINY + "grid: {seed: [0, 1, 2]}\n")
    for extra in ([], ["--dry-run"]):
        assert run.main([str(path), "--max-runs", "2", *extra]) == 2
        assert "makes 3 runs, more than the limit of 2; shrink the grid, or raise the limit with seqlab run --max-runs N" in (
            capsys.readouterr().err
        )
    assert run.main([str(path), "--max-runs", "3", "--dry-run"]) == 0
    assert not fixture_project.runs_dir().exists()


def test_unreachable_scheduler_fails_fast_with_a_message(fixture_project, capsys):
    pytest.importorskip("distributed")
    path = fixture_project.experiment(TINY)
    started = time.monotonic()
    assert run.main([str(path), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert time.monotonic() - started < run.SCHEDULER_CONNECT_SECONDS + 10
    error = capsys.readouterr().err
    assert "seqlab run: cannot connect to the Dask scheduler --scheduler tcp://127.0.0.1:1: Timed out" in error
    assert "Traceback" not in error
    assert run.main([str(path), "--engine", "dask", "--scheduler", "nonsense"]) == 2
    assert "cannot connect to the Dask scheduler --scheduler nonsense: missing port number" in capsys.readouterr().err


def alive(processes):
    """The processes of ``processes`` still running (a zombie waiting for its reaper counts as ended)."""
    living = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                living.append(process)
        except psutil.NoSuchProcess:
            pass
    return living


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_local_workers_and_kernels_end_with_the_runner(fixture_project, signal_number):
    """``seqlab run --workers 2`` killed mid-sweep leaves no worker, resource tracker or kernel behind."""
    marker = fixture_project.root / "started"
    path = fixture_project.experiment(
        TINY + f"params: {{sleep_seconds: 300.0, started_marker: {str(marker)!r}}}\ngrid: {{seed: [0, 1, 2]}}\n"
    )
    stderr = fixture_project.root / "stderr.txt"
    with open(stderr, "wb") as handle:
        runner = subprocess.Popen(
            [sys.executable, "-m", "seqlab.run", str(path), "--workers", "2"],
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=handle,
        )
    family = []
    try:
        deadline = time.monotonic() + 90
        while True:  # until both workers have a kernel and one kernel is sleeping in the notebook
            assert runner.poll() is None, stderr.read_text()
            assert time.monotonic() < deadline, "two kernels never started"
            try:
                family = psutil.Process(runner.pid).children(recursive=True)
                kernels = [process for process in family if "ipykernel_launcher" in " ".join(process.cmdline())]
            except psutil.NoSuchProcess:
                continue
            if len(kernels) == 2 and marker.exists() and marker.read_text():
                break
            time.sleep(0.1)
        commands = [" ".join(process.cmdline()) for process in family]
        assert sum("spawn_main" in command for command in commands) == 2, commands
        assert sum("resource_tracker" in command for command in commands) == 1, commands
        os.kill(runner.pid, signal_number)  # the runner only, not its process group
        runner.wait(timeout=30)
        deadline = time.monotonic() + 10
        while alive(family) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = [" ".join(process.cmdline()) for process in alive(family)]
        assert survivors == []
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        for process in alive(family):
            process.kill()
    if signal_number == signal.SIGINT:
        assert runner.returncode == 130
        assert "seqlab run: interrupted; finished runs are kept" in stderr.read_text()
        assert "Traceback" not in stderr.read_text()
