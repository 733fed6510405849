"""Shared benchmark helpers: interleaved timing, summaries, FLOP counts, reports and summary.csv.

Speed is never asserted in tests; benchmarks measure variants side by side in one run
(A, B, A, B, ...), so each sees the same machine load, and quote the median, min and max of
several repeats.

>>> summarize([3.0, 1.0, 2.0])
{'median': 2.0, 'min': 1.0, 'max': 3.0}
>>> lstm_training_flops(batch=1, time=1, input_dim=1, units=1, num_classes=1)
54
"""

import csv
import importlib.metadata
import multiprocessing
import os
import pathlib
import platform
import statistics
import time

RESULTS = pathlib.Path("results/benchmarks")
SUMMARY_COLUMNS = ("benchmark", "variant", "unit", "median", "min", "max", "baseline", "ratio")


def load_note():
    """The machine's load when a report is written: figures from a busy machine are low and noisy.

    >>> load_note().startswith("Load average")
    True
    """
    one, five, fifteen = os.getloadavg()
    cores = multiprocessing.cpu_count()
    verdict = ("other processes shared the CPU, so absolute figures are low and noisy; the variants were interleaved "
               "in one run, so the ratios still compare like with like" if five > cores + 0.5 else
               "the benchmark had the CPU to itself")
    return (f"Load average when this report was written: {one:.1f} (1 min), {five:.1f} (5 min), {fifteen:.1f} (15 min) "
            f"on {cores} cores: {verdict}.")


def summarize(values):
    """Median, min and max of a list of numbers."""
    values = list(values)
    if not values:
        raise ValueError("values is empty; at least one measurement is required.")
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def interleave(variants, repeats, *, warmup=1, progress=True):
    """Run every variant once per round, ``warmup + repeats`` rounds; keep the timed rounds.

    Args:
        variants: ``{name: run}``; ``run()`` does one unit of work and returns its rate
            (for example samples per second).
        repeats: timed rounds.
        warmup: untimed first rounds (graph tracing, caches).

    Returns:
        ``{name: [rate, ...]}`` with ``repeats`` rates each.

    >>> interleave({"a": lambda: 1.0, "b": lambda: 2.0}, repeats=2, progress=False)
    {'a': [1.0, 1.0], 'b': [2.0, 2.0]}
    """
    if repeats < 1:
        raise ValueError(f"repeats={repeats!r} must be a positive integer.")
    rates = {name: [] for name in variants}
    for round_index in range(warmup + repeats):
        for name, run in variants.items():
            rate = run()
            if round_index >= warmup:
                rates[name].append(rate)
            if progress:
                label = "warm-up" if round_index < warmup else f"repeat {round_index - warmup + 1}/{repeats}"
                print(f"  {label:>13} {name:<40} {rate:12.2f}", flush=True)
    return rates


def timed_rate(work, items):
    """Run ``work()`` and return ``items`` per second of wall time."""
    started = time.perf_counter()
    work()
    return items / (time.perf_counter() - started)


def lstm_training_flops(*, batch, time, input_dim, units, num_classes, backward_factor=3):
    """Matrix-multiply FLOPs of one training step of ``LSTM(units) -> Dense(num_classes)``.

    Forward, per sample and time step, the four gates multiply ``[x<t>, a<t-1>]``
    (``input_dim + units``) by a ``(input_dim + units, 4 * units)`` matrix: ``2 * (input_dim +
    units) * 4 * units`` FLOPs (a multiply and an add per weight); the dense head adds
    ``2 * units * num_classes`` once per sample. The backward pass costs two such products
    per forward product (gradients for the inputs and for the weights), so a training step is
    ``backward_factor = 3`` times the forward count. Element-wise gate arithmetic, the
    embedding lookup and the optimizer update are left out (they are small beside the products
    and bound by memory, not arithmetic).

    >>> lstm_training_flops(batch=64, time=100, input_dim=64, units=128, num_classes=2) / 64 / 1e6
    58.983936
    """
    for name, value in (("batch", batch), ("time", time), ("input_dim", input_dim), ("units", units),
                        ("num_classes", num_classes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}={value!r} is not allowed; {name} must be a positive integer.")
    recurrent = 2 * (input_dim + units) * 4 * units * time
    head = 2 * units * num_classes
    return backward_factor * batch * (recurrent + head)


def machine_description():
    """One line naming the CPU, core count, Python, numpy, TensorFlow and Keras versions."""
    processor = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), None)
        processor = model or processor
    except OSError:
        pass
    parts = [f"{processor}, {os.cpu_count()} logical CPUs", f"Python {platform.python_version()}"]
    for package in ("numpy", "tensorflow", "tensorflow-cpu", "keras", "torch"):
        try:
            parts.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    return "; ".join(parts)


def format_number(value):
    """Readable figure: thousands separators, 3 significant digits for small numbers.

    >>> format_number(2596.4), format_number(0.04123), format_number(1.5)
    ('2,596', '0.0412', '1.50')
    """
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def rows_for(benchmark, rates, unit, baseline):
    """Summary rows ``{benchmark, variant, unit, median, min, max, baseline, ratio}`` per variant.

    ``ratio`` is the variant's median over the baseline variant's median (higher = faster for
    rates).

    >>> rows = rows_for("demo", {"fast": [4.0, 2.0], "slow": [1.0, 1.0]}, "samples/s", baseline="slow")
    >>> [(row["variant"], row["median"], row["ratio"]) for row in rows]
    [('fast', 3.0, 3.0), ('slow', 1.0, 1.0)]
    """
    if baseline not in rates:
        raise ValueError(f"baseline={baseline!r} is not one of the variants: {', '.join(rates)}.")
    reference = summarize(rates[baseline])["median"]
    rows = []
    for variant, values in rates.items():
        stats = summarize(values)
        rows.append({"benchmark": benchmark, "variant": variant, "unit": unit, **stats, "baseline": baseline,
                     "ratio": stats["median"] / reference})
    return rows


def markdown_table(rows):
    """A Markdown table of summary rows."""
    lines = ["| benchmark | variant | unit | median | min | max | ratio to baseline |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}x vs {row['baseline']}"
        lines.append(f"| {row['benchmark']} | {row['variant']} | {row['unit']} | {format_number(row['median'])} | "
                     f"{format_number(row['min'])} | {format_number(row['max'])} | {ratio} |")
    return "\n".join(lines)


def command_line(module, argv):
    """The command that reproduces a benchmark run."""
    return " ".join(["SEQLAB_DATA_DIR=../shared/data", ".venv/bin/python -m", module, *argv]).strip()


def write_report(name, *, title, command, description, rows, notes=(), results_dir=RESULTS):
    """Write ``<results_dir>/<name>.md`` and replace this benchmark's rows in ``summary.csv``.

    Returns the path of the Markdown report.
    """
    results_dir = pathlib.Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"# {title}", "", f"Command: `{command}`", "", description, "",
             f"Machine: {machine_description()}.", "", load_note(), "", markdown_table(rows), ""]
    for note in notes:
        lines += [note, ""]
    report = results_dir / f"{name}.md"
    report.write_text("\n".join(lines))
    update_summary(rows, {row["benchmark"] for row in rows}, results_dir / "summary.csv")
    print("\n".join(lines), flush=True)
    return report


def update_summary(rows, benchmarks, path):
    """Rewrite ``path`` (summary.csv) with the old rows of other benchmarks plus ``rows``.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "summary.csv"
    >>> row = {"benchmark": "a", "variant": "x", "unit": "s", "median": 1.0, "min": 1.0, "max": 1.0,
    ...        "baseline": "x", "ratio": 1.0}
    >>> update_summary([row], {"a"}, path); update_summary([{**row, "median": 2.0}], {"a"}, path)
    >>> path.read_text().splitlines()[1]
    'a,x,s,2,1,1,x,1'
    """
    path = pathlib.Path(path)
    kept = []
    if path.exists():
        with path.open(newline="") as handle:
            kept = [row for row in csv.DictReader(handle) if row["benchmark"] not in benchmarks]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=SUMMARY_COLUMNS)
        writer.writeheader()
        for row in kept:
            writer.writerow(row)
        for row in rows:
            writer.writerow({column: _csv_value(row[column]) for column in SUMMARY_COLUMNS})


def _csv_value(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else value


def _serve(connection, factory, options, environment):
    os.environ.update(environment)
    module_name, function_name = factory.split(":")
    module = __import__(module_name, fromlist=[function_name])
    try:
        runs = getattr(module, function_name)(**options)
        connection.send(("ready", list(runs)))
    except Exception as error:  # reported to the parent, which skips these variants
        connection.send(("error", f"{type(error).__name__}: {error}"))
        return
    while (command := connection.recv()) != "stop":
        connection.send(runs[command]())


class VariantProcess:
    """Variants living in their own process (own environment variables, thread pools, libraries).

    ``factory`` is ``"module:function"``; ``function(**options)`` prepares the work inside the
    child (build the models, load data) and returns ``{variant name: run}`` with
    ``run() -> rate``. Only one variant works at a time (the parent waits for each answer), so
    interleaved variants never compete. ``variants()`` gives ``{name: callable}`` for
    :func:`interleave`; ``error`` holds the reason when the factory failed.
    """

    def __init__(self, factory, options=None, environment=None):
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, factory, options or {}, environment or {}),
                                       daemon=True)
        self.process.start()
        status, answer = self.connection.recv()
        self.error, self.names = (answer, []) if status == "error" else (None, answer)

    def variants(self):
        return {name: (lambda name=name: self._run(name)) for name in self.names}

    def _run(self, name):
        self.connection.send(name)
        return self.connection.recv()

    def close(self):
        if self.process.is_alive():
            self.connection.send("stop")
            self.process.join(timeout=30)
