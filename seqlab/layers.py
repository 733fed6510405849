"""Small layers the builders and notebooks need that Keras does not ship.

Masked max pooling, word dropout, and the two layers of the tagger builder
(``seqlab.build("tagger", ...)``): a feature vector per word from its characters
(:class:`CharacterFeatures`) and the columns of a packed token array (:class:`PackedColumns`).
Every layer is registered for Keras serialization (package ``seqlab``).
"""

import keras
import numpy as np
from keras import ops

from seqlab import checks
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


@keras.saving.register_keras_serializable(package="seqlab")
class CharacterFeatures(keras.layers.Layer):
    """A feature vector per word from its characters: ``(batch, words, chars)`` -> ``(batch, words, size)``.

    The words of the batch are folded into one axis, ``(batch * words, chars)``, with sizes
    read at run time (``keras.ops.shape``): ``TimeDistributed(Conv1D)`` over a word axis that
    changes from batch to batch fails in Keras 3 (GUIDE section 6). The output is masked where
    a word has no character (padding): ``Concatenate`` keeps a step when *any* input's mask
    keeps it, so every feature joined to the masked word embedding must carry the same mask.

    Args:
        vocab_size: character vocabulary size (id 0 = padding).
        encoder: ``"cnn"``: a ``Conv1D`` of ``filters`` width-``kernel_size`` filters,
            max-pooled over the real characters; ``"lstm"``: a bidirectional LSTM of ``units``
            per direction, its two final states concatenated.
        embedding_dim: character embedding size.
        filters, kernel_size: CNN size.
        units: BiLSTM size per direction.

    >>> layer = CharacterFeatures(vocab_size=10, encoder="cnn", embedding_dim=4, filters=6)
    >>> layer(np.array([[[3, 4, 0], [5, 0, 0]]])).shape
    TensorShape([1, 2, 6])
    >>> CharacterFeatures(vocab_size=10, encoder="lstm", units=3)(np.ones((2, 5, 4), "int32")).shape
    TensorShape([2, 5, 6])
    >>> CharacterFeatures(vocab_size=10, encoder="gru")
    Traceback (most recent call last):
    ...
    ValueError: encoder='gru' is not allowed; allowed: cnn, lstm.
    """

    def __init__(self, vocab_size, encoder="cnn", embedding_dim=25, filters=50, kernel_size=3, units=25,
                 **keywords):
        super().__init__(**keywords)
        checks.one_of("encoder", encoder, ("cnn", "lstm"))
        self.vocab_size, self.encoder, self.embedding_dim = vocab_size, encoder, embedding_dim
        self.filters, self.kernel_size, self.units = filters, kernel_size, units
        self.embedding = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")
        if encoder == "cnn":
            self.network = keras.layers.Conv1D(filters, kernel_size, padding="same", activation="tanh", name="conv")
            self.pooling = MaskedGlobalMaxPooling1D(name="pooling")
        else:
            self.network = keras.layers.Bidirectional(keras.layers.LSTM(units), name="lstm")

    @property
    def output_size(self):
        return self.filters if self.encoder == "cnn" else 2 * self.units

    def build(self, input_shape):
        self.embedding.build((None, input_shape[-1]))
        self.network.build((None, input_shape[-1], self.embedding_dim))

    def call(self, characters):
        shape = ops.shape(characters)
        folded = ops.reshape(characters, (-1, shape[-1]))
        present = ops.not_equal(folded, PAD_ID)
        word_present = ops.any(present, axis=1, keepdims=True)
        embedded = self.embedding(folded)
        if self.encoder == "cnn":
            features = self.pooling(self.network(embedded), mask=present)
        else:
            # Give a padding word one character so that no row is fully masked.
            present = ops.logical_or(present, ops.arange(shape[-1])[None, :] == 0)
            features = self.network(embedded, mask=present)
        # A padding word's features are 0: never the pooling's float minimum, whose infinities
        # would turn into NaN gradients at the masked steps downstream.
        features = ops.where(word_present, features, ops.zeros_like(features))
        return ops.reshape(features, (shape[0], shape[1], self.output_size))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:2], self.output_size)

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, PAD_ID), axis=-1)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "encoder": self.encoder,
                "embedding_dim": self.embedding_dim, "filters": self.filters, "kernel_size": self.kernel_size,
                "units": self.units}


@keras.saving.register_keras_serializable(package="seqlab")
class PackedColumns(keras.layers.Layer):
    """Column ``column`` of a packed input's last axis, or (``to_end=True``) every column from it on.

    >>> packed = np.arange(8).reshape(1, 2, 4)
    >>> PackedColumns(1)(packed).numpy().tolist(), PackedColumns(2, to_end=True)(packed).numpy().tolist()
    ([[1, 5]], [[[2, 3], [6, 7]]])
    """

    def __init__(self, column, to_end=False, **keywords):
        super().__init__(**keywords)
        self.column, self.to_end = column, to_end

    def call(self, packed):
        return packed[..., self.column:] if self.to_end else packed[..., self.column]

    def compute_output_shape(self, input_shape):
        if self.to_end:
            return (*input_shape[:-1], input_shape[-1] - self.column)
        return tuple(input_shape[:-1])

    def get_config(self):
        return {**super().get_config(), "column": self.column, "to_end": self.to_end}
