"""Sequence losses written as in the notes: the loss of a sequence is the sum of its per-step losses.

``L(y^, y) = sum_t L<t>(y^<t>, y<t>)``, with ``L<t> = -sum_k y<t>_k log y^<t>_k`` for
one-hot targets; padded steps (mask 0) add nothing.

>>> import numpy as np
>>> probabilities = np.array([[[0.5, 0.5], [0.9, 0.1], [0.3, 0.7]]])
>>> targets = np.array([[0, 0, 1]])
>>> round(float(sequence_cross_entropy(targets, probabilities)[0]), 4)   # -(ln .5 + ln .9 + ln .7)
1.1552
>>> round(float(sequence_cross_entropy(targets, probabilities, mask=np.array([[1, 1, 0]]))[0]), 4)
0.7985
"""

from keras import ops


def sequence_cross_entropy(targets, probabilities, mask=None):
    """Per-sequence sum over time of the categorical cross-entropy.

    Args:
        targets: integer class ids ``(batch, time)``.
        probabilities: ``(batch, time, classes)`` model outputs.
        mask: optional ``(batch, time)``, 1 for real steps and 0 for padding.

    Returns:
        ``(batch,)`` losses.
    """
    probabilities = ops.convert_to_tensor(probabilities)
    classes = ops.shape(probabilities)[-1]
    one_hot = ops.one_hot(ops.convert_to_tensor(targets, "int32"), classes, dtype=probabilities.dtype)
    per_step = -ops.sum(one_hot * ops.log(ops.clip(probabilities, 1e-12, 1.0)), axis=-1)
    if mask is not None:
        per_step = per_step * ops.cast(mask, per_step.dtype)
    return ops.sum(per_step, axis=1)
