"""Per-base gene labels of a genome: a many-to-many tagger that labels every base coding (in a frame) or not.

The task-module protocol (docs/contracts.md, "Task modules"): :func:`prepare` loads a genome
dataset (:mod:`seqlab.data.dna`: contiguous train / valid / test regions of every record), cuts
the training windows and draws the validation windows; :func:`baselines` scores the majority
class and the k-mer log-odds classifier; :func:`build` makes the tagger; :func:`predict` gives
per-base class probabilities over whole regions (:func:`predict_region`); :func:`evaluate`
chooses the P(coding) threshold on the validation region and scores the test regions with it.
Training stays in the notebook, on :class:`TrainingWindows` (fresh windows every epoch). Then
what the notebook shows: :func:`print_scores` and :func:`draw_coding_probability`.

Every score collapses the frame labels to coding / non-coding (:mod:`seqlab.metrics.dna`).

- :func:`window_features`: one-hot bases, optionally with a codon clock (position modulo 3).
- :func:`predict_region`: run a per-base tagger over a long region in overlapping windows
  (optionally on both strands) and blend the windows, trusting each window's centre more
  than its edges, where the network sees context on one side only.
- :func:`frame_predictions`: per-base frame labels (0-6) or 0/1 labels from probabilities.
- :func:`take_bases`: the regions cut to a budget of bases, shared among the records.
- :func:`choose_threshold`: the P(coding) threshold with the best MCC on all validation
  regions together (every record's, not the first record's only).

>>> class Constant:  # a stand-in model: every base coding, frame +1
...     def predict(self, inputs, batch_size=None, verbose=0):
...         probabilities = np.zeros(inputs.shape[:2] + (7,), np.float32)
...         probabilities[..., 1] = 1.0
...         return probabilities
>>> probabilities = predict_region(Constant(), np.zeros(50, np.int8), window=20, stride=10)
>>> probabilities.shape, float(probabilities[:, 1].mean()), float(probabilities[:, 4].mean())
((50, 7), 0.5, 0.5)
"""

import dataclasses
import functools
import math
import warnings

import keras
import numpy as np

import seqlab
from seqlab import checks
from seqlab.data.dna import NUM_BASES, STRAND_SWAP, collapse_labels, one_hot, reverse_complement, window_starts, windows
from seqlab.metrics.dna import KmerClassifier, gene_recovery, majority_baseline, mcc_by_threshold, per_base_scores

SCORED_SPLITS = ("valid", "test")
DEFAULT_THRESHOLDS = np.linspace(0.05, 0.95, 91)
CLOCK_CHANNELS = 3
SCORE_NAMES = ("accuracy", "mcc", "coding_f1", "noncoding_f1", "gene_recovery")


# --------------------------------------------------------------------------- the protocol


@dataclasses.dataclass
class Task:
    """A genome dataset prepared for per-base tagging (see :func:`prepare`).

    Attributes:
        dataset: the source's name.
        genome: the loaded genome dataset (:mod:`seqlab.data.dna`): ``"train"``, ``"valid"``,
            ``"test"`` lists of regions, ``"label_names"``, ``"ambiguous"``, ``"description"``.
        clock: whether the inputs carry the codon clock (:func:`window_features`).
        window: bases per window, in training and in prediction.
        train_windows: ``(ids, labels, weights)`` of every training window, both strands
            (:func:`seqlab.data.dna.windows`).
        validation_windows: ``(inputs, labels, weights)`` of the validation windows drawn once,
            the ``validation_data`` of ``fit``.
        scored_regions: ``{"valid": [...], "test": [...]}``: the regions :func:`predict` and
            :func:`evaluate` work on: the first validation region and the test regions, each
            cut to the budget of ``test_bases``.
        examples_per_epoch: training windows drawn for every epoch.
        tolerance: bases allowed between true and predicted gene ends (gene recovery).
        kmer_size, kmer_window: k and window of the k-mer baseline.
        rng: the generator of the window draws (the validation draw is done; the training
            draws follow, one per epoch, in :class:`TrainingWindows`).
    """

    dataset: str
    genome: dict
    clock: bool
    window: int
    train_windows: tuple
    validation_windows: tuple
    scored_regions: dict
    examples_per_epoch: int
    tolerance: int
    kmer_size: int
    kmer_window: int
    rng: np.random.Generator

    @property
    def label_names(self):
        """The class names of the labels (7 frame labels or coding / non-coding)."""
        return self.genome["label_names"]

    @property
    def input_dim(self):
        """Input channels of a window: the one-hot bases, plus the codon clock when asked."""
        return NUM_BASES + (CLOCK_CHANNELS if self.clock else 0)

    def describe(self):
        """Print where the labels come from, each split's regions, bases, genes and coding share, and the windows."""
        print(self.genome["description"])
        for name in ("train", "valid", "test"):
            regions = self.genome[name]
            bases = sum(len(region["sequence"]) for region in regions)
            genes = sum(len(region["genes"]) for region in regions)
            coding = np.mean(np.concatenate([collapse_labels(region["labels"]) for region in regions]))
            print(f"{name}: {len(regions)} region(s), {bases:,} bases, {genes} whole genes, {coding:.1%} coding")
        print("ambiguity codes mapped to N:", self.genome["ambiguous"] or "none")
        print("training windows (both strands):", self.train_windows[0].shape, "labels:", self.label_names)

    @functools.cached_property
    def kmer_calls(self):
        """The k-mer log-odds baseline's 0/1 calls on every test region (fitted on the whole training regions)."""
        train = self.genome["train"]
        model = KmerClassifier(k=self.kmer_size, window=self.kmer_window).fit(
            [region["sequence"] for region in train], [region["labels"] for region in train])
        return [model.predict(region["sequence"]) for region in self.scored_regions["test"]]


def prepare(dataset="cdiphtheriae_genome", *, path=None, labels="frame", clock=True, window=120, stride=60,
            max_examples=256, test_bases=20000, tolerance=30, kmer_size=6, kmer_window=96, seed=0):
    """Load a genome dataset, cut its windows and draw the validation windows.

    Args:
        dataset: a genome source: ``cdiphtheriae_genome`` (embedded), ``genbank`` or ``fasta_gff3``.
        path: the file or folder of the data; ``None`` resolves the source by name.
        labels: ``"frame"`` (non-coding + 3 codon positions x 2 strands) or ``"coding"``.
        clock: add the codon clock to the inputs (:func:`window_features`).
        window, stride: bases per training window and between window starts.
        max_examples: training windows drawn afresh each epoch (0: all); the validation draw
            holds a quarter as many (at least one).
        test_bases: bases scored of the test regions, filled in record order, and of the
            first validation region (0: all of them); the committed results were made so
            (:func:`take_bases` shares such a budget among the records instead).
        tolerance: gene recovery: bases allowed between true and predicted gene ends.
        kmer_size, kmer_window: k and window of the k-mer baseline.
        seed: seed of the window draws.

    Returns:
        :class:`Task`.
    """
    checks.non_negative_integer("max_examples", max_examples)
    checks.non_negative_integer("test_bases", test_bases)
    genome = seqlab.data.load(dataset, path=path, labels=labels)
    train_windows = windows(genome["train"], window, stride)
    valid_ids, valid_labels, valid_weights = windows(genome["valid"], window, stride)
    rng = np.random.default_rng(seed)
    examples_per_epoch = max_examples or len(train_windows[0])
    pick = rng.choice(len(valid_ids), min(len(valid_ids), max(examples_per_epoch // 4, 1)), replace=False)
    validation_windows = (window_features(valid_ids[pick], clock=clock), valid_labels[pick], valid_weights[pick])
    remaining, test_regions = test_bases or np.inf, []
    for region in genome["test"]:
        if remaining <= 0:
            break
        test_regions.append(_first_bases(region, int(min(len(region["sequence"]), remaining))))
        remaining -= len(test_regions[-1]["sequence"])
    valid_length = len(genome["valid"][0]["sequence"])
    valid_region = _first_bases(genome["valid"][0], min(valid_length, test_bases or valid_length))
    return Task(dataset, genome, clock, window, train_windows, validation_windows,
                {"valid": [valid_region], "test": test_regions}, examples_per_epoch, tolerance, kmer_size, kmer_window,
                rng)


def baselines(data):
    """The majority class (of the training bases) and the k-mer log-odds classifier on the test regions.

    Returns:
        ``majority_test_<score>`` and ``kmer_test_<score>`` for the scores of :func:`evaluate`
        (``accuracy``, ``mcc``, ``coding_f1``, ``noncoding_f1``, ``gene_recovery``).
    """
    regions = data.scored_regions["test"]
    truth = np.concatenate([region["labels"] for region in regions])
    majority = majority_baseline(np.concatenate([region["labels"] for region in data.genome["train"]]), truth)
    fields = {f"majority_test_{name}": value for name, value in majority.items()}
    fields["majority_test_gene_recovery"] = 0.0  # one label everywhere: one run, at no gene's ends
    kmer = per_base_scores(truth, np.concatenate(data.kmer_calls))
    fields.update({f"kmer_test_{name}": value for name, value in kmer.items()})
    fields["kmer_test_gene_recovery"] = _gene_recovery(regions, data.kmer_calls, data.tolerance)
    return fields


def build(data, **architecture):
    """The tagger: ``seqlab.build("many_to_many", ...)`` over the window features, one softmax per base.

    Args:
        data: the :class:`Task` (input channels and label names).
        **architecture: the builder's keywords (``cell``, ``units``, ``depth``,
            ``bidirectional``, ``dropout``, ...).

    Returns:
        an uncompiled ``keras.Model``: ``(batch, window, input_dim)`` -> ``(batch, window, classes)``.
    """
    return seqlab.build("many_to_many", input_dim=data.input_dim, num_classes=len(data.label_names), **architecture)


def predict(model, data, split, *, batch_size=256):
    """Per-base class probabilities over every scored region of ``split`` (:func:`predict_region`, both strands).

    Returns:
        list of float32 ``(bases, classes)`` arrays, one per region of ``data.scored_regions[split]``.
    """
    checks.one_of("split", split, SCORED_SPLITS)
    return [predict_region(model, region["sequence"], window=data.window, clock=data.clock, batch_size=batch_size)
            for region in data.scored_regions[split]]


def evaluate(data, probabilities, split, *, threshold=None):
    """Score :func:`predict`'s probabilities: choose the P(coding) threshold on ``"valid"``, apply it on ``"test"``.

    On the validation region the threshold is the candidate of ``0.05, 0.06, ..., 0.95`` with
    the best per-base MCC (the first of tied ones, as for the committed results;
    :func:`choose_threshold` takes the middle one, over every record's validation region). On the test regions a base is coding when
    P(coding) exceeds ``threshold`` and its frame is the likeliest of the six codon classes
    (:func:`frame_predictions`); gene recovery counts the test genes whose two ends a run of
    the gene's own frame and strand recovers within ``data.tolerance`` bases, with at least 90 %
    of its bases in that frame (:func:`seqlab.metrics.dna.gene_recovery`).

    Returns:
        ``"valid"``: ``{"coding_threshold", "valid_mcc"}``; ``"test"`` (``threshold`` required):
        ``test_accuracy``, ``test_mcc``, ``test_coding_f1``, ``test_noncoding_f1``,
        ``test_gene_recovery`` and ``test_bases_scored``.
    """
    checks.one_of("split", split, SCORED_SPLITS)
    regions = data.scored_regions[split]
    if len(probabilities) != len(regions):
        raise ValueError(f"probabilities has {len(probabilities)} regions; predict(model, data, {split!r}) gives the "
                         f"{len(regions)} required.")
    truth = np.concatenate([region["labels"] for region in regions])
    if split == "valid":
        coding = 1.0 - np.concatenate([values[:, 0] for values in probabilities])
        mcc = mcc_by_threshold(coding, collapse_labels(truth), DEFAULT_THRESHOLDS)
        return {"coding_threshold": float(DEFAULT_THRESHOLDS[int(np.argmax(mcc))]), "valid_mcc": float(mcc.max())}
    if threshold is None:
        raise ValueError("evaluate(data, probabilities, 'test') needs threshold=..., the coding_threshold chosen by "
                         "evaluate(data, valid_probabilities, 'valid').")
    predictions = [frame_predictions(values, threshold) for values in probabilities]
    scores = per_base_scores(truth, np.concatenate(predictions))
    return {**{f"test_{name}": value for name, value in scores.items()},
            "test_gene_recovery": _gene_recovery(regions, predictions, data.tolerance), "test_bases_scored": len(truth)}


# --------------------------------------------------------------------------- training


class TrainingWindows(keras.utils.PyDataset):
    """Training batches for ``model.fit``: every epoch a fresh draw of ``data.examples_per_epoch`` windows.

    Each epoch draws its windows from ``data.rng`` (without replacement) and serves them in
    the order in which Keras' ``fit(x, y, shuffle=True)`` visits arrays of that many examples
    (:func:`keras_array_order`), so one ``fit(TrainingWindows(data, batch_size), epochs=n,
    shuffle=False)`` trains on exactly the batches of ``n`` one-epoch ``fit`` calls on fresh
    arrays. Pass ``shuffle=False``: Keras would otherwise reorder the batches with Python's
    ``random``.

    Args:
        data: the :class:`Task`.
        batch_size: windows per batch (the last batch of an epoch may be smaller).
    """

    def __init__(self, data, batch_size):
        super().__init__()
        self.data, self.batch_size = data, checks.positive_integer("batch_size", batch_size)
        self.count = min(len(data.train_windows[0]), data.examples_per_epoch)
        self.order = keras_array_order(self.count)
        self.batches = None
        self._unused = False

    def _draw(self):
        ids, labels, weights = self.data.train_windows
        pick = self.data.rng.choice(len(ids), self.count, replace=False)[self.order]
        self.batches = (window_features(ids[pick], clock=self.data.clock), labels[pick], weights[pick])

    def __len__(self):
        return math.ceil(self.count / self.batch_size)

    def __getitem__(self, index):
        if self.batches is None:  # Keras reads the first batches before the first epoch begins
            self._draw()
            self._unused = True
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return tuple(values[part] for values in self.batches)

    def on_epoch_begin(self):
        """Draw the epoch's windows (the first epoch keeps the draw Keras has already looked at)."""
        if not self._unused:
            self._draw()
        self._unused = False


def keras_array_order(count):
    """The order in which ``model.fit(x, y, shuffle=True)`` visits ``count`` examples of arrays (TensorFlow backend).

    Keras shuffles array inputs with ``tf.random.shuffle`` inside a ``tf.data`` map. Under a
    global seed (:func:`seqlab.training.seed_everything`) that op's seed comes from the global
    seed alone, so every ``fit`` call on ``count`` examples visits them in this same order.

    >>> _ = seqlab.training.seed_everything(0)
    >>> order = keras_array_order(6)
    >>> sorted(order.tolist()), bool((keras_array_order(6) == order).all())
    ([0, 1, 2, 3, 4, 5], True)
    """
    import tensorflow as tf

    permutation = tf.data.Dataset.range(1).map(lambda _: tf.random.shuffle(tf.range(count, dtype=tf.int64)))
    return next(iter(permutation)).numpy()


# --------------------------------------------------------------------------- what the notebook shows


def print_scores(data, scores, *, model_name):
    """Print the threshold, the test bases and genes, and per-base and gene scores of the baselines and the model.

    Args:
        data: the :class:`Task`.
        scores: :func:`baselines`' fields merged with :func:`evaluate`'s of both splits.
        model_name: the tagger's name in the table (e.g. ``"BiLSTM tagger"``).
    """
    regions = data.scored_regions["test"]
    ceiling = _gene_recovery(regions, [region["labels"] for region in regions], data.tolerance)
    print(f"P(coding) threshold chosen on {len(data.scored_regions['valid'][0]['labels']):,} validation bases: "
          f"{scores['coding_threshold']:.2f} (validation MCC {scores['valid_mcc']:.3f})")
    genes = sum(len(region["genes"]) for region in regions)
    print(f"test bases scored: {scores['test_bases_scored']:,}; genes: {genes}; recovery ceiling (true labels): "
          f"{ceiling:.3f}")
    print(f"{'model':<18} {'accuracy':>9} {'MCC':>7} {'coding F1':>10} {'non-coding F1':>14} {'genes':>7}")
    for name, prefix in (("majority", "majority_"), ("k-mer log-odds", "kmer_"), (model_name, "")):
        accuracy, mcc, coding_f1, noncoding_f1, genes = (scores[f"{prefix}test_{score}"] for score in SCORE_NAMES)
        print(f"{name:<18} {accuracy:>9.4f} {mcc:>7.4f} {coding_f1:>10.4f} {noncoding_f1:>14.4f} {genes:>7.3f}")


def draw_coding_probability(data, probabilities, *, shown=6000):
    """The tagger's P(coding) along the first test region, against the true genes and the k-mer baseline's calls.

    Args:
        data: the :class:`Task`.
        probabilities: :func:`predict`'s test probabilities.
        shown: bases drawn from the region's start.

    Returns:
        the matplotlib figure (genes on the forward strand above the axis, reverse below).
    """
    import matplotlib.pyplot as plt

    region = data.scored_regions["test"][0]
    shown = min(shown, len(region["sequence"]))
    figure, axis = plt.subplots(figsize=(11, 3.2), dpi=80)
    axis.plot(1.0 - probabilities[0][:shown, 0], color="tab:blue", linewidth=0.8, label="tagger P(coding)")
    axis.fill_between(np.arange(shown), 0, data.kmer_calls[0][:shown] * 0.12, step="post", color="tab:orange",
                      alpha=0.5, label="k-mer baseline: coding")
    for gene in region["genes"]:
        if gene.start < shown:
            level = 1.08 if gene.strand > 0 else -0.08
            axis.plot([gene.start, min(gene.end, shown)], [level, level], color="black", linewidth=4,
                      solid_capstyle="butt")
    axis.set(xlim=(0, shown), ylim=(-0.15, 1.15), xlabel=f"base in the test region of {region['record']}",
             ylabel="P(coding)", title="Per-base coding probability; black bars: true genes (+ above, - below)")
    axis.legend(loc="center right", fontsize=8)
    return figure


# --------------------------------------------------------------------------- features and whole-region prediction


def window_features(ids, *, clock=False):
    """Input features of base-id windows ``(n, time)``: one-hot bases, plus a codon clock if asked.

    The clock is 3 extra channels, the one-hot of the position in the window modulo 3. It
    carries no information about where genes are, but gives the network a period-3 reference:
    inside a gene the codon position is the clock shifted by a constant, so the network only
    has to infer that shift from codon statistics instead of learning to count to three.

    >>> window_features(np.array([[0, 3, 1, 4]]), clock=True)[0].astype(int).tolist()
    [[1, 0, 0, 0, 0, 1, 0, 0], [0, 0, 0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 1, 0, 0]]
    >>> window_features(np.zeros((2, 6), np.int8)).shape
    (2, 6, 5)
    """
    features = one_hot(ids)
    if not clock:
        return features
    ticks = np.eye(CLOCK_CHANNELS, dtype=np.float32)[np.arange(features.shape[-2]) % CLOCK_CHANNELS]
    return np.concatenate([features, np.broadcast_to(ticks, features.shape[:-1] + (CLOCK_CHANNELS,))], axis=-1)


def _edge_weights(window):
    """Blending weights along a window: highest in the centre, small but non-zero at the edges."""
    position = np.arange(window)
    return (np.minimum(position + 1, window - position) / ((window + 1) / 2)).astype(np.float32)


def predict_region(model, ids, *, window, stride=None, both_strands=True, clock=False, batch_size=64):
    """Per-base class probabilities over a whole region, blended from overlapping windows.

    Args:
        model: a per-base tagger with ``predict(one_hot_windows) -> (n, window, num_classes)``.
        ids: base ids of the region (int array, see :func:`seqlab.data.dna.encode`).
        window: bases per window (the length the model was trained on).
        stride: bases between windows (default ``window // 2``).
        both_strands: also predict the reverse complement and average the two; with 7
            frame classes the reverse strand's classes are mapped back (+1..+3 <-> -1..-3).
        clock: add the codon-clock channels (as the model was trained, see :func:`window_features`).
        batch_size: windows per prediction batch.

    Returns:
        float32 ``(len(ids), num_classes)`` probabilities.
    """
    ids = np.asarray(ids)
    stride = stride or max(1, window // 2)
    length = len(ids)
    padded = np.concatenate([ids, np.full(max(0, window - length), -1, ids.dtype)])
    starts = window_starts(len(padded), window, stride)
    index = starts[:, None] + np.arange(window)
    strand_windows = padded[index]
    weights = _edge_weights(window)
    strands = [(strand_windows, False)]
    if both_strands:
        complement = np.where(strand_windows[:, ::-1] >= 0, reverse_complement(np.maximum(strand_windows, 0)), -1)
        strands.append((complement, True))
    total, norm = None, np.zeros(len(padded), np.float32)
    for inputs, reverse in strands:
        features = window_features(inputs, clock=clock)
        probabilities = np.asarray(model.predict(features, batch_size=batch_size, verbose=0))
        if reverse:
            probabilities = probabilities[:, ::-1, :]
            if probabilities.shape[-1] == len(STRAND_SWAP):
                probabilities = probabilities[..., STRAND_SWAP]
        if total is None:
            total = np.zeros((len(padded), probabilities.shape[-1]), np.float32)
        np.add.at(total, index, probabilities * weights[None, :, None])
        np.add.at(norm, index, np.broadcast_to(weights, index.shape))
    return (total / norm[:, None])[:length]


def frame_predictions(probabilities, threshold=0.5):
    """Per-base labels from probabilities: coding where P(coding) > ``threshold``, then the likeliest frame.

    P(coding) is ``1 - P(non-coding)``. With 2 classes the result is 0/1; with 7 it is the
    frame label (0-6).

    >>> probabilities = np.array([[0.6, 0.1, 0.1, 0.1, 0.1, 0.0, 0.0],
    ...                           [0.4, 0.0, 0.0, 0.0, 0.1, 0.3, 0.2]])
    >>> frame_predictions(probabilities).tolist(), frame_predictions(probabilities, threshold=0.7).tolist()
    ([0, 5], [0, 0])
    """
    probabilities = np.asarray(probabilities)
    coding = 1.0 - probabilities[:, 0] > threshold
    frame = 1 + np.argmax(probabilities[:, 1:], axis=1)
    return np.where(coding, frame, 0).astype(np.int8)


def _first_bases(region, length):
    """A region cut to its first ``length`` bases, keeping the genes that end inside the cut."""
    return {**region, "sequence": region["sequence"][:length], "labels": region["labels"][:length],
            "genes": [gene for gene in region.get("genes", []) if gene.end <= length]}


def take_bases(regions, max_bases):
    """The regions cut to at most ``max_bases`` bases in all, shared evenly among them.

    Every region keeps its first bases; a region shorter than its share passes what it leaves
    over to the others, so with several records every record is represented (taking the
    first ``max_bases`` bases in order would fill the budget from the first record alone).
    Genes are kept when they end inside the cut region.

    Args:
        regions: region dicts (a split of a genome dataset).
        max_bases: the budget; ``0`` or ``None`` keeps every region whole.

    >>> regions = [{"sequence": np.zeros(n, np.int8), "labels": np.zeros(n, np.int8), "genes": []}
    ...            for n in (10, 100, 100)]
    >>> [len(region["sequence"]) for region in take_bases(regions, 90)]
    [10, 40, 40]
    """
    if not max_bases:
        return list(regions)
    lengths = [len(region["sequence"]) for region in regions]
    shares, remaining, left = [0] * len(regions), int(max_bases), list(range(len(regions)))
    while left and remaining > 0:
        share = max(remaining // len(left), 1)
        for index in list(left):
            take = min(share, lengths[index] - shares[index], remaining)
            shares[index] += take
            remaining -= take
            if shares[index] == lengths[index]:
                left.remove(index)
            if remaining == 0:
                break
    return [_first_bases(region, length) for region, length in zip(regions, shares) if length > 0]


def choose_threshold(coding_probabilities, labels, candidates=DEFAULT_THRESHOLDS):
    """The P(coding) threshold with the best per-base MCC over all validation bases together.

    Args:
        coding_probabilities: P(coding) per base, one array per validation region (one per
            record), or one array.
        labels: the regions' per-base labels (frame labels 0-6 or 0/1), in the same layout.
        candidates: thresholds to try.

    Returns:
        ``(threshold, mcc)``; where several candidates tie for the best MCC, the middle one.
        When the validation bases hold no coding base (or no non-coding
        base) MCC is undefined: a warning says so and ``(0.5, nan)`` comes back.

    >>> threshold, mcc = choose_threshold([np.array([0.1, 0.7]), np.array([0.4, 0.9])],
    ...                                   [np.array([0, 1]), np.array([1, 4])])
    >>> 0.1 <= threshold < 0.4, mcc  # every threshold in [0.1, 0.4) separates the bases; the middle one is taken
    (True, 1.0)
    """
    if isinstance(coding_probabilities, np.ndarray) and coding_probabilities.ndim == 1:
        coding_probabilities, labels = [coding_probabilities], [labels]
    if len(coding_probabilities) != len(labels):
        raise ValueError(f"coding_probabilities has {len(coding_probabilities)} regions but labels has {len(labels)}.")
    for index, (values, truth) in enumerate(zip(coding_probabilities, labels)):
        if len(values) != len(truth):
            raise ValueError(f"region {index}: coding_probabilities has {len(values)} values but labels has "
                             f"{len(truth)}.")
    scores = np.concatenate([np.asarray(values, np.float64) for values in coding_probabilities]) if len(labels) else \
        np.zeros(0)
    truth = np.concatenate([collapse_labels(values) for values in labels]) if len(labels) else np.zeros(0, np.int8)
    coding = int(truth.sum())
    if coding == 0 or coding == len(truth):
        warnings.warn(
            f"the validation data ({len(truth):,} bases in {len(labels)} region(s)) holds "
            f"{'no coding' if coding == 0 else 'no non-coding'} base, so no threshold can be chosen on it; "
            "using 0.5. Give the validation split more of each record (fractions=...).",
            stacklevel=2,
        )
        return 0.5, float("nan")
    candidates = np.asarray(candidates, np.float64)
    mcc = mcc_by_threshold(scores, truth, candidates)
    tied = np.flatnonzero(mcc == mcc.max())
    best = int(tied[len(tied) // 2])  # the middle of the best candidates, not the edge of a plateau
    return float(candidates[best]), float(mcc[best])


def _gene_recovery(regions, per_region_labels, tolerance):
    """Share of the regions' genes recovered by per-region labels (:func:`seqlab.metrics.dna.gene_recovery`)."""
    genes = sum(len(region["genes"]) for region in regions)
    found = sum(gene_recovery(region["genes"], values, tolerance=tolerance) * len(region["genes"])
                for region, values in zip(regions, per_region_labels) if region["genes"])
    return found / genes if genes else float("nan")
