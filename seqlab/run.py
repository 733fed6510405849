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
import math
import os
import re
import shlex
import signal
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from jupyter_client import AsyncKernelManager
from traitlets import Dict, Unicode

from seqlab import grid, provenance, results, tracking

KERNEL_ENVIRONMENT = {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "TF_CPP_MIN_LOG_LEVEL": "2"}
SHUTDOWN_WAIT_SECONDS = 0.5
KERNEL_LOG_CHARACTERS = 20_000
PARENT_POLL_SECONDS = 0.5
SCHEDULER_CONNECT_SECONDS = 5
_KERNEL_GROUPS = set()  # process groups of the kernels this process started and has not shut down yet


class SchedulerError(RuntimeError):
    """A service the run needs (the ``--scheduler`` Dask scheduler, the ``--mlflow`` store) cannot be used."""


class LoggedKernelManager(AsyncKernelManager):
    """A kernel manager that sends the kernel process's own stdout and stderr to a file.

    Native log lines (TensorFlow's C++ logging) and crash messages then land in the run's
    ``.log`` file instead of interleaving with the progress bar.
    """

    log_path = Unicode("", config=True, help="file that receives the kernel's stdout and stderr")
    extra_env = Dict({}, config=True, help="variables given to this kernel only (not to the process that starts it)")

    async def _async_launch_kernel(self, kernel_cmd, **keywords):
        keywords["env"] = {**(keywords.get("env") or os.environ), **self.extra_env}
        if not self.log_path:
            await super()._async_launch_kernel(kernel_cmd, **keywords)
        else:
            with open(self.log_path, "ab") as handle:
                await super()._async_launch_kernel(kernel_cmd, **keywords, stdout=handle, stderr=handle)
        group = getattr(self.provisioner, "pgid", None)  # the kernel runs in its own session (POSIX)
        if group:
            _KERNEL_GROUPS.add(group)

    async def _async_cleanup_resources(self, restart=False):
        _KERNEL_GROUPS.discard(getattr(self.provisioner, "pgid", None))
        await super()._async_cleanup_resources(restart=restart)


def _positive_integer(text):
    """A whole number of at least 1 (``--workers``, ``--max-runs``)."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}")
    return value


def _positive_seconds(text):
    """A finite number of seconds above 0 (``--timeout``)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds; got {text!r}")
    return value


class _ArgumentParser(argparse.ArgumentParser):
    """argparse, wording a refused value as ``--workers must be a positive integer; got 'two'``."""

    def error(self, message):
        super().error(re.sub(r"^argument (\S+): (must be )", r"\1 \2", message))


def parser():
    """The command-line parser of ``seqlab run``.

    >>> parser().parse_args(["x.yaml"]).max_runs == grid.DEFAULT_MAX_RUNS
    True
    """
    argument_parser = _ArgumentParser(
        prog="seqlab run", description="Run every combination of an experiment YAML grid through papermill."
    )
    argument_parser.add_argument("experiment", help="experiment file, e.g. experiments/quickstart.yaml")
    argument_parser.add_argument("--workers", type=_positive_integer, default=1, help="notebooks run at once (default 1)")
    argument_parser.add_argument(
        "--max-runs", type=_positive_integer, default=grid.DEFAULT_MAX_RUNS,
        help=f"refuse a grid of more runs than this, counted before expanding it (default {grid.DEFAULT_MAX_RUNS:,})",
    )
    argument_parser.add_argument("--engine", choices=("local", "dask"), default="local", help="local processes or a Dask cluster")
    argument_parser.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (engine dask)")
    argument_parser.add_argument("--force", action="store_true", help="re-run runs that already finished")
    argument_parser.add_argument("--rerun-stale", action="store_true",
                                 help="re-run finished runs made by an older version of the notebook's code")
    argument_parser.add_argument("--dry-run", action="store_true", help="print the expanded runs without executing")
    argument_parser.add_argument("--timeout", type=_positive_seconds, default=None, help="seconds one cell may run (default: no limit)")
    argument_parser.add_argument("--results-dir", default=None, help="where tables and runs/ go (default: <project root>/results)")
    argument_parser.add_argument(
        "--mlflow", nargs="?", const=tracking.DEFAULT, default=None, metavar="URI",
        help="also log each run to MLflow (alone: sqlite:///<project root>/results/mlflow.db; pip install 'seqlab[mlflow]')",
    )
    return argument_parser


def execute_run(task):
    """Execute one notebook; return ``{status, error, row, duration_s, notebook, kernel_log, outputs}`` (picklable).

    ``task`` holds ``notebook`` (the notebook's JSON text), ``parameters``, ``values`` (every
    parameter value, for :func:`seqlab.results.record`'s shadowing check), ``cwd`` (used when
    it exists on this machine) and ``timeout``. ``outputs`` maps the relative path of each
    side-output file the notebook wrote to :func:`seqlab.results.output_folder` to its bytes.
    This is the function Dask workers and local worker processes run; it touches no files
    outside a temporary folder.
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
        outputs_folder = Path(folder) / "outputs"
        # for this kernel only (runs in threads of one Dask worker must not share them): record()
        # checks shadowing fields against the run's values, output_folder() points at the run's folder
        kernel_env = {results.RUN_VALUES_VARIABLE: json.dumps(task.get("values", {})),
                      results.OUTPUT_DIR_VARIABLE: str(outputs_folder)}
        config = Config({
            "KernelManager": {"shutdown_wait_time": SHUTDOWN_WAIT_SECONDS},
            "NotebookClient": {"kernel_manager_class": LoggedKernelManager},
            "LoggedKernelManager": {"log_path": str(log), "extra_env": kernel_env},
        })
        try:
            papermill.execute_notebook(
                nbformat.reads(task["notebook"], as_version=4),
                str(output),
                parameters=task["parameters"],
                cwd=cwd or folder,
                progress_bar=False,
                engine_name="nbclient",  # not seqlab's default engine: this function handles rows and outputs itself
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
        side_outputs = {
            path.relative_to(outputs_folder).as_posix(): path.read_bytes()
            for path in sorted(outputs_folder.rglob("*")) if path.is_file()
        }
    rows = results.rows_in(json.loads(text)) if text else []
    row = rows[-1] if rows else None
    if status == "ok" and len(rows) != 1:
        status = "failed"
        error = f"the notebook called seqlab.results.record {len(rows)} times; it must call it exactly once"
    return {
        "status": status, "error": error, "row": row, "duration_s": round(duration, 3), "notebook": text,
        "kernel_log": kernel_log, "outputs": side_outputs,
    }


def compose_row(experiment, run, outcome, origin):
    """The stored row: identity and status, every parameter value, the notebook's row, timing, error, provenance.

    ``origin`` holds the fields that say what made the row and are the same for every run of
    one invocation: ``git_commit``, ``git_dirty`` and ``command``.
    """
    row = {"experiment": experiment.name, "run_id": run.run_id, "notebook": run.notebook, "status": outcome["status"]}
    row.update(run.values)
    row.update(outcome.get("row") or {})
    row.update(
        status=outcome["status"], duration_s=outcome.get("duration_s"), error=outcome.get("error"),
        outputs=";".join(f"{run.run_id}/{name}" for name in outcome.get("outputs") or {}),
        parameters_hash=run.parameters_hash, code_hash=run.code_hash, **origin,
    )
    return row


def origin_of(experiment, command):
    """The provenance fields shared by one invocation's rows: git commit and dirty flag, command."""
    commit, dirty = provenance.git_state(experiment.root)
    return {"git_commit": commit, "git_dirty": dirty, "command": command or "seqlab.run.run_experiment (Python API)"}


def run_states(experiment, results_dir):
    """``[(run, (state, reason)), ...]`` for every run of the experiment (see :func:`seqlab.provenance.state`)."""
    rows = results.stored_rows(experiment.name, results_dir)
    return [(run, provenance.state(rows.get(run.run_id), run)) for run in experiment.runs]


def _task(experiment, run, timeout):
    notebook_path = experiment.notebook_path(run)
    return {
        "notebook": notebook_path.read_text(),
        "parameters": run.parameters,
        "values": run.values,
        "cwd": str(notebook_path.parent),
        "timeout": timeout,
    }


def _kill_kernels():
    """SIGKILL the process group (the kernel and whatever it started) of every kernel this process runs."""
    for group in list(_KERNEL_GROUPS):
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:  # already gone
            pass


def _die_with_parent(parent_pid, stop):
    """Worker initializer: end this worker and its kernels once ``parent_pid`` is gone or ``stop`` is set.

    A daemon thread polls ``os.getppid()`` every ``PARENT_POLL_SECONDS``. When ``seqlab run``
    dies, even by SIGKILL, the worker is re-parented; then (or when the runner sets ``stop``
    on Ctrl-C or an error) the thread kills the kernels' process groups and exits the worker,
    so no worker, kernel or multiprocessing resource tracker outlives the sweep.
    """
    def watch():
        while not stop.wait(PARENT_POLL_SECONDS) and os.getppid() == parent_pid:
            pass
        _kill_kernels()
        os._exit(1)

    threading.Thread(target=watch, name="seqlab-watch-parent", daemon=True).start()


def _local(tasks, workers):
    """Yield (run, outcome) as runs finish, in this process or in ``workers`` processes.

    The worker processes (and their kernels) end with this process, however it ends: see
    :func:`_die_with_parent`.
    """
    if workers <= 1:
        for run, task in tasks:
            yield run, execute_run(task)
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(), stop)
    )
    with pool:
        try:
            futures = {pool.submit(execute_run, task): run for run, task in tasks}
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as failure:  # the worker process died
                    outcome = {"status": "failed", "error": f"{type(failure).__name__}: {failure}", "row": None}
                yield futures[future], outcome
        except BaseException:  # Ctrl-C, an error in the caller, or the caller stopped early: end the workers now
            stop.set()
            raise


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
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=SCHEDULER_CONNECT_SECONDS)
        except (OSError, ValueError) as error:  # unreachable (a timeout) or a malformed address
            raise SchedulerError(
                f"cannot connect to the Dask scheduler --scheduler {scheduler}: {error}. Check the address "
                "(tcp://HOST:PORT) and that `dask scheduler` runs there, or drop --scheduler for a local cluster."
            ) from None
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


def write_outputs(folder, outputs):
    """Replace ``folder``'s files by a run's side outputs (``{relative path: bytes}``), each written atomically."""
    import shutil

    if folder.is_dir():
        shutil.rmtree(folder)
    for name, data in outputs.items():
        results.write_atomic(folder / name, data)


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


def run_experiment(experiment, *, workers=1, engine="local", scheduler=None, force=False, rerun_stale=False,
                   timeout=None, results_dir=None, command=None, mlflow=None):
    """Run the pending runs of a loaded experiment; return the rows of this invocation.

    A run is pending when it has no row, a failed row, or a row made with other parameter
    values (the reason is printed: ``parameters changed: epochs 1 -> 2``); ``rerun_stale``
    also re-runs rows made by an older version of the notebook's code, ``force`` every run.
    ``command`` is recorded in every row (default: says the Python API made it). ``mlflow``
    (a tracking URI, or ``"default"``) also logs each run that executes to MLflow, right after
    its row is written (see :mod:`seqlab.tracking`).
    """
    from tqdm import tqdm

    absolute_data_dir()  # kernels and worker processes inherit it, and run in the notebook's folder
    tracking_uri = tracking.mlflow_uri(experiment.root, mlflow)
    if tracking_uri:  # a missing MLflow or an unreachable store stops here, before any notebook runs
        try:
            tracking.experiment_id(experiment.name, tracking_uri)
        except Exception as error:  # MLflow's own errors (a deleted experiment, an unreachable server)
            raise SchedulerError(f"--mlflow {tracking_uri}: {type(error).__name__}: {error}") from None
    results_dir = Path(results_dir) if results_dir else experiment.root / "results"
    runs_dir = results_dir / "runs" / experiment.name
    runs_dir.mkdir(parents=True, exist_ok=True)
    for leftover in runs_dir.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
    rerun = {"new", "failed", "changed"} | ({"stale"} if rerun_stale else set())
    pending = []
    for run, (state, reason) in run_states(experiment, results_dir):
        if force or state in rerun:
            pending.append(run)
            if state == "changed" and not force:
                print(f"{experiment.name}: re-running {run.run_id}: {reason}", file=sys.stderr)
    skipped = len(experiment.runs) - len(pending)
    if skipped:
        print(f"{experiment.name}: {skipped} finished runs skipped (--force re-runs them; --rerun-stale re-runs those "
              "made by older notebook code)", file=sys.stderr)
    origin = origin_of(experiment, command)
    tasks = [(run, _task(experiment, run, timeout)) for run in pending]
    outcomes = _dask(tasks, workers, scheduler) if engine == "dask" else _local(tasks, workers)
    rows, failed = [], 0
    with tqdm(total=len(tasks), desc=experiment.name, unit="run", postfix={"failed": 0}) as progress:
        for run, outcome in outcomes:
            if outcome.get("notebook"):
                results.write_atomic(runs_dir / f"{run.run_id}.ipynb", outcome["notebook"])
            results.write_atomic(runs_dir / f"{run.run_id}.log", outcome.get("kernel_log") or "")
            write_outputs(runs_dir / run.run_id, outcome.get("outputs") or {})
            row = compose_row(experiment, run, outcome, origin)
            results.write_atomic(runs_dir / f"{run.run_id}.json", json.dumps(row, indent=1) + "\n")
            if tracking_uri:
                try:
                    tracking.log_run(row, experiment_name=experiment.name, run_dir=runs_dir, tracking_uri=tracking_uri,
                                     parameters=run.values)
                except Exception as error:  # the row is on disk; a tracking outage must not end the sweep
                    print(f"{experiment.name}: MLflow did not log {run.run_id}: {type(error).__name__}: {error}",
                          file=sys.stderr)
            rows.append(row)
            failed += row["status"] != "ok"
            progress.set_postfix(failed=failed)
            progress.update()
    return rows


def main(argv=None):
    """``seqlab run``: returns 0 when every run of the experiment is ok, 1 otherwise, 2 on a bad experiment.

    Bad arguments (and an unreachable ``--scheduler``) exit 2 with a one-line message.
    """
    argument_parser = parser()
    arguments = argument_parser.parse_args(argv)
    if arguments.scheduler is not None and arguments.engine != "dask":
        argument_parser.error(f"--scheduler {arguments.scheduler} is a Dask scheduler; add --engine dask")
    try:
        experiment = grid.load(arguments.experiment, max_runs=arguments.max_runs)
    except grid.ExperimentError as error:
        print(f"seqlab run: {error}", file=sys.stderr)
        return 2
    results_dir = Path(arguments.results_dir) if arguments.results_dir else experiment.root / "results"
    if arguments.dry_run:
        for run, (state, reason) in run_states(experiment, results_dir):
            label = "pending (--force)" if arguments.force else {"new": "pending"}.get(state, state)
            label += f": {reason}" if state in ("changed", "stale") else ""
            print(f"{run.run_id}\t{run.notebook}\t{label}\t{json.dumps(run.parameters, sort_keys=True)}")
        print(f"{len(experiment.runs)} runs", file=sys.stderr)
        return 0
    if not experiment.runs:
        print(f"seqlab run: {experiment.path} expands to 0 runs (an empty list in its grid?); nothing to run.",
              file=sys.stderr)
        return 1
    command = "seqlab run " + " ".join(shlex.quote(argument) for argument in (argv if argv is not None else sys.argv[1:]))
    try:
        run_experiment(
            experiment,
            workers=arguments.workers,
            engine=arguments.engine,
            scheduler=arguments.scheduler,
            force=arguments.force,
            rerun_stale=arguments.rerun_stale,
            timeout=arguments.timeout,
            results_dir=results_dir,
            command=command,
            mlflow=arguments.mlflow,
        )
    except SchedulerError as error:
        print(f"seqlab run: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("seqlab run: interrupted; finished runs are kept, run the same command again to resume.", file=sys.stderr)
        return 130
    print(results.write_tables(experiment.name, experiment.table, results_dir=results_dir, runs=experiment.runs,
                               command=command))
    current = results.current(results.collect(experiment.name, results_dir=results_dir, runs=experiment.runs))
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
