"""Sequence losses written as in the notes: the loss of a sequence is the sum of its per-step losses.

``L(y^, y) = sum_t L<t>(y^<t>, y<t>)``, with ``L<t> = -sum_k y<t>_k log y^<t>_k`` for
one-hot targets; padded steps (mask 0) add nothing. Each ``L<t>`` is Keras' sparse
categorical cross-entropy, so the sum is what ``keras.losses`` gives summed over time, to the
last bit (notebooks/curriculum/01_rnn_from_scratch.py differentiates it through time).

>>> import numpy as np
>>> probabilities = np.array([[[0.5, 0.5], [0.9, 0.1], [0.3, 0.7]]])
>>> targets = np.array([[0, 0, 1]])
>>> round(float(sequence_cross_entropy(targets, probabilities)[0]), 4)   # -(ln .5 + ln .9 + ln .7)
1.1552
>>> round(float(sequence_cross_entropy(targets, probabilities, mask=np.array([[1, 1, 0]]))[0]), 4)
0.7985
"""

import keras
from keras import ops


def sequence_cross_entropy(targets, probabilities, mask=None):
    """Per-sequence sum over time of the categorical cross-entropy.

    Probabilities that come straight from a softmax layer are scored from its logits (as
    ``keras.losses.sparse_categorical_crossentropy`` does), which stays accurate where a
    probability rounds to 0; other probabilities are clipped to ``[1e-7, 1 - 1e-7]`` first.

    Args:
        targets: integer class ids ``(batch, time)``.
        probabilities: ``(batch, time, classes)`` model outputs.
        mask: optional ``(batch, time)``, 1 for real steps and 0 for padding.

    Returns:
        ``(batch,)`` losses.
    """
    per_step = keras.losses.sparse_categorical_crossentropy(targets, probabilities)
    if mask is not None:
        per_step = per_step * ops.cast(mask, per_step.dtype)
    return ops.sum(per_step, axis=1)
