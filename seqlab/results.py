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
import math
import numbers
import os
import sys
from importlib import metadata

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
