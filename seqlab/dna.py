"""Task helpers for the DNA notebook: whole-region prediction and input-gradient saliency.

- :func:`window_features`: one-hot bases, optionally with a codon clock (position modulo 3).
- :func:`splice_features`: one-hot bases, optionally with channels that say where the junction is.
- :func:`predict_region`: run a per-base tagger over a long region in overlapping windows
  (optionally on both strands) and blend the windows, trusting each window's centre more
  than its edges, where the network sees context on one side only.
- :func:`frame_predictions`: per-base frame labels (0-6) or 0/1 labels from probabilities.
- :func:`take_bases`: the regions cut to a budget of bases, shared among the records.
- :func:`choose_threshold`: the P(coding) threshold with the best MCC on all validation
  regions together (every record's, not the first record's only).
- :func:`stack_ids`: base ids of sequences of different lengths as one padded array.
- :func:`input_gradients`: gradient of a class probability with respect to the one-hot
  input (TensorFlow backend), the "what does the model look at" figure for splice sites.

>>> import numpy as np
>>> class Constant:  # a stand-in model: every base coding, frame +1
...     def predict(self, inputs, batch_size=None, verbose=0):
...         probabilities = np.zeros(inputs.shape[:2] + (7,), np.float32)
...         probabilities[..., 1] = 1.0
...         return probabilities
>>> probabilities = predict_region(Constant(), np.zeros(50, np.int8), window=20, stride=10)
>>> probabilities.shape, float(probabilities[:, 1].mean()), float(probabilities[:, 4].mean())
((50, 7), 0.5, 0.5)
"""

import warnings

import numpy as np

from seqlab.data.dna import NUM_BASES, STRAND_SWAP, collapse_labels, one_hot, reverse_complement, window_starts


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
    ticks = np.eye(3, dtype=np.float32)[np.arange(features.shape[-2]) % 3]
    return np.concatenate([features, np.broadcast_to(ticks, features.shape[:-1] + (3,))], axis=-1)


POSITION_CHANNELS = 2


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
    windows = padded[index]
    weights = _edge_weights(window)
    strands = [(windows, False)]
    if both_strands:
        complement = np.where(windows[:, ::-1] >= 0, reverse_complement(np.maximum(windows, 0)), -1)
        strands.append((complement, True))
    total, norm = None, np.zeros(len(padded), np.float32)
    for strand_windows, reverse in strands:
        probabilities = np.asarray(model.predict(window_features(strand_windows, clock=clock), batch_size=batch_size,
                                                 verbose=0))
        if reverse:
            probabilities = probabilities[:, ::-1, :]
            if probabilities.shape[-1] == 7:
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


def take_bases(regions, max_bases):
    """The regions cut to at most ``max_bases`` bases in all, shared evenly among them.

    Every region keeps its first bases; a region shorter than its share passes what it leaves
    over to the others, so with several records every record is represented (taking the
    first ``max_bases`` bases in order would fill the budget from the first record alone).
    Genes are kept when they end inside the cut region.

    Args:
        regions: region dicts (a split of a genome dataset).
        max_bases: the budget; ``0`` or ``None`` keeps every region whole.

    >>> regions = [{"sequence": np.zeros(n, np.int8), "labels": np.zeros(n, np.int8), "genes": []} for n in (10, 100, 100)]
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
    return [{**region, "sequence": region["sequence"][:length], "labels": region["labels"][:length],
             "genes": [gene for gene in region.get("genes", []) if gene.end <= length]}
            for region, length in zip(regions, shares) if length > 0]


DEFAULT_THRESHOLDS = np.linspace(0.05, 0.95, 91)


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
    from seqlab.metrics.dna import mcc_by_threshold

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
