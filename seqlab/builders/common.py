"""Input and output parts shared by the builders: token or feature-vector inputs, the output head."""

import keras

from seqlab.checks import one_of, positive_integer

OUTPUT_ACTIVATIONS = ("softmax", "sigmoid", "linear")


class InputEncoding:
    """Token ids through an ``Embedding`` (id 0 = padding, masked) or feature vectors as they are.

    Exactly one of ``vocab_size`` and ``input_dim`` is given. Feature vectors are masked only
    where every feature equals ``mask_value`` when that is set (an all-zero piano-roll frame is
    silence, not padding, so the default is no masking).

    >>> InputEncoding(vocab_size=None, input_dim=None)
    Traceback (most recent call last):
    ...
    ValueError: give exactly one of vocab_size (token-id input) and input_dim (feature-vector input); received vocab_size=None, input_dim=None.
    """

    def __init__(self, *, vocab_size=None, input_dim=None, embedding_dim=64, mask_value=None, name="input"):
        if (vocab_size is None) == (input_dim is None):
            raise ValueError(
                "give exactly one of vocab_size (token-id input) and input_dim (feature-vector input); "
                f"received vocab_size={vocab_size!r}, input_dim={input_dim!r}.")
        self.vocab_size, self.input_dim = vocab_size, input_dim
        if vocab_size is not None:
            positive_integer("vocab_size", vocab_size)
            positive_integer("embedding_dim", embedding_dim)
            self.layer = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True, name=f"{name}_embedding")
        else:
            positive_integer("input_dim", input_dim)
            self.layer = None if mask_value is None else keras.layers.Masking(mask_value, name=f"{name}_masking")
        self.name = name

    def input(self, time_steps=None, name=None):
        """A ``keras.Input`` for ``time_steps`` steps (``None`` = any length)."""
        if self.vocab_size is not None:
            return keras.Input((time_steps,), dtype="int32", name=name or self.name)
        return keras.Input((time_steps, self.input_dim), name=name or self.name)

    def __call__(self, tensor):
        return tensor if self.layer is None else self.layer(tensor)


class OutputHead:
    """``Dropout`` then ``Dense(num_classes, activation)`` on the last axis."""

    def __init__(self, *, num_classes, output_activation="softmax", dropout=0.0, name="output"):
        positive_integer("num_classes", num_classes)
        one_of("output_activation", output_activation, OUTPUT_ACTIVATIONS)
        self.dropout = keras.layers.Dropout(dropout, name=f"{name}_dropout")
        self.dense = keras.layers.Dense(num_classes, activation=output_activation, name=name)

    def __call__(self, tensor):
        return self.dense(self.dropout(tensor))


def flatten_states(states):
    """``[[h1, c1], [h2, c2]] -> [h1, c1, h2, c2]``."""
    return [state for layer_states in states for state in layer_states]
