"""Stacks of recurrent layers (deep and bidirectional RNNs) shared by every builder.

A stack is made once (:func:`recurrent_stack`) and called on one or more inputs
(:meth:`RecurrentStack.__call__`), so a training model and a one-step generation model
can share the same layers. Every recurrent layer is preceded by a ``Dropout`` on its
inputs (input dropout keeps Keras' layers eligible for the cuDNN kernels; recurrent
dropout would not).

>>> import keras
>>> stack = recurrent_stack(cell="gru", units=4, depth=2, bidirectional=True)
>>> outputs, states = stack(keras.Input((7, 3)))
>>> outputs.shape, len(states), states[0][0].shape
((None, 7, 8), 2, (None, 4))
"""

from dataclasses import dataclass

import keras

from seqlab import checks
from seqlab.cells import check_cell, recurrent_layer, state_count


def check_architecture_keywords(*, cell, units, depth, bidirectional, dropout):
    """Validate the flat keywords every builder shares; raise ``ValueError`` naming the culprit.

    >>> check_architecture_keywords(cell="lstm", units=8, depth=0, bidirectional=False, dropout=0.0)
    Traceback (most recent call last):
    ...
    ValueError: depth=0 is not allowed; depth must be a positive integer.
    >>> check_architecture_keywords(cell="lstm", units=-3, depth=1, bidirectional=False, dropout=0.0)
    Traceback (most recent call last):
    ...
    ValueError: units=-3 is not allowed; units must be a positive integer.
    """
    check_cell(cell)
    checks.positive_integer("units", units)
    checks.positive_integer("depth", depth)
    if not isinstance(bidirectional, bool):
        raise ValueError(f"bidirectional={bidirectional!r} is not allowed; use True or False.")
    checks.fraction("dropout", dropout)


@dataclass
class RecurrentStack:
    """``depth`` recurrent layers, each with its input ``Dropout``; every layer returns its states."""

    cell: str
    units: int
    depth: int
    bidirectional: bool
    dropout_layers: list
    recurrent_layers: list

    def final_output(self, states):
        """The last layer's output at the end of the sequence (both directions concatenated).

        With a mask this is the output at each sequence's last unmasked step (forward) and
        at its first step (backward), as ``return_sequences=False`` would give.
        """
        last = states[-1]
        per_direction = state_count(self.cell)
        outputs = last[::per_direction]
        return outputs[0] if len(outputs) == 1 else keras.layers.Concatenate()(outputs)

    def __call__(self, inputs, initial_states=None):
        """Run the stack.

        Args:
            inputs: a Keras tensor ``(batch, time, features)``.
            initial_states: ``None`` or one list of state tensors per layer.

        Returns:
            ``(outputs, states)``: the last layer's sequence output and, per layer, the list
            of its final states.
        """
        outputs, states = inputs, []
        for index, (dropout, layer) in enumerate(zip(self.dropout_layers, self.recurrent_layers)):
            outputs = dropout(outputs)
            initial = None if initial_states is None else initial_states[index]
            outputs, *layer_states = layer(outputs, initial_state=initial)
            states.append(layer_states)
        return outputs, states


def recurrent_stack(*, cell="lstm", units=64, depth=1, bidirectional=False, dropout=0.0, name="recurrent",
                    **cell_options):
    """Create (but do not call) a stack of ``depth`` recurrent layers returning sequences and states."""
    check_architecture_keywords(cell=cell, units=units, depth=depth, bidirectional=bidirectional, dropout=dropout)
    dropout_layers, recurrent_layers = [], []
    for index in range(1, depth + 1):
        layer = recurrent_layer(cell, units, return_sequences=True, return_state=True,
                                name=f"{name}_{index}" if not bidirectional else None, **cell_options)
        if bidirectional:
            layer = keras.layers.Bidirectional(layer, name=f"{name}_{index}")
        recurrent_layers.append(layer)
        dropout_layers.append(keras.layers.Dropout(dropout, name=f"{name}_{index}_input_dropout"))
    return RecurrentStack(cell, units, depth, bidirectional, dropout_layers, recurrent_layers)
