"""seqlab.distribute: strategy names, mixed precision policy, and a real mirrored run on two logical CPUs."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import pytest

from seqlab import distribute

MIRRORED_SCRIPT = textwrap.dedent("""
    import json
    import numpy as np
    from seqlab import distribute
    devices = distribute.split_cpu(2)          # before TensorFlow touches a device
    import keras, tensorflow as tf, seqlab

    def losses(name):
        seqlab.training.seed_everything(0)
        rng = np.random.default_rng(0)
        inputs = rng.integers(1, 40, size=(128, 10)).astype("int32")
        labels = rng.integers(0, 2, size=128)
        with distribute.strategy(name, devices=devices if name == "mirrored" else None).scope():
            model = seqlab.build("many_to_one", vocab_size=40, embedding_dim=8, units=8, num_classes=2)
            model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
        data = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(32)   # global batch 32
        return model.fit(data, epochs=3, verbose=0, shuffle=False).history["loss"]

    strategy = distribute.strategy("mirrored", devices=devices)
    print(json.dumps({"devices": devices, "replicas": strategy.num_replicas_in_sync,
                      "none": losses("none"), "mirrored": losses("mirrored")}))
""")


def run_fresh(script, timeout=600):
    """Run ``script`` in a fresh Python (TensorFlow's devices are set once per process); return its last JSON line."""
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout,
                              env=environment)
    assert finished.returncode == 0, finished.stderr[-3000:]
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_mirrored_on_two_logical_cpus_matches_one_device():
    result = run_fresh(MIRRORED_SCRIPT)
    assert len(result["devices"]) == 2 and result["replicas"] == 2
    assert len(result["none"]) == len(result["mirrored"]) == 3
    assert result["none"][-1] < result["none"][0]          # it trained
    assert result["mirrored"] == pytest.approx(result["none"], rel=1e-4, abs=1e-5)


def test_strategy_names():
    assert distribute.strategy("none").num_replicas_in_sync == 1
    with pytest.raises(ValueError, match="strategy='ddp'"):
        distribute.strategy("ddp")
    with pytest.raises(ValueError, match="devices="):
        distribute.strategy("none", devices=["/cpu:0"])


def test_split_cpu_rejects_bad_count():
    with pytest.raises(ValueError, match="count=0"):
        distribute.split_cpu(0)


def test_mixed_precision_sets_and_restores_policy():
    with pytest.warns(UserWarning, match="CPU"):
        previous = distribute.mixed_precision("mixed_float16")
    try:
        layer = keras.layers.Dense(2)
        layer.build((None, 3))
        assert keras.config.dtype_policy().name == "mixed_float16"
        assert layer.compute_dtype == "float16" and layer.variable_dtype == "float32"
    finally:
        assert distribute.mixed_precision(previous) == "mixed_float16"
    assert keras.config.dtype_policy().name == previous


SELECT_SCRIPT = textwrap.dedent("""
    import json
    from seqlab import distribute
    strategy = distribute.select("mirrored", cpu_replicas=2)
    again = distribute.select("mirrored", cpu_replicas=2)           # a re-run notebook cell
    import tensorflow as tf
    tf.constant(1.0)
    try:
        distribute.select("mirrored", cpu_replicas=3)
        late = "no error"
    except RuntimeError as error:
        late = str(error)
    print(json.dumps({"replicas": [strategy.num_replicas_in_sync, again.num_replicas_in_sync], "late": late}))
""")


def test_select_splits_the_cpu_for_mirrored_and_explains_a_late_split():
    result = run_fresh(SELECT_SCRIPT, timeout=300)
    assert result["replicas"] == [2, 2]
    assert "cannot split the CPU into 3 logical devices" in result["late"] and "restart the kernel" in result["late"]


def test_select_rejects_bad_parameters():
    with pytest.raises(ValueError, match="strategy='ddp'"):
        distribute.select("ddp")
    with pytest.raises(ValueError, match="cpu_replicas=0"):
        distribute.select("mirrored", cpu_replicas=0)
    with pytest.raises(ValueError, match="cpu_replicas=2 is only used with strategy='mirrored'"):
        distribute.select("none", cpu_replicas=2)


@pytest.mark.parametrize("strategy_name, cpu_replicas", [("none", 1), ("mirrored", 2)])
def test_sentiment_notebook_trains_under_each_strategy(tmp_path, strategy_name, cpu_replicas):
    """The notebooks' ``strategy`` parameter: mirrored over two logical CPUs runs the whole notebook."""
    papermill = pytest.importorskip("papermill")
    import pathlib

    from seqlab import results

    notebooks = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "experiments"
    output = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(notebooks / "sentiment.ipynb"), str(output), cwd=str(notebooks), kernel_name="python3",
        progress_bar=False, parameters={"strategy": strategy_name, "cpu_replicas": cpu_replicas, "max_examples": 400,
                                        "epochs": 1, "units": 8, "embedding_dim": 16})
    (row,) = results.rows_in(json.loads(output.read_text()))
    assert row["replicas"] == cpu_replicas
    assert 0.0 <= row["test_accuracy"] <= 1.0 and row["epochs_run"] == 1


def test_even_batch_size_splits_over_replicas():
    class TwoReplicas:
        num_replicas_in_sync = 2

    assert distribute.even_batch_size(TwoReplicas(), 256, examples=39) == 38
    assert distribute.even_batch_size(TwoReplicas(), 256, examples=1) == 2
    assert distribute.even_batch_size(TwoReplicas(), 32, examples=1000) == 32
    with pytest.raises(ValueError, match="batch_size=33 does not split over the 2 replicas.*multiple of 2"):
        distribute.even_batch_size(TwoReplicas(), 33)
    with pytest.raises(ValueError, match="batch_size=0"):
        distribute.even_batch_size(TwoReplicas(), 0)
