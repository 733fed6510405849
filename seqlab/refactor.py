"""``seqlab refactor``: prove that a notebook's new code computes what its old code computed.

A committed row made by older notebook code is *stale* (see :func:`seqlab.provenance.state`).
When the code changed only in shape (moved into a package module, a notebook renamed), the row
is still what the new code would make, and re-training to say so would waste hours. This
command checks it instead of assuming it: it runs the notebook as it was at a git revision
(with that revision's ``seqlab`` package, from a temporary ``git worktree``) and as it is now,
with the same parameters, and compares the two results rows field by field. Timing,
provenance and version fields are left out; every other field must be equal to the last digit
(same seeds, same CPU), except the fields named with ``--allow`` (a recorded label the refactor
renamed on purpose). Fields only the new code records are listed, not errors.

When every case matches, it appends ``{notebook, before, after, ...}`` to
``results/equivalent_code.yaml``; :func:`seqlab.provenance.equivalent_hashes` reads that file, and the runner then
counts a row of the ``before`` code hash as current for the ``after`` code.

    seqlab refactor notebooks/experiments/ner.ipynb --before 5b5bf4c --case "" --case "crf=true"

>>> compare({"f1": 0.5, "train_seconds": 3, "label": "a"}, {"f1": 0.5, "train_seconds": 4, "label": "b", "new": 1})
{'compared': ['f1', 'label'], 'differences': ['label: before a, after b'], 'new_fields': ['new']}
"""

import argparse
import contextlib
import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from seqlab import grid, provenance, results

VOLATILE_SUFFIXES = ("_seconds", "seconds_per_epoch", "duration_s")
HEADER = (
    "# Notebook code changes that compute exactly what the code before them computed: a row made by\n"
    "# the `before` code hash counts as current for the `after` code. Written by `seqlab refactor`\n"
    "# after it ran both versions on each case and found equal rows; not edited by hand.\n"
)


def _volatile(name):
    return (name in results.ENVIRONMENT_FIELDS or name in results.RUNNER_FIELDS or name.endswith("_version")
            or name.endswith(VOLATILE_SUFFIXES))


def compare(before, after, allow=()):
    """Compare two results rows: the fields compared, the differences, the fields only ``after`` has."""
    compared = sorted(name for name in before if not _volatile(name) and name in after)
    differences = [f"{name}: before {before[name]}, after {after[name]}" for name in compared
                   if json.dumps(before[name]) != json.dumps(after[name]) and name not in allow]
    missing = [f"{name}: before {before[name]}, after (absent)" for name in sorted(before)
               if not _volatile(name) and name not in after and name not in allow]
    new_fields = sorted(name for name in after if not _volatile(name) and name not in before)
    return {"compared": compared, "differences": differences + missing, "new_fields": new_fields}


def parse_case(text):
    """``"crf=true units=8"`` -> ``{"crf": True, "units": 8}`` (values are YAML literals).

    >>> parse_case("crf=true units=8 cell=gru"), parse_case("")
    ({'crf': True, 'units': 8, 'cell': 'gru'}, {})
    """
    case = {}
    for pair in text.split():
        name, separator, value = pair.partition("=")
        if not separator or not name:
            raise ValueError(f"case item {pair!r} is not name=value; write cases as \"name=value name=value\".")
        case[name] = yaml.safe_load(value)
    return case


def run_notebook(notebook, parameters, folder, *, package_root):
    """Execute ``notebook`` with papermill, importing ``seqlab`` from ``package_root``; its last row."""
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / notebook.name
    environment = dict(os.environ, PYTHONPATH=str(package_root), PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="2")
    environment[results.OUTPUT_DIR_VARIABLE] = str(folder / "outputs")
    command = [sys.executable, "-m", "papermill", str(notebook), str(output), "--cwd", str(notebook.parent),
               "--no-progress-bar", "-k", "python3"]
    for name, value in parameters.items():
        command += ["-y", yaml.safe_dump({name: value})]
    done = subprocess.run(command, env=environment, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{notebook} failed with {parameters}:\n{done.stderr[-2000:]}")
    rows = results.rows_in(json.loads(output.read_text()))
    if not rows:
        raise RuntimeError(f"{notebook} recorded no results row (it must call seqlab.results.record).")
    return rows[-1]


@contextlib.contextmanager
def worktree(root, revision):
    """A temporary ``git worktree`` of ``root`` at ``revision``, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="seqlab-refactor-")) / "tree"
    added = subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", str(folder), revision],
                           capture_output=True, text=True)
    if added.returncode:
        raise ValueError(f"--before {revision!r}: git worktree add failed: {added.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(folder)], capture_output=True)


def append_record(root, record):
    """Add ``record`` to ``results/equivalent_code.yaml`` (written whole to a temporary file, then renamed)."""
    path = Path(root) / "results" / provenance.EQUIVALENCE_FILE
    records = provenance.load_equivalences(root) + [record]
    temporary = path.with_suffix(".yaml.tmp")
    temporary.write_text(HEADER + yaml.safe_dump(records, sort_keys=False, width=110))
    os.replace(temporary, path)


def check(root, notebook, before, *, before_path=None, cases=({},), allow=()):
    """Run ``notebook`` at revision ``before`` and now on every case; return the report per case."""
    root = Path(root)
    notebook_path = Path(notebook)
    before_path = Path(before_path or notebook)
    reports = []
    with worktree(root, before) as old_root, tempfile.TemporaryDirectory() as scratch:
        if not (old_root / before_path).is_file():
            raise ValueError(f"{before_path} does not exist at {before}; give its old path with --before-path.")
        old_hash = provenance.notebook_code_hash(json.loads((old_root / before_path).read_text()))
        new_hash = provenance.notebook_code_hash(json.loads((root / notebook_path).read_text()))
        for index, case in enumerate(cases):
            old_row = run_notebook(old_root / before_path, case, Path(scratch) / f"before{index}", package_root=old_root)
            new_row = run_notebook(root / notebook_path, case, Path(scratch) / f"after{index}", package_root=root)
            reports.append({"case": case, **compare(old_row, new_row, allow)})
    return old_hash, new_hash, reports


def main(argv=None):
    """Check that a notebook's code now computes what it computed at a git revision; record it."""
    parser = argparse.ArgumentParser(prog="seqlab refactor", description=main.__doc__)
    parser.add_argument("notebook", help="the notebook now, relative to the project root")
    parser.add_argument("--before", required=True, help="git revision of the old code (commit, tag, HEAD~1)")
    parser.add_argument("--before-path", help="the notebook's path at that revision (default: the same path)")
    parser.add_argument("--case", action="append", default=None,
                        help='parameters of one comparison, "name=value name=value" ("" = the literal defaults); '
                             "repeat for more cases")
    parser.add_argument("--allow", action="append", default=[],
                        help="a row field the refactor changed on purpose (a label); repeat for more")
    arguments = parser.parse_args(argv)
    try:
        root = grid.find_root(Path(arguments.notebook).resolve())
        cases = [parse_case(text) for text in (arguments.case or [""])]
        old_hash, new_hash, reports = check(root, Path(arguments.notebook).resolve().relative_to(root),
                                            arguments.before, before_path=arguments.before_path, cases=cases,
                                            allow=arguments.allow)
    except (ValueError, RuntimeError) as error:
        print(f"seqlab refactor: {error}", file=sys.stderr)
        return 1
    for report in reports:
        verdict = "differs" if report["differences"] else "equal"
        print(f"case {report['case'] or 'defaults'}: {verdict} on {len(report['compared'])} fields"
              + (f"; new fields: {', '.join(report['new_fields'])}" if report["new_fields"] else ""))
        for line in report["differences"]:
            print(f"  {line}")
    if any(report["differences"] for report in reports):
        print("seqlab refactor: not recorded: the rows differ.", file=sys.stderr)
        return 1
    if old_hash == new_hash:
        print("same code hash before and after: nothing to record.")
        return 0
    append_record(root, {
        "notebook": Path(arguments.notebook).resolve().relative_to(root).as_posix(),
        "before_path": (arguments.before_path or Path(arguments.notebook).resolve().relative_to(root).as_posix()),
        "before_revision": subprocess.run(["git", "-C", str(root), "rev-parse", "--short", arguments.before],
                                          capture_output=True, text=True).stdout.strip(),
        "before": old_hash, "after": new_hash,
        "cases": [report["case"] for report in reports],
        "fields_compared": max(len(report["compared"]) for report in reports),
        "allowed_differences": list(arguments.allow), "new_fields": sorted({name for report in reports
                                                                             for name in report["new_fields"]}),
        "checked": datetime.date.today().isoformat(),
    })
    print(f"recorded in results/{provenance.EQUIVALENCE_FILE}: rows of code {old_hash[:12]} count as current for {new_hash[:12]}.")
    return 0
