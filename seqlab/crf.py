"""A linear-chain CRF output for Keras 3 taggers: transition scores, log-likelihood loss, Viterbi decoding.

A tagger with a CRF output scores a whole tag sequence ``y`` for emissions ``E`` (the
per-token scores of a ``Dense`` layer with linear activation) as

    score(y) = start[y_1] + sum_t E[t, y_t] + sum_{t>1} transitions[y_{t-1}, y_t] + end[y_T]

and is trained to maximise ``log p(y) = score(y) - log Z``, where ``log Z`` (the log-sum-exp
of the scores of every sequence) comes from the forward algorithm. Prediction is the
highest-scoring sequence (:func:`viterbi`). Written with ``keras.ops`` only (``scan`` over
time), so it runs on every Keras backend; the Keras 2 CRF layers of ``tensorflow-addons``
and ``keras-contrib`` do not run on Keras 3.

Padded steps (tag id ``padding_id`` in the targets) are skipped: the forward algorithm keeps
its state through them, so a sentence scores the same alone or padded. The padding class
itself is never a valid tag.

>>> import numpy as np
>>> crf = CRF(num_classes=3)
>>> emissions = np.array([[[0.0, 2.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]], "float32")
>>> tags = np.array([[1, 2, 0]])                      # the last step is padding
>>> round(float(crf.log_likelihood(emissions, tags)[0]), 4)   # zero transitions: log softmax sums
-0.4402
>>> viterbi(emissions[0, :2], np.zeros((3, 3)), start=np.array([-np.inf, 0, 0]))
[1, 2]
"""

import keras
import numpy as np
from keras import ops

PADDING_ID = 0
_EXCLUDED = -1e4


def viterbi(emissions, transitions, start=None, end=None):
    """The highest-scoring tag sequence for one sentence.

    Args:
        emissions: ``(time, classes)`` scores (log-probabilities or CRF emissions), no padding.
        transitions: ``(classes, classes)``, ``transitions[i, j]`` the score of tag ``j``
            after tag ``i`` (``-inf`` forbids it).
        start: ``(classes,)`` scores of the first tag (default 0).
        end: ``(classes,)`` scores of the last tag (default 0).

    Returns:
        A list of class ids.

    >>> viterbi(np.log([[.6, .4], [.3, .7]]), np.array([[0.0, -np.inf], [0.0, 0.0]]))
    [1, 1]
    """
    emissions = np.asarray(emissions, dtype="float64")
    transitions = np.asarray(transitions, dtype="float64")
    classes = emissions.shape[1]
    best = emissions[0] + (np.zeros(classes) if start is None else np.asarray(start, dtype="float64"))
    back = np.zeros(emissions.shape, dtype=int)
    for position in range(1, len(emissions)):
        candidates = best[:, None] + transitions
        back[position] = candidates.argmax(axis=0)
        best = candidates.max(axis=0) + emissions[position]
    if end is not None:
        best = best + np.asarray(end, dtype="float64")
    path = [int(best.argmax())]
    for position in range(len(emissions) - 1, 0, -1):
        path.append(int(back[position, path[-1]]))
    return path[::-1]


@keras.saving.register_keras_serializable(package="seqlab")
class CRF(keras.layers.Layer):
    """Transition, start and end scores of a linear-chain CRF over ``num_classes`` tags.

    Called on emissions ``(batch, time, num_classes)`` it returns them unchanged (and drops
    the mask: the loss reads padding from the targets), so the model's output is the
    emissions and :class:`CRFLoss` adds the transition scores.

    Args:
        num_classes: number of classes, the padding class included.
        padding_id: the class used for padding targets (never a valid tag).
    """

    def __init__(self, num_classes, padding_id=PADDING_ID, **keywords):
        super().__init__(**keywords)
        self.num_classes, self.padding_id = num_classes, padding_id

    def build(self, input_shape):
        self.transitions = self.add_weight(shape=(self.num_classes, self.num_classes), initializer="zeros",
                                           name="transitions")
        self.start = self.add_weight(shape=(self.num_classes,), initializer="zeros", name="start")
        self.end = self.add_weight(shape=(self.num_classes,), initializer="zeros", name="end")

    def call(self, emissions):
        # A new tensor: Keras would keep the mask attached to the very same input tensor.
        return ops.multiply(emissions, 1.0)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return input_shape

    def log_likelihood(self, emissions, tags):
        """``log p(tags | emissions)`` per sentence, ``(batch,)``; steps whose tag is ``padding_id`` are skipped.

        Padding must be at the end of each row and every row must hold at least one real tag.
        """
        if not self.built:
            self.build(ops.shape(emissions))
        emissions = ops.convert_to_tensor(emissions)
        tags = ops.cast(tags, "int32")
        mask = ops.not_equal(tags, self.padding_id)
        excluded = ops.cast(ops.equal(ops.arange(self.num_classes), self.padding_id), emissions.dtype) * _EXCLUDED
        emissions = emissions + excluded
        float_mask = ops.cast(mask, emissions.dtype)
        lengths = ops.sum(ops.cast(mask, "int32"), axis=1)

        one_hot = ops.one_hot(tags, self.num_classes, dtype=emissions.dtype)
        emission_score = ops.sum(ops.sum(emissions * one_hot, axis=-1) * float_mask, axis=1)
        pair_scores = ops.einsum("bti,ij,btj->bt", one_hot[:, :-1], self.transitions, one_hot[:, 1:])
        transition_score = ops.sum(pair_scores * float_mask[:, 1:], axis=1)
        first = one_hot[:, 0]
        last_tags = ops.take_along_axis(tags, ops.expand_dims(lengths - 1, 1), axis=1)[:, 0]
        last = ops.one_hot(last_tags, self.num_classes, dtype=emissions.dtype)
        gold = (emission_score + transition_score + ops.sum(first * self.start, axis=-1)
                + ops.sum(last * self.end, axis=-1))

        def step(alpha, inputs):
            emission, step_mask = inputs[:, :-1], inputs[:, -1:] > 0.5
            scores = ops.expand_dims(alpha, 2) + ops.expand_dims(self.transitions, 0) + ops.expand_dims(emission, 1)
            return ops.where(step_mask, ops.logsumexp(scores, axis=1), alpha), None

        # One tensor to scan over (emissions and mask side by side): Keras 3.15's TensorFlow
        # scan fails on several inputs whose time length is unknown when tracing.
        steps = ops.concatenate([emissions[:, 1:], ops.expand_dims(float_mask[:, 1:], -1)], axis=-1)
        alpha, _ = ops.scan(step, self.start + emissions[:, 0], ops.transpose(steps, (1, 0, 2)))
        log_partition = ops.logsumexp(alpha + self.end, axis=1)
        return gold - log_partition

    def decode(self, emissions, allowed=None):
        """Viterbi decoding of one sentence's emissions ``(time, num_classes)`` (no padding) -> class ids.

        Args:
            emissions: numpy array.
            allowed: optional ``(transitions, start)`` boolean masks of allowed moves (e.g. BIO
                constraints); forbidden ones get ``-inf``.
        """
        transitions = keras.ops.convert_to_numpy(self.transitions).astype("float64")
        start = keras.ops.convert_to_numpy(self.start).astype("float64")
        end = keras.ops.convert_to_numpy(self.end).astype("float64")
        start[self.padding_id] = -np.inf
        transitions[:, self.padding_id] = -np.inf
        if allowed is not None:
            transitions = np.where(allowed[0], transitions, -np.inf)
            start = np.where(allowed[1], start, -np.inf)
        return viterbi(emissions, transitions, start, end)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "padding_id": self.padding_id}


@keras.saving.register_keras_serializable(package="seqlab")
class CRFLoss(keras.losses.Loss):
    """Negative log-likelihood of the target tag sequences under a :class:`CRF` layer, per sentence.

    ``y_true``: ``(batch, time)`` tag ids, ``padding_id`` at padded steps; ``y_pred``: the
    emissions the model outputs. Use ``model.compile(loss=CRFLoss(model.get_layer("crf")))``.
    """

    def __init__(self, crf, name="crf_loss", **keywords):
        super().__init__(name=name, **keywords)
        self.crf = crf

    def call(self, y_true, y_pred):
        return -self.crf.log_likelihood(y_pred, y_true)

    def get_config(self):
        return {"name": self.name}
