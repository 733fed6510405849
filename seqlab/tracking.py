"""``seqlab run --mlflow [URI]``: log each run of this invocation to MLflow as well.

The JSON rows under ``results/runs/`` stay the record; MLflow is a second view of them, for
its UI and search. For every run that executes, right after its row is written,
:func:`log_run` logs to the MLflow experiment named like the seqlab experiment:

- params: the run's parameter values (``run.values``: the notebook's defaults overridden by
  the experiment), as text the way run ids write them (``true``, ``none``, ``0.001``);
- metrics: every other numeric field of the row (``test_*``, ``valid_*``, ``*_seconds``,
  ``duration_s``, ...);
- tags: every other non-empty field (``task``, ``status``, ``error``, ``parameters_hash``,
  ``code_hash``, ``git_commit``, versions, ...), plus ``seqlab.experiment``,
  ``seqlab.run_id``, ``seqlab.fingerprint`` and, when the row has ``git_commit``,
  ``mlflow.source.git.commit``;
- artifacts: the run's files in ``results/runs/<experiment>/``: the executed notebook
  ``<run_id>.ipynb``, the row ``<run_id>.json``, the kernel log ``<run_id>.log``, and the
  side-output folder ``<run_id>/`` (as ``outputs/``) when there is one;
- status ``FINISHED`` for an ok row, ``FAILED`` otherwise.

A run is logged once: the MLflow run is looked up by the tags ``seqlab.run_id`` and
``seqlab.fingerprint`` (the row's ``parameters_hash`` when it has one, else the sha256 of the
notebook path and the parameter values). Executing the same run again (a failed run on
resume, or ``--force``) updates that MLflow run in place; the same run id with changed
parameters gets a new MLflow run. Only runs that execute in this invocation are logged:
runs skipped as finished are not, even if an earlier invocation ran without ``--mlflow``.

``--mlflow`` alone logs to ``sqlite:///<project root>/results/mlflow.db``, with the artifacts
beside it in ``results/mlruns/<experiment>/`` (both gitignored). MLflow is an optional
dependency: ``pip install 'seqlab[mlflow]'``; this module imports it only when it logs.

>>> mlflow_uri("/project", "default")
'sqlite:////project/results/mlflow.db'
"""

import math
import numbers
import time
from pathlib import Path

from seqlab import grid, provenance

DEFAULT = "default"
STATUSES = {"ok": "FINISHED"}  # anything else is FAILED
IDENTITY_FIELDS = {"experiment": "seqlab.experiment", "run_id": "seqlab.run_id"}
TAG_CHARACTERS = 5000  # MLflow allows 8000 per tag value; a long traceback is cut at the end
PARAM_CHARACTERS = 6000


def mlflow_uri(root, value):
    """The MLflow tracking URI that ``--mlflow VALUE`` means, or None when ``value`` is None.

    Args:
        root: the project root (``experiment.root``).
        value: None (no ``--mlflow``), ``"default"`` (``--mlflow`` alone), a path ending in
            ``.db`` (a sqlite file, relative to the current folder), or any MLflow
            tracking URI (passed on unchanged).

    >>> mlflow_uri("/project", None) is None
    True
    >>> mlflow_uri("/project", "default")
    'sqlite:////project/results/mlflow.db'
    >>> mlflow_uri("/project", "http://127.0.0.1:5000")
    'http://127.0.0.1:5000'
    >>> mlflow_uri("/project", "/tmp/store/runs.db")
    'sqlite:////tmp/store/runs.db'
    """
    if value is None:
        return None
    if value == DEFAULT:
        return f"sqlite:///{Path(root).absolute() / 'results' / 'mlflow.db'}"
    if "://" not in value and value.endswith(".db"):
        return f"sqlite:///{Path(value).absolute()}"
    return value


def _text(value, limit):
    text = value if isinstance(value, str) else grid.format_value(value)
    return text[:limit]


def split_row(row, parameters):
    """Sort a row's fields into MLflow ``(params, metrics, tags)`` dicts.

    ``parameters`` become params (the row's own copy of them is not repeated); numeric
    fields (not ``bool``, not None) become metrics; the other non-None fields become tags,
    ``experiment`` and ``run_id`` under the names ``seqlab.experiment`` and ``seqlab.run_id``.

    >>> row = {"experiment": "demo", "run_id": "seed=1", "status": "ok", "seed": 1, "cell": "gru",
    ...        "test_accuracy": 0.9, "duration_s": 2.5, "stale": False, "error": None}
    >>> params, metrics, tags = split_row(row, {"seed": 1, "cell": "gru", "bidirectional": False})
    >>> params
    {'seed': '1', 'cell': 'gru', 'bidirectional': 'false'}
    >>> metrics
    {'test_accuracy': 0.9, 'duration_s': 2.5}
    >>> tags
    {'seqlab.experiment': 'demo', 'seqlab.run_id': 'seed=1', 'status': 'ok', 'stale': 'false'}
    """
    params = {name: _text(value, PARAM_CHARACTERS) for name, value in parameters.items()}
    metrics, tags = {}, {}
    for name, value in row.items():
        if name in parameters or value is None:
            continue
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            if math.isfinite(value):
                metrics[name] = float(value)
        else:
            tags[IDENTITY_FIELDS.get(name, name)] = _text(value, TAG_CHARACTERS)
    return params, metrics, tags


def fingerprint(row, parameters):
    """The row's ``parameters_hash``, else the sha256 of its notebook path and parameter values.

    >>> fingerprint({"parameters_hash": "abc"}, {"seed": 1})
    'abc'
    >>> fingerprint({"notebook": "n.ipynb"}, {"seed": 1}) == fingerprint({"notebook": "n.ipynb"}, {"seed": 2})
    False
    """
    return row.get("parameters_hash") or provenance.fingerprint({"notebook": row.get("notebook"), **parameters})


def _client(tracking_uri):
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise SystemExit(
            "seqlab run --mlflow needs MLflow (with sqlalchemy and alembic for a sqlite store): "
            "pip install 'seqlab[mlflow]'"
        ) from None
    return MlflowClient(tracking_uri=tracking_uri)


def _sqlite_file(tracking_uri):
    """The database file of a ``sqlite:///`` tracking URI (absolute), else None.

    >>> _sqlite_file("sqlite:////tmp/store/mlflow.db"), _sqlite_file("http://127.0.0.1:5000")
    (PosixPath('/tmp/store/mlflow.db'), None)
    """
    prefix = "sqlite:///"
    if not tracking_uri.startswith(prefix) or tracking_uri == prefix + ":memory:":
        return None
    return Path(tracking_uri[len(prefix):]).absolute()


def experiment_id(experiment_name, tracking_uri, client=None):
    """The id of the MLflow experiment ``experiment_name``, created when missing.

    The runner calls it before any notebook runs, so a missing MLflow or an unreachable
    store stops ``seqlab run`` at once.

    Raises:
        SystemExit: MLflow is not installed.
        ValueError: the MLflow experiment exists but is deleted.
    """
    client = client or _client(tracking_uri)
    database, location = _sqlite_file(tracking_uri), None
    if database is not None:  # artifacts beside the database, not in ./mlruns of whatever folder this is
        database.parent.mkdir(parents=True, exist_ok=True)
        location = (database.parent / "mlruns" / experiment_name).as_uri()
    found = client.get_experiment_by_name(experiment_name)
    if found is None:
        return client.create_experiment(experiment_name, artifact_location=location)
    if found.lifecycle_stage != "active":
        raise ValueError(
            f"MLflow experiment {experiment_name!r} in {tracking_uri} is deleted; "
            "restore it (`mlflow experiments restore`) or remove it for good (`mlflow gc`)."
        )
    return found.experiment_id


def _find(client, experiment, run_id, row_fingerprint):
    runs = client.search_runs(
        [experiment],
        filter_string=f"tags.`seqlab.run_id` = '{run_id}' AND tags.`seqlab.fingerprint` = '{row_fingerprint}'",
        max_results=1,
    )
    return runs[0] if runs else None


def artifacts(run_dir, run_id):
    """The files ``seqlab run`` wrote for ``run_id`` in ``run_dir``: ``<run_id>.ipynb``, ``.json``, ``.log``, ...

    Temporary files (``.<name>.tmp``) and other runs' files (``seed=1.5.json`` for
    ``seed=1``) are left out; the side-output folder ``<run_id>/`` is not included.
    """
    return sorted(path for path in Path(run_dir).glob("*") if path.is_file() and path.stem == run_id)


def log_run(row, *, experiment_name, run_dir, tracking_uri, parameters=None):
    """Log one row of ``seqlab run`` (and the run's files) to MLflow; return the MLflow run id.

    Args:
        row: the row as written to ``<run_dir>/<run_id>.json`` (needs ``run_id``).
        experiment_name: the MLflow experiment (created when missing).
        run_dir: the folder of the experiment's rows, ``results/runs/<experiment>``.
        tracking_uri: an MLflow tracking URI (see :func:`mlflow_uri`).
        parameters: the run's parameter values (``run.values``); logged as params.

    Logging the same ``run_id`` with the same fingerprint again updates the MLflow run it
    made before (status, metrics, tags, artifacts; tags the new row lacks are removed).
    """
    client = _client(tracking_uri)
    from mlflow.entities import Metric, Param, RunTag

    experiment = experiment_id(experiment_name, tracking_uri, client)
    parameters = dict(parameters or {})
    params, metrics, tags = split_row(row, parameters)
    tags["seqlab.experiment"] = experiment_name
    tags["seqlab.fingerprint"] = fingerprint(row, parameters)
    if row.get("git_commit"):
        tags["mlflow.source.git.commit"] = str(row["git_commit"])
    now = int(time.time() * 1000)
    existing = _find(client, experiment, row["run_id"], tags["seqlab.fingerprint"])
    if existing is None:
        duration = row.get("duration_s") if isinstance(row.get("duration_s"), (int, float)) else 0
        run = client.create_run(experiment, start_time=now - int(duration * 1000), run_name=row["run_id"])
        mlflow_run_id = run.info.run_id
    else:
        mlflow_run_id = existing.info.run_id
        for name in sorted(set(existing.data.tags) - set(tags)):
            if not name.startswith("mlflow."):
                client.delete_tag(mlflow_run_id, name)
    client.log_batch(
        mlflow_run_id,
        metrics=[Metric(name, value, now, 0) for name, value in metrics.items()],
        params=[Param(name, value) for name, value in params.items()],
        tags=[RunTag(name, value) for name, value in tags.items()],
    )
    for path in artifacts(run_dir, row["run_id"]):
        client.log_artifact(mlflow_run_id, str(path))
    outputs = Path(run_dir) / row["run_id"]
    if outputs.is_dir():
        client.log_artifacts(mlflow_run_id, str(outputs), artifact_path="outputs")
    client.set_terminated(mlflow_run_id, status=STATUSES.get(row.get("status"), "FAILED"), end_time=now)
    return mlflow_run_id
