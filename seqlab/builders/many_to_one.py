"""Many-to-one: a whole sequence in, one prediction out (sentiment, splice-site classification)."""

import keras

from seqlab import checks
from seqlab.builders.common import InputEncoding, OutputHead
from seqlab.layers import MaskedGlobalMaxPooling1D
from seqlab.stacks import recurrent_stack

SUMMARIES = ("last", "mean", "max")


def many_to_one(*, num_classes, cell="lstm", units=64, depth=1, bidirectional=False, dropout=0.0,
                vocab_size=None, input_dim=None, embedding_dim=64, mask_value=None,
                output_activation="softmax", summary="last", name="many_to_one", **cell_options):
    """Build a sequence classifier ``(batch, time) -> (batch, num_classes)``.

    Args:
        num_classes: number of output classes.
        cell: a name from ``seqlab.cells.available()``.
        units: units per recurrent layer and direction.
        depth: number of stacked recurrent layers.
        bidirectional: wrap every recurrent layer in ``Bidirectional``.
        dropout: rate of the dropout before every recurrent layer and before the output.
        vocab_size: token-id input through an embedding (id 0 = padding, masked), or
        input_dim: feature-vector input ``(batch, time, input_dim)``.
        embedding_dim: embedding size for token input.
        mask_value: mask feature-vector steps whose features all equal this value.
        output_activation: ``"softmax"``, ``"sigmoid"`` or ``"linear"`` (logits).
        summary: how the sequence becomes one vector: ``"last"`` (final state of each
            direction), ``"mean"`` or ``"max"`` over the unmasked steps of the last layer.

    Returns:
        An uncompiled ``keras.Model``.

    >>> model = many_to_one(vocab_size=100, num_classes=2, cell="gru", units=8, bidirectional=True, summary="max")
    >>> model.input_shape, model.output_shape
    ((None, None), (None, 2))
    """
    checks.one_of("summary", summary, SUMMARIES)
    encoding = InputEncoding(vocab_size=vocab_size, input_dim=input_dim, embedding_dim=embedding_dim,
                             mask_value=mask_value, name="inputs")
    stack = recurrent_stack(cell=cell, units=units, depth=depth, bidirectional=bidirectional, dropout=dropout,
                            **cell_options)
    head = OutputHead(num_classes=num_classes, output_activation=output_activation, dropout=dropout)
    inputs = encoding.input()
    sequence, states = stack(encoding(inputs))
    if summary == "last":
        features = stack.final_output(states)
    elif summary == "mean":
        features = keras.layers.GlobalAveragePooling1D(name="mean_over_time")(sequence)
    else:
        features = MaskedGlobalMaxPooling1D(name="max_over_time")(sequence)
    return keras.Model(inputs, head(features), name=name)
