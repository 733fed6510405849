"""Tagger over packed token features (word, casing, characters): one tag per word, softmax or CRF output.

The input is one packed integer array per sentence, ``(batch, time, 2 + max_characters)``, as
:class:`seqlab.data.ner.TokenEncoder` makes it: column 0 the word id, column 1 the casing id,
the rest the word's character ids. Each view gets its own layers, their features are joined
per word, and the recurrent stack and output head are those of ``seqlab.build("many_to_many")``.
"""

import keras
import numpy as np

from seqlab import checks
from seqlab.builders.common import OutputHead
from seqlab.crf import CRF
from seqlab.data.ner import CASINGS
from seqlab.data.vocab import PAD_ID
from seqlab.layers import CharacterFeatures, PackedColumns, WordDropout
from seqlab.stacks import recurrent_stack

CHARACTER_ENCODERS = ("cnn", "lstm", "none")


def tagger(*, vocab_size, num_classes, character_vocab_size=None, max_characters=20, cell="lstm", units=100,
           depth=1, bidirectional=True, dropout=0.5, embedding_dim=100, word_dropout=0.1, characters="cnn",
           character_embedding_dim=25, character_filters=50, character_units=25, casing_dim=8,
           embedding_matrix=None, freeze_embeddings=False, crf=False, name="ner_tagger"):
    """A BiLSTM-style tagger over packed ``(batch, time, 2 + max_characters)`` token arrays.

    Word ids -> :class:`~seqlab.layers.WordDropout` -> ``Embedding`` (masked at id 0),
    concatenated with a casing embedding and :class:`~seqlab.layers.CharacterFeatures`, then the
    recurrent stack and output head that ``seqlab.build("many_to_many", ...)`` uses (``cell``,
    ``units``, ``depth``, ``bidirectional``, ``dropout`` on the inputs of every recurrent layer
    and before the output).

    Args:
        vocab_size: word vocabulary size.
        num_classes: tags plus the padding id 0 (``TokenEncoder.num_classes``).
        character_vocab_size: character vocabulary size (needed unless ``characters="none"``).
        max_characters: character columns of the packed input.
        cell, units, depth, bidirectional, dropout: as for every seqlab builder.
        embedding_dim: word embedding size (the matrix's width when ``embedding_matrix`` is given).
        word_dropout: probability of replacing a word by the unknown id during training.
        characters: ``"cnn"``, ``"lstm"`` or ``"none"``.
        character_embedding_dim, character_filters, character_units: character encoder sizes.
        casing_dim: casing embedding size (0: no casing feature).
        embedding_matrix: optional initial word vectors ``(vocab_size, dim)``
            (:func:`seqlab.data.embeddings.pretrained_embeddings`), fine-tuned in training unless
            ``freeze_embeddings``.
        freeze_embeddings: keep the pretrained word vectors fixed (needs ``embedding_matrix``).
        crf: a linear-chain CRF output (:class:`seqlab.crf.CRF`): the model then outputs
            emissions (linear scores), trained with :class:`seqlab.crf.CRFLoss` and decoded by Viterbi.
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model`` -> ``(batch, time, num_classes)`` probabilities, masked
        where the word id is 0 (with ``crf``: emissions, unmasked; the loss skips padding).

    >>> model = tagger(vocab_size=30, num_classes=5, character_vocab_size=12, max_characters=6, units=8,
    ...                embedding_dim=10, characters="lstm", character_units=3)
    >>> model.input_shape, model.output_shape
    ((None, None, 8), (None, None, 5))
    >>> tagger(vocab_size=30, num_classes=5, characters="bilstm")
    Traceback (most recent call last):
    ...
    ValueError: characters='bilstm' is not allowed; allowed: cnn, lstm, none.
    """
    checks.one_of("characters", characters, CHARACTER_ENCODERS)
    if characters != "none" and character_vocab_size is None:
        raise ValueError(f"character_vocab_size=None with characters={characters!r}: give the character vocabulary size.")
    checks.positive_integer("vocab_size", vocab_size)
    checks.positive_integer("max_characters", max_characters)
    if embedding_matrix is not None:
        embedding_matrix = np.asarray(embedding_matrix, dtype="float32")
        if embedding_matrix.shape[0] != vocab_size:
            raise ValueError(f"embedding_matrix has {embedding_matrix.shape[0]} rows; vocab_size={vocab_size} are needed.")
        embedding_dim = embedding_matrix.shape[1]
    elif freeze_embeddings:
        raise ValueError("freeze_embeddings=True needs pretrained vectors (embedding_matrix); "
                         "frozen random vectors would never learn.")
    # The layers are made, and so their weights drawn, in this order: seeded runs depend on it.
    stack = recurrent_stack(cell=cell, units=units, depth=depth, bidirectional=bidirectional, dropout=dropout)
    head = OutputHead(num_classes=num_classes, dropout=dropout, output_activation="linear" if crf else "softmax")
    packed = keras.Input((None, 2 + max_characters), dtype="int32", name="tokens")
    word_ids = WordDropout(word_dropout, name="word_dropout")(PackedColumns(0, name="word_ids")(packed))
    embedding = keras.layers.Embedding(
        vocab_size, embedding_dim, mask_zero=True, name="word_embedding", trainable=not freeze_embeddings,
        embeddings_initializer="uniform" if embedding_matrix is None else keras.initializers.Constant(embedding_matrix))
    features = [embedding(word_ids)]
    if casing_dim:
        casing_ids = PackedColumns(1, name="casing_ids")(packed)
        features.append(keras.layers.Embedding(len(CASINGS), casing_dim, mask_zero=True,
                                               name="casing_embedding")(casing_ids))
    if characters != "none":
        character_ids = PackedColumns(2, to_end=True, name="character_ids")(packed)
        features.append(CharacterFeatures(character_vocab_size, characters, character_embedding_dim,
                                          filters=character_filters, units=character_units,
                                          name="character_features")(character_ids))
    merged = features[0] if len(features) == 1 else keras.layers.Concatenate(name="token_features")(features)
    sequence, _ = stack(merged)
    outputs = head(sequence)
    if crf:
        outputs = CRF(num_classes, padding_id=PAD_ID, name="crf")(outputs)
    return keras.Model(packed, outputs, name=name)
