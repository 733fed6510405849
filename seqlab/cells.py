"""Recurrent cells written from the course equations, and the registry of cell names.

Every equation cell is a Keras 3 layer built only from ``keras.ops`` (so it runs on any
backend), is used inside ``keras.layers.RNN`` and saves/loads with ``.keras`` files. The
notation follows the course notes: ``a<t>`` is the hidden state, ``c<t>`` the memory cell,
``[a<t-1>, x<t>]`` the concatenation of the previous state and the current input, and every
weight matrix ``W`` acts on that concatenation (shape ``(units + input_dim, units)``).

Cell names accepted by the builders (``cell=...``):

>>> available()
['equation_gru', 'equation_lstm', 'equation_rnn', 'equation_simplified_gru', 'gru', 'lstm', 'rnn']

``"rnn"``, ``"gru"`` and ``"lstm"`` are Keras' own ``SimpleRNN``, ``GRU`` and ``LSTM`` layers
(with their defaults, which keep the cuDNN kernels usable on a GPU); the ``equation_*``
names are the cells of this module inside ``keras.layers.RNN``.

>>> import numpy as np
>>> layer = recurrent_layer("equation_lstm", units=3, return_sequences=True)
>>> tuple(layer(np.ones((2, 5, 4), "float32")).shape)
(2, 5, 3)
"""

import keras
from keras import ops

from seqlab import checks

KERAS_LAYERS = {"rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}


class _EquationCell(keras.layers.Layer):
    """Shared machinery: one weight matrix per gate acting on ``[a<t-1>, x<t>]``."""

    gates = ()

    def __init__(self, units, kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        checks.positive_integer("units", units)
        self.units = units
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        for gate in self.gates:
            setattr(self, f"{gate}_kernel", self.add_weight(
                name=f"{gate}_kernel", shape=(self.units + input_dim, self.units),
                initializer=self.kernel_initializer))
            setattr(self, f"{gate}_bias", self.add_weight(
                name=f"{gate}_bias", shape=(self.units,), initializer=self.bias_initializer))

    def _affine(self, gate, previous_and_input):
        """``W_gate [a<t-1>, x<t>] + b_gate``."""
        return ops.matmul(previous_and_input, getattr(self, f"{gate}_kernel")) + getattr(self, f"{gate}_bias")

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }


def _first_state(states):
    return states[0] if isinstance(states, (list, tuple)) else states


@keras.saving.register_keras_serializable(package="seqlab")
class EquationRNNCell(_EquationCell):
    """The basic RNN cell: ``a<t> = g(W_a [a<t-1>, x<t>] + b_a)``.

    Args:
        units: size of ``a<t>``.
        activation: ``g``, ``"tanh"`` by default (as in the notes and ``SimpleRNNCell``).

    >>> import numpy as np
    >>> cell = EquationRNNCell(4)
    >>> output, states = cell(np.ones((2, 3), "float32"), [np.zeros((2, 4), "float32")])
    >>> tuple(output.shape), tuple(cell.hidden_kernel.shape)
    ((2, 4), (7, 4))
    """

    gates = ("hidden",)

    def __init__(self, units, activation="tanh", **kwargs):
        super().__init__(units, **kwargs)
        self.activation = keras.activations.get(activation)

    def call(self, inputs, states, training=False):
        previous = _first_state(states)
        output = self.activation(self._affine("hidden", ops.concatenate([previous, inputs], axis=-1)))
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "activation": keras.activations.serialize(self.activation)}


@keras.saving.register_keras_serializable(package="seqlab")
class EquationGRUCell(_EquationCell):
    """The gated recurrent unit as written in the notes.

    Full GRU (``relevance_gate=True``, the default)::

        G_r   = sigmoid(W_r [c<t-1>, x<t>] + b_r)
        c~<t> = tanh(W_c [G_r * c<t-1>, x<t>] + b_c)
        G_u   = sigmoid(W_u [c<t-1>, x<t>] + b_u)
        c<t>  = G_u * c~<t> + (1 - G_u) * c<t-1>,   a<t> = c<t>

    The simplified GRU of the notes (``relevance_gate=False``) drops ``G_r``, which is the
    same as fixing ``G_r = 1``. With the same weights the full GRU equals
    ``keras.layers.GRUCell(reset_after=False)`` (whose update gate ``z`` is ``1 - G_u``).

    >>> import numpy as np
    >>> full, simplified = EquationGRUCell(2), EquationGRUCell(2, relevance_gate=False)
    >>> _ = full(np.ones((1, 3), "float32"), [np.zeros((1, 2), "float32")])
    >>> _ = simplified(np.ones((1, 3), "float32"), [np.zeros((1, 2), "float32")])
    >>> len(full.weights), len(simplified.weights)
    (6, 4)
    """

    def __init__(self, units, relevance_gate=True, **kwargs):
        super().__init__(units, **kwargs)
        self.relevance_gate = bool(relevance_gate)
        self.gates = ("update", "relevance", "candidate") if self.relevance_gate else ("update", "candidate")

    def call(self, inputs, states, training=False):
        previous = _first_state(states)
        previous_and_input = ops.concatenate([previous, inputs], axis=-1)
        update = ops.sigmoid(self._affine("update", previous_and_input))
        gated_previous = previous
        if self.relevance_gate:
            gated_previous = ops.sigmoid(self._affine("relevance", previous_and_input)) * previous
        candidate = ops.tanh(self._affine("candidate", ops.concatenate([gated_previous, inputs], axis=-1)))
        memory = update * candidate + (1.0 - update) * previous
        return memory, [memory]

    def get_config(self):
        return {**super().get_config(), "relevance_gate": self.relevance_gate}


@keras.saving.register_keras_serializable(package="seqlab")
class EquationLSTMCell(_EquationCell):
    """The LSTM with update, forget and output gates::

        c~<t> = tanh(W_c [a<t-1>, x<t>] + b_c)
        G_u = sigmoid(W_u [a<t-1>, x<t>] + b_u)     (Keras calls it the input gate i)
        G_f = sigmoid(W_f [a<t-1>, x<t>] + b_f)
        G_o = sigmoid(W_o [a<t-1>, x<t>] + b_o)
        c<t> = G_u * c~<t> + G_f * c<t-1>
        a<t> = G_o * tanh(c<t>)     (standard form, as Keras; the notes' literal form: G_o * c<t>)

    Args:
        units: size of ``a<t>`` and ``c<t>``.
        tanh_output: ``True`` (default) for the standard ``a<t> = G_o * tanh(c<t>)``;
            ``False`` for the notes' literal ``a<t> = G_o * c<t>``.

    The two forms differ once ``|c<t>|`` is no longer small, because ``tanh`` squashes it:

    >>> import numpy as np
    >>> standard, literal = EquationLSTMCell(1), EquationLSTMCell(1, tanh_output=False)
    >>> x, state = np.zeros((1, 1), "float32"), [np.zeros((1, 1), "float32"), np.full((1, 1), 3.0, "float32")]
    >>> for cell in (standard, literal):
    ...     cell.build((1, 1))
    ...     for weight in cell.weights:
    ...         _ = weight.assign(np.zeros(weight.shape))   # every gate = sigmoid(0) = 0.5, c~ = 0
    >>> round(float(standard(x, state)[0][0, 0]), 4)   # 0.5 * tanh(0.5 * 3)
    0.4526
    >>> round(float(literal(x, state)[0][0, 0]), 4)    # 0.5 * (0.5 * 3)
    0.75
    """

    gates = ("update", "forget", "output", "candidate")

    def __init__(self, units, tanh_output=True, **kwargs):
        super().__init__(units, **kwargs)
        self.tanh_output = bool(tanh_output)

    @property
    def state_size(self):
        return [self.units, self.units]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype) for _ in range(2)]

    def call(self, inputs, states, training=False):
        previous_activation, previous_memory = states
        previous_and_input = ops.concatenate([previous_activation, inputs], axis=-1)
        update = ops.sigmoid(self._affine("update", previous_and_input))
        forget = ops.sigmoid(self._affine("forget", previous_and_input))
        output_gate = ops.sigmoid(self._affine("output", previous_and_input))
        candidate = ops.tanh(self._affine("candidate", previous_and_input))
        memory = update * candidate + forget * previous_memory
        activation = output_gate * (ops.tanh(memory) if self.tanh_output else memory)
        return activation, [activation, memory]

    def get_config(self):
        return {**super().get_config(), "tanh_output": self.tanh_output}


EQUATION_CELLS = {
    "equation_rnn": (EquationRNNCell, {}),
    "equation_simplified_gru": (EquationGRUCell, {"relevance_gate": False}),
    "equation_gru": (EquationGRUCell, {}),
    "equation_lstm": (EquationLSTMCell, {}),
}


def available():
    """The accepted ``cell`` names, sorted."""
    return sorted([*KERAS_LAYERS, *EQUATION_CELLS])


def check_cell(cell):
    """Raise a ``ValueError`` unless ``cell`` is an accepted name; return it.

    >>> check_cell("lsmt")
    Traceback (most recent call last):
    ...
    ValueError: cell='lsmt' is not known; allowed: equation_gru, equation_lstm, equation_rnn, equation_simplified_gru, gru, lstm, rnn.
    """
    if cell not in KERAS_LAYERS and cell not in EQUATION_CELLS:
        raise ValueError(f"cell={cell!r} is not known; allowed: {', '.join(available())}.")
    return cell


def state_count(cell):
    """Number of state tensors the cell carries: 2 for LSTMs (``a``, ``c``), else 1.

    >>> state_count("lstm"), state_count("equation_gru")
    (2, 1)
    """
    return 2 if check_cell(cell) in {"lstm", "equation_lstm"} else 1


def recurrent_layer(cell, units, *, return_sequences=False, return_state=False, name=None, **cell_options):
    """One recurrent layer for a cell name.

    Keras' built-ins keep their cuDNN-eligible defaults (tanh, sigmoid, no recurrent
    dropout, ``unroll=False``, biases, GRU ``reset_after=True``). ``cell_options`` go to the
    equation cell (for example ``tanh_output=False``) or to the Keras layer.
    """
    check_cell(cell)
    checks.positive_integer("units", units)
    if cell in KERAS_LAYERS:
        layer_class = getattr(keras.layers, KERAS_LAYERS[cell])
        return layer_class(units, return_sequences=return_sequences, return_state=return_state,
                           name=name, **cell_options)
    cell_class, defaults = EQUATION_CELLS[cell]
    return keras.layers.RNN(cell_class(units, **{**defaults, **cell_options}),
                            return_sequences=return_sequences, return_state=return_state, name=name)


def copy_weights_from_keras(equation_cell, keras_cell):
    """Give an equation cell the weights of the matching Keras cell, so both compute the same.

    Pairs: ``EquationRNNCell`` <- ``SimpleRNNCell``; ``EquationGRUCell`` (full) <-
    ``GRUCell(reset_after=False)``; ``EquationLSTMCell`` <- ``LSTMCell``. Keras keeps the
    input kernel and the recurrent kernel apart with gates side by side; the notes stack
    ``[a<t-1>, x<t>]``, so each gate's matrix is ``[recurrent rows; input rows]``. Keras'
    GRU gate ``z`` keeps the old state, so ``G_u = 1 - z = sigmoid(-(...))``: its weights
    are negated.

    >>> import numpy as np, keras
    >>> keras_cell, cell = keras.layers.SimpleRNNCell(3), EquationRNNCell(3)
    >>> keras_cell.build((None, 2)); cell.build((None, 2))
    >>> copy_weights_from_keras(cell, keras_cell)
    >>> x, a = np.ones((1, 2), "float32"), np.zeros((1, 3), "float32")
    >>> bool(np.allclose(cell(x, [a])[0], keras_cell(x, [a])[0], atol=1e-6))
    True
    """
    kernel = ops.convert_to_numpy(keras_cell.kernel)
    recurrent = ops.convert_to_numpy(keras_cell.recurrent_kernel)
    bias = ops.convert_to_numpy(keras_cell.bias)
    units = equation_cell.units
    if isinstance(equation_cell, EquationRNNCell) and isinstance(keras_cell, keras.layers.SimpleRNNCell):
        layout = {"hidden": (0, 1.0)}
    elif isinstance(equation_cell, EquationGRUCell) and isinstance(keras_cell, keras.layers.GRUCell):
        if keras_cell.reset_after or not equation_cell.relevance_gate:
            raise ValueError("copy_weights_from_keras needs a full EquationGRUCell and GRUCell(reset_after=False).")
        layout = {"update": (0, -1.0), "relevance": (1, 1.0), "candidate": (2, 1.0)}
    elif isinstance(equation_cell, EquationLSTMCell) and isinstance(keras_cell, keras.layers.LSTMCell):
        layout = {"update": (0, 1.0), "forget": (1, 1.0), "candidate": (2, 1.0), "output": (3, 1.0)}
    else:
        raise ValueError(
            f"cannot copy weights from {type(keras_cell).__name__} into {type(equation_cell).__name__}; "
            "allowed pairs: SimpleRNNCell -> EquationRNNCell, GRUCell(reset_after=False) -> EquationGRUCell, "
            "LSTMCell -> EquationLSTMCell.")
    for gate, (position, sign) in layout.items():
        columns = slice(position * units, (position + 1) * units)
        stacked = ops.concatenate([recurrent[:, columns], kernel[:, columns]], axis=0)
        getattr(equation_cell, f"{gate}_kernel").assign(sign * stacked)
        getattr(equation_cell, f"{gate}_bias").assign(sign * bias[columns])
