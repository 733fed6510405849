"""Builder overhead: a seqlab-built classifier vs the same model written by hand in plain Keras.

Both models see identical data (token ids, no padding) and train with Adam; one epoch of each
alternates, several repeats, and the training samples/s are compared for LSTM, GRU,
SimpleRNN, a bidirectional LSTM and two stacked LSTMs. The seqlab model carries the layers
its builder always adds (input ``Dropout(0)`` layers, recurrent layers returning their
states); the hand-written one is ``Embedding -> LSTM -> Dense``.

    .venv/bin/python -m benchmarks.builder_overhead [--quick]
"""

import argparse
import sys

import numpy as np

from benchmarks import common

CONFIGURATIONS = {
    "lstm": {"cell": "lstm", "bidirectional": False, "depth": 1},
    "gru": {"cell": "gru", "bidirectional": False, "depth": 1},
    "rnn (SimpleRNN)": {"cell": "rnn", "bidirectional": False, "depth": 1},
    "bidirectional lstm": {"cell": "lstm", "bidirectional": True, "depth": 1},
    "lstm depth 2": {"cell": "lstm", "bidirectional": False, "depth": 2},
}


def hand_written(*, cell, units, depth, bidirectional, vocab_size, embedding_dim, num_classes):
    """The plain Keras model, as a keras-io example writes it."""
    import keras

    layer_class = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}[cell]
    inputs = keras.Input((None,), dtype="int32")
    outputs = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True)(inputs)
    for index in range(depth):
        layer = layer_class(units, return_sequences=index < depth - 1)
        outputs = (keras.layers.Bidirectional(layer) if bidirectional else layer)(outputs)
    outputs = keras.layers.Dense(num_classes, activation="softmax")(outputs)
    return keras.Model(inputs, outputs)


def main(argv=None):
    argument_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argument_parser.add_argument("--quick", action="store_true", help="tiny smoke run (seconds)")
    argument_parser.add_argument("--repeats", type=int, default=11)
    argument_parser.add_argument("--results-dir", default=str(common.RESULTS))
    arguments = argument_parser.parse_args(argv)
    import keras
    import tensorflow as tf

    import seqlab

    repeats = 1 if arguments.quick else arguments.repeats
    samples, length, batch_size = (256, 20, 64) if arguments.quick else (4096, 40, 64)
    sizes = {"units": 64, "vocab_size": 1000, "embedding_dim": 64, "num_classes": 2}
    rng = np.random.default_rng(0)
    inputs = rng.integers(1, sizes["vocab_size"], size=(samples, length)).astype("int32")
    labels = rng.integers(0, sizes["num_classes"], size=samples).astype("int32")
    data = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(batch_size).cache()
    rows = []
    for label, configuration in CONFIGURATIONS.items():
        print(f"{label}:", flush=True)
        models = {}
        for variant in ("seqlab", "plain keras"):
            seqlab.training.seed_everything(0)
            if variant == "seqlab":
                model = seqlab.build("many_to_one", **configuration, **sizes)
            else:
                model = hand_written(**configuration, **sizes)
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            models[variant] = model
        if models["seqlab"].count_params() != models["plain keras"].count_params():
            raise RuntimeError(f"{label}: the two models differ in size; the comparison would be unfair.")
        variants = {variant: (lambda model=model: common.timed_rate(
            lambda: model.fit(data, epochs=1, verbose=0, shuffle=False), samples)) for variant, model in models.items()}
        rates = common.interleave(variants, repeats)
        rows += common.rows_for(f"builder_overhead/{label}", rates, "samples/s", baseline="plain keras")
        keras.backend.clear_session()
    description = (
        f"Many-to-one classifier: embedding {sizes['embedding_dim']} (vocabulary {sizes['vocab_size']}, id 0 "
        f"masked) -> recurrent layer(s) of {sizes['units']} units -> softmax over {sizes['num_classes']} classes; "
        f"{samples} random sequences of length {length}, batch {batch_size}, Adam, one `fit` epoch per "
        f"measurement; the two variants alternate, first epoch of each untimed, {repeats} timed repeats. The "
        "parameter counts of the two models are checked equal. Goal: ratio (seqlab / plain Keras) within "
        "0.97-1.03.")
    common.write_report("builder_overhead", title="Builder overhead: seqlab vs plain Keras",
                        command=common.command_line("benchmarks.builder_overhead", argv or sys.argv[1:]),
                        description=description, rows=rows, results_dir=arguments.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
