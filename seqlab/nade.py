"""A NADE output for binary frames (polyphonic music): the exact likelihood of a whole frame, key by key.

An RNN whose output is one sigmoid per key treats the 88 keys of the next frame as
independent, so it cannot say which keys sound together (a chord). NADE (Larochelle &
Murray 2011) writes the probability of a frame ``v`` of ``K`` binary units exactly, as a
product of conditionals, each computed from the keys below it through ``H`` hidden units:

    h_i = sigmoid(b_h + W[:, :i] v[:i])
    p(v_i = 1 | v_<i) = sigmoid(b_v[i] + V[i] . h_i)
    log p(v) = sum_i v_i log p_i + (1 - v_i) log(1 - p_i)

RNN-NADE (Boulanger-Lewandowski et al. 2012) shares ``W`` (H x K) and ``V`` (K x H) over
time and conditions the biases on the RNN: ``b_v(t)`` and ``b_h(t)`` are ``Dense`` maps of
the RNN output at step ``t``. All ``K`` conditionals of a frame come from one pass over the
keys: the pre-activations of the ``h_i`` are exclusive sums over the keys below ``i``,
computed as one product with a triangular matrix of ones (``O(K^2 H)`` multiply-adds per
frame, yet about 3x faster on a CPU than the ``O(K H)`` cumulative sum:
``results/benchmarks/nade_sums.md``).

Training (teacher forcing over pitch): the layer is called on ``[rnn_output, frames]``, the
frames being the targets, and returns the ``K`` conditionals ``p_i``, each given the *true*
keys below ``i`` (``frames[..., :i]``). The binary cross-entropy of these with ``frames``,
summed over the keys, *is* the exact NADE negative log-likelihood of each frame, so a model
whose output is this layer's trains with ``compile(loss="binary_crossentropy")`` (Keras
averages over the keys: that loss is the NLL divided by ``K``) and
``seqlab.metrics.music.frame_nll`` of its outputs is the benchmark NLL per frame. The
``p_i`` are not predictions of the keys on their own (each reads the true keys below);
generate with :meth:`NADE.sample`.

Generation: called on the RNN output alone, the layer returns the biases of the next
frame, ``[b_v(t), b_h(t)]`` concatenated, ``(..., K + H)``; :meth:`NADE.sample` (or a
:class:`NADEDistribution`) draws a frame from them key by key, from the lowest key up.

>>> import itertools
>>> import numpy as np
>>> nade = NADE(num_visible=4, units=3)
>>> rnn_output = np.zeros((2, 5, 6), "float32")          # (batch, time, RNN units)
>>> frames = np.ones((2, 5, 4), "float32")               # the frames to score
>>> tuple(nade([rnn_output, frames]).shape)              # p(v_i = 1 | v_<i) for each key
(2, 5, 4)
>>> tuple(nade(rnn_output).shape)                        # the biases b_v(t), b_h(t)
(2, 5, 7)
>>> every_frame = np.array(list(itertools.product([0, 1], repeat=4)), "float32")   # all 16
>>> likelihoods = np.exp(nade.log_likelihood(np.zeros((16, 6), "float32"), every_frame))
>>> round(float(likelihoods.sum()), 5)
1.0
>>> biases = np.asarray(nade(rnn_output))[:, 0]          # step 0 of both sequences
>>> nade.sample(biases, rng=0).shape                     # one frame per sequence
(2, 4)
"""

import keras
import numpy as np
from keras import ops

from seqlab import checks


def frame_logits(frames, visible_bias, hidden_bias, visible_to_hidden, hidden_to_visible):
    """``logit p(v_i = 1 | v_<i)`` for every key ``i`` of ``frames``, in one pass over the keys.

    Args:
        frames: ``(..., K)`` 0/1 frames (the keys below ``i`` are read, never key ``i``).
        visible_bias: ``(..., K)``, ``b_v``.
        hidden_bias: ``(..., H)``, ``b_h``.
        visible_to_hidden: ``(H, K)``, ``W``.
        hidden_to_visible: ``(K, H)``, ``V``.

    Returns:
        ``(..., K)`` logits.

    The exclusive sums over the keys below each key are one matrix product with a strictly
    upper-triangular ``(K, K)`` matrix of ones: ``O(K^2 H)`` multiply-adds instead of the
    cumulative sum's ``O(K H)``, but they run about 3x faster than ``cumsum`` on this
    project's CPU (``benchmarks/nade_sums.py``); the result is the same.
    """
    frames = ops.cast(frames, visible_bias.dtype)
    contributions = ops.expand_dims(frames, -2) * visible_to_hidden  # (..., H, K): column j is v_j W[:, j]
    num_visible = ops.shape(frames)[-1]
    strictly_below = ops.cast(ops.triu(ops.ones((num_visible, num_visible)), k=1), visible_bias.dtype)  # [j, i] = j < i
    below = ops.matmul(contributions, strictly_below)  # exclusive: column i sums the keys j < i
    hidden = ops.sigmoid(ops.expand_dims(hidden_bias, -1) + below)  # (..., H, K): column i is h_i
    return visible_bias + ops.sum(hidden * ops.transpose(hidden_to_visible), axis=-2)


def _sigmoid(values):
    return 0.5 * (1.0 + np.tanh(0.5 * values))


def _random_generator(rng):
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    raise ValueError(f"rng={rng!r} is not allowed; give an integer seed, a numpy Generator or RandomState, or None.")


class NADEDistribution:
    """The NADE distribution of one frame (numpy): the biases of one step and the shared weights.

    Args:
        visible_bias: ``(K,)`` or ``(batch, K)``, ``b_v``.
        hidden_bias: ``(H,)`` or ``(batch, H)``, ``b_h``.
        visible_to_hidden: ``(H, K)``, ``W``.
        hidden_to_visible: ``(K, H)``, ``V``.

    >>> distribution = NADEDistribution(np.zeros(3), np.zeros(2), np.zeros((2, 3)), np.zeros((3, 2)))
    >>> distribution.conditional_probabilities(np.array([1, 0, 1])).tolist()
    [0.5, 0.5, 0.5]
    >>> round(float(distribution.log_probability(np.array([1, 0, 1]))), 4)   # 3 ln 0.5
    -2.0794
    >>> distribution.sample(temperature=0).tolist()                        # greedy: p >= 0.5 is on
    [1.0, 1.0, 1.0]
    """

    def __init__(self, visible_bias, hidden_bias, visible_to_hidden, hidden_to_visible):
        self.visible_bias = np.asarray(visible_bias, dtype="float64")
        self.hidden_bias = np.asarray(hidden_bias, dtype="float64")
        self.visible_to_hidden = np.asarray(visible_to_hidden, dtype="float64")
        self.hidden_to_visible = np.asarray(hidden_to_visible, dtype="float64")
        units, keys = self.visible_to_hidden.shape
        if (self.visible_bias.shape[-1] != keys or self.hidden_bias.shape[-1] != units
                or self.hidden_to_visible.shape != (keys, units)):
            raise ValueError(
                f"visible_bias {self.visible_bias.shape}, hidden_bias {self.hidden_bias.shape}, visible_to_hidden "
                f"{self.visible_to_hidden.shape} and hidden_to_visible {self.hidden_to_visible.shape} do not fit; "
                "(..., K), (..., H), (H, K) and (K, H) are required.")

    def conditional_logits(self, frames):
        """``logit p(v_i = 1 | v_<i)`` for every key, the keys below ``i`` read from ``frames``."""
        frames = np.asarray(frames, dtype="float64")
        below = np.cumsum(frames[..., :, None] * self.visible_to_hidden.T, axis=-2)
        below = np.concatenate([np.zeros_like(below[..., :1, :]), below[..., :-1, :]], axis=-2)
        hidden = _sigmoid(self.hidden_bias[..., None, :] + below)
        return self.visible_bias + np.sum(hidden * self.hidden_to_visible, axis=-1)

    def conditional_probabilities(self, frames):
        """``p(v_i = 1 | v_<i)`` for every key (what the layer returns when it is given ``frames``)."""
        return _sigmoid(self.conditional_logits(frames))

    def log_probability(self, frames):
        """``log p(frames)``, summed over the keys."""
        frames = np.asarray(frames, dtype="float64")
        logits = self.conditional_logits(frames)
        return np.sum(-frames * np.logaddexp(0.0, -logits) - (1.0 - frames) * np.logaddexp(0.0, logits), axis=-1)

    def sample(self, *, temperature=1.0, top_k=None, rng=None):
        """Draw a frame key by key, from the lowest key up, each key given the keys drawn below it.

        Args:
            temperature: each conditional's logit is divided by it; ``0`` is greedy (a key is
                on when its conditional probability is >= 0.5).
            top_k: at most this many keys on: once ``top_k`` keys are on, the keys above stay
                off (a cap, not "the ``top_k`` most probable keys": NADE draws upwards).
            rng: an integer seed, a numpy ``Generator`` or ``RandomState``, or ``None`` (unseeded).

        Returns:
            ``float32`` 0/1 frames, ``(K,)`` or ``(batch, K)`` as the biases.
        """
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or temperature < 0:
            raise ValueError(f"temperature={temperature!r} is not allowed; temperature must be a number >= 0 "
                             "(0 = greedy).")
        if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
            raise ValueError(f"top_k={top_k!r} is not allowed; top_k must be None or an integer >= 1.")
        rng = _random_generator(rng)
        batch_shape = np.broadcast_shapes(self.visible_bias.shape[:-1], self.hidden_bias.shape[:-1])
        keys, units = self.hidden_to_visible.shape
        visible_bias = np.broadcast_to(self.visible_bias, (*batch_shape, keys)).reshape(-1, keys)
        activation = np.broadcast_to(self.hidden_bias, (*batch_shape, units)).reshape(-1, units).copy()
        frames = np.zeros(visible_bias.shape, dtype="float32")
        keys_on = np.zeros(len(frames), dtype=int)
        for key in range(keys):
            logit = visible_bias[:, key] + _sigmoid(activation) @ self.hidden_to_visible[key]
            if temperature == 0:
                on = logit >= 0.0
            else:
                on = rng.random(len(frames)) < _sigmoid(logit / temperature)
            if top_k is not None:
                on &= keys_on < top_k
            frames[:, key] = on
            keys_on += on
            activation += np.outer(on, self.visible_to_hidden[:, key])
        return frames.reshape(*batch_shape, keys)


@keras.saving.register_keras_serializable(package="seqlab")
class NADE(keras.layers.Layer):
    """NADE over ``num_visible`` binary units with biases conditioned on an RNN (RNN-NADE).

    Owns ``visible_to_hidden`` (``W``, ``(units, num_visible)``), ``hidden_to_visible``
    (``V``, ``(num_visible, units)``) and two ``Dense`` maps of the RNN output,
    ``visible_bias`` (to ``b_v``, ``num_visible``) and ``hidden_bias`` (to ``b_h``, ``units``).

    Called on ``[rnn_output, frames]`` (``(..., rnn_units)`` and ``(..., num_visible)``) it
    returns ``p(v_i = 1 | v_<i)`` for every key, ``(..., num_visible)``, each given the true
    keys of ``frames`` below ``i``: binary cross-entropy against ``frames`` is the exact NADE
    negative log-likelihood. Called on ``rnn_output`` alone it returns the biases
    ``[b_v, b_h]``, ``(..., num_visible + units)``, for :meth:`sample`. See the module
    docstring for the equations.

    Args:
        num_visible: ``K``, binary units per frame (88 piano keys).
        units: ``H``, hidden units of the NADE.

    >>> NADE(num_visible=88, units=0)
    Traceback (most recent call last):
    ...
    ValueError: units=0 is not allowed; units must be a positive integer.
    """

    def __init__(self, num_visible, units, **kwargs):
        super().__init__(**kwargs)
        self.num_visible = checks.positive_integer("num_visible", num_visible)
        self.units = checks.positive_integer("units", units)
        self.supports_masking = True
        self.visible_bias = keras.layers.Dense(num_visible, name="visible_bias", dtype=self.dtype_policy)
        self.hidden_bias = keras.layers.Dense(units, name="hidden_bias", dtype=self.dtype_policy)

    def _split(self, inputs):
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != 2:
                raise ValueError(f"NADE was called on {len(inputs)} inputs; allowed: [rnn_output, frames] "
                                 "(conditional probabilities of frames) or rnn_output alone (biases).")
            return inputs
        return inputs, None

    def build(self, input_shape):
        pair = isinstance(input_shape, (list, tuple)) and len(input_shape) > 0 and isinstance(
            input_shape[0], (list, tuple))
        rnn_shape, frames_shape = self._split(input_shape) if pair else (input_shape, None)
        if frames_shape is not None and frames_shape[-1] not in (None, self.num_visible):
            raise ValueError(f"frames have {frames_shape[-1]} units per frame (shape {tuple(frames_shape)}); "
                             f"num_visible={self.num_visible} are required.")
        self.visible_bias.build(rnn_shape)
        self.hidden_bias.build(rnn_shape)
        self.visible_to_hidden = self.add_weight(shape=(self.units, self.num_visible), initializer="glorot_uniform",
                                                 name="visible_to_hidden")
        self.hidden_to_visible = self.add_weight(shape=(self.num_visible, self.units), initializer="glorot_uniform",
                                                 name="hidden_to_visible")

    def call(self, inputs):
        rnn_output, frames = self._split(inputs)
        if frames is None:
            return ops.concatenate([self.visible_bias(rnn_output), self.hidden_bias(rnn_output)], axis=-1)
        return ops.sigmoid(self._logits(rnn_output, frames))

    def _logits(self, rnn_output, frames):
        return frame_logits(frames, self.visible_bias(rnn_output), self.hidden_bias(rnn_output),
                            self.visible_to_hidden, self.hidden_to_visible)

    def compute_output_shape(self, input_shape):
        pair = isinstance(input_shape, (list, tuple)) and len(input_shape) > 0 and isinstance(
            input_shape[0], (list, tuple))
        rnn_shape = input_shape[0] if pair else input_shape
        return (*rnn_shape[:-1], self.num_visible if pair else self.num_visible + self.units)

    def compute_mask(self, inputs, mask=None):
        return mask[0] if isinstance(mask, (list, tuple)) else mask

    def conditional_logits(self, rnn_output, frames):
        """``logit p(v_i = 1 | v_<i)`` for every key of ``frames``, ``(..., num_visible)``."""
        rnn_output, frames = ops.convert_to_tensor(rnn_output), ops.convert_to_tensor(frames)
        if not self.built:
            self.build([tuple(rnn_output.shape), tuple(frames.shape)])
        return self._logits(rnn_output, frames)

    def log_likelihood(self, rnn_output, frames):
        """The exact ``log p(frames | rnn_output)``, summed over the keys, ``(...)``."""
        logits = self.conditional_logits(rnn_output, frames)
        frames = ops.cast(frames, logits.dtype)
        return ops.sum(frames * ops.log_sigmoid(logits) + (1.0 - frames) * ops.log_sigmoid(-logits), axis=-1)

    def distribution(self, biases):
        """A :class:`NADEDistribution` (numpy) from biases ``[b_v, b_h]``, ``(num_visible + units,)`` or batched.

        ``biases`` is what the layer returns on an RNN output (a generator's step model output).
        """
        biases = np.asarray(biases, dtype="float64")
        if biases.ndim == 0 or biases.shape[-1] != self.num_visible + self.units:
            raise ValueError(f"biases has shape {biases.shape}; (..., {self.num_visible + self.units}) "
                             f"(num_visible={self.num_visible} + units={self.units}) is required.")
        return NADEDistribution(biases[..., :self.num_visible], biases[..., self.num_visible:],
                                ops.convert_to_numpy(self.visible_to_hidden),
                                ops.convert_to_numpy(self.hidden_to_visible))

    def sample(self, biases, *, temperature=1.0, top_k=None, rng=None):
        """Draw frames key by key from biases ``[b_v, b_h]`` (see :meth:`NADEDistribution.sample`)."""
        return self.distribution(biases).sample(temperature=temperature, top_k=top_k, rng=rng)

    def get_config(self):
        return {**super().get_config(), "num_visible": self.num_visible, "units": self.units}


def targets_as_inputs(dataset):
    """Feed the targets as a second input: ``(x, y[, w]) -> ((x, y), y[, w])``, for a NADE ``train`` model.

    ``dataset`` is a ``tf.data.Dataset`` such as ``seqlab.data.batching.make_dataset`` gives.
    """
    def move(inputs, targets, *weights):
        return ((inputs, targets), targets, *weights)

    return dataset.map(move)
