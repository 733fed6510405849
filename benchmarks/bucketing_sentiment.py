"""Epoch time with and without length bucketing on SST-2, side by side in one process.

Two identical BiLSTM classifiers (the sentiment notebook's model) train on the SST-2 training
split; one reads batches grouped by length (``make_dataset(bucketing=True)``), the other
plain shuffled batches (each padded to its longest sentence). Epochs alternate A, B, A, B, ...
so both see the same machine load; the first epoch of each (graph tracing) is left out and
the medians of the rest are compared. Also reports the share of padded steps each way.

    SEQLAB_DATA_DIR=../shared/data .venv/bin/python benchmarks/bucketing_sentiment.py --repeats 6

Writes a Markdown report to ``results/benchmarks/bucketing_sentiment.md`` (``--output``).
"""

import argparse
import pathlib
import platform
import statistics
import sys
import time

import keras
import numpy as np

import seqlab
from seqlab import sentiment as helpers
from seqlab.data import sentiment as sentiment_data
from seqlab.data.batching import make_dataset, padding_fraction


def parser():
    argument_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argument_parser.add_argument("--repeats", type=int, default=6, help="timed epochs per variant (after one warm-up)")
    argument_parser.add_argument("--batch-size", type=int, default=32)
    argument_parser.add_argument("--units", type=int, default=64)
    argument_parser.add_argument("--cell", default="lstm")
    argument_parser.add_argument("--output", default="results/benchmarks/bucketing_sentiment.md")
    return argument_parser


def main(argv=None):
    arguments = parser().parse_args(argv)
    seqlab.training.seed_everything(0)
    splits = seqlab.data.load("sst2")
    class_id = {name: index for index, name in enumerate(sentiment_data.class_names(splits))}
    vocabulary = helpers.build_vocabulary(splits["train"], min_frequency=2)
    inputs = helpers.encode_texts([example["text"] for example in splits["train"]], vocabulary)
    labels = np.array([class_id[example["label"]] for example in splits["train"]])
    variants = {}
    for bucketing in (True, False):
        seqlab.training.seed_everything(0)
        model = seqlab.build("many_to_one", vocab_size=len(vocabulary), embedding_dim=128, num_classes=2,
                             cell=arguments.cell, units=arguments.units, bidirectional=True, dropout=0.5,
                             summary="max")
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        data = make_dataset(inputs, labels, arguments.batch_size, bucketing=bucketing, seed=0)
        variants[bucketing] = {"model": model, "data": data, "padding": padding_fraction(data), "seconds": [],
                               "accuracy": []}
    for repeat in range(arguments.repeats + 1):
        for bucketing, variant in variants.items():
            started = time.perf_counter()
            history = variant["model"].fit(variant["data"], epochs=1, shuffle=False, verbose=0)
            seconds = time.perf_counter() - started
            label = "bucketing" if bucketing else "no bucketing"
            print(f"epoch {repeat} {label:>12}: {seconds:6.2f} s  train accuracy {history.history['accuracy'][-1]:.4f}",
                  flush=True)
            if repeat > 0:
                variant["seconds"].append(seconds)
                variant["accuracy"].append(history.history["accuracy"][-1])
    with_buckets, without = variants[True], variants[False]
    median_with, median_without = statistics.median(with_buckets["seconds"]), statistics.median(without["seconds"])
    command = "SEQLAB_DATA_DIR=../shared/data .venv/bin/python benchmarks/bucketing_sentiment.py " + " ".join(
        sys.argv[1:] if argv is None else argv)
    lines = [
        "# Length bucketing on SST-2: epoch time side by side",
        "",
        f"Command: `{command.strip()}`",
        "",
        f"Model: embedding 128 -> BiLSTM ({arguments.cell}, {arguments.units} units per direction) -> max over time "
        f"-> softmax; SST-2 train ({len(inputs)} sentences), batch size {arguments.batch_size}. Epochs alternate "
        f"between the two variants in one process; the first (tracing) epoch of each is left out, "
        f"{arguments.repeats} timed epochs each.",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}; Keras {keras.__version__}, backend "
        f"{keras.backend.backend()}; the 2-core CPU was shared with other jobs, so compare the two columns, not "
        "absolute times.",
        "",
        "| variant | padded steps | median epoch (s) | epochs (s) | train accuracy after last epoch |",
        "|---|---|---|---|---|",
    ]
    for name, variant in (("bucketing", with_buckets), ("no bucketing", without)):
        epochs = ", ".join(f"{seconds:.1f}" for seconds in variant["seconds"])
        lines.append(f"| {name} | {variant['padding']:.1%} | {statistics.median(variant['seconds']):.2f} | {epochs} | "
                     f"{variant['accuracy'][-1]:.4f} |")
    lines += ["", f"Speed-up from bucketing (median without / median with): **{median_without / median_with:.2f}x**.", ""]
    output = pathlib.Path(arguments.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
