"""seqlab.results: record() validation and display, collect/summarize/write_tables, `seqlab results`."""

import json
import math

import numpy
import pandas
import pytest

from seqlab import results


def test_record_adds_environment_and_converts_numpy_scalars(capsys):
    row = results.record(task="ner", units=numpy.int64(8), test_f1=numpy.float32(0.5), bidirectional=numpy.bool_(True),
                         valid_loss=math.nan, data_path="")
    assert {name: row[name] for name in list(row)[:10]} == {
        "task": "ner", "units": 8, "test_f1": 0.5, "bidirectional": True, "valid_loss": None, "data_path": "",
        "seqlab_version": "0.1.0", "keras_version": row["keras_version"], "backend": row["backend"], "device": "cpu",
    }
    assert list(row)[6:] == list(results.ENVIRONMENT_FIELDS)
    assert row["python_version"].startswith("3.") and row["tensorflow_version"].startswith("2.")
    assert type(row["units"]) is int and type(row["test_f1"]) is float and type(row["bidirectional"]) is bool
    assert row["keras_version"].startswith("3.") and row["backend"] in {"tensorflow", "jax", "torch", "numpy"}
    json.dumps(row, allow_nan=False)
    assert capsys.readouterr().out.splitlines()[0].split() == ["task", "ner"]


def test_record_names_every_bad_field():
    with pytest.raises(ValueError) as error:
        results.record(task="ner", scores=[0.1], model=object, units=4)
    message = str(error.value)
    assert "field scores=[0.1] has type list" in message and "field model=<class 'object'> has type type" in message
    assert "units" not in message
    with pytest.raises(ValueError, match=r"fields \['device', 'status'\] are set by seqlab itself"):
        results.record(status="ok", device="gpu")


def test_record_displays_the_mime_bundle_in_ipython():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    published = []
    original = shell.display_pub.publish
    shell.display_pub.publish = lambda data, **keywords: published.append(data)
    try:
        shell.run_cell("import seqlab.results\nrow = seqlab.results.record(task='demo', test_accuracy=0.75)")
    finally:
        shell.display_pub.publish = original
        InteractiveShell.clear_instance()
    (bundle,) = published
    assert bundle[results.MIME_TYPE]["test_accuracy"] == 0.75 and bundle[results.MIME_TYPE]["task"] == "demo"
    assert "test_accuracy" in bundle["text/plain"] and "<table>" in bundle["text/html"]


def write_rows(folder, rows):
    folder.mkdir(parents=True)
    for row in rows:
        (folder / f"{row['run_id']}.json").write_text(json.dumps(row))


ROWS = [
    {"experiment": "demo", "run_id": f"cell={cell},seed={seed}", "notebook": "notebooks/x.ipynb", "status": "ok",
     "task": "ner", "cell": cell, "seed": seed, "epochs": 2, "test_f1": score, "valid_f1": score - 0.1,
     "duration_s": 1.0, "error": None}
    for cell, seed, score in [("gru", 0, 0.80), ("gru", 1, 0.84), ("lstm", 0, 0.70), ("lstm", 1, 0.74), ("lstm", 2, 0.72)]
] + [{"experiment": "demo", "run_id": "cell=rnn,seed=0", "notebook": "notebooks/x.ipynb", "status": "failed",
      "cell": "rnn", "seed": 0, "epochs": 2, "duration_s": 0.5, "error": "ValueError: boom (cell index 5, execution count 4)"}]


def test_collect_has_one_schema(tmp_path):
    write_rows(tmp_path / "runs" / "demo", ROWS)
    (tmp_path / "runs" / "demo" / ".cell=gru,seed=9.json.0123.tmp").write_text('{"trunc')  # left by a SIGKILL
    frame = results.collect("demo", results_dir=tmp_path)
    assert frame.columns.tolist() == [
        "experiment", "run_id", "notebook", "status", "in_table", "stale", "task", "dataset", "architecture", "cell",
        "units", "depth", "bidirectional", "seed", "test_f1", "valid_f1", "epochs", "train_seconds", "duration_s",
        "error", "excluded", "outputs", "parameters_hash", "code_hash", "git_commit", "git_dirty", "command", *results.ENVIRONMENT_FIELDS,
    ]
    # rows made before provenance was recorded say so instead of inventing it
    assert set(frame["git_commit"]) == {"unknown"} and set(frame["command"]) == {"unknown"}
    assert frame["run_id"].tolist() == sorted(row["run_id"] for row in ROWS)


def test_write_tables_mean_std_over_seeds(tmp_path, capsys):
    write_rows(tmp_path / "runs" / "demo", ROWS)
    text = results.write_tables("demo", {"group_by": ["cell"], "metrics": ["test_f1"]}, results_dir=tmp_path,
                                command="seqlab run demo.yaml")
    assert text == (tmp_path / "demo.md").read_text()
    lines = text.splitlines()
    assert lines[2] == "5 runs ok, 1 failed."
    assert lines[4] == "6 rows made before commands were recorded (command unknown)."
    assert "| gru    |   2 | 0.82 ± 0.028 |" in lines
    assert "| lstm   |   3 | 0.72 ± 0.02  |" in lines
    assert lines[-1] == "- `cell=rnn,seed=0` (notebooks/x.ipynb): ValueError: boom (cell index 5, execution count 4)"
    assert len(pandas.read_csv(tmp_path / "demo.csv")) == 6
    assert (tmp_path / "figures" / "demo.png").read_bytes()[:4] == b"\x89PNG"
    assert not list(tmp_path.glob(".*.tmp"))

    # `seqlab results NAME` rebuilds the same files; defaults: group by what varies, every test_* metric
    assert results.main(["demo", "--results-dir", str(tmp_path)]) == 0
    assert "every stored row of demo goes into the table" in capsys.readouterr().err
    summary = results.summarize(results.collect("demo", results_dir=tmp_path))
    assert summary.columns.tolist() == ["cell", "n", "test_f1"]
    assert summary["n"].tolist() == [2, 3]


def test_results_command_without_runs(tmp_path, capsys):
    assert results.main(["nothing", "--results-dir", str(tmp_path)]) == 2
    assert "no rows for nothing" in capsys.readouterr().err


def test_bar_chart_draws_one_panel_per_reported_metric(tmp_path):
    write_rows(tmp_path / "runs" / "demo", ROWS)
    frame = results.collect("demo", results_dir=tmp_path)
    frame["test_unreported"] = None   # a metric no run produced gets no (empty) panel
    chart = results.bar_chart(frame, {"group_by": ["cell"], "metrics": ["test_f1", "valid_f1", "test_unreported"]})
    assert [axis.get_xlabel() for axis in chart.axes] == ["test_f1", "valid_f1"]
    single = frame[frame["cell"] == "gru"]    # one configuration: still one readable panel per metric
    chart = results.bar_chart(single, {"group_by": ["cell"], "metrics": ["test_f1"]})
    assert len(chart.axes) == 1 and chart.get_figheight() >= 1.3
    assert results.bar_chart(frame, {"group_by": ["cell"], "metrics": ["test_unreported"]}) is None


def test_record_names_the_data_sources_and_the_sha256_of_the_files_read(tmp_path):
    import hashlib

    from seqlab.data import sources

    names = tmp_path / "dinos.txt"
    names.write_text("aachenosaurus\nbrontosaurus\n")
    sources.resolve("dinos", path=names)
    row = results.record(task="demo")
    assert "dinos (path)" in row["data_sources"].split("; ")
    assert f"dinos.txt={hashlib.sha256(names.read_bytes()).hexdigest()}" in row["data_files"].split("; ")
