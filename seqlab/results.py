"""Results rows: ``record(**row)`` inside notebooks; tables and figures for the runner.

A notebook ends with one call to :func:`record`. It adds the software versions and the
device, checks that every value is a JSON scalar, and displays the row as the MIME bundle
``application/vnd.seqlab.row+json`` (plus a readable table). ``seqlab run`` reads that
bundle from the executed notebook, so workers need no shared filesystem.

>>> row = record(task="demo", units=8, test_accuracy=0.5)
task            demo
units           8
test_accuracy   0.5
seqlab_version  ...
>>> row["units"], row["seqlab_version"]
(8, '0.1.0')
"""

import html
import json
import math
import numbers
import os
import sys
import uuid
from importlib import metadata
from pathlib import Path

MIME_TYPE = "application/vnd.seqlab.row+json"

ENVIRONMENT_FIELDS = ("seqlab_version", "keras_version", "backend", "device")
RUNNER_FIELDS = ("experiment", "run_id", "notebook", "status", "duration_s", "error")


def _json_scalar(name, value):
    """Return ``value`` as a plain JSON scalar or raise a ``ValueError`` naming the field.

    numpy scalars become Python scalars; non-finite floats (a diverged loss) become ``None``,
    since JSON has no NaN.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value).__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()
        if isinstance(value, bool):
            return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else None
    raise ValueError(
        f"record: field {name}={value!r} has type {type(value).__name__}; "
        "allowed: str, int, float, bool or None (a JSON scalar)."
    )


def _device():
    """Name the device the notebook's backend computes on, without importing a framework."""
    if "tensorflow" in sys.modules:
        gpus = sys.modules["tensorflow"].config.list_logical_devices("GPU")
        return "gpu" if gpus else "cpu"
    if "jax" in sys.modules:
        return sys.modules["jax"].default_backend()
    if "torch" in sys.modules:
        return "gpu" if sys.modules["torch"].cuda.is_available() else "cpu"
    return "cpu"


def environment():
    """The fields :func:`record` adds: seqlab and Keras versions, Keras backend, device.

    >>> sorted(environment())
    ['backend', 'device', 'keras_version', 'seqlab_version']
    """
    from seqlab import __version__

    if "keras" in sys.modules:
        keras = sys.modules["keras"]
        keras_version, backend = keras.__version__, keras.backend.backend()
    else:
        keras_version = metadata.version("keras")
        backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    return {"seqlab_version": __version__, "keras_version": keras_version, "backend": backend, "device": _device()}


def _text_table(row):
    width = max(len(name) for name in row)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in row.items())


def _html_table(row):
    cells = "".join(
        f"<tr><th style='text-align:left'>{html.escape(name)}</th><td>{html.escape(str(value))}</td></tr>"
        for name, value in row.items()
    )
    return f"<table>{cells}</table>"


def record(**row):
    """Record a notebook's results row: validate, add versions and device, display, return.

    Args:
        **row: JSON scalars (str, int, float, bool, None; numpy scalars are converted),
            for example ``task``, ``dataset``, ``cell``, ``units``, ``seed``,
            ``train_seconds`` and metrics named ``test_*`` / ``valid_*``.

    Returns:
        The row as a dict, with ``seqlab_version``, ``keras_version``, ``backend`` and
        ``device`` appended.

    Raises:
        ValueError: naming every field whose value is not a JSON scalar, or that the
            runner or :func:`record` itself sets.

    >>> record(task="demo", scores=[1, 2])
    Traceback (most recent call last):
    ...
    ValueError: record: field scores=[1, 2] has type list; allowed: str, int, float, bool or None (a JSON scalar).
    >>> record(task="demo", run_id="x")
    Traceback (most recent call last):
    ...
    ValueError: record: fields ['run_id'] are set by seqlab itself; rename them.
    """
    reserved = sorted(set(row) & set(ENVIRONMENT_FIELDS + RUNNER_FIELDS))
    if reserved:
        raise ValueError(f"record: fields {reserved} are set by seqlab itself; rename them.")
    problems, clean = [], {}
    for name, value in row.items():
        try:
            clean[name] = _json_scalar(name, value)
        except ValueError as error:
            problems.append(str(error).removeprefix("record: "))
    if problems:
        raise ValueError("record: " + "; ".join(problems))
    clean.update(environment())
    _display(clean)
    return clean


def _display(row):
    from IPython import get_ipython

    if get_ipython() is None:
        print(_text_table(row))
        return
    from IPython.display import display

    bundle = {MIME_TYPE: row, "text/plain": _text_table(row), "text/html": _html_table(row)}
    display(bundle, raw=True)


HEAD_COLUMNS = (
    "experiment", "run_id", "notebook", "status", "task", "dataset", "architecture",
    "cell", "units", "depth", "bidirectional", "seed",
)
TAIL_COLUMNS = ("train_seconds", "duration_s", "seqlab_version", "keras_version", "backend", "device", "error")
DEFAULT_GROUP_BY = ("notebook", "task", "dataset", "architecture", "cell", "units", "depth", "bidirectional")


def rows_in(notebook):
    """The rows :func:`record` displayed in an executed notebook (its JSON, as a dict).

    >>> rows_in({"cells": [{"outputs": [{"data": {MIME_TYPE: {"test_accuracy": 0.9}}}]}, {"cells": []}]})
    [{'test_accuracy': 0.9}]
    """
    return [
        output["data"][MIME_TYPE]
        for cell in notebook.get("cells", [])
        for output in cell.get("outputs", [])
        if MIME_TYPE in output.get("data", {})
    ]


def _metric_columns(columns):
    return sorted(name for name in columns if name.startswith("test_")) + sorted(
        name for name in columns if name.startswith("valid_")
    )


def collect(experiment, results_dir="results"):
    """All rows of an experiment as one ``pandas.DataFrame`` in the common schema.

    Reads ``<results_dir>/runs/<experiment>/*.json``; columns: ``experiment, run_id,
    notebook, status, task, dataset, architecture, cell, units, depth, bidirectional,
    seed``, the metrics (``test_*`` then ``valid_*``), the other parameters, then
    ``train_seconds, duration_s, seqlab_version, keras_version, backend, device, error``.
    Rows are sorted by ``run_id``.

    >>> collect("no-such-experiment", results_dir="/nonexistent").columns[:4].tolist()
    ['experiment', 'run_id', 'notebook', 'status']
    """
    import pandas

    folder = Path(results_dir) / "runs" / experiment
    rows = [json.loads(path.read_text()) for path in sorted(folder.glob("[!.]*.json"))]
    frame = pandas.DataFrame(rows)
    present = list(frame.columns)
    metrics = _metric_columns(present)
    known = set(HEAD_COLUMNS) | set(TAIL_COLUMNS) | set(metrics)
    order = [*HEAD_COLUMNS, *metrics, *sorted(name for name in present if name not in known), *TAIL_COLUMNS]
    frame = frame.reindex(columns=order)
    return frame.sort_values("run_id", kind="stable").reset_index(drop=True)


def _format_mean_std(values):
    values = values.dropna()
    if values.empty:
        return ""
    if len(values) == 1:
        return f"{values.iloc[0]:.4g}"
    return f"{values.mean():.4g} ± {values.std(ddof=1):.2g}"


def _groups(frame, summary):
    """(ok rows, group-by columns, metric columns) with the defaults applied and empty columns dropped."""
    summary = summary or {}
    ok = frame[frame["status"] == "ok"]
    filled = [name for name in ok.columns if ok[name].notna().any()]
    if summary.get("group_by"):
        group_by = [name for name in summary["group_by"] if name in filled]
    else:
        group_by = [name for name in DEFAULT_GROUP_BY if name in filled and ok[name].astype(str).nunique() > 1]
        group_by = group_by or ["notebook"]
    metrics = [name for name in summary.get("metrics") or _metric_columns(ok.columns) if name in filled]
    if not summary.get("metrics"):
        metrics = [name for name in metrics if name.startswith("test_")] or metrics
    return ok, group_by, metrics


def _labels(ok, group_by):
    if not group_by:
        return ok["run_id"]
    return ok[group_by].astype(str).where(ok[group_by].notna(), "").agg(", ".join, axis=1)


def summarize(frame, summary=None):
    """The Markdown-ready summary: ok runs grouped by ``summary['group_by']``, mean ± std of the metrics.

    Group-by columns default to those of ``notebook, task, dataset, architecture, cell, units,
    depth, bidirectional`` that vary (``notebook`` when none does); metrics default to every
    ``test_*`` column (``valid_*`` when there is none). Returns a DataFrame with one row per group and a column ``n``.
    """
    import pandas

    ok, group_by, metrics = _groups(frame, summary)
    table = []
    for _, group in ok.groupby(_labels(ok, group_by), sort=True):
        entry = {name: group[name].iloc[0] if group[name].notna().iloc[0] else "" for name in group_by}
        entry["n"] = len(group)
        entry.update({name: _format_mean_std(pandas.to_numeric(group[name], errors="coerce")) for name in metrics})
        table.append(entry)
    return pandas.DataFrame(table, columns=[*group_by, "n", *metrics])


def write_atomic(path, data):
    """Write ``data`` (str or bytes) to ``path`` through a temporary file in the same folder and ``os.replace``.

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "row.json"
    >>> write_atomic(target, '{"status": "ok"}').read_text()
    '{"status": "ok"}'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(temporary, "xb") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def bar_chart(frame, summary):
    """A matplotlib ``Figure``: one panel per metric (at most six), one bar per configuration (mean ± std).

    Metrics that no ok run reported as a number get no panel; returns None when none is left.
    """
    import pandas
    from matplotlib.figure import Figure

    ok, group_by, metrics = _groups(frame, summary)
    if not metrics:
        return None
    labels = _labels(ok, group_by)
    bars = {}
    for metric in metrics:  # metrics no ok run reported as a number get no empty panel
        grouped = pandas.to_numeric(ok[metric], errors="coerce").groupby(labels).agg(["mean", "std"])
        if grouped["mean"].notna().any():
            bars[metric] = grouped.dropna(subset=["mean"])
    if not bars:
        return None
    bars = dict(list(bars.items())[:6])
    panel_height = max(1.3, 0.3 + 0.35 * labels.nunique())
    fig = Figure(figsize=(10, 0.4 + panel_height * len(bars)))
    for index, (metric, grouped) in enumerate(bars.items()):
        axis = fig.add_subplot(len(bars), 1, index + 1)
        axis.barh(grouped.index, grouped["mean"], xerr=grouped["std"].fillna(0), color="tab:blue")
        axis.set_xlabel(metric)
        axis.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    return fig


def figure(frame, summary, path):
    """Save :func:`bar_chart` as a PNG at ``path`` (atomically); return the path, or None when there is nothing to draw."""
    import io

    fig = bar_chart(frame, summary)
    if fig is None:
        return None
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return write_atomic(path, buffer.getvalue())


def write_tables(experiment, summary=None, results_dir="results", command=None):
    """Write ``<results_dir>/<experiment>.csv`` (all rows), ``.md`` (summary) and ``figures/<experiment>.png``.

    Returns the Markdown text. Every file is written atomically.
    """
    results_dir = Path(results_dir)
    frame = collect(experiment, results_dir=results_dir)
    write_atomic(results_dir / f"{experiment}.csv", frame.to_csv(index=False))
    ok = int((frame["status"] == "ok").sum())
    failed = len(frame) - ok
    lines = [f"# {experiment}", "", f"{ok} runs ok, {failed} failed."]
    if command:
        lines[-1] += f" Made by `{command}`."
    table = summarize(frame, summary)
    lines += ["", table.to_markdown(index=False) if len(table) else "(no finished runs)"]
    failures = frame[frame["status"] != "ok"]
    if len(failures):
        lines += ["", "Failed runs:", ""]
        lines += [f"- `{row.run_id}` ({row.notebook}): {row.error}" for row in failures.itertuples()]
    text = "\n".join(lines) + "\n"
    write_atomic(results_dir / f"{experiment}.md", text)
    figure(frame, summary, results_dir / "figures" / f"{experiment}.png")
    return text


def main(argv=None):
    """``seqlab results EXPERIMENT``: rebuild the tables and figure from ``results/runs/EXPERIMENT``.

    EXPERIMENT is an experiment YAML (its ``summary`` and project root are used) or a name
    (``experiments/<name>.yaml`` is read for the summary when it exists).
    """
    import argparse
    import shlex

    from seqlab import grid

    argument_parser = argparse.ArgumentParser(prog="seqlab results", description=main.__doc__.splitlines()[0])
    argument_parser.add_argument("experiment", help="experiment YAML or name")
    argument_parser.add_argument("--results-dir", default=None, help="default: <project root>/results")
    arguments = argument_parser.parse_args(argv)
    path = Path(arguments.experiment)
    if path.suffix not in (".yaml", ".yml"):
        path = Path("experiments") / f"{arguments.experiment}.yaml"
    summary, root = {}, Path(".")
    if path.exists():
        try:
            summary = grid.read_summary(path)
        except grid.ExperimentError as error:
            print(f"seqlab results: {error}", file=sys.stderr)
            return 2
        root = grid.find_root(path)
    results_dir = Path(arguments.results_dir) if arguments.results_dir else root / "results"
    name = path.stem
    if not (results_dir / "runs" / name).is_dir():
        print(f"seqlab results: no runs in {results_dir / 'runs' / name}; run `seqlab run` first.", file=sys.stderr)
        return 2
    command = "seqlab results " + " ".join(shlex.quote(argument) for argument in (argv if argv is not None else sys.argv[1:]))
    print(write_tables(name, summary, results_dir=results_dir, command=command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
