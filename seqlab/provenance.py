"""What made a results row: parameter and code fingerprints, git state, versions, data files.

A row written by ``seqlab run`` carries

- ``parameters_hash``: sha256 of the notebook path and the run's full resolved parameters
  (the notebook's literal defaults overridden by the experiment's values), a fingerprint of
  what made the row; :func:`state` compares the values themselves, so it can say which changed;
- ``code_hash``: sha256 of the notebook's code cells except the ``parameters`` cell, so a row
  made by an older version of the notebook's code is recognised as *stale*;
- ``git_commit`` and ``git_dirty`` of the project the runner ran from;
- the versions of Python and the main packages (added by :func:`seqlab.results.record`);
- ``data_sources`` and ``data_files``: every data source the notebook resolved, with the name
  and sha256 of each file it read (see :func:`seqlab.data.sources.resolve`).

Rows made before these fields existed keep what they have; :data:`UNKNOWN` fills the rest.

>>> fingerprint({"units": 8, "cell": "gru"}) == fingerprint({"cell": "gru", "units": 8})
True
>>> changes({"epochs": 1, "cell": "gru"}, {"epochs": 2, "cell": "gru"})
['epochs 1 -> 2']
"""

import hashlib
import json
import math
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import yaml

UNKNOWN = "unknown"
PACKAGES = {"tensorflow": ("tensorflow", "tensorflow-cpu"), "numpy": ("numpy",), "pandas": ("pandas",),
            "papermill": ("papermill",)}
ROW_FIELDS = ("parameters_hash", "code_hash", "git_commit", "git_dirty", "command")
EQUIVALENCE_FILE = "equivalent_code.yaml"  # in results/: written by `seqlab refactor`


def fingerprint(values):
    """sha256 (hex) of a mapping of JSON values, independent of key order."""
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def notebook_code_hash(notebook):
    """sha256 of a notebook's code cells, the ``parameters`` cell excluded (a dict from ``nbformat``/JSON).

    Markdown, outputs and the parameter defaults do not count: defaults are part of the
    parameters (see :func:`fingerprint`), prose does not change results.

    >>> cell = lambda source, tags=(): {"cell_type": "code", "source": source, "metadata": {"tags": list(tags)}}
    >>> first = notebook_code_hash({"cells": [cell("x = 1", ["parameters"]), cell("print(x)")]})
    >>> first == notebook_code_hash({"cells": [cell("x = 2", ["parameters"]), cell("print(x)")]})
    True
    >>> first == notebook_code_hash({"cells": [cell("x = 1", ["parameters"]), cell("print(x + 1)")]})
    False
    """
    digest = hashlib.sha256()
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.get("source", "")
        digest.update(("".join(source) if isinstance(source, list) else source).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def git_state(folder):
    """``(commit, dirty)`` of the git work tree holding ``folder``; ``(UNKNOWN, None)`` outside git.

    ``dirty`` is True when tracked files differ from the commit; untracked files and
    ``results/`` (the tables every run rewrites) do not count.
    """
    def git(*arguments):
        return subprocess.run(["git", "-C", str(folder), *arguments], capture_output=True, text=True, timeout=30)

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return UNKNOWN, None
        status = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)results")
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN, None
    return head.stdout.strip(), bool(status.stdout.strip())


def package_versions():
    """Python's and the main packages' versions as row fields (``python_version``, ``tensorflow_version``, ...).

    >>> sorted(package_versions())[:2]
    ['numpy_version', 'pandas_version']
    """
    versions = {"python_version": ".".join(map(str, sys.version_info[:3]))}
    for package, distributions in PACKAGES.items():
        versions[f"{package}_version"] = next(filter(None, map(_version, distributions)), None)
    return versions


def _version(distribution):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def load_equivalences(root):
    """The recorded equivalences of ``root/results/equivalent_code.yaml`` (a list; empty when absent)."""
    path = Path(root) / "results" / EQUIVALENCE_FILE
    if not path.is_file():
        return []
    records = yaml.safe_load(path.read_text()) or []
    if not isinstance(records, list) or not all(isinstance(record, dict) and {"before", "after"} <= set(record)
                                                for record in records):
        raise ValueError(f"{path}: expected a list of mappings with 'before' and 'after' code hashes.")
    return records


def equivalent_hashes(records, code_hash):
    """Every older code hash that a chain of recorded equivalences leads to ``code_hash`` from.

    >>> sorted(equivalent_hashes([{"before": "a", "after": "b"}, {"before": "b", "after": "c"}], "c"))
    ['a', 'b']
    """
    found, frontier = set(), {code_hash}
    while frontier:
        frontier = {record["before"] for record in records if record["after"] in frontier} - found - {code_hash}
        found |= frontier
    return frozenset(found)


def same_value(recorded, wanted):
    """Whether a value read back from a row (JSON or the CSV) equals a parameter value.

    CSV round trips turn ``8`` into ``8.0``, ``True`` into ``"True"``, and ``None`` and ``""``
    alike into an empty cell, so those compare equal.

    >>> same_value(8.0, 8), same_value("True", True), same_value(float("nan"), None), same_value(0.01, 0.1)
    (True, True, True, False)
    """
    def normal(value):
        if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, bool) or (isinstance(value, str) and value in ("True", "False", "true", "false")):
            return str(value).lower() == "true"
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return value
        return json.dumps(value, sort_keys=True)

    return normal(recorded) == normal(wanted)


def changes(recorded, wanted):
    """The parameters whose recorded value differs from the wanted one, as ``'name old -> new'``."""
    return [
        f"{name} {_text(recorded.get(name, UNKNOWN))} -> {_text(wanted[name])}"
        for name in sorted(wanted)
        if not same_value(recorded.get(name), wanted[name])
    ]


def _text(value):
    return value if isinstance(value, str) else json.dumps(value)


def state(row, run):
    """``(state, reason)`` of a stored row for the run that should have made it.

    ``state`` is ``"new"`` (no row), ``"failed"``, ``"changed"`` (made with other parameter
    values or another notebook: the reason lists them, ``'epochs 1 -> 2'``), ``"stale"``
    (same parameters, older notebook code that ``seqlab refactor`` has not shown to compute the
    same: ``run.equivalent_code_hashes``) or ``"done"``. A row made before rows carried a
    ``parameters_hash`` is compared on the parameters it holds a value for (a parameter added
    to the notebook later is unknown there, not changed); one without a ``code_hash`` cannot
    be stale (its code is unknown).

    >>> from seqlab.grid import Run
    >>> run = Run("seed=0", "notebooks/x.ipynb", {"seed": 0}, {"seed": 0, "epochs": 2}, "abc")
    >>> row = {"status": "ok", "notebook": "notebooks/x.ipynb", "seed": 0, "epochs": 1, "parameters_hash": "x"}
    >>> state(row, run)
    ('changed', 'parameters changed: epochs 1 -> 2')
    >>> state({**row, "epochs": 2, "code_hash": "older"}, run)
    ('stale', "made by an older version of the notebook's code")
    >>> state({**row, "epochs": 2, "code_hash": "abc"}, run)
    ('done', '')
    >>> state({**row, "status": "failed"}, run)  # a failure of other parameters is not this run's failure
    ('changed', 'parameters changed: epochs 1 -> 2')
    """
    if row is None:
        return "new", ""
    hashed = row.get("parameters_hash") not in (None, "", UNKNOWN)
    wanted = run.values if hashed else {name: value for name, value in run.values.items() if row.get(name) is not None}
    differences = changes(row, wanted)
    if row.get("notebook") not in (None, run.notebook):
        differences.insert(0, f"notebook {row['notebook']} -> {run.notebook}")
    if differences:
        return "changed", "parameters changed: " + ", ".join(differences)
    if row.get("status") != "ok":
        return "failed", str(row.get("error") or "")
    if row.get("code_hash") not in (None, "", UNKNOWN, run.code_hash, *run.equivalent_code_hashes):
        return "stale", "made by an older version of the notebook's code"
    return "done", ""
