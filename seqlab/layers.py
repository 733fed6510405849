"""Small layers the builders and notebooks need that Keras does not ship (masked max pooling, word dropout)."""

import keras
import numpy as np
from keras import ops

from seqlab.data.vocab import PAD_ID, UNK_ID


@keras.saving.register_keras_serializable(package="seqlab")
class MaskedGlobalMaxPooling1D(keras.layers.Layer):
    """Maximum over time of ``(batch, time, features)`` that ignores masked (padded) steps.

    ``keras.layers.GlobalMaxPooling1D`` ignores the mask, so padded steps (whose RNN
    outputs are zeros) win whenever every real value of a feature is negative.

    >>> import numpy as np
    >>> values = np.array([[[-2.0], [-1.0], [0.0]]], "float32")   # the last step is padding
    >>> mask = np.array([[True, True, False]])
    >>> MaskedGlobalMaxPooling1D()(values, mask=mask).numpy().tolist()
    [[-1.0]]
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            lowest = ops.cast(np.finfo(keras.backend.standardize_dtype(inputs.dtype)).min, inputs.dtype)
            inputs = ops.where(ops.expand_dims(ops.cast(mask, "bool"), -1), inputs, lowest)
        return ops.max(inputs, axis=1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


@keras.saving.register_keras_serializable(package="seqlab")
class WordDropout(keras.layers.Layer):
    """In training only, replace each token id by ``unknown_id`` with probability ``rate``.

    Padding (id 0) is kept, so masks do not change. It teaches the model to use the unknown
    vector, as test sentences hold words the training set never had.

    >>> layer = WordDropout(0.5, seed=1)
    >>> ids = np.array([[5, 6, 7, 8, 0, 0]])
    >>> layer(ids, training=False).numpy().tolist()
    [[5, 6, 7, 8, 0, 0]]
    >>> dropped = layer(ids, training=True).numpy()
    >>> set(dropped[0, :4].tolist()) <= {5, 6, 7, 8, 1}, dropped[0, 4:].tolist()
    (True, [0, 0])
    >>> WordDropout(1.5)
    Traceback (most recent call last):
    ...
    ValueError: rate=1.5 must be in [0, 1).
    """

    def __init__(self, rate, *, unknown_id=UNK_ID, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"rate={rate!r} must be in [0, 1).")
        self.rate, self.unknown_id, self.seed = rate, unknown_id, seed
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, ids, training=False):
        if not training or self.rate == 0.0:
            return ids
        drop = keras.random.uniform(keras.ops.shape(ids), seed=self.generator) < self.rate
        drop = keras.ops.logical_and(drop, keras.ops.not_equal(ids, PAD_ID))
        return keras.ops.where(drop, keras.ops.cast(self.unknown_id, ids.dtype), ids)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "unknown_id": self.unknown_id, "seed": self.seed}


def with_word_dropout(model, rate, *, seed=None):
    """A training view of a token-id ``model``: word dropout (see :class:`WordDropout`), then ``model``.

    The view shares every weight with ``model``; train the view, predict with either (word
    dropout is off outside training). With ``rate == 0`` the model itself is returned.
    """
    if rate == 0.0:
        return model
    inputs = keras.Input(model.input_shape[1:], dtype=model.inputs[0].dtype, name="token_ids")
    return keras.Model(inputs, model(WordDropout(rate, seed=seed, name="word_dropout")(inputs)),
                       name=f"{model.name}_training")
