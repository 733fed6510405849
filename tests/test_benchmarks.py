"""Benchmark helper code (benchmarks/common.py, run_all's options): FLOP counts, summaries, reports.

No timing is asserted anywhere: speed is measured by the benchmarks themselves.
"""

import csv
import doctest
import multiprocessing
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `benchmarks` is a folder of the checkout, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import common, run_all  # noqa: E402


def test_docstring_examples_of_common_run():
    failures, attempted = doctest.testmod(common, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted >= 8 and failures == 0


def test_lstm_flops_hand_count():
    # batch 2, time 3, input 4, units 5, classes 6: gates 2*(4+5)*(4*5) = 360 per step, x3 steps = 1080;
    # head 2*5*6 = 60; per sample 1140 forward; x3 (backward = 2x forward) x2 samples = 6840.
    assert common.lstm_training_flops(batch=2, time=3, input_dim=4, units=5, num_classes=6) == 6840
    assert common.lstm_training_flops(batch=2, time=3, input_dim=4, units=5, num_classes=6, backward_factor=1) == 2280


def test_lstm_flops_match_the_weights_of_a_built_model():
    import seqlab

    model = seqlab.build("many_to_one", vocab_size=30, embedding_dim=7, units=11, num_classes=3)
    lstm = next(layer for layer in model.layers if layer.__class__.__name__ == "LSTM")
    dense = model.layers[-1]
    kernel, recurrent_kernel = lstm.cell.kernel, lstm.cell.recurrent_kernel
    per_step = 2 * (kernel.shape[0] * kernel.shape[1] + recurrent_kernel.shape[0] * recurrent_kernel.shape[1])
    forward = 13 * per_step + 2 * dense.kernel.shape[0] * dense.kernel.shape[1]
    assert common.lstm_training_flops(batch=4, time=13, input_dim=7, units=11, num_classes=3) == 3 * 4 * forward


@pytest.mark.parametrize("name, value", [("units", 0), ("batch", 2.5), ("time", True)])
def test_lstm_flops_reject_bad_sizes(name, value):
    sizes = {"batch": 1, "time": 1, "input_dim": 1, "units": 1, "num_classes": 1, name: value}
    with pytest.raises(ValueError, match=f"{name}={value!r}"):
        common.lstm_training_flops(**sizes)


def test_summary_and_ratio_rows():
    assert common.summarize([5, 1, 4, 2]) == {"median": 3.0, "min": 1, "max": 5}
    with pytest.raises(ValueError, match="empty"):
        common.summarize([])
    rows = common.rows_for("b", {"new": [10.0, 30.0, 20.0], "old": [8.0, 12.0, 10.0]}, "samples/s", baseline="old")
    assert [(row["variant"], row["median"], row["min"], row["max"], row["ratio"]) for row in rows] == [
        ("new", 20.0, 10.0, 30.0, 2.0), ("old", 10.0, 8.0, 12.0, 1.0)]
    with pytest.raises(ValueError, match="baseline='missing'"):
        common.rows_for("b", {"new": [1.0]}, "samples/s", baseline="missing")


def test_interleave_alternates_and_drops_warmup():
    calls, counter = [], iter(range(100))

    def variant(name):
        def run():
            calls.append(name)
            return float(next(counter))
        return run

    rates = common.interleave({"a": variant("a"), "b": variant("b")}, repeats=2, warmup=1, progress=False)
    assert calls == ["a", "b", "a", "b", "a", "b"]
    assert rates == {"a": [2.0, 4.0], "b": [3.0, 5.0]}


def test_write_report_and_summary_keep_other_benchmarks(tmp_path):
    first = common.rows_for("alpha", {"x": [2.0], "y": [1.0]}, "tokens/s", baseline="y")
    second = common.rows_for("beta", {"z": [4.0]}, "GFLOP/s", baseline="z")
    common.write_report("alpha", title="Alpha", command="python -m demo", description="what", rows=first,
                        notes=["a note"], results_dir=tmp_path)
    common.write_report("beta", title="Beta", command="python -m demo", description="what", rows=second,
                        results_dir=tmp_path)
    rerun = common.rows_for("alpha", {"x": [6.0], "y": [2.0]}, "tokens/s", baseline="y")
    common.write_report("alpha", title="Alpha", command="python -m demo", description="what", rows=rerun,
                        results_dir=tmp_path)
    with (tmp_path / "summary.csv").open(newline="") as handle:
        table = list(csv.DictReader(handle))
    assert list(table[0]) == list(common.SUMMARY_COLUMNS)
    assert [(row["benchmark"], row["variant"], row["median"], row["ratio"]) for row in table] == [
        ("beta", "z", "4", "1"), ("alpha", "x", "6", "3"), ("alpha", "y", "2", "1")]
    report = (tmp_path / "alpha.md").read_text()
    assert report.startswith("# Alpha")
    assert "Command: `python -m demo`" in report and "Machine:" in report
    assert "Load average when this report was written" in report                   # measured, not a fixed remark
    assert f"on {multiprocessing.cpu_count()} cores" in report
    assert "| alpha | x | tokens/s | 6.00 | 6.00 | 6.00 | 3.00x vs y |" in report


def square_runs(base):
    """A factory for the VariantProcess test (runs in the child process)."""
    import os

    calls = {"count": 0}

    def run():
        calls["count"] += 1
        return float(base * calls["count"] + int(os.environ["DEMO_OFFSET"]))
    return {"demo": run}


def failing_runs():
    raise ValueError("no such library")


def test_variant_process_runs_in_a_child_with_its_environment():
    process = common.VariantProcess("test_benchmarks:square_runs", {"base": 3}, {"DEMO_OFFSET": "100"})
    try:
        assert process.error is None and process.names == ["demo"]
        run = process.variants()["demo"]
        assert [run(), run()] == [103.0, 106.0]
    finally:
        process.close()
    broken = common.VariantProcess("test_benchmarks:failing_runs")
    assert broken.error == "ValueError: no such library" and broken.variants() == {}
    broken.close()


def test_run_all_options():
    arguments = run_all.parser().parse_args(["--quick", "--only", "generation"])
    assert arguments.quick and arguments.only == ["generation"]
    assert run_all.BENCHMARKS[-1] == "sweeps"  # the long Dask sweep runs last
    with pytest.raises(SystemExit):
        run_all.parser().parse_args(["--only", "nonexistent"])


def test_run_all_runs_every_benchmark_module():
    modules = {path.stem for path in (ROOT / "benchmarks").glob("*.py") if path.stem != "__init__"}
    assert set(run_all.BENCHMARKS) | set(run_all.NOT_BENCHMARKS) == modules
    assert not set(run_all.BENCHMARKS) & set(run_all.NOT_BENCHMARKS)
