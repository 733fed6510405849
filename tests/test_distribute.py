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


def test_mirrored_on_two_logical_cpus_matches_one_device():
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    finished = subprocess.run([sys.executable, "-c", MIRRORED_SCRIPT], capture_output=True, text=True, timeout=600,
                              env=environment)
    assert finished.returncode == 0, finished.stderr[-3000:]
    result = json.loads(finished.stdout.strip().splitlines()[-1])
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
