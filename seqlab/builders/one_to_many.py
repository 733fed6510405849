"""One-to-many generation: a training model and a one-step model that share every layer."""

from collections import namedtuple

import keras

from seqlab import checks
from seqlab.builders.common import InputEncoding, OutputHead, flatten_states
from seqlab.cells import state_count
from seqlab.nade import NADE
from seqlab.stacks import recurrent_stack

Generator = namedtuple("Generator", ["train", "step"])

OUTPUTS = ("dense", "nade")


def one_to_many(*, cell="lstm", units=64, depth=1, bidirectional=False, dropout=0.0, input_dropout=None,
                output_dropout=None, vocab_size=None, input_dim=None, embedding_dim=64, num_classes=None,
                output="dense", output_activation=None, nade_units=None, name="one_to_many", **cell_options):
    """Build a sequence generator: ``Generator(train, step)``.

    ``train`` maps ``x<1..T>`` to the distribution of the next element at every step,
    ``(batch, T, num_classes)``: train it on ``y<t> = x<t+1>`` (teacher forcing). ``step``
    maps ``[x<t>, *states]`` to ``[output<t>, *new_states]`` with ``x<t>`` of shape
    ``(batch, 1)`` (ids) or ``(batch, 1, input_dim)``, so sampling carries the RNN state
    instead of re-reading the history. Each layer has ``[a, c]`` states for LSTMs, else
    ``[a]``; ``seqlab.sampling.initial_states(step)`` gives zeros.

    With ``output="nade"`` (binary frames such as piano rolls, ``input_dim`` input) the next
    frame has a NADE distribution whose biases depend on the RNN state (RNN-NADE,
    :mod:`seqlab.nade`), so keys that sound together are modelled together. ``train`` then
    takes ``[frames, next_frames]`` (both ``(batch, T, num_classes)``; ``next_frames`` are
    the targets, read for teacher forcing over the keys) and returns
    ``p(key i of next_frames on | the keys of next_frames below i)``: compile it with
    ``loss="binary_crossentropy"`` and fit it on ``([frames, next_frames], next_frames)``
    (:func:`seqlab.nade.targets_as_inputs` rewrites a dataset); the summed binary
    cross-entropy is the exact negative log-likelihood. ``step`` returns the NADE biases of
    the next frame, ``(batch, num_classes + nade_units)``; sample with
    ``seqlab.sampling.sample(..., distribution="nade")``.

    Args:
        num_classes: output size; defaults to ``vocab_size`` or ``input_dim`` (predict the
            next element of the same kind).
        bidirectional: must be ``False``: a generator cannot read the future.
        dropout: rate of both dropouts below, unless they are given.
        input_dropout: rate of the dropout before every recurrent layer (default ``dropout``).
        output_dropout: rate of the dropout before the output layer (default ``dropout``).
        output: ``"dense"`` (one ``Dense`` layer with ``output_activation``) or ``"nade"``.
        output_activation: for ``output="dense"``: ``"softmax"`` (default), ``"sigmoid"`` or
            ``"linear"``; ``output="nade"`` takes only ``None`` or ``"sigmoid"``.
        nade_units: hidden units of the NADE (``output="nade"`` only; default ``units``).
        Other keywords as in :func:`seqlab.builders.many_to_one.many_to_one`.

    >>> generator = one_to_many(vocab_size=30, cell="lstm", units=8, depth=2)
    >>> generator.train.output_shape
    (None, None, 30)
    >>> [tuple(tensor.shape) for tensor in generator.step.inputs]
    [(None, 1), (None, 8), (None, 8), (None, 8), (None, 8)]
    >>> music = one_to_many(input_dim=88, output="nade", nade_units=16, cell="gru", units=8)
    >>> [tuple(tensor.shape) for tensor in music.train.inputs], music.train.output_shape
    ([(None, None, 88), (None, None, 88)], (None, None, 88))
    >>> music.step.output_shape[0]              # the NADE biases: 88 visible + 16 hidden
    (None, 104)
    >>> one_to_many(vocab_size=30, bidirectional=True)
    Traceback (most recent call last):
    ...
    ValueError: bidirectional=True is not allowed for one_to_many: a generator predicts x<t+1> from x<1..t>, and a backward layer would read the future. Use bidirectional=False.
    """
    if bidirectional is not False:
        raise ValueError(
            f"bidirectional={bidirectional!r} is not allowed for one_to_many: a generator predicts x<t+1> from "
            "x<1..t>, and a backward layer would read the future. Use bidirectional=False.")
    checks.one_of("output", output, OUTPUTS)
    checks.fraction("dropout", dropout)
    input_dropout = checks.fraction("input_dropout", dropout if input_dropout is None else input_dropout)
    output_dropout = checks.fraction("output_dropout", dropout if output_dropout is None else output_dropout)
    encoding = InputEncoding(vocab_size=vocab_size, input_dim=input_dim, embedding_dim=embedding_dim, name="inputs")
    num_classes = num_classes if num_classes is not None else (vocab_size or input_dim)
    if output == "nade":
        if vocab_size is not None:
            raise ValueError(f"output='nade' is not allowed with vocab_size={vocab_size!r}: NADE models frames of "
                             "binary units; give input_dim (e.g. 88 piano keys) instead.")
        if output_activation not in (None, "sigmoid"):
            raise ValueError(f"output_activation={output_activation!r} is not allowed with output='nade' (its "
                             "conditionals are sigmoids); allowed: None, sigmoid.")
        checks.positive_integer("num_classes", num_classes)
        head = NADEHead(num_classes=num_classes, units=units if nade_units is None else nade_units,
                        dropout=output_dropout)
    elif nade_units is not None:
        raise ValueError(f"nade_units={nade_units!r} is not allowed with output={output!r}; nade_units is only "
                         "used with output='nade'.")
    else:
        head = OutputHead(num_classes=num_classes, output_activation=output_activation or "softmax",
                          dropout=output_dropout)
    stack = recurrent_stack(cell=cell, units=units, depth=depth, dropout=input_dropout, **cell_options)

    sequence_inputs = encoding.input()
    sequence, _ = stack(encoding(sequence_inputs))
    if output == "nade":
        next_frames = keras.Input((None, num_classes), name="next_frames")
        train = keras.Model([sequence_inputs, next_frames], head(sequence, next_frames), name=f"{name}_train")
    else:
        train = keras.Model(sequence_inputs, head(sequence), name=f"{name}_train")

    step_inputs = encoding.input(1, name="step_inputs")
    state_inputs = [[keras.Input((units,), name=f"layer_{layer}_state_{index}")
                     for index in range(state_count(cell))] for layer in range(1, depth + 1)]
    _, new_states = stack(encoding(step_inputs), initial_states=state_inputs)
    step_outputs = head(new_states[-1][0])  # the last layer's new a<t> is its output at this step
    step = keras.Model([step_inputs, *flatten_states(state_inputs)], [step_outputs, *flatten_states(new_states)],
                       name=f"{name}_step")
    return Generator(train, step)


class NADEHead:
    """``Dropout`` then :class:`seqlab.nade.NADE`: conditionals given ``frames``, or the biases without."""

    def __init__(self, *, num_classes, units, dropout=0.0, name="output"):
        checks.positive_integer("nade_units", units)
        self.dropout = keras.layers.Dropout(dropout, name=f"{name}_dropout")
        self.nade = NADE(num_classes, units, name=name)

    def __call__(self, tensor, frames=None):
        tensor = self.dropout(tensor)
        return self.nade(tensor) if frames is None else self.nade([tensor, frames])
