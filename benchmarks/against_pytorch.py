"""seqlab (Keras 3 on TensorFlow) vs a plain PyTorch ``nn.LSTM`` training loop on the CPU.

The same model (embedding 64 -> LSTM 128 -> softmax over 2 classes), batch 64, length 100,
Adam, on the same random data. Every variant lives in its own process (so thread pools,
oneDNN and XLA settings do not leak between them) and does one epoch when asked; the parent
asks each in turn, round after round, so only one works at a time and all see the same load.

TensorFlow variants try the CPU settings that could close the gap: XLA (``jit_compile``),
``steps_per_execution`` (fewer Python round trips per epoch), explicit intra-/inter-op thread
counts, oneDNN off, and a combination. PyTorch runs with the same thread count (2) and with
1 thread. torch is optional: install it pinned to the CPU build
(``.venv/bin/pip install torch==2.13.0``); without it the PyTorch rows are skipped.

    .venv/bin/python -m benchmarks.against_pytorch [--quick]
"""

import argparse
import importlib.util
import os
import sys

from benchmarks import common

SIZES = {"vocab_size": 1000, "embedding_dim": 64, "units": 128, "num_classes": 2, "batch_size": 64, "length": 100}
THREADS = 2


def _data(samples):
    import numpy as np

    rng = np.random.default_rng(0)
    inputs = rng.integers(1, SIZES["vocab_size"], size=(samples, SIZES["length"])).astype("int32")
    labels = rng.integers(0, SIZES["num_classes"], size=samples).astype("int32")
    return inputs, labels


def _keras_run(data, samples, **compile_options):
    import seqlab

    seqlab.training.seed_everything(0)
    model = seqlab.build("many_to_one", vocab_size=SIZES["vocab_size"], embedding_dim=SIZES["embedding_dim"],
                         units=SIZES["units"], num_classes=SIZES["num_classes"])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", **compile_options)
    return lambda: common.timed_rate(lambda: model.fit(data, epochs=1, verbose=0, shuffle=False), samples)


def _unmasked_run(data, samples, **compile_options):
    import keras

    import seqlab

    seqlab.training.seed_everything(0)
    inputs = keras.Input((SIZES["length"],), dtype="int32")
    hidden = keras.layers.Embedding(SIZES["vocab_size"], SIZES["embedding_dim"])(inputs)
    hidden = keras.layers.LSTM(SIZES["units"])(hidden)
    model = keras.Model(inputs, keras.layers.Dense(SIZES["num_classes"], activation="softmax")(hidden))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", **compile_options)
    return lambda: common.timed_rate(lambda: model.fit(data, epochs=1, verbose=0, shuffle=False), samples)


def keras_variants(*, samples, label, compile_variants=True, intra_threads=0, inter_threads=0):
    """Prepare the seqlab models in this process; return ``{name: run() -> samples/s}`` (one epoch each).

    With ``compile_variants`` the process also holds the XLA and ``steps_per_execution``
    models (compile options, which can share a process); thread counts must be set before
    TensorFlow starts, so they get a process of their own (as does oneDNN, an environment variable).
    """
    import tensorflow as tf

    if intra_threads or inter_threads:
        tf.config.threading.set_intra_op_parallelism_threads(intra_threads)
        tf.config.threading.set_inter_op_parallelism_threads(inter_threads)
    inputs, labels = _data(samples)
    data = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(SIZES["batch_size"]).cache()
    runs = {f"seqlab/keras tf{label}": _keras_run(data, samples)}
    if compile_variants:
        runs["seqlab/keras tf + XLA jit_compile"] = _keras_run(data, samples, jit_compile=True)
        runs["seqlab/keras tf + steps_per_execution=8"] = _keras_run(data, samples, steps_per_execution=8)
        runs["seqlab/keras tf + XLA + steps_per_execution=8"] = _keras_run(data, samples, jit_compile=True,
                                                                           steps_per_execution=8)
        runs["plain keras, no padding mask"] = _unmasked_run(data, samples)
        runs["plain keras, no padding mask, XLA + steps_per_execution=8"] = _unmasked_run(
            data, samples, jit_compile=True, steps_per_execution=8)
    return runs


def torch_variants(*, samples):
    """Prepare the plain PyTorch model and loop; return ``{name: run() -> samples/s}`` for 2 and 1 threads."""
    import torch

    torch.manual_seed(0)

    class Classifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(SIZES["vocab_size"], SIZES["embedding_dim"], padding_idx=0)
            self.lstm = torch.nn.LSTM(SIZES["embedding_dim"], SIZES["units"], batch_first=True)
            self.output = torch.nn.Linear(SIZES["units"], SIZES["num_classes"])

        def forward(self, ids):
            _, (hidden, _) = self.lstm(self.embedding(ids))
            return self.output(hidden[-1])

    model = Classifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = torch.nn.CrossEntropyLoss()
    inputs, labels = _data(samples)
    batches = [(torch.from_numpy(inputs[start:start + SIZES["batch_size"]]).long(),
                torch.from_numpy(labels[start:start + SIZES["batch_size"]]).long())
               for start in range(0, samples, SIZES["batch_size"])]

    def epoch(threads):
        torch.set_num_threads(threads)
        model.train()
        for ids, targets in batches:
            optimizer.zero_grad()
            loss = loss_function(model(ids), targets)
            loss.backward()
            optimizer.step()

    return {f"pytorch nn.LSTM, {threads} thread{'s' if threads > 1 else ''}":
            (lambda threads=threads: common.timed_rate(lambda: epoch(threads), samples)) for threads in (THREADS, 1)}


def processes(samples):
    """``[(factory, options, environment)]``: one process per group of variants that can share one."""
    keras_factory = "benchmarks.against_pytorch:keras_variants"
    table = [
        (keras_factory, {"label": " (defaults)"}, {}),
        (keras_factory, {"label": f", threads intra {THREADS} inter 1", "compile_variants": False,
                         "intra_threads": THREADS, "inter_threads": 1}, {}),
        (keras_factory, {"label": ", oneDNN off", "compile_variants": False}, {"TF_ENABLE_ONEDNN_OPTS": "0"}),
    ]
    if importlib.util.find_spec("torch") is not None:
        table.append(("benchmarks.against_pytorch:torch_variants", {}, {}))
    return [(factory, {"samples": samples, **options}, environment) for factory, options, environment in table]


def main(argv=None):
    argument_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argument_parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    argument_parser.add_argument("--repeats", type=int, default=5)
    argument_parser.add_argument("--samples", type=int, default=1280, help="samples per timed epoch")
    argument_parser.add_argument("--results-dir", default=str(common.RESULTS))
    arguments = argument_parser.parse_args(argv)
    samples = 256 if arguments.quick else arguments.samples
    repeats = 1 if arguments.quick else arguments.repeats
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    started, variants, skipped = [], {}, []
    try:
        for factory, options, environment in processes(samples):
            print(f"starting {factory} {options} {environment}", flush=True)
            process = common.VariantProcess(factory, options, environment)
            started.append(process)
            if process.error:
                skipped.append(f"{factory} {options}: {process.error}")
            variants.update(process.variants())
        rates = common.interleave(variants, repeats)
    finally:
        for process in started:
            process.close()
    torch_present = importlib.util.find_spec("torch") is not None
    baseline = f"pytorch nn.LSTM, {THREADS} threads" if torch_present else "seqlab/keras tf (defaults)"
    rows = common.rows_for("against_pytorch", rates, "samples/s", baseline=baseline)
    flops = common.lstm_training_flops(batch=1, time=SIZES["length"], input_dim=SIZES["embedding_dim"],
                                       units=SIZES["units"], num_classes=SIZES["num_classes"])
    notes = [f"One training sample is {flops / 1e6:.1f} MFLOP of matrix products (see `physical_limit.md`), so "
             f"1,000 samples/s = {flops * 1000 / 1e9:.0f} GFLOP/s."]
    notes.append(
        "Reading the ratios: PyTorch with 2 OpenMP threads is fastest on an idle machine but collapses when another "
        "process holds a core (its threads spin-wait; an earlier run on this 2-core CPU saw its epochs go from 2.5 s "
        "to 21-76 s when another process was busy), so "
        "on a busy machine the 1-thread row is the fairer PyTorch figure. TensorFlow's epoch times here are bimodal "
        "(about 1x or 2x of a base time, also within one process), which is why min, median and max differ so much. "
        "XLA compiles the whole LSTM loop into one program on the first epoch (the untimed warm-up); "
        "`jit_compile=\"auto\"` (the Keras default) resolves to off on the CPU, so XLA must be asked for. The "
        "plain-Keras rows without a padding mask show what seqlab's masking of id 0 costs (the PyTorch loop masks "
        "nothing; these random sequences hold no padding).")
    if not torch_present:
        notes.append("torch is not installed, so the PyTorch rows are missing: `.venv/bin/pip install torch==2.13.0` "
                     "(the CPU build) and run again.")
    notes += [f"Skipped: {reason}" for reason in skipped]
    description = (
        f"Embedding {SIZES['embedding_dim']} -> LSTM {SIZES['units']} -> softmax over {SIZES['num_classes']}; batch "
        f"{SIZES['batch_size']}, length {SIZES['length']}, Adam, {samples} random samples per timed epoch. Each "
        f"variant runs in its own process; rounds alternate over all variants; one warm-up epoch (tracing, XLA "
        f"compilation) is untimed, then {repeats} timed repeats. Thread count: TensorFlow and PyTorch both use the "
        f"{THREADS} cores unless the row says otherwise. Ratio: samples/s over the baseline's.")
    common.write_report("against_pytorch", title="seqlab vs PyTorch on the CPU (LSTM training)",
                        command=common.command_line("benchmarks.against_pytorch", argv or sys.argv[1:]),
                        description=description, rows=rows, notes=notes, results_dir=arguments.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
