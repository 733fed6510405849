"""Results rows: ``record(**row)`` inside notebooks; tables and figures for the runner.

A notebook ends with one call to :func:`record`. It adds the software versions and the
device, checks that every value is a JSON scalar, and displays the row as the MIME bundle
``application/vnd.seqlab.row+json`` (plus a readable table). ``seqlab run`` reads that
bundle from the executed notebook, so workers need no shared filesystem.

>>> row = record(task="demo", units=8, test_accuracy=0.5)
task                demo
units               8
test_accuracy       0.5
seqlab_version      ...
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

from seqlab import provenance

MIME_TYPE = "application/vnd.seqlab.row+json"

ENVIRONMENT_FIELDS = (
    "seqlab_version", "keras_version", "backend", "device", "python_version", "tensorflow_version", "numpy_version",
    "pandas_version", "papermill_version", "data_sources", "data_files",
)
RUNNER_FIELDS = (
    "experiment", "run_id", "notebook", "status", "duration_s", "error", "stale", "outputs", "in_table", "excluded",
    *provenance.ROW_FIELDS,
)
RUN_VALUES_VARIABLE = "SEQLAB_RUN_VALUES"  # JSON of the run's parameter values, set by the runner for the kernel
OUTPUT_DIR_VARIABLE = "SEQLAB_OUTPUT_DIR"  # the run's side-output folder, set by the runner for the kernel


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
    """The fields :func:`record` adds: versions (seqlab, Keras, Python, TensorFlow, ...), backend, device, data read.

    >>> sorted(environment()) == sorted(ENVIRONMENT_FIELDS)
    True
    """
    from seqlab import __version__
    from seqlab.data.sources import resolved_sources

    if "keras" in sys.modules:
        keras = sys.modules["keras"]
        keras_version, backend = keras.__version__, keras.backend.backend()
    else:
        keras_version = metadata.version("keras")
        backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    return {
        "seqlab_version": __version__, "keras_version": keras_version, "backend": backend, "device": _device(),
        **provenance.package_versions(), **resolved_sources(),
    }


def output_folder():
    """The folder where a notebook writes its side outputs (figures, MIDI, audio, per-class tables).

    Under ``seqlab run`` it is the run's own folder, ``results/runs/<experiment>/<run_id>/``
    (the files travel back from Dask workers with the row, which lists them in ``outputs``);
    under plain papermill it is ``<output stem>_outputs/`` beside the output notebook (see
    :mod:`seqlab.papermill_engine`); elsewhere (JupyterLab) it is ``results/outputs/`` of the project that
    holds the working directory (the nearest folder with ``pyproject.toml``), else
    ``./outputs``. The folder exists on return.
    """
    value = os.environ.get(OUTPUT_DIR_VARIABLE)
    if value:
        folder = Path(value)
    else:
        here = Path.cwd().resolve()
        root = next((folder for folder in (here, *here.parents) if (folder / "pyproject.toml").exists()), None)
        folder = root / "results" / "outputs" if root else here / "outputs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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
        The row as a dict, with the fields of ``ENVIRONMENT_FIELDS`` appended (versions,
        backend, device, data read: see :func:`environment`).

    Raises:
        ValueError: naming every field whose value is not a JSON scalar, that the runner
            or :func:`record` itself sets, or that shadows a parameter of the run with
            another value (under ``seqlab run``, which tells the kernel the run's parameters).

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
    parameters = json.loads(os.environ.get(RUN_VALUES_VARIABLE) or "{}")
    shadowing = [
        f"{name}={row[name]!r} shadows the parameter {name}={parameters[name]!r}"
        for name in row if name in parameters and not provenance.same_value(row[name], parameters[name])
    ]
    if shadowing:
        raise ValueError(
            f"record: {'; '.join(shadowing)}; the row already holds every parameter: record the value under another name."
        )
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
    "experiment", "run_id", "notebook", "status", "in_table", "stale", "task", "dataset", "architecture",
    "cell", "units", "depth", "bidirectional", "seed",
)
TAIL_COLUMNS = (
    "train_seconds", "duration_s", "error", "excluded", "outputs", *provenance.ROW_FIELDS, *ENVIRONMENT_FIELDS,
)
DEFAULT_GROUP_BY = ("notebook", "task", "dataset", "architecture", "cell", "units", "depth", "bidirectional")
LOWER_IS_BETTER = ("loss", "nll", "error", "perplexity", "seconds", "bits")


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


def stored_rows(experiment, results_dir="results"):
    """``run_id -> row`` of every row stored for an experiment.

    The rows are the JSON files under ``<results_dir>/runs/<experiment>/`` and, for runs with
    no JSON file here, the rows of the committed ``<results_dir>/<experiment>.csv`` (made on
    another machine, or before this clone). Empty CSV cells read as None; the strings
    ``"none"`` or ``"NA"`` stay strings.
    """
    import pandas

    results_dir = Path(results_dir)
    rows = {}
    table = results_dir / f"{experiment}.csv"
    if table.exists():
        frame = pandas.read_csv(table, keep_default_na=False, na_values=[""], dtype={"run_id": str})
        for row in frame.to_dict("records"):
            rows[row["run_id"]] = {
                name: None if isinstance(value, float) and math.isnan(value) else value for name, value in row.items()
            }
    for path in sorted((results_dir / "runs" / experiment).glob("[!.]*.json")):
        try:
            row = json.loads(path.read_text())
        except ValueError:
            continue  # writes are atomic, so only a hand-edited file gets here: its run is pending
        if isinstance(row, dict):
            rows[row.get("run_id", path.stem)] = row
    return rows


def collect(experiment, results_dir="results", runs=None):
    """The rows of an experiment as one ``pandas.DataFrame`` in the common schema.

    Args:
        experiment: the experiment's name.
        results_dir: holds ``runs/<experiment>/`` and the committed tables (see :func:`stored_rows`).
        runs: the runs of the current grid (``grid.load(path).runs``). When given, ``in_table``
            is True only for their rows made with exactly their parameters; rows of runs that
            left the grid, or made with other values, stay (``excluded`` says why) but are not
            counted in the table. ``stale`` says which kept rows an older version of the
            notebook's code made. Without ``runs`` every row is in the table.

    Columns: ``experiment, run_id, notebook, status, in_table, stale, task, dataset, architecture, cell,
    units, depth, bidirectional, seed``, the metrics (``test_*`` then ``valid_*``), the other
    parameters, then timing, error, side outputs, provenance (``parameters_hash, code_hash,
    git_commit, git_dirty, command``: ``"unknown"`` for rows made before they were recorded)
    and versions. Rows are sorted by ``run_id``.

    >>> collect("no-such-experiment", results_dir="/nonexistent").columns[:6].tolist()
    ['experiment', 'run_id', 'notebook', 'status', 'in_table', 'stale']
    """
    import pandas

    rows = stored_rows(experiment, results_dir)
    kept = {run_id: {**row, "in_table": runs is None, "stale": False, "excluded": ""} for run_id, row in rows.items()}
    for run in runs or ():
        state, reason = provenance.state(rows.get(run.run_id), run)
        if state in ("done", "stale", "failed"):
            kept[run.run_id].update(in_table=True, stale=state == "stale")
        elif state == "changed":
            kept[run.run_id]["excluded"] = reason
    if runs is not None:
        grid_ids = {run.run_id for run in runs}
        for run_id, row in kept.items():
            if run_id not in grid_ids:
                row["excluded"] = "not in the grid"
    frame = pandas.DataFrame(list(kept.values()))
    for name in provenance.ROW_FIELDS:
        frame[name] = frame[name].where(frame[name].notna(), provenance.UNKNOWN) if name in frame else provenance.UNKNOWN
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


def current(frame):
    """The rows of :func:`collect`'s frame that the table counts (``in_table``)."""
    return frame[frame["in_table"].fillna(True).astype(bool)] if "in_table" in frame else frame


def _groups(frame, table):
    """(ok rows, group-by columns, metric columns) with the defaults applied and empty columns dropped."""
    table = table or {}
    ok = current(frame)
    ok = ok[ok["status"] == "ok"]
    if ok.empty:
        return ok, [], []
    filled = [name for name in ok.columns if ok[name].notna().any()]
    if table.get("group_by"):
        group_by = [name for name in table["group_by"] if name in filled]
    else:
        group_by = [name for name in DEFAULT_GROUP_BY if name in filled and ok[name].astype(str).nunique() > 1]
        group_by = group_by or ["notebook"]
    metrics = [name for name in table.get("metrics") or _metric_columns(ok.columns) if name in filled]
    if not table.get("metrics"):
        metrics = [name for name in metrics if name.startswith("test_")] or metrics
    select_by = table.get("select_by")
    if select_by in filled and select_by not in metrics:
        metrics.insert(0, select_by)
    return ok, group_by, metrics


def _labels(ok, group_by):
    if not group_by:
        return ok["run_id"]
    return ok[group_by].astype(str).where(ok[group_by].notna(), "").agg(", ".join, axis=1)


def lower_is_better(metric):
    """Whether a smaller value of ``metric`` is better, read from its name (loss, nll, error, ...).

    >>> lower_is_better("valid_nll"), lower_is_better("valid_f1"), lower_is_better("test_error_EI")
    (True, False, True)
    """
    return any(word in metric.lower() for word in LOWER_IS_BETTER)


def summarize(frame, table=None):
    """The Markdown-ready summary: ok runs grouped by ``table['group_by']``, mean ± std of the metrics.

    Group-by columns default to those of ``notebook, task, dataset, architecture, cell, units,
    depth, bidirectional`` that vary (``notebook`` when none does); metrics default to every
    ``test_*`` column (``valid_*`` when there is none). With ``table['select_by']`` (a
    validation metric), the column ``selected`` marks the group with the best mean of that
    metric (lowest for losses and errors, see :func:`lower_is_better`): the configuration a
    paper would report, chosen without looking at test scores. Returns a DataFrame with one
    row per group, a column ``n`` (runs) and ``stale`` (runs made by older notebook code).
    """
    import pandas

    ok, group_by, metrics = _groups(frame, table)
    select_by = (table or {}).get("select_by")
    selecting = bool(select_by) and select_by in metrics
    columns = [*group_by, "n", "stale", *metrics] + (["selected"] if selecting else [])
    if ok.empty:
        return pandas.DataFrame([], columns=columns)
    entries, scores = [], []
    for _, group in ok.groupby(_labels(ok, group_by), sort=True):
        entry = {name: group[name].iloc[0] if group[name].notna().iloc[0] else "" for name in group_by}
        entry["n"] = len(group)
        entry["stale"] = int(group["stale"].fillna(False).astype(bool).sum())
        entry.update({name: _format_mean_std(pandas.to_numeric(group[name], errors="coerce")) for name in metrics})
        entries.append(entry)
        if selecting:
            scores.append(pandas.to_numeric(group[select_by], errors="coerce").mean())
    summary = pandas.DataFrame(entries, columns=columns)
    if selecting:
        values = pandas.Series(scores, dtype=float)
        if values.notna().any():
            best = values.idxmin() if lower_is_better(select_by) else values.idxmax()
            summary["selected"] = ["✓" if index == best else "" for index in range(len(summary))]
        else:
            summary["selected"] = ""
    if not summary["stale"].any():
        summary = summary.drop(columns="stale")
    return summary


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


def bar_chart(frame, table):
    """A matplotlib ``Figure``: one panel per metric (at most six), one bar per configuration (mean ± std).

    Metrics that no ok run reported as a number get no panel; returns None when none is left.
    """
    import pandas
    from matplotlib.figure import Figure

    ok, group_by, metrics = _groups(frame, table)
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


def figure(frame, table, path):
    """Save :func:`bar_chart` as a PNG at ``path`` (atomically); return the path, or None when there is nothing to draw."""
    import io

    fig = bar_chart(frame, table)
    if fig is None:
        Path(path).unlink(missing_ok=True)  # no figure of older rows left behind
        return None
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return write_atomic(path, buffer.getvalue())


def _selection_line(summary, group_by, table):
    """One sentence naming the configuration chosen by validation and its test scores."""
    select_by = (table or {}).get("select_by")
    if not select_by:
        return None
    if "selected" not in summary or not (summary["selected"] == "✓").any():
        return f"Selection by {select_by}: no finished run reported it."
    chosen = summary[summary["selected"] == "✓"].iloc[0]
    label = ", ".join(f"{name}={chosen[name]}" for name in group_by) or "the only configuration"
    scores = ", ".join(f"{name} {chosen[name]}" for name in summary.columns if _is_score(name) and chosen[name] != "")
    direction = "lowest" if lower_is_better(select_by) else "highest"
    return (f"Selected by {select_by} ({direction} mean over its runs, test scores not looked at): "
            f"{label}: {scores} (n={chosen['n']}).")


def _is_score(name):
    return name.startswith(("test_", "valid_"))


def _provenance_lines(frame):
    lines = []
    commands = frame["command"].astype(str).value_counts() if len(frame) else {}
    for command, count in getattr(commands, "items", lambda: [])():
        lines.append(f"{count} rows made by `{command}`." if command != provenance.UNKNOWN
                     else f"{count} rows made before commands were recorded (command unknown).")
    dirty = frame["git_dirty"].astype(str).isin(["True", "true"]) if len(frame) else None
    commits = (frame["git_commit"].astype(str).str[:12] + dirty.map({True: " with uncommitted changes", False: ""})
               ).value_counts() if len(frame) else {}
    if len(commits):
        lines.append("Git commits: " + ", ".join(f"{commit} ({count} rows)" for commit, count in commits.items()) + ".")
    return lines


def write_tables(experiment, table=None, results_dir="results", runs=None, command=None):
    """Write ``<results_dir>/<experiment>.csv`` (the rows), ``.md`` (summary) and ``figures/<experiment>.png``.

    Args:
        table: the experiment's ``table`` section (``group_by``, ``metrics``, ``select_by``).
        runs: the current grid's runs: the table holds only their rows made with their exact
            parameters (see :func:`collect`); None keeps every stored row.
        command: shown when no row says which command made it.

    Returns the Markdown text. Every file is written atomically; an experiment whose runs all
    failed, or with no runs at all, still gets both files, saying so.
    """
    results_dir = Path(results_dir)
    frame = collect(experiment, results_dir=results_dir, runs=runs)
    write_atomic(results_dir / f"{experiment}.csv", frame.to_csv(index=False))
    rows = current(frame)
    ok = int((rows["status"] == "ok").sum())
    failed = len(rows) - ok
    stale = int(rows["stale"].fillna(False).astype(bool).sum())
    counts = f"{ok} runs ok, {failed} failed"
    if runs is not None:
        counts += f", {len(runs) - len(rows)} not run yet, of {len(runs)} in the grid"
    lines = [f"# {experiment}", "", counts + "."]
    if len(frame) > len(rows):
        lines[-1] += (f" {len(frame) - len(rows)} stored rows are not counted (other parameters, or runs no longer "
                      "in the grid: the CSV's `excluded` column says which).")
    if stale:
        lines[-1] += (f" {stale} ok rows are stale: an older version of the notebook's code made them "
                      "(`seqlab run --rerun-stale` re-runs them).")
    lines += [""] + (_provenance_lines(rows) or ([f"Made by `{command}`."] if command else []))
    summary = summarize(frame, table)
    selection = _selection_line(summary, _groups(frame, table)[1], table)
    if selection:
        lines += ["", selection]
    lines += ["", summary.to_markdown(index=False) if len(summary) else "(no finished runs)"]
    failures = rows[rows["status"] != "ok"]
    if len(failures):
        lines += ["", "Failed runs:", ""]
        lines += [f"- `{row.run_id}` ({row.notebook}): {row.error}" for row in failures.itertuples()]
    text = "\n".join(lines) + "\n"
    write_atomic(results_dir / f"{experiment}.md", text)
    figure(frame, table, results_dir / "figures" / f"{experiment}.png")
    return text


def main(argv=None):
    """``seqlab results EXPERIMENT`` rebuilds the tables and figure from the stored rows; ``--readme`` the README headlines.

    EXPERIMENT is an experiment YAML or a name (``experiments/<name>.yaml``). The rows are those
    under ``results/runs/<name>/`` and the committed ``results/<name>.csv``; only rows of the
    YAML's current grid, made with its exact parameters, enter the table (without a YAML,
    every stored row does).
    """
    import argparse

    from seqlab import grid

    argument_parser = argparse.ArgumentParser(prog="seqlab results", description=main.__doc__.splitlines()[0])
    argument_parser.add_argument("experiment", nargs="?", help="experiment YAML or name")
    argument_parser.add_argument("--results-dir", default=None, help="default: <project root>/results")
    argument_parser.add_argument("--readme", action="store_true",
                                 help="rewrite README.md's headline table from results/headlines.yaml and the tables")
    arguments = argument_parser.parse_args(argv)
    if arguments.readme:
        from seqlab import headlines

        root = grid.find_root(Path.cwd() / "README.md")
        try:
            changed = headlines.write_readme(root=root)
        except (headlines.HeadlineError, grid.ExperimentError, OSError) as error:
            print(f"seqlab results --readme: {error}", file=sys.stderr)
            return 2
        print(f"{root / 'README.md'} headlines " + ("rewritten" if changed else "already up to date"))
        if not arguments.experiment:
            return 0
    if not arguments.experiment:
        argument_parser.error("give an EXPERIMENT, or --readme")
    path = Path(arguments.experiment)
    if path.suffix not in (".yaml", ".yml"):
        path = Path("experiments") / f"{arguments.experiment}.yaml"
    name, table, runs, root = path.stem, {}, None, Path(".")
    if path.is_file():
        try:
            experiment = grid.load(path)
        except grid.ExperimentError as error:
            print(f"seqlab results: {error}", file=sys.stderr)
            return 2
        table, runs, root = experiment.table, experiment.runs, experiment.root
    else:
        print(f"seqlab results: no experiment file {path}: every stored row of {name} goes into the table.",
              file=sys.stderr)
    results_dir = Path(arguments.results_dir) if arguments.results_dir else root / "results"
    if not stored_rows(name, results_dir):
        print(f"seqlab results: no rows for {name} in {results_dir}; run `seqlab run {path}` first.", file=sys.stderr)
        return 2
    print(write_tables(name, table, results_dir=results_dir, runs=runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
