"""One-to-many generation: a training model and a one-step model that share every layer."""

from collections import namedtuple

import keras

from seqlab.builders.common import InputEncoding, OutputHead, flatten_states
from seqlab.cells import state_count
from seqlab.stacks import recurrent_stack

Generator = namedtuple("Generator", ["train", "step"])


def one_to_many(*, cell="lstm", units=64, depth=1, bidirectional=False, dropout=0.0, vocab_size=None,
                input_dim=None, embedding_dim=64, num_classes=None, output_activation="softmax",
                name="one_to_many", **cell_options):
    """Build a sequence generator: ``Generator(train, step)``.

    ``train`` maps ``x<1..T>`` to the distribution of the next element at every step,
    ``(batch, T, num_classes)``: train it on ``y<t> = x<t+1>`` (teacher forcing). ``step``
    maps ``[x<t>, *states]`` to ``[output<t>, *new_states]`` with ``x<t>`` of shape
    ``(batch, 1)`` (ids) or ``(batch, 1, input_dim)``, so sampling carries the RNN state
    instead of re-reading the history. Each layer has ``[a, c]`` states for LSTMs, else
    ``[a]``; ``seqlab.sampling.initial_states(step)`` gives zeros.

    Args:
        num_classes: output size; defaults to ``vocab_size`` or ``input_dim`` (predict the
            next element of the same kind).
        bidirectional: must be ``False``: a generator cannot read the future.
        Other keywords as in :func:`seqlab.builders.many_to_one.many_to_one`.

    >>> generator = one_to_many(vocab_size=30, cell="lstm", units=8, depth=2)
    >>> generator.train.output_shape
    (None, None, 30)
    >>> [tuple(tensor.shape) for tensor in generator.step.inputs]
    [(None, 1), (None, 8), (None, 8), (None, 8), (None, 8)]
    >>> one_to_many(vocab_size=30, bidirectional=True)
    Traceback (most recent call last):
    ...
    ValueError: bidirectional=True is not allowed for one_to_many: a generator predicts x<t+1> from x<1..t>, and a backward layer would read the future. Use bidirectional=False.
    """
    if bidirectional is not False:
        raise ValueError(
            f"bidirectional={bidirectional!r} is not allowed for one_to_many: a generator predicts x<t+1> from "
            "x<1..t>, and a backward layer would read the future. Use bidirectional=False.")
    encoding = InputEncoding(vocab_size=vocab_size, input_dim=input_dim, embedding_dim=embedding_dim, name="inputs")
    stack = recurrent_stack(cell=cell, units=units, depth=depth, dropout=dropout, **cell_options)
    num_classes = num_classes if num_classes is not None else (vocab_size or input_dim)
    head = OutputHead(num_classes=num_classes, output_activation=output_activation, dropout=dropout)

    sequence_inputs = encoding.input()
    sequence, _ = stack(encoding(sequence_inputs))
    train = keras.Model(sequence_inputs, head(sequence), name=f"{name}_train")

    step_inputs = encoding.input(1, name="step_inputs")
    state_inputs = [[keras.Input((units,), name=f"layer_{layer}_state_{index}")
                     for index in range(state_count(cell))] for layer in range(1, depth + 1)]
    _, new_states = stack(encoding(step_inputs), initial_states=state_inputs)
    step_outputs = head(new_states[-1][0])  # the last layer's new a<t> is its output at this step
    step = keras.Model([step_inputs, *flatten_states(state_inputs)], [step_outputs, *flatten_states(new_states)],
                       name=f"{name}_step")
    return Generator(train, step)
