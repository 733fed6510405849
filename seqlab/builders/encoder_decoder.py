"""Encoder-decoder (Tx != Ty): translation-like tasks, trained with teacher forcing."""

from collections import namedtuple

import keras

from seqlab import checks
from seqlab.builders.common import InputEncoding, OutputHead, flatten_states
from seqlab.cells import state_count
from seqlab.stacks import recurrent_stack

Seq2Seq = namedtuple("Seq2Seq", ["train", "encoder", "decoder_step"])


def encoder_decoder(*, target_vocab_size, cell="lstm", units=64, depth=1, bidirectional=False, dropout=0.0,
                    vocab_size=None, input_dim=None, embedding_dim=64, target_embedding_dim=None,
                    name="encoder_decoder", **cell_options):
    """Build ``Seq2Seq(train, encoder, decoder_step)`` sharing every layer.

    The encoder reads the source (token ids or feature vectors); its final states start a
    decoder of the same depth, layer by layer. A bidirectional encoder hands over the
    forward and backward states side by side, so the decoder has ``2 * units`` units.

    - ``train([source, target_in])`` -> ``(batch, Ty, target_vocab_size)`` probabilities, with
      ``target_in`` the target shifted right (starting with a begin id): teacher forcing.
    - ``encoder(source)`` -> the decoder's initial states (a list).
    - ``decoder_step([token, *states])`` -> ``[probabilities, *new_states]``, ``token`` of
      shape ``(batch, 1)``.

    >>> seq2seq = encoder_decoder(vocab_size=40, target_vocab_size=15, cell="gru", units=8, bidirectional=True)
    >>> seq2seq.train.output_shape
    (None, None, 15)
    >>> [tuple(tensor.shape) for tensor in seq2seq.encoder.outputs]
    [(None, 16)]
    """
    checks.positive_integer("target_vocab_size", target_vocab_size)
    source_encoding = InputEncoding(vocab_size=vocab_size, input_dim=input_dim, embedding_dim=embedding_dim,
                                    name="source")
    target_encoding = InputEncoding(vocab_size=target_vocab_size, embedding_dim=target_embedding_dim or embedding_dim,
                                    name="target")
    encoder_stack = recurrent_stack(cell=cell, units=units, depth=depth, bidirectional=bidirectional,
                                    dropout=dropout, name="encoder", **cell_options)
    decoder_units = units * (2 if bidirectional else 1)
    decoder_stack = recurrent_stack(cell=cell, units=decoder_units, depth=depth, dropout=dropout, name="decoder",
                                    **cell_options)
    head = OutputHead(num_classes=target_vocab_size, dropout=dropout)
    per_direction = state_count(cell)

    source = source_encoding.input()
    _, encoder_states = encoder_stack(source_encoding(source))
    if bidirectional:
        encoder_states = [[keras.layers.Concatenate()([layer_states[index], layer_states[index + per_direction]])
                           for index in range(per_direction)] for layer_states in encoder_states]
    encoder = keras.Model(source, flatten_states(encoder_states), name=f"{name}_encoder")

    target_in = target_encoding.input(name="target_in")
    decoded, _ = decoder_stack(target_encoding(target_in), initial_states=encoder_states)
    train = keras.Model([source, target_in], head(decoded), name=f"{name}_train")

    token = target_encoding.input(1, name="token")
    state_inputs = [[keras.Input((decoder_units,), name=f"decoder_{layer}_state_{index}")
                     for index in range(per_direction)] for layer in range(1, depth + 1)]
    _, new_states = decoder_stack(target_encoding(token), initial_states=state_inputs)
    probabilities = head(new_states[-1][0])  # the last layer's new a<t> is its output at this step
    decoder_step = keras.Model([token, *flatten_states(state_inputs)], [probabilities, *flatten_states(new_states)],
                               name=f"{name}_decoder_step")
    return Seq2Seq(train, encoder, decoder_step)
