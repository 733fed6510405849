"""Splice junctions: a many-to-one classifier of short DNA sequences (UCI: exon-intron, intron-exon or neither).

The task-module protocol (docs/contracts.md, "Task modules"): :func:`prepare` loads one fold of
a labelled short-sequence source (:mod:`seqlab.data.dna`: a fixed-seed stratified K-fold
assignment, fold ``test_fold`` tests and the next one validates) and its input features
(:func:`splice_features`); :func:`baselines` scores the majority class; :func:`build` makes the
classifier; :func:`predict` gives class probabilities; :func:`evaluate` the accuracy and the
error rate of every class. Training stays in the notebook (one model per fold). Then what the
notebook shows: :func:`print_scores` (against KBANN's published errors) and
:func:`draw_saliency` (what the classifier looks at, from :func:`input_gradients`).

>>> features = splice_features(stack_ids([{"ids": np.array([0, 1, 2])}, {"ids": np.array([3])}]))
>>> features.shape, features[1, 1:].sum()
((2, 3, 5), np.float32(0.0))
"""

import dataclasses

import numpy as np

import seqlab
from seqlab import checks
from seqlab.data.dna import NUM_BASES, one_hot
from seqlab.data.splits import SPLITS

POSITION_CHANNELS = 2
FOLD_SOURCES = ("uci_splice", "labelled_sequences")  # the sources read with stratified folds
KBANN_ERRORS = {"N": 4.62, "EI": 7.56, "IE": 8.47}  # % test error (splice.names), the published anchor


# --------------------------------------------------------------------------- the protocol


@dataclasses.dataclass
class Task:
    """One fold of a labelled short-sequence dataset with its input features (see :func:`prepare`).

    Attributes:
        splits: the loaded dataset (:func:`seqlab.data.dna.load_uci_splice`): ``"train"``,
            ``"valid"``, ``"test"`` lists of ``{"id", "sequence", "ids", "label"}``, plus
            ``"classes"``, ``"ambiguous"``, ``"ambiguous_rows"``, ...
        arrays: ``{split: (features, labels)}``: float32 ``(n, time, channels)`` from
            :func:`splice_features` and the int class indices.
    """

    splits: dict
    arrays: dict

    @property
    def classes(self):
        """The class names, in label order (``EI``, ``IE``, ``N`` for the UCI data)."""
        return list(self.splits["classes"])

    @property
    def input_dim(self):
        """Input channels per base: the one-hot bases, plus the position channels when asked."""
        return self.arrays["train"][0].shape[-1]

    def describe(self):
        """Print the size of each split, the classes, and the ambiguity codes read as N."""
        print({split: len(self.splits[split]) for split in SPLITS}, "classes:", self.classes)
        print("ambiguity codes mapped to N:", self.splits["ambiguous"], "in", self.splits["ambiguous_rows"], "rows")


def prepare(dataset="uci_splice", *, path=None, test_fold=0, position=False):
    """Load one fold of a labelled short-sequence source and its input features.

    Args:
        dataset: ``uci_splice`` or ``labelled_sequences`` (sequences of any length, padded).
        path: the file or folder of the data; ``None`` resolves the source by name.
        test_fold: the test fold (0: the fixed split); the next fold validates, the rest train.
        position: add the two channels that say where the central junction is (:func:`splice_features`).

    Returns:
        :class:`Task`.
    """
    checks.one_of("dataset", dataset, FOLD_SOURCES)  # statlog_dna has a fixed split, not folds: not read here yet
    splits = seqlab.data.load(dataset, path=path, test_fold=test_fold)
    arrays = {split: (splice_features(stack_ids(splits[split]), position=position),
                      np.array([example["label"] for example in splits[split]]))
              for split in SPLITS}
    return Task(splits, arrays)


def baselines(data):
    """The majority class of the training split, predicted for every validation and test sequence.

    Returns:
        ``{"majority_valid_accuracy": ..., "majority_test_accuracy": ...}``.
    """
    majority = int(np.bincount(data.arrays["train"][1], minlength=len(data.classes)).argmax())
    return {f"majority_{split}_accuracy": float(np.mean(data.arrays[split][1] == majority))
            for split in ("valid", "test")}


def build(data, **architecture):
    """The classifier: ``seqlab.build("many_to_one", ...)`` over the sequence features, a softmax over the classes.

    Args:
        data: the :class:`Task` (input channels and classes).
        **architecture: the builder's keywords (``cell``, ``units``, ``depth``, ``bidirectional``,
            ``dropout``, ``summary``, ...).

    Returns:
        an uncompiled ``keras.Model``: ``(batch, time, input_dim)`` -> ``(batch, classes)``.
    """
    return seqlab.build("many_to_one", input_dim=data.input_dim, num_classes=len(data.classes), **architecture)


def predict(model, data, split):
    """Class probabilities of every sequence of ``split``: float32 ``(n, classes)``."""
    checks.one_of("split", split, SPLITS)
    return model.predict(data.arrays[split][0], verbose=0)


def evaluate(data, probabilities, split):
    """Accuracy and per-class error rates of the likeliest class.

    Returns:
        ``{"<split>_accuracy": ..., "<split>_error_<class>": ...}``; a class's error rate is the
        share of its sequences predicted as another class.
    """
    checks.one_of("split", split, SPLITS)
    truth = data.arrays[split][1]
    predicted = np.asarray(probabilities).argmax(-1)
    if predicted.shape != truth.shape:
        raise ValueError(f"probabilities has {len(predicted)} rows; split {split!r} has {len(truth)} sequences.")
    return {f"{split}_accuracy": float(np.mean(predicted == truth)),
            **{f"{split}_error_{name}": float(np.mean(predicted[truth == index] != index))
               for index, name in enumerate(data.classes)}}


# --------------------------------------------------------------------------- what the notebook shows


def mean_scores(fold_scores):
    """The mean of every field over the folds' score dicts (one dict per fold, same fields).

    >>> mean_scores([{"test_accuracy": 0.9, "epochs_run": 3}, {"test_accuracy": 0.8, "epochs_run": 4}])
    {'test_accuracy': 0.85, 'epochs_run': 3.5}
    """
    return {name: float(np.mean([scores[name] for scores in fold_scores])) for name in fold_scores[0]}


def print_scores(data, scores, *, title):
    """Print the test accuracy and the per-class test errors (%) beside KBANN's published errors."""
    errors = ", ".join(f"{name} {100 * scores[f'test_error_{name}']:.2f} %" for name in data.classes)
    anchor = ", ".join(f"{name} {value} %" for name, value in KBANN_ERRORS.items())
    print(f"{title}: test accuracy {scores['test_accuracy']:.4f}; error {errors}; KBANN: {anchor}")


def draw_saliency(model, data, split="test"):
    """The mean input gradient per position (:func:`input_gradients` of the true class), one line per class.

    Position 0 is the first base after the central junction: the first intron base for EI
    (donor, consensus GT at 0-1) and the first exon base for IE (acceptor, AG at -2..-1).

    Returns:
        the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    inputs, truth = data.arrays[split]
    saliency = input_gradients(model, inputs, class_index=truth)
    positions = np.arange(inputs.shape[1]) - inputs.shape[1] // 2
    figure, axis = plt.subplots(figsize=(10, 3.2), dpi=80)
    for index, name in enumerate(data.classes):
        axis.plot(positions, saliency[truth == index].mean(axis=0), marker=".", label=name)
    top = axis.get_ylim()[1]
    for motif_start, text, color, height in ((0, "GT (EI)", "tab:blue", 0.92), (-2, "AG (IE)", "tab:orange", 0.78)):
        axis.axvspan(motif_start - 0.5, motif_start + 1.5, color=color, alpha=0.15)
        axis.text(motif_start + 0.5, top * height, text, ha="center", fontsize=8, color=color)
    axis.set(xlabel="position relative to the junction", ylabel="mean gradient x input",
             title=f"Splice classifier saliency per position ({split} sequences, true class)")
    axis.legend()
    return figure


# --------------------------------------------------------------------------- features and saliency


def splice_features(ids, *, position=False):
    """Input features of splice sequences ``(n, time)``: one-hot bases, plus position channels if asked.

    A splice junction sits between the two central bases of every UCI sequence, and the motifs
    that decide the class (GT after an exon-intron junction, AG before an intron-exon one) count
    only there; the same dinucleotide elsewhere is noise. A max-pooled recurrent classifier
    forgets where a feature was, and a recurrent layer finds counting to 30 hard, so
    ``position=True`` adds two channels: the signed distance to the centre in tens of bases and
    a bump ``exp(-distance**2)`` that is 1 at the junction and near 0 beyond 20 bases.

    >>> features = splice_features(np.zeros((1, 60), np.int8), position=True)
    >>> features.shape, [round(float(value), 2) for value in features[0, 29, 5:]]
    ((1, 60, 7), [-0.05, 1.0])
    >>> splice_features(np.zeros((2, 60), np.int8)).shape
    (2, 60, 5)
    """
    features = one_hot(ids)
    if not position:
        return features
    distance = (np.arange(features.shape[-2], dtype=np.float32) - (features.shape[-2] - 1) / 2) / 10.0
    channels = np.stack([distance, np.exp(-distance ** 2)], axis=-1).astype(np.float32)
    return np.concatenate([features, np.broadcast_to(channels, features.shape[:-1] + (POSITION_CHANNELS,))], axis=-1)


def stack_ids(examples, length=None):
    """Base ids of labelled sequences as one ``(n, length)`` int8 array, padded with ``-1``.

    ``-1`` one-hot encodes to all zeros (:func:`seqlab.data.dna.one_hot`), so a many-to-one
    model built with ``mask_value=0.0`` skips the padding (without position channels).

    >>> stack_ids([{"ids": np.array([0, 1, 2])}, {"ids": np.array([3])}]).tolist()
    [[0, 1, 2], [3, -1, -1]]
    """
    length = length or max(len(example["ids"]) for example in examples)
    stacked = np.full((len(examples), length), -1, np.int8)
    for row, example in enumerate(examples):
        ids = np.asarray(example["ids"])[:length]
        stacked[row, :len(ids)] = ids
    return stacked


def input_gradients(model, inputs, class_index=None, *, batch_size=256):
    """Gradient of one output probability with respect to the one-hot input, times the input.

    For a many-to-one classifier ``(batch, time, 5) -> (batch, num_classes)``. Multiplying by
    the input keeps, at every position, the gradient of the base that is actually there
    ("gradient x input"), so summing over the last axis gives one saliency value per position.

    Args:
        model: a Keras model on the TensorFlow backend.
        inputs: float32 ``(n, time, 5)`` one-hot sequences, optionally followed by more
            channels (:func:`splice_features`), which the saliency leaves out.
        class_index: the class whose probability is differentiated: an int, an int array
            (one per sequence, e.g. the true labels), or ``None`` for the predicted class.
        batch_size: sequences per gradient batch.

    Returns:
        float32 ``(n, time)`` saliency per position.
    """
    import tensorflow as tf

    inputs = np.asarray(inputs, np.float32)
    saliency = []
    for begin in range(0, len(inputs), batch_size):
        batch = tf.convert_to_tensor(inputs[begin:begin + batch_size])
        with tf.GradientTape() as tape:
            tape.watch(batch)
            probabilities = model(batch, training=False)
            if class_index is None:
                chosen = tf.argmax(probabilities, axis=-1)
            else:
                chosen = np.broadcast_to(np.asarray(class_index), (len(inputs),))[begin:begin + batch_size]
            picked = tf.gather(probabilities, chosen, axis=1, batch_dims=1)
        gradient = tape.gradient(picked, batch)
        bases = slice(0, NUM_BASES)  # position channels (splice_features) are not bases: left out
        saliency.append(tf.reduce_sum(gradient[..., bases] * batch[..., bases], axis=-1).numpy())
    return np.concatenate(saliency)
