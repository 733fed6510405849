"""Real variable-length data: seqlab's pipeline vs padding every sequence to the maximum length.

Two tasks, each with two identical models trained side by side in one process, epochs
alternating: the NER tagger on CoNLL-2003 (``seqlab.build("tagger")``) and the BiLSTM
sentiment classifier on SST-2. The seqlab pipeline is ``make_dataset`` (right padding per
batch, length bucketing, prefetch); the baseline is the keras-io way: every sequence padded
to the longest training sequence, numpy arrays to ``fit(batch_size=..., shuffle=True)``.
Reports training sentences/s (the epoch-time ratio) and the validation metric of both models
after the same short training (entity F1 on CoNLL dev, accuracy on SST-2 dev).

    SEQLAB_DATA_DIR=../shared/data .venv/bin/python -m benchmarks.variable_length [--quick]
"""

import argparse
import statistics
import sys

import numpy as np

from benchmarks import common


def _epoch_runner(model, samples, epoch_seconds, *fit_arguments, **fit_options):
    def run():
        rate = common.timed_rate(lambda: model.fit(*fit_arguments, epochs=1, verbose=0, **fit_options), samples)
        epoch_seconds.append(samples / rate)
        return rate
    return run


def ner(train_count, valid_count, repeats, batch_size):
    """Rates, padding shares, validation F1 and a description for the CoNLL-2003 tagger."""
    import keras

    import seqlab
    from seqlab.data.batching import pad_sequences, padding_fraction
    from seqlab.data.ner import TokenEncoder
    from seqlab.metrics.spans import entity_scores
    from seqlab.tasks.ner import predict_tags

    splits = seqlab.data.load("conll2003")
    train, valid = splits["train"][:train_count], splits["valid"][:valid_count]
    encoder = TokenEncoder.build(train)
    packed = [encoder.encode(tokens) for tokens, _ in train]
    tags = [encoder.encode_tags(sentence_tags) for _, sentence_tags in train]
    longest = max(len(sentence) for sentence in packed)
    padded_inputs, padded_tags = pad_sequences(packed, max_length=longest), pad_sequences(tags, max_length=longest)
    bucketed = encoder.dataset(train, batch_size, seed=0)
    models, epoch_seconds, variants = {}, {}, {}
    for variant in ("seqlab pipeline", "pad to max"):
        seqlab.training.seed_everything(0)
        model = seqlab.build("tagger", vocab_size=len(encoder.words), num_classes=encoder.num_classes,
                             characters="none", units=64, embedding_dim=64)
        model.compile(optimizer=keras.optimizers.Adam(0.01, clipnorm=5.0), loss="sparse_categorical_crossentropy")
        models[variant], epoch_seconds[variant] = model, []
        if variant == "seqlab pipeline":
            variants[variant] = _epoch_runner(model, len(train), epoch_seconds[variant], bucketed, shuffle=False)
        else:
            variants[variant] = _epoch_runner(model, len(train), epoch_seconds[variant], padded_inputs, padded_tags,
                                              batch_size=batch_size, shuffle=True)
    rates = common.interleave(variants, repeats)
    metric = {variant: entity_scores([sentence_tags for _, sentence_tags in valid],
                                     predict_tags(model, encoder, [tokens for tokens, _ in valid]))["f1"]
              for variant, model in models.items()}
    lengths = [len(sentence) for sentence in packed]
    padding = {"seqlab pipeline": padding_fraction(bucketed),
               "pad to max": 1 - sum(lengths) / (len(lengths) * longest)}
    description = (f"CoNLL-2003: first {len(train)} training sentences (longest {longest} tokens, mean "
                   f"{statistics.mean(lengths):.1f}), tagger with word embedding 64 + casing, no character "
                   f"encoder, BiLSTM 64, dropout 0.5, Adam 0.01 with clipnorm 5 (the NER notebook's), batch {batch_size}; entity F1 (exact spans) on the first "
                   f"{len(valid)} dev sentences after {repeats + 1} epochs.")
    return rates, epoch_seconds, padding, {"metric": "valid entity F1", **metric}, description


def sentiment(train_count, repeats, batch_size):
    """Rates, padding shares, validation accuracy and a description for the SST-2 classifier."""
    import seqlab
    from seqlab.tasks.sentiment import build_vocabulary, encode_texts, predict_probabilities
    from seqlab.data import sentiment as sentiment_data
    from seqlab.data.batching import make_dataset, pad_sequences, padding_fraction

    splits = seqlab.data.load("sst2")
    class_id = {name: index for index, name in enumerate(sentiment_data.class_names(splits))}
    train = splits["train"][:train_count]
    vocabulary = build_vocabulary(train, min_frequency=2)
    inputs = encode_texts([example["text"] for example in train], vocabulary)
    labels = np.array([class_id[example["label"]] for example in train])
    valid_inputs = encode_texts([example["text"] for example in splits["valid"]], vocabulary)
    valid_labels = np.array([class_id[example["label"]] for example in splits["valid"]])
    longest = max(len(sequence) for sequence in inputs)
    padded = pad_sequences(inputs, max_length=longest)
    bucketed = make_dataset(inputs, labels, batch_size, bucketing=True, seed=0)
    models, epoch_seconds, variants = {}, {}, {}
    for variant in ("seqlab pipeline", "pad to max"):
        seqlab.training.seed_everything(0)
        model = seqlab.build("many_to_one", vocab_size=len(vocabulary), embedding_dim=128, num_classes=2,
                             units=64, bidirectional=True, dropout=0.5, summary="max")
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        models[variant], epoch_seconds[variant] = model, []
        if variant == "seqlab pipeline":
            variants[variant] = _epoch_runner(model, len(train), epoch_seconds[variant], bucketed, shuffle=False)
        else:
            variants[variant] = _epoch_runner(model, len(train), epoch_seconds[variant], padded, labels,
                                              batch_size=batch_size, shuffle=True)
    rates = common.interleave(variants, repeats)
    metric = {variant: float(np.mean(predict_probabilities(model, valid_inputs).argmax(axis=1)
                                     == valid_labels)) for variant, model in models.items()}
    lengths = [len(sequence) for sequence in inputs]
    padding = {"seqlab pipeline": padding_fraction(bucketed),
               "pad to max": 1 - sum(lengths) / (len(lengths) * longest)}
    description = (f"SST-2: {len(train)} training sentences (longest {longest} tokens, mean "
                   f"{statistics.mean(lengths):.1f}), embedding 128 -> BiLSTM 64 -> max over time, dropout 0.5, "
                   f"batch {batch_size}; accuracy on the {len(valid_labels)} dev sentences after {repeats + 1} "
                   "epochs.")
    return rates, epoch_seconds, padding, {"metric": "valid accuracy", **metric}, description


def main(argv=None):
    argument_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argument_parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    argument_parser.add_argument("--repeats", type=int, default=3, help="timed epochs after one untimed epoch")
    argument_parser.add_argument("--ner-sentences", type=int, default=3000, help="CoNLL-2003 training sentences")
    argument_parser.add_argument("--sst2-sentences", type=int, default=2000, help="SST-2 training sentences")
    argument_parser.add_argument("--batch-size", type=int, default=32)
    argument_parser.add_argument("--results-dir", default=str(common.RESULTS))
    arguments = argument_parser.parse_args(argv)
    import seqlab

    try:
        seqlab.data.resolve("conll2003"), seqlab.data.resolve("sst2")
    except FileNotFoundError as error:
        print(f"variable_length skipped: {error}", flush=True)
        return 0
    repeats = 1 if arguments.quick else arguments.repeats
    ner_sentences, sst2_sentences = (300, 300) if arguments.quick else (arguments.ner_sentences,
                                                                        arguments.sst2_sentences)
    rows, notes = [], []
    tasks = {"ner_conll2003": lambda: ner(ner_sentences, 300 if arguments.quick else 800, repeats,
                                          arguments.batch_size),
             "sentiment_sst2": lambda: sentiment(sst2_sentences, repeats, arguments.batch_size)}
    for task, measure in tasks.items():
        print(f"{task}:", flush=True)
        rates, epoch_seconds, padding, metric, description = measure()
        rows += common.rows_for(f"variable_length/{task}", rates, "sentences/s", baseline="pad to max")
        rows.append({"benchmark": f"variable_length/{task}", "variant": f"{metric['metric']}: seqlab pipeline",
                     "unit": metric["metric"].split()[-1], "median": metric["seqlab pipeline"],
                     "min": metric["seqlab pipeline"], "max": metric["seqlab pipeline"], "baseline": "pad to max",
                     "ratio": metric["seqlab pipeline"] / max(metric["pad to max"], 1e-12)})
        rows.append({"benchmark": f"variable_length/{task}", "variant": f"{metric['metric']}: pad to max",
                     "unit": metric["metric"].split()[-1], "median": metric["pad to max"],
                     "min": metric["pad to max"], "max": metric["pad to max"], "baseline": "pad to max",
                     "ratio": 1.0})
        seconds = "; ".join(f"{variant}: " + ", ".join(f"{value:.1f}" for value in values)
                            for variant, values in epoch_seconds.items())
        notes.append(f"**{task}**: {description} Padded share of the time steps: seqlab pipeline "
                     f"{padding['seqlab pipeline']:.1%}, pad to max {padding['pad to max']:.1%}. Epoch seconds "
                     f"(first untimed): {seconds}. {metric['metric']}: seqlab pipeline "
                     f"{metric['seqlab pipeline']:.4f}, pad to max {metric['pad to max']:.4f}.")
    notes.append("Both models start from the same seed; they see the examples in different orders (buckets vs a "
                 "plain shuffle), so their validation figures differ by training noise, not by the pipeline. See "
                 "also `bucketing_sentiment.md` (bucketing vs per-batch padding without bucketing, SST-2).")
    description = ("Training throughput in sentences/s (so the ratio is the epoch-time ratio, pad to max / seqlab); "
                   f"epochs alternate between the two models, the first epoch of each untimed, {repeats} timed "
                   "epochs each. Goal: ratio >= 1.5 with the validation metric unchanged. The metric rows carry the "
                   "metric in the median column (one value, after the short training).")
    common.write_report("variable_length", title="Variable-length data: bucketing pipeline vs pad to max",
                        command=common.command_line("benchmarks.variable_length", argv or sys.argv[1:]),
                        description=description, rows=rows, notes=notes, results_dir=arguments.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
