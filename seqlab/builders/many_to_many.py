"""Many-to-many with Tx == Ty: one prediction per input step (NER, per-base DNA labels)."""

import keras

from seqlab.builders.common import InputEncoding, OutputHead
from seqlab.stacks import recurrent_stack


def many_to_many(*, num_classes, cell="lstm", units=64, depth=1, bidirectional=False, dropout=0.0,
                 vocab_size=None, input_dim=None, embedding_dim=64, mask_value=None,
                 output_activation="softmax", name="many_to_many", **cell_options):
    """Build a sequence tagger ``(batch, time) -> (batch, time, num_classes)``.

    The keywords are those of :func:`seqlab.builders.many_to_one.many_to_one` (without
    ``summary``). The output keeps the input's mask, so padded steps drop out of losses
    and metrics that honour Keras masks.

    >>> model = many_to_many(input_dim=5, num_classes=3, cell="lstm", units=4, depth=2, bidirectional=True)
    >>> model.output_shape
    (None, None, 3)
    """
    encoding = InputEncoding(vocab_size=vocab_size, input_dim=input_dim, embedding_dim=embedding_dim,
                             mask_value=mask_value, name="inputs")
    stack = recurrent_stack(cell=cell, units=units, depth=depth, bidirectional=bidirectional, dropout=dropout,
                            **cell_options)
    head = OutputHead(num_classes=num_classes, output_activation=output_activation, dropout=dropout)
    inputs = encoding.input()
    sequence, _ = stack(encoding(inputs))
    return keras.Model(inputs, head(sequence), name=name)
