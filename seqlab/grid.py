"""Experiment YAML -> a sorted list of runs, every key checked against the notebook first.

Runs are ordered replicate-major: every configuration with ``seed`` 0 (and ``fold`` 0) first,
then seed 1, and so on, so a sweep cut short still covers every configuration once; within a
replicate, by parameter name and value.

An experiment file (``experiments/<name>.yaml``) has five top-level keys:

``notebook``
    The notebook to run, relative to the project root (the nearest folder above the YAML
    holding ``pyproject.toml`` or ``.git``; the YAML's own folder when there is none), for
    example ``notebooks/experiments/ner.ipynb``. A list runs every notebook through the whole grid.
    It may instead be a key of the grid mappings (one notebook or a list per mapping),
    so each notebook gets its own parameters; it may not be both.
``description``
    Free text.
``params``
    Fixed parameter values for every run.
``grid``
    A mapping sweeps the Cartesian product of its lists (a scalar is one value); a list
    of mappings is the union of their products. A key may not be both fixed and swept.
    The number of runs is counted before anything is expanded (:func:`count_runs`); more
    than ``max_runs`` (``seqlab run --max-runs``, default 10,000) is an error.
``table``
    How the results table is built: ``group_by`` (columns of the Markdown table),
    ``metrics`` (columns averaged over the runs of a group, mean +- std) and ``select_by``
    (the metric column that picks the best configuration); all optional. It was called
    ``summary`` until that name clashed with notebook parameters named ``summary``.

Values are read with YAML 1.2 floats, so ``1e-3`` is the float 0.001 (PyYAML's YAML 1.1
rules would make it the string ``'1e-3'``).

Every key is checked against the notebook's ``parameters`` cell (papermill's
``inspect_notebook``) before anything runs: an unknown key lists the known ones, a value
of the wrong type names the key, the value and the expected type (an ``int`` is accepted
where a ``float`` is expected; a ``bool`` is never an ``int``).

Each run gets a deterministic, filesystem-safe id from its swept values, keys sorted
(``notebook`` first, as the notebook's stem, when the experiment has several notebooks),
for example ``cell=gru,depth=2,seed=1``; ids longer than 80 characters end with a short
hash. An experiment without swept values has the one run ``default``.

>>> run_id({"seed": 1, "cell": "gru", "depth": 2})
'cell=gru,depth=2,seed=1'
>>> run_id({"data_path": "../data/my file.txt", "bidirectional": True})
'bidirectional=true,data_path=.._data_my_file.txt'
>>> len(run_id({"name": "x" * 200}))
80
>>> run_id({})
'default'
"""

import ast
import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from seqlab import provenance

TOP_LEVEL_KEYS = ("notebook", "description", "params", "grid", "table")
RENAMED_KEYS = {"summary": "table"}
TABLE_KEYS = ("group_by", "metrics", "select_by")
TABLE_LIST_KEYS = ("group_by", "metrics")  # lists of column names; the other table keys are one column name
DEFAULT_MAX_RUNS = 10_000
MAX_RUN_ID_LENGTH = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9._=,+-]")


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 float rule: ``1e-3`` and ``1E5`` are floats, not strings."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("-+.0123456789"),
)


class ExperimentError(ValueError):
    """An experiment file that cannot run: malformed YAML, unknown key, wrong type, missing notebook."""


@dataclass(frozen=True)
class Run:
    """One notebook execution.

    Attributes:
        run_id: deterministic, filesystem-safe id from the swept values.
        notebook: the notebook path as written in the YAML (relative to ``root``).
        parameters: the values papermill injects (fixed + swept).
        values: every parameter value of the run: the notebook's literal defaults
            overridden by ``parameters``.
        code_hash: :func:`seqlab.provenance.notebook_code_hash` of the notebook now.
        equivalent_code_hashes: older code hashes of the notebook that ``seqlab refactor``
            showed to compute the same rows (``results/equivalent_code.yaml``).
    """

    run_id: str
    notebook: str
    parameters: dict
    values: dict
    code_hash: str = ""
    equivalent_code_hashes: frozenset = frozenset()

    @property
    def parameters_hash(self):
        """:func:`seqlab.provenance.fingerprint` of the notebook path and every parameter value."""
        return provenance.fingerprint({"notebook": self.notebook, **self.values})


@dataclass
class Experiment:
    """A loaded experiment: its name (the YAML's stem), root folder, runs and ``table`` section."""

    name: str
    path: Path
    root: Path
    description: str
    runs: list
    table: dict = field(default_factory=dict)

    def notebook_path(self, run):
        """Absolute path of ``run``'s notebook."""
        return self.root / run.notebook


def format_value(value):
    """The text of one value inside a run id.

    >>> [format_value(v) for v in (True, None, 0.001, 3, "lstm")]
    ['true', 'none', '0.001', '3', 'lstm']
    """
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    return str(value)


def run_id(swept):
    """Deterministic, filesystem-safe id from the swept values (keys sorted, ``notebook`` first)."""
    if not swept:
        return "default"
    keys = sorted(swept, key=lambda key: (key != "notebook", key))
    text = ",".join(f"{key}={format_value(swept[key])}" for key in keys)
    safe = _UNSAFE.sub("_", text)
    if len(safe) <= MAX_RUN_ID_LENGTH:
        return safe
    digest = hashlib.sha1(text.encode()).hexdigest()[:8]
    return f"{safe[: MAX_RUN_ID_LENGTH - 9]}-{digest}"


def find_root(yaml_path):
    """The project root for ``yaml_path``: nearest folder above it with ``pyproject.toml`` or ``.git``."""
    folder = Path(yaml_path).resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / "pyproject.toml").exists() or (candidate / ".git").exists():
            return candidate
    return folder


def _read_yaml(path):
    if Path(path).is_dir():
        raise ExperimentError(f"{path} is a folder; give an experiment file, e.g. experiments/quickstart.yaml.")
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        raise ExperimentError(f"experiment file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ExperimentError(f"cannot read the experiment file {path}: {error}") from None
    try:
        document = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error)
        raise ExperimentError(f"{where}: malformed YAML: {problem}") from None
    if not isinstance(document, dict):
        raise ExperimentError(f"{path}: an experiment is a YAML mapping with keys {', '.join(TOP_LEVEL_KEYS)}; got {type(document).__name__}.")
    return document


def _as_list(value):
    return list(value) if isinstance(value, list) else [value]


def _grid_mappings(path, grid):
    if grid is None:
        return [{}]
    mappings = grid if isinstance(grid, list) else [grid]
    for mapping in mappings:
        if not isinstance(mapping, dict):
            raise ExperimentError(f"{path}: grid must be a mapping or a list of mappings; got an entry {mapping!r}.")
    return mappings or [{}]


def _check_top_level(path, document):
    for old, new in RENAMED_KEYS.items():
        if old in document:
            raise ExperimentError(
                f"{path}: the top-level key {old} is now called {new} ({old} clashed with notebook parameters "
                f"named {old}); rename `{old}:` to `{new}:`."
            )
    unknown = sorted(set(document) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise ExperimentError(f"{path}: unknown top-level keys {unknown}; allowed: {', '.join(TOP_LEVEL_KEYS)}.")


def _check_table(path, table):
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ExperimentError(f"{path}: table must be a mapping with keys {', '.join(TABLE_KEYS)}; got {table!r}.")
    unknown = sorted(set(table) - set(TABLE_KEYS))
    if unknown:
        raise ExperimentError(f"{path}: unknown table keys {unknown}; allowed: {', '.join(TABLE_KEYS)}.")
    for key, value in table.items():
        if key in TABLE_LIST_KEYS:
            if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
                raise ExperimentError(f"{path}: table.{key} must be a list of column names; got {value!r}.")
        elif not (isinstance(value, str) and value):
            raise ExperimentError(f"{path}: table.{key} must be one column name (a string); got {value!r}.")
    return table


def read_table(path):
    """The checked ``table`` mapping of an experiment file (no notebook checks; for ``seqlab results``)."""
    document = _read_yaml(path)
    _check_top_level(path, document)
    return _check_table(path, document.get("table"))




def count_runs(document, path="experiment"):
    """How many runs an experiment document's grid makes, counted without expanding it.

    A run listed twice in a union of mappings counts twice, so this is an upper bound.

    >>> count_runs({"notebook": "a.ipynb", "grid": {"cell": ["gru", "lstm"], "seed": [0, 1, 2]}})
    6
    >>> count_runs({"notebook": ["a.ipynb", "b.ipynb"], "grid": [{"seed": [0, 1]}, {"depth": 3}]})
    6
    >>> count_runs({"notebook": "a.ipynb", "grid": {f"key{index}": list(range(10)) for index in range(10)}})
    10000000000
    """
    total = 0
    for mapping in _grid_mappings(path, document.get("grid")):
        sizes = [len(value) if isinstance(value, list) else 1 for key, value in mapping.items() if key != "notebook"]
        notebooks = mapping.get("notebook", document.get("notebook"))
        total += (len(notebooks) if isinstance(notebooks, list) else 1) * math.prod(sizes)
    return total


def _expand(path, document):
    """All (notebook, parameters, swept) combinations, before checking them against notebooks."""
    params = document.get("params") or {}
    if not isinstance(params, dict):
        raise ExperimentError(f"{path}: params must be a mapping of parameter names to values; got {params!r}.")
    mappings = _grid_mappings(path, document.get("grid"))
    swept_keys = {key for mapping in mappings for key in mapping}
    both = sorted(swept_keys & (set(params) | ({"notebook"} if "notebook" in document else set())))
    if both:
        raise ExperimentError(f"{path}: keys {both} are both fixed and swept; keep each in params (or notebook) or in grid, not both.")
    if "notebook" in params:
        raise ExperimentError(f"{path}: notebook is a top-level key (or a grid key), not a parameter.")
    combinations = []
    for mapping in mappings:
        if "notebook" not in mapping and "notebook" not in document:
            raise ExperimentError(f"{path}: no notebook: set the top-level key notebook, or notebook in every grid mapping.")
        notebooks = _as_list(mapping.get("notebook", document.get("notebook")))
        keys = sorted(key for key in mapping if key != "notebook")
        for notebook in notebooks:
            if not isinstance(notebook, str):
                raise ExperimentError(f"{path}: notebook must be a path string (or a list of them); got {notebook!r}.")
            for values in itertools.product(*(_as_list(mapping[key]) for key in keys)):
                swept = dict(zip(keys, values))
                combinations.append((notebook, {**params, **swept}, swept))
    return combinations


def _expected_type(spec):
    """(checker, description) for a papermill parameter spec, or None when anything goes."""
    annotation = spec.get("inferred_type_name") or "None"
    optional = annotation.startswith("Optional[") or annotation.endswith("| None")
    base = re.sub(r"^Optional\[(.*)\]$|\s*\|\s*None$", r"\1", annotation).split("[")[0].strip().lower()
    if base == "none":
        try:
            default = ast.literal_eval(spec.get("default", ""))
        except (ValueError, SyntaxError):
            return None
        base = {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}.get(type(default))
    checks = {
        "bool": lambda value: isinstance(value, bool),
        "int": lambda value: isinstance(value, int) and not isinstance(value, bool),
        "float": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
        "str": lambda value: isinstance(value, str),
        "list": lambda value: isinstance(value, list),
        "dict": lambda value: isinstance(value, dict),
    }
    if base not in checks:
        return None
    check = checks[base]
    if optional:
        return (lambda value: value is None or check(value)), f"{base} or None"
    return check, base


def notebook_parameters(notebook_path):
    """The notebook's ``parameters`` cell as papermill reads it: name -> spec dict."""
    import papermill

    return papermill.inspect_notebook(str(notebook_path))


def literal_defaults(specs):
    """``name -> value`` of the parameters whose default is a Python literal (from papermill's specs)."""
    defaults = {}
    for name, spec in specs.items():
        try:
            defaults[name] = ast.literal_eval(spec.get("default", ""))
        except (ValueError, SyntaxError):
            continue
    return defaults


def _check_against_notebook(path, notebook, specs, parameters):
    problems = []
    unknown = sorted(set(parameters) - set(specs))
    if unknown:
        problems.append(
            f"{path}: {notebook}: unknown parameters {unknown}; the notebook's parameters are: {', '.join(specs) or '(none)'}."
        )
    for key in sorted(set(parameters) & set(specs)):
        expected = _expected_type(specs[key])
        value = parameters[key]
        if expected and not expected[0](value):
            problems.append(
                f"{path}: {notebook}: parameter {key}={value!r} has type {type(value).__name__}; "
                f"expected {expected[1]} (notebook default: {specs[key].get('default')})."
            )
    return problems


def load(path, max_runs=DEFAULT_MAX_RUNS):
    """Load and check an experiment file; return an :class:`Experiment` with its runs sorted.

    Args:
        path: the experiment YAML.
        max_runs: the most runs the grid may make (counted before expanding it); ``None``
            for no limit.

    Raises:
        ExperimentError: a missing file or a folder, malformed YAML (with its line), an unknown
            top-level key (or the old ``summary``), a grid of more than ``max_runs`` runs, a key
            both fixed and swept, a missing notebook, an unknown parameter or a value of the
            wrong type.
    """
    path = Path(path)
    document = _read_yaml(path)
    _check_top_level(path, document)
    table = _check_table(path, document.get("table"))
    count = count_runs(document, path)
    if max_runs is not None and count > max_runs:
        raise ExperimentError(
            f"{path}: the grid makes {count:,} runs, more than the limit of {max_runs:,}; shrink the grid, "
            f"or raise the limit with seqlab run --max-runs N (grid.load(path, max_runs=N))."
        )
    root = find_root(path)
    combinations = _expand(path, document)
    notebooks = sorted({notebook for notebook, _, _ in combinations})
    problems, specs, code_hashes = [], {}, {}
    try:
        equivalences = provenance.load_equivalences(root)
    except ValueError as error:
        raise ExperimentError(str(error)) from None
    for notebook in notebooks:
        notebook_file = root / notebook
        if notebook_file.suffix != ".ipynb":
            problems.append(f"{path}: notebook {notebook} must be an .ipynb file (the paired notebook of a jupytext .py).")
        elif not notebook_file.is_file():
            problems.append(f"{path}: notebook not found: {notebook} (looked for {notebook_file}).")
        else:
            specs[notebook] = notebook_parameters(notebook_file)
            code_hashes[notebook] = provenance.notebook_code_hash(json.loads(notebook_file.read_text()))
    runs, seen = {}, set()
    for notebook, parameters, swept in combinations:
        if notebook not in specs:
            continue
        for problem in _check_against_notebook(path, notebook, specs[notebook], parameters):
            if problem not in seen:
                seen.add(problem)
                problems.append(problem)
        identity = dict(swept, notebook=Path(notebook).stem) if len(notebooks) > 1 else swept
        run = Run(run_id(identity), notebook, parameters, {**literal_defaults(specs[notebook]), **parameters},
                  code_hashes[notebook], provenance.equivalent_hashes(equivalences, code_hashes[notebook]))
        previous = runs.get(run.run_id)
        if previous is not None and (previous.notebook, previous.parameters) != (run.notebook, run.parameters):
            problems.append(f"{path}: two different runs get the id {run.run_id!r}; rename a value.")
        runs[run.run_id] = run
    if problems:
        raise ExperimentError("\n".join(problems))
    ordered = sorted(runs.values(), key=lambda run: (run.notebook, _sort_key(run.parameters)))
    return Experiment(path.stem, path, root, str(document.get("description", "")), ordered, table)


REPLICATE_KEYS = ("seed", "fold")


def _sort_key(parameters):
    """Replicates last-varying: every configuration's seed 0 (fold 0) runs before any seed 1."""
    def value_key(value):
        if isinstance(value, (int, float)):
            return (0, value, "")
        return (1, 0, format_value(value))

    replicate = tuple(value_key(parameters.get(key, 0)) for key in REPLICATE_KEYS)
    return (replicate,) + tuple((key, value_key(parameters[key])) for key in sorted(parameters))
