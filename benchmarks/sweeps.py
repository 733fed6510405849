"""Sweeps: an experiment through the Dask engine on 1 worker vs 2 workers, wall time.

Runs every notebook of the experiment (default ``experiments/quickstart.yaml``) with
``seqlab.run.run_experiment(engine="dask")`` into a temporary results folder (``force``, so
nothing is skipped and ``results/runs`` is untouched), once with 1 worker and once with 2,
and reports runs per minute and the wall-time ratio. This takes minutes, so each setting
runs once (no repeats: the min, median and max are the one value).

    .venv/bin/python -m benchmarks.sweeps [--experiment experiments/quickstart.yaml]
"""

import argparse
import dataclasses
import pathlib
import sys
import tempfile
import time

from benchmarks import common


def main(argv=None):
    argument_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argument_parser.add_argument("--experiment", default="experiments/quickstart.yaml")
    argument_parser.add_argument("--quick", action="store_true", help="smoke run: only the first run of the experiment")
    argument_parser.add_argument("--results-dir", default=str(common.RESULTS))
    arguments = argument_parser.parse_args(argv)
    from seqlab import grid
    from seqlab.run import run_experiment

    experiment = grid.load(arguments.experiment)
    if arguments.quick:
        experiment = dataclasses.replace(experiment, runs=experiment.runs[:1])
    rates, statuses, seconds = {}, {}, {}
    for workers in (1, 2):
        name = f"dask, {workers} worker{'s' if workers > 1 else ''}"
        with tempfile.TemporaryDirectory(prefix="seqlab-sweep-") as results_dir:
            started = time.perf_counter()
            rows = run_experiment(experiment, workers=workers, engine="dask", force=True, results_dir=results_dir)
            seconds[name] = time.perf_counter() - started
        statuses[name] = [row["status"] for row in rows]
        rates[name] = [len(rows) / seconds[name] * 60]
        print(f"{name}: {seconds[name]:.1f} s, statuses {statuses[name]}", flush=True)
    rows = common.rows_for("sweeps", rates, "runs/minute", baseline="dask, 1 worker")
    notes = [f"Wall seconds: " + ", ".join(f"{name} {value:.1f}" for name, value in seconds.items())
             + f"; run statuses: {statuses}.",
             "Two workers can at best halve the wall time on this 2-core machine, and only when the cores are "
             "otherwise idle; each notebook's TensorFlow already uses both cores, so the two workers compete."]
    if pathlib.Path(arguments.experiment).name != "quickstart.yaml":
        notes.append("To keep this benchmark to minutes on a machine with load around 20 (2 cores), this run used a "
                     "smaller experiment instead of the quickstart; the quickstart's wall time was not measured. "
                     "`make benchmark` runs the quickstart (`--sweep-experiment` chooses another).")
    description = (f"Experiment `{arguments.experiment}` ({len(experiment.runs)} notebook runs), Dask LocalCluster "
                   "(one thread per worker process), every run forced, results in a temporary folder; 1 worker first, "
                   "then 2 workers, once each. Ratio: runs per minute over the 1-worker figure (= wall-time ratio).")
    common.write_report("sweeps", title="Sweeps: Dask engine, 1 vs 2 workers",
                        command=common.command_line("benchmarks.sweeps", argv or sys.argv[1:]),
                        description=description, rows=rows, notes=notes, results_dir=arguments.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
