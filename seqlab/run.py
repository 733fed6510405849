"""``seqlab run EXPERIMENT.yaml``: execute every run of an experiment with papermill, collect the rows.

Each run's notebook is executed by papermill (working directory: the notebook's folder, as
in JupyterLab and nbval). The row the notebook displays with :func:`seqlab.results.record`
is read back from the executed notebook, completed with ``experiment, run_id, notebook,
status, duration_s, error`` and every parameter value, and written atomically with the
executed notebook to ``results/runs/<experiment>/<run_id>.json`` / ``.ipynb`` (and the
kernel process's own output, such as TensorFlow's C++ log lines, to ``.log``). A run whose
row says ``status: ok`` is skipped on the next invocation (``--force`` re-runs it), so a
sweep killed at any moment resumes without truncated or duplicated rows.

Engines: ``local`` (default) runs one notebook at a time, or ``--workers N`` processes;
``dask`` submits each run as a task (``retries=1``) to a ``distributed.LocalCluster`` of
``--workers`` single-threaded processes, or to the cluster at ``--scheduler ADDRESS``. The
task receives the notebook itself and returns the row and the executed notebook, so
workers need no shared filesystem (only seqlab and the data).

>>> parser().parse_args(["experiments/quickstart.yaml", "--workers", "2"]).workers
2
"""

import argparse
import json
import os
import shlex
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from jupyter_client import AsyncKernelManager
from traitlets import Unicode

from seqlab import grid, results

KERNEL_ENVIRONMENT = {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "TF_CPP_MIN_LOG_LEVEL": "2"}
SHUTDOWN_WAIT_SECONDS = 0.5
KERNEL_LOG_CHARACTERS = 20_000


class LoggedKernelManager(AsyncKernelManager):
    """A kernel manager that sends the kernel process's own stdout and stderr to a file.

    Native log lines (TensorFlow's C++ logging) and crash messages then land in the run's
    ``.log`` file instead of interleaving with the progress bar.
    """

    log_path = Unicode("", config=True, help="file that receives the kernel's stdout and stderr")

    async def _async_launch_kernel(self, kernel_cmd, **keywords):
        if not self.log_path:
            return await super()._async_launch_kernel(kernel_cmd, **keywords)
        with open(self.log_path, "ab") as handle:
            return await super()._async_launch_kernel(kernel_cmd, **keywords, stdout=handle, stderr=handle)


def _positive_integer(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"--workers={value} must be at least 1")
    return value


def parser():
    """The command-line parser of ``seqlab run``."""
    argument_parser = argparse.ArgumentParser(
        prog="seqlab run", description="Run every combination of an experiment YAML grid through papermill."
    )
    argument_parser.add_argument("experiment", help="experiment file, e.g. experiments/quickstart.yaml")
    argument_parser.add_argument("--workers", type=_positive_integer, default=1, help="notebooks run at once (default 1)")
    argument_parser.add_argument("--engine", choices=("local", "dask"), default="local", help="local processes or a Dask cluster")
    argument_parser.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (engine dask)")
    argument_parser.add_argument("--force", action="store_true", help="re-run runs that already finished")
    argument_parser.add_argument("--dry-run", action="store_true", help="print the expanded runs without executing")
    argument_parser.add_argument("--timeout", type=float, default=None, help="seconds one cell may run (default: no limit)")
    argument_parser.add_argument("--results-dir", default=None, help="where tables and runs/ go (default: <project root>/results)")
    return argument_parser


def execute_run(task):
    """Execute one notebook; return ``{status, error, row, duration_s, notebook, kernel_log}`` (picklable).

    ``task`` holds ``notebook`` (the notebook's JSON text), ``parameters``, ``cwd`` (used when
    it exists on this machine) and ``timeout``. This is the function Dask workers and local
    worker processes run; it touches no files outside a temporary folder.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    for name, value in KERNEL_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    cwd = task["cwd"] if Path(task["cwd"]).is_dir() else None
    status, error = "ok", None
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="seqlab-run-") as folder:
        output, log = Path(folder) / "executed.ipynb", Path(folder) / "kernel.log"
        config = Config({
            "KernelManager": {"shutdown_wait_time": SHUTDOWN_WAIT_SECONDS},
            "NotebookClient": {"kernel_manager_class": LoggedKernelManager},
            "LoggedKernelManager": {"log_path": str(log)},
        })
        try:
            papermill.execute_notebook(
                nbformat.reads(task["notebook"], as_version=4),
                str(output),
                parameters=task["parameters"],
                cwd=cwd or folder,
                progress_bar=False,
                execution_timeout=task.get("timeout"),
                config=config,
            )
        except PapermillExecutionError as failure:
            status = "failed"
            error = f"{failure.ename}: {failure.evalue} (cell index {failure.cell_index}, execution count {failure.exec_count})"
        except Exception as failure:  # a timeout, a dead kernel, a kernel that never started
            status, error = "failed", f"{type(failure).__name__}: {failure}"
        duration = time.perf_counter() - started
        text = output.read_text() if output.exists() else None
        kernel_log = log.read_text(errors="replace")[-KERNEL_LOG_CHARACTERS:] if log.exists() else ""
    rows = results.rows_in(json.loads(text)) if text else []
    row = rows[-1] if rows else None
    if status == "ok" and len(rows) != 1:
        status = "failed"
        error = f"the notebook called seqlab.results.record {len(rows)} times; it must call it exactly once"
    return {
        "status": status, "error": error, "row": row, "duration_s": round(duration, 3), "notebook": text,
        "kernel_log": kernel_log,
    }


def compose_row(experiment, run, outcome):
    """The stored row: identity and status, every parameter value, the notebook's row, timing, error."""
    row = {"experiment": experiment.name, "run_id": run.run_id, "notebook": run.notebook, "status": outcome["status"]}
    row.update(run.values)
    row.update(outcome.get("row") or {})
    row.update(status=outcome["status"], duration_s=outcome.get("duration_s"), error=outcome.get("error"))
    return row


def finished(path):
    """True when the row at ``path`` exists, parses and says ``status: ok``."""
    try:
        return json.loads(Path(path).read_text()).get("status") == "ok"
    except (FileNotFoundError, ValueError):
        return False


def _task(experiment, run, timeout):
    notebook_path = experiment.notebook_path(run)
    return {
        "notebook": notebook_path.read_text(),
        "parameters": run.parameters,
        "cwd": str(notebook_path.parent),
        "timeout": timeout,
    }


def _local(tasks, workers):
    """Yield (run, outcome) as runs finish, in this process or in ``workers`` processes."""
    if workers <= 1:
        for run, task in tasks:
            yield run, execute_run(task)
        return
    import multiprocessing

    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(execute_run, task): run for run, task in tasks}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as failure:  # the worker process died
                outcome = {"status": "failed", "error": f"{type(failure).__name__}: {failure}", "row": None}
            yield futures[future], outcome


def _dask(tasks, workers, scheduler):
    """Yield (run, outcome) as Dask tasks finish (``retries=1``; a lost task becomes a failed row)."""
    try:
        from distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError:
        raise SystemExit("seqlab run --engine dask needs dask and distributed: pip install 'seqlab[dask]'") from None
    import logging

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
        )
    client = Client(scheduler or cluster)
    try:
        token = uuid.uuid4().hex[:8]
        futures = {
            client.submit(execute_run, task, key=f"seqlab-{run.run_id}-{token}", retries=1, pure=False): run
            for run, task in tasks
        }
        for future in dask_completed(futures):
            try:
                outcome = future.result()
            except Exception as failure:  # KilledWorker after repeated worker deaths, or a lost task
                outcome = {"status": "failed", "error": f"{type(failure).__name__}: {failure}", "row": None}
            yield futures[future], outcome
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def absolute_data_dir(environ=os.environ):
    """Make a relative ``SEQLAB_DATA_DIR`` absolute, from the current folder (where ``seqlab run`` was called).

    Notebooks run with their own folder as working directory, where a relative path such as
    ``../shared/data`` would point somewhere else. Returns the value now in ``environ``.

    >>> environ = {"SEQLAB_DATA_DIR": "data"}
    >>> absolute_data_dir(environ) == str(Path.cwd() / "data")
    True
    >>> absolute_data_dir({}) is None
    True
    """
    value = environ.get("SEQLAB_DATA_DIR")
    if value:
        environ["SEQLAB_DATA_DIR"] = value = str(Path(value).expanduser().absolute())
    return value


def run_experiment(experiment, *, workers=1, engine="local", scheduler=None, force=False, timeout=None, results_dir=None):
    """Run the pending runs of a loaded experiment; return the rows of this invocation."""
    from tqdm import tqdm

    absolute_data_dir()  # kernels and worker processes inherit it, and run in the notebook's folder
    results_dir = Path(results_dir) if results_dir else experiment.root / "results"
    runs_dir = results_dir / "runs" / experiment.name
    runs_dir.mkdir(parents=True, exist_ok=True)
    for stale in runs_dir.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    pending = [run for run in experiment.runs if force or not finished(runs_dir / f"{run.run_id}.json")]
    skipped = len(experiment.runs) - len(pending)
    if skipped:
        print(f"{experiment.name}: {skipped} finished runs skipped (--force re-runs them)", file=sys.stderr)
    tasks = [(run, _task(experiment, run, timeout)) for run in pending]
    outcomes = _dask(tasks, workers, scheduler) if engine == "dask" else _local(tasks, workers)
    rows, failed = [], 0
    with tqdm(total=len(tasks), desc=experiment.name, unit="run", postfix={"failed": 0}) as progress:
        for run, outcome in outcomes:
            if outcome.get("notebook"):
                results.write_atomic(runs_dir / f"{run.run_id}.ipynb", outcome["notebook"])
            results.write_atomic(runs_dir / f"{run.run_id}.log", outcome.get("kernel_log") or "")
            row = compose_row(experiment, run, outcome)
            results.write_atomic(runs_dir / f"{run.run_id}.json", json.dumps(row, indent=1) + "\n")
            rows.append(row)
            failed += row["status"] != "ok"
            progress.set_postfix(failed=failed)
            progress.update()
    return rows


def main(argv=None):
    """``seqlab run``: returns 0 when every run of the experiment is ok, 1 otherwise, 2 on a bad experiment."""
    arguments = parser().parse_args(argv)
    try:
        experiment = grid.load(arguments.experiment)
    except grid.ExperimentError as error:
        print(f"seqlab run: {error}", file=sys.stderr)
        return 2
    results_dir = Path(arguments.results_dir) if arguments.results_dir else experiment.root / "results"
    if arguments.dry_run:
        runs_dir = results_dir / "runs" / experiment.name
        for run in experiment.runs:
            state = "done" if finished(runs_dir / f"{run.run_id}.json") and not arguments.force else "pending"
            print(f"{run.run_id}\t{run.notebook}\t{state}\t{json.dumps(run.parameters, sort_keys=True)}")
        print(f"{len(experiment.runs)} runs", file=sys.stderr)
        return 0
    run_experiment(
        experiment,
        workers=arguments.workers,
        engine=arguments.engine,
        scheduler=arguments.scheduler,
        force=arguments.force,
        timeout=arguments.timeout,
        results_dir=results_dir,
    )
    command = "seqlab run " + " ".join(shlex.quote(argument) for argument in (argv if argv is not None else sys.argv[1:]))
    table = results.write_tables(experiment.name, experiment.summary, results_dir=results_dir, command=command)
    print(table)
    frame = results.collect(experiment.name, results_dir=results_dir)
    current = frame[frame["run_id"].isin([run.run_id for run in experiment.runs])]
    failures = current[current["status"] != "ok"]
    for _, failure in failures.iterrows():
        notebook = results_dir / "runs" / experiment.name / f"{failure['run_id']}.ipynb"
        print(f"FAILED {failure['run_id']}: {failure['error']}\n  notebook: {notebook}", file=sys.stderr)
    if len(failures):
        print(f"{len(failures)} of {len(current)} runs failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
