"""Run every speed benchmark, one fresh process each, and write ``results/benchmarks/``.

Each benchmark writes its ``<name>.md`` report and its rows of ``summary.csv`` (columns
``benchmark, variant, unit, median, min, max, baseline, ratio``). The Dask sweep runs last
(it takes minutes). ``make benchmark`` runs this module.

    .venv/bin/python -m benchmarks.run_all [--quick] [--only generation physical_limit] [--results-dir DIR]
                                           [--sweep-experiment benchmarks/sweep_small.yaml]

``--quick`` is a smoke run of every benchmark (tiny sizes, one repeat); give it a scratch
``--results-dir`` so the committed results stay as they are.
"""

import argparse
import csv
import os
import pathlib
import subprocess
import sys
import time

from benchmarks import common

BENCHMARKS = ("builder_overhead", "against_pytorch", "variable_length", "bucketing_sentiment", "generation",
              "physical_limit", "nade_sums", "sweeps")
# Not run here: gpu_check (needs a GPU; benchmarks/gpu_check.sh runs it) and the helper modules.
NOT_BENCHMARKS = ("common", "run_all", "gpu_check")


def parser():
    argument_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argument_parser.add_argument("--quick", action="store_true", help="smoke run: tiny sizes, one repeat each")
    argument_parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS),
                                 help="run only these benchmarks (in the standard order)")
    argument_parser.add_argument("--sweep-experiment", default="experiments/quickstart.yaml",
                                 help="experiment the Dask sweep runs (benchmarks/sweep_small.yaml on a busy machine)")
    argument_parser.add_argument("--results-dir", default=str(common.RESULTS))
    return argument_parser


def main(argv=None):
    arguments = parser().parse_args(argv)
    environment = {"TF_CPP_MIN_LOG_LEVEL": "2", **os.environ}
    failed = []
    for name in (benchmark for benchmark in BENCHMARKS if benchmark in arguments.only):
        command = [sys.executable, "-m", f"benchmarks.{name}", "--results-dir", arguments.results_dir]
        command += ["--quick"] if arguments.quick else []
        command += ["--experiment", arguments.sweep_experiment] if name == "sweeps" else []
        print(f"== {name}: {' '.join(command)}", flush=True)
        started = time.perf_counter()
        finished = subprocess.run(command, env=environment)
        print(f"== {name}: exit {finished.returncode} after {time.perf_counter() - started:.0f} s", flush=True)
        if finished.returncode != 0:
            failed.append(name)
    summary = pathlib.Path(arguments.results_dir) / "summary.csv"
    if summary.exists():
        with summary.open(newline="") as handle:
            for row in csv.DictReader(handle):
                print(f"{row['benchmark']:<40} {row['variant']:<60} {row['median']:>10} {row['unit']:<12} "
                      f"ratio {row['ratio']}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
