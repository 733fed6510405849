"""README headlines made from the committed results tables, never typed by hand.

``results/headlines.yaml`` lists one headline per task: the experiments whose configurations
compete, the validation metric that chooses among them (``select_by``), the test metrics to
report for the chosen one, and the published anchor. :func:`headline_table` pools the
configurations (groups of each experiment's ``table.group_by``) of every listed experiment,
keeps the one with the best mean validation score, and reports its test scores (mean ± std
over its runs, with n). ``seqlab results --readme`` writes the table into README.md between
``<!-- headlines:begin -->`` and ``<!-- headlines:end -->``; a test fails when README and
tables disagree.

``results/readme_tables.yaml`` lists the other result tables the README shows: each one an
experiment's ok runs (optionally filtered with ``where``) grouped by ``rows``, with the mean ± std
of each metric, written between ``<!-- table:NAME:begin -->`` and ``<!-- table:NAME:end -->``.

A headline entry::

    - task: sentiment (notebooks/experiments/sentiment)
      data: SST-2 test
      experiments: [sentiment_sst2, sentiment_sst2_best, sentiment_sst2_tuning]
      select_by: valid_accuracy
      report: [test_accuracy]
      anchor: "Kim 2014 CNN-rand 82.7; NBSVM-bi 83.4 measured here"
"""

import re
from pathlib import Path

import pandas
import yaml

from seqlab import grid, results

BEGIN, END = "<!-- headlines:begin -->", "<!-- headlines:end -->"
ENTRY_KEYS = ("task", "data", "experiments", "select_by", "report", "anchor")
TABLE_KEYS = ("name", "experiment", "rows", "metrics", "where")
FILE_TABLE_KEYS = ("name", "file", "columns", "skip_baseline_rows")


class HeadlineError(ValueError):
    """A malformed headlines file or a headline whose experiments have no usable rows."""


def read_headlines(path):
    """The checked list of headline entries of a headlines YAML file."""
    entries = yaml.safe_load(Path(path).read_text())
    if not isinstance(entries, list):
        raise HeadlineError(f"{path}: a list of headline mappings is required; got {type(entries).__name__}.")
    for entry in entries:
        missing = [key for key in ENTRY_KEYS if key not in (entry or {})]
        unknown = sorted(set(entry or {}) - set(ENTRY_KEYS))
        if missing or unknown:
            raise HeadlineError(f"{path}: headline {entry!r}: missing keys {missing}, unknown keys {unknown}; "
                                f"each needs exactly {', '.join(ENTRY_KEYS)}.")
    return entries


def _configurations(experiment, results_dir, metrics):
    """One row per configuration of an experiment (its table's groups): label, n, the metrics' values of its ok runs."""
    frame = results.collect(experiment.name, results_dir=results_dir, runs=experiment.runs)
    ok, group_by, _ = results._groups(frame, experiment.table)
    if ok.empty:
        return []
    configurations = []
    for _, group in ok.groupby(results._labels(ok, group_by), sort=True):
        values = {name: pandas.to_numeric(group[name], errors="coerce").dropna() if name in group else pandas.Series(dtype=float)
                  for name in metrics}
        names = ", ".join(f"{name}={group[name].iloc[0]}" for name in group_by)
        configurations.append({"experiment": experiment.name, "configuration": names, "n": len(group), **values})
    return configurations


def _scale(metric):
    """Accuracies, F1 scores and error rates are shown in percent, as papers quote them."""
    return 100 if any(word in metric for word in ("accuracy", "f1", "error", "recovery")) else 1


def _mean_std(values, scale):
    return results._format_mean_std((values * scale).round(10)) or "-"  # no 1e-14 spreads of equal runs


def headline_rows(entries, root="."):
    """The chosen configuration of each headline: dicts with the Markdown columns."""
    root = Path(root)
    rows = []
    for entry in entries:
        select_by, report = entry["select_by"], list(entry["report"])
        candidates = []
        for name in entry["experiments"]:
            experiment = grid.load(root / "experiments" / f"{name}.yaml")
            candidates += _configurations(experiment, root / "results", [select_by, *report])
        scored = [candidate for candidate in candidates if not candidate[select_by].empty]
        if not scored:
            rows.append({"task": entry["task"], "data": entry["data"],
                         "chosen by validation (of all configurations)": "no finished run yet", "validation": "-",
                         "test (mean ± std over runs)": "-", "n": 0, "anchor": entry["anchor"]})
            continue
        key = lambda candidate: candidate[select_by].mean()
        chosen = min(scored, key=key) if results.lower_is_better(select_by) else max(scored, key=key)
        rows.append({
            "task": entry["task"], "data": entry["data"],
            "chosen by validation (of all configurations)":
                f"`{chosen['experiment']}`: {chosen['configuration'] or 'its one configuration'} (of {len(scored)})",
            "validation": f"{select_by} {_mean_std(chosen[select_by], _scale(select_by))}",
            "test (mean ± std over runs)": "; ".join(
                f"{metric} {_mean_std(chosen[metric], _scale(metric))}" for metric in report),
            "n": chosen["n"], "anchor": entry["anchor"],
        })
    return rows


def headline_table(headlines_path="results/headlines.yaml", root="."):
    """The Markdown table of :func:`headline_rows`, with the command that makes it."""
    table = pandas.DataFrame(headline_rows(read_headlines(Path(root) / headlines_path), root)).to_markdown(index=False)
    return (f"{BEGIN}\n<!-- made by `seqlab results --readme` from {headlines_path} and the results tables; "
            f"do not edit by hand -->\n{table}\n{END}")


def read_tables(path):
    """The checked list of README table entries of a tables YAML file (``where`` is optional)."""
    entries = yaml.safe_load(Path(path).read_text()) if Path(path).is_file() else []
    if not isinstance(entries, list):
        raise HeadlineError(f"{path}: a list of table mappings is required; got {type(entries).__name__}.")
    for entry in entries:
        keys = FILE_TABLE_KEYS if "file" in (entry or {}) else TABLE_KEYS
        optional = ("where", "skip_baseline_rows")
        missing = [key for key in keys if key not in optional and key not in (entry or {})]
        unknown = sorted(set(entry or {}) - set(keys))
        if missing or unknown:
            raise HeadlineError(f"{path}: table {entry!r}: missing keys {missing}, unknown keys {unknown}; "
                                f"allowed: {', '.join(TABLE_KEYS)} (where optional), or {', '.join(FILE_TABLE_KEYS)} "
                                "for a CSV under results/ (skip_baseline_rows optional).")
    return entries


def table_markers(name):
    """The README comments that enclose the generated table ``name``."""
    return f"<!-- table:{name}:begin -->", f"<!-- table:{name}:end -->"


def file_table(entry, root="."):
    """The Markdown block of a table copied from a CSV under ``results/`` (for example the benchmark summary).

    With ``skip_baseline_rows``, rows whose ``variant`` is their own ``baseline`` (ratio 1 by
    definition) are left out.
    """
    frame = pandas.read_csv(Path(root) / "results" / entry["file"])
    if entry.get("skip_baseline_rows"):
        frame = frame[frame["variant"] != frame["baseline"]]
    begin, end = table_markers(entry["name"])
    return (f"{begin}\n<!-- made by `seqlab results --readme` from results/{entry['file']}; do not edit by hand -->\n"
            f"{frame[list(entry['columns'])].to_markdown(index=False)}\n{end}")


def readme_table(entry, root="."):
    """The Markdown block of one README table entry (markers, provenance comment, table)."""
    if "file" in entry:
        return file_table(entry, root)
    root = Path(root)
    experiment = grid.load(root / "experiments" / f"{entry['experiment']}.yaml")
    ok = results.current(results.collect(experiment.name, results_dir=root / "results", runs=experiment.runs))
    ok = ok[ok["status"] == "ok"]
    for column, value in (entry.get("where") or {}).items():
        ok = ok[ok[column].astype(str) == str(value)]
    if ok.empty:
        raise HeadlineError(f"README table {entry['name']}: experiment {experiment.name} has no ok rows "
                            f"matching {entry.get('where') or {}}.")
    rows = []
    for keys, group in ok.groupby(list(entry["rows"]), sort=True):
        row = dict(zip(entry["rows"], keys if isinstance(keys, tuple) else (keys,)))
        row["n"] = len(group)
        for metric in entry["metrics"]:
            values = pandas.to_numeric(group[metric], errors="coerce") if metric in group else pandas.Series(dtype=float)
            label = f"{metric} (%)" if _scale(metric) == 100 else metric
            row[label] = _mean_std(values, _scale(metric))
        rows.append(row)
    begin, end = table_markers(entry["name"])
    where = f" where {entry['where']}" if entry.get("where") else ""
    return (f"{begin}\n<!-- made by `seqlab results --readme` from results/{experiment.name}.csv{where} "
            f"(mean ± std over runs); do not edit by hand -->\n{pandas.DataFrame(rows).to_markdown(index=False)}\n{end}")


def _replace_block(text, begin, end, block, path):
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise HeadlineError(f"{path} has no {begin} ... {end} block; add one where the table goes.")
    return pattern.sub(lambda _: block, text)


def readme_blocks(root="."):
    """``{(begin, end): block}`` for the headlines and every table of ``results/readme_tables.yaml``."""
    root = Path(root)
    blocks = {(BEGIN, END): headline_table(root=root)}
    for entry in read_tables(root / "results" / "readme_tables.yaml"):
        blocks[table_markers(entry["name"])] = readme_table(entry, root)
    return blocks


def write_readme(readme="README.md", root="."):
    """Replace README's generated blocks (headlines and tables) by fresh ones; return True when it changed."""
    path = Path(root) / readme
    text = path.read_text()
    new = text
    for (begin, end), block in readme_blocks(root).items():
        new = _replace_block(new, begin, end, block, path)
    if new != text:
        results.write_atomic(path, new)
    return new != text
