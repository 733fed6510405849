"""Length bucketing alone on SST-2: bucketed batches vs shuffled batches, both padded per batch.

Two identical BiLSTM classifiers (the sentiment notebook's model) train on the SST-2 training
split; one reads batches grouped by length (``make_dataset(bucketing=True)``), the other plain
shuffled batches (``bucketing=False``), each padded to its own longest sentence. Both use the
same pipeline otherwise, so the ratio is what bucketing alone buys; ``variable_length``
compares the whole pipeline with padding every sequence to the longest one. Epochs alternate
between the two models; the first epoch of each (graph tracing) is untimed. Reports training
sentences/s, the share of padded steps each way and the training accuracy after the last epoch.

    SEQLAB_DATA_DIR=../shared/data .venv/bin/python -m benchmarks.bucketing_sentiment [--quick] [--repeats 5]
"""

import argparse
import statistics
import sys

import numpy as np

from benchmarks import common

VARIANTS = {"bucketing": True, "no bucketing": False}


def main(argv=None):
    argument_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argument_parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    argument_parser.add_argument("--repeats", type=int, default=5, help="timed epochs after one untimed epoch")
    argument_parser.add_argument("--sentences", type=int, default=None,
                                 help="first N training sentences (default: all of SST-2 train)")
    argument_parser.add_argument("--batch-size", type=int, default=32)
    argument_parser.add_argument("--units", type=int, default=64)
    argument_parser.add_argument("--cell", default="lstm")
    argument_parser.add_argument("--results-dir", default=str(common.RESULTS))
    arguments = argument_parser.parse_args(argv)
    import seqlab
    from seqlab.tasks.sentiment import build_vocabulary, encode_texts
    from seqlab.data import sentiment as sentiment_data
    from seqlab.data.batching import make_dataset, padding_fraction

    try:
        seqlab.data.resolve("sst2")
    except FileNotFoundError as error:
        print(f"bucketing_sentiment skipped: {error}", flush=True)
        return 0
    repeats = 1 if arguments.quick else arguments.repeats
    sentences = 300 if arguments.quick else arguments.sentences
    splits = seqlab.data.load("sst2")
    class_id = {name: index for index, name in enumerate(sentiment_data.class_names(splits))}
    train = splits["train"][:sentences]
    vocabulary = build_vocabulary(train, min_frequency=2)
    inputs = encode_texts([example["text"] for example in train], vocabulary)
    labels = np.array([class_id[example["label"]] for example in train])
    runs, epoch_seconds, padding, accuracy = {}, {}, {}, {}
    for variant, bucketing in VARIANTS.items():
        seqlab.training.seed_everything(0)
        model = seqlab.build("many_to_one", vocab_size=len(vocabulary), embedding_dim=128, num_classes=2,
                             cell=arguments.cell, units=arguments.units, bidirectional=True, dropout=0.5,
                             summary="max")
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        data = make_dataset(inputs, labels, arguments.batch_size, bucketing=bucketing, seed=0)
        padding[variant], epoch_seconds[variant] = padding_fraction(data), []

        def run(model=model, data=data, variant=variant):
            history = {}

            def fit():
                history.update(model.fit(data, epochs=1, shuffle=False, verbose=0).history)
            rate = common.timed_rate(fit, len(inputs))
            epoch_seconds[variant].append(len(inputs) / rate)
            accuracy[variant] = history["accuracy"][-1]
            return rate
        runs[variant] = run
    rates = common.interleave(runs, repeats)
    rows = common.rows_for("bucketing_sentiment/sst2", rates, "sentences/s", baseline="no bucketing")
    lengths = [len(sequence) for sequence in inputs]
    seconds = "; ".join(f"{variant}: " + ", ".join(f"{value:.1f}" for value in values)
                        for variant, values in epoch_seconds.items())
    notes = [f"SST-2: {len(inputs)} training sentences (longest {max(lengths)} tokens, mean "
             f"{statistics.mean(lengths):.1f}), embedding 128 -> bidirectional {arguments.cell} "
             f"{arguments.units} -> max over time, dropout 0.5, batch {arguments.batch_size}. Padded share of the "
             f"time steps: bucketing {padding['bucketing']:.1%}, no bucketing {padding['no bucketing']:.1%}. "
             f"Epoch seconds (first untimed): {seconds}. Training accuracy after the last epoch: bucketing "
             f"{accuracy['bucketing']:.4f}, no bucketing {accuracy['no bucketing']:.4f}.",
             "See also `variable_length.md` (the whole pipeline vs padding every sequence to the longest one)."]
    description = ("Training throughput in sentences/s (so the ratio is the epoch-time ratio, no bucketing / "
                   f"bucketing); epochs alternate between the two models, the first epoch of each untimed, {repeats} "
                   "timed epochs each. Both variants pad each batch to its own longest sentence; only the grouping "
                   "by length differs.")
    common.write_report("bucketing_sentiment", title="Length bucketing on SST-2: bucketed vs shuffled batches",
                        command=common.command_line("benchmarks.bucketing_sentiment", argv or sys.argv[1:]),
                        description=description, rows=rows, notes=notes, results_dir=arguments.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
