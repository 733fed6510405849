"""Polyphonic music metrics: frame negative log-likelihood and the quality of generated piano rolls.

:func:`frame_nll` is the benchmark metric of the polyphonic-music literature as the TCN
repository (locuslab/TCN, ``poly_music``) computes it: for each predicted frame, the sum over
the 88 keys of the binary cross-entropy; summed over all frames of all pieces; divided by the
number of frames.

The sample-quality measures catch what the loss hides (a known failure of music RNNs is output
that holds or repeats one chord): :func:`sample_quality` returns them all for one piano roll.

>>> import numpy as np
>>> roll = np.zeros((6, 88), dtype=np.uint8)
>>> roll[:, [39, 43, 46]] = 1          # C major triad (MIDI 60, 64, 67) held for six steps
>>> quality = sample_quality(roll)
>>> quality["longest_repeat"], quality["polyphony"], quality["distinct_ngram_share"]
(6, 3.0, 0.3333333333333333)
"""

import numpy as np

from seqlab.data.music import LOWEST_PITCH, NUM_KEYS, check_piano_roll, piano_roll_to_score


# Published test NLL per frame (TCN definition) on the Boulanger-Lewandowski splits, lower is better:
# Bai et al. 2018 (Table 1: LSTM, GRU, tanh RNN, TCN) and Boulanger-Lewandowski et al. 2012 (RNN-NADE, SGD;
# RNN with SGD on MuseData). Notebooks print the row of the dataset that ran.
PUBLISHED_NLL = {
    "jsb_chorales": {"RNN-NADE": 5.56, "TCN": 8.10, "GRU": 8.43, "LSTM": 8.45, "tanh RNN": 8.91},
    "nottingham": {"RNN-NADE": 2.31, "TCN": 3.07, "LSTM": 3.29, "GRU": 3.46},
    "musedata": {"RNN-NADE": 5.60, "RNN": 8.13},
    "piano_midi": {"RNN-NADE": 7.05},
}

def frame_nll(probabilities, targets, mask=None, *, epsilon=1e-7):
    """Negative log-likelihood per frame, summed over the 88 keys (the TCN definition).

    ``NLL = -sum_frames sum_keys [y log p + (1 - y) log(1 - p)] / number_of_frames``, with ``p``
    clipped to ``[epsilon, 1 - epsilon]`` before the log, computed in float64.

    Args:
        probabilities: predicted key probabilities, ``(time, keys)`` or ``(batch, time, keys)``.
        targets: 0/1 piano roll of the same shape.
        mask: ``(time,)`` or ``(batch, time)``, true for real frames (padding false); ``None``:
            every frame counts.
        epsilon: clipping for the log.

    Returns:
        float: mean over the counted frames of the per-frame summed binary cross-entropy.

    Raises:
        ValueError: shapes disagree, or no frame is counted.

    >>> probabilities = np.array([[0.5, 0.5], [0.9, 0.2]])
    >>> targets = np.array([[1, 0], [1, 0]])
    >>> round(frame_nll(probabilities, targets), 6)  # (2 ln 2 + -ln 0.9 - ln 0.8) / 2
    0.857399
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if probabilities.shape != targets.shape or probabilities.ndim not in (2, 3):
        raise ValueError(
            f"probabilities has shape {probabilities.shape} and targets {targets.shape}; the same (time, keys) or "
            "(batch, time, keys) shape is required."
        )
    mask = np.ones(probabilities.shape[:-1], dtype=bool) if mask is None else np.asarray(mask).astype(bool)
    if mask.shape != probabilities.shape[:-1]:
        raise ValueError(f"mask has shape {mask.shape}; {probabilities.shape[:-1]} (the frames) is required.")
    frames = int(mask.sum())
    if frames == 0:
        raise ValueError("mask counts no frame; at least one frame is required.")
    clipped = np.clip(probabilities, epsilon, 1.0 - epsilon)
    per_frame = -(targets * np.log(clipped) + (1.0 - targets) * np.log1p(-clipped)).sum(axis=-1)
    return float(per_frame[mask].sum() / frames)


# --------------------------------------------------------------------------- sample quality


def pitch_classes():
    """Pitch class (0 = C) of each of the 88 piano-roll columns (column 0 = A0 = class 9).

    >>> pitch_classes()[:4].tolist(), int(pitch_classes()[39])
    ([9, 10, 11, 0], 0)
    """
    return (np.arange(NUM_KEYS) + LOWEST_PITCH) % 12


def pitch_class_histogram(rolls):
    """Share of sounding key-steps per pitch class (12 values summing to 1; zeros if silent).

    Args:
        rolls: one piano roll ``(time, 88)`` or a list of them (pooled).

    >>> roll = np.zeros((2, 88)); roll[0, 39] = roll[1, 39] = roll[1, 43] = 1  # C, C+E
    >>> np.round(pitch_class_histogram(roll), 3)[[0, 4]].tolist()
    [0.667, 0.333]
    """
    if isinstance(rolls, np.ndarray) and rolls.ndim == 2:
        rolls = [rolls]
    counts = np.zeros(12)
    for roll in rolls:
        np.add.at(counts, pitch_classes(), (np.asarray(roll) > 0.5).sum(axis=0))
    total = counts.sum()
    return counts / total if total else counts


def pitch_class_distance(roll, reference_histogram):
    """Jensen-Shannon distance (base 2, 0 = same, 1 = disjoint) between a roll's pitch-class
    histogram and a reference one (e.g. of the training data); NaN for a silent roll.

    >>> roll = np.zeros((1, 88)); roll[0, 39] = 1
    >>> float(pitch_class_distance(roll, pitch_class_histogram(roll)))
    0.0
    """
    from scipy.spatial.distance import jensenshannon

    histogram = pitch_class_histogram(roll)
    if not histogram.any():
        return float("nan")
    return float(jensenshannon(histogram, reference_histogram, base=2))


def in_key_share(roll):
    """Share of sounding key-steps whose pitch class is in the roll's key (music21's
    Krumhansl-Schmuckler key analysis of the roll's notes); NaN for a silent roll.

    >>> roll = np.zeros((4, 88), dtype=np.uint8)
    >>> roll[:, [39, 43, 46]] = 1; roll[3, 40] = 1    # C major triad, then a C sharp
    >>> in_key_share(roll)
    0.9230769230769231
    """
    sounding = np.asarray(roll) > 0.5
    if not sounding.any():
        return float("nan")
    key = piano_roll_to_score(sounding).analyze("key")
    scale = np.isin(pitch_classes(), [pitch.pitchClass for pitch in key.pitches])
    return float(sounding[:, scale].sum() / sounding.sum())


def longest_repeat(roll):
    """Length in steps of the longest run of identical consecutive frames (silence included).

    >>> roll = np.zeros((5, 88)); roll[1:4, 50] = 1
    >>> longest_repeat(roll)
    3
    """
    frames = np.asarray(roll) > 0.5
    if len(frames) == 0:
        return 0
    same = np.all(frames[1:] == frames[:-1], axis=1)
    longest = current = 1
    for repeated in same:
        current = current + 1 if repeated else 1
        longest = max(longest, current)
    return longest


def distinct_ngram_share(roll, n=4):
    """Distinct frame n-grams divided by all frame n-grams (1 = no n-gram of frames repeats).

    NaN when the roll is shorter than ``n``.

    >>> roll = np.zeros((6, 88)); roll[::2, 40] = 1       # on, off, on, off, ...
    >>> distinct_ngram_share(roll, n=2)                     # (on,off) and (off,on) among 5
    0.4
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n={n!r}: a positive integer is required.")
    frames = np.packbits(np.asarray(roll) > 0.5, axis=1)
    count = len(frames) - n + 1
    if count < 1:
        return float("nan")
    grams = {frames[start:start + n].tobytes() for start in range(count)}
    return len(grams) / count


def polyphony(roll):
    """Mean number of sounding keys per frame.

    >>> roll = np.zeros((2, 88)); roll[0, :4] = 1
    >>> polyphony(roll)
    2.0
    """
    frames = np.asarray(roll) > 0.5
    return float(frames.sum(axis=1).mean()) if len(frames) else float("nan")


def sample_quality(roll, reference_histogram=None, *, n=4):
    """Every sample-quality measure of one piano roll, as a dict.

    Keys: ``frames``, ``polyphony``, ``silent_share`` (frames with no key), ``longest_repeat``,
    ``distinct_ngram_share`` (frame ``n``-grams), ``in_key_share`` and, when a reference
    pitch-class histogram is given (:func:`pitch_class_histogram` of the training data),
    ``pitch_class_distance``.

    Args:
        roll: piano roll ``(time, 88)``.
        reference_histogram: 12 pitch-class shares to compare with, or ``None``.
        n: n-gram length for ``distinct_ngram_share``.
    """
    roll = check_piano_roll(roll)
    frames = roll > 0.5
    quality = {
        "frames": len(roll),
        "polyphony": polyphony(roll),
        "silent_share": float((~frames.any(axis=1)).mean()) if len(roll) else float("nan"),
        "longest_repeat": longest_repeat(roll),
        "distinct_ngram_share": distinct_ngram_share(roll, n),
        "in_key_share": in_key_share(roll),
    }
    if reference_histogram is not None:
        quality["pitch_class_distance"] = pitch_class_distance(roll, reference_histogram)
    return quality
