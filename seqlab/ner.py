"""Named-entity recognition with recurrent taggers: features, model assembly, decoding, inspection.

The tagger reads one packed integer array per sentence, ``(time, 2 + max_characters)``:
column 0 the word id, column 1 the casing id, the rest the word's character ids (0-padded).
Packing the three views of a token into one array lets the shared right-padding and length
bucketing of :func:`seqlab.data.batching.make_dataset` batch them unchanged.

- :class:`TokenEncoder` builds the vocabularies from training sentences: words are lower-cased
  with digits mapped to ``0`` (casing is a feature of its own) and kept when seen at least
  ``min_word_frequency`` times (2 by default: words seen once stay unknown, so the unknown
  vector is trained); tag id 0 is padding.
- :func:`build_tagger` assembles word embeddings (trained from scratch, or initialised from
  pretrained vectors by :func:`pretrained_embeddings` and fine-tuned or frozen), word dropout, a
  character CNN or BiLSTM per word (:class:`CharacterFeatures`), a casing embedding, then the
  same recurrent stack and output head as ``seqlab.build("many_to_many", ...)``.
- :func:`baseline_scores`: the memorisation baseline on the same split, as row fields.
- :func:`predict_tags` decodes with BIO constraints (:func:`constrained_decode`: Viterbi over
  the log-probabilities, never ``O`` -> ``I-X``) or, for a tagger with a CRF output
  (``build_tagger(crf=True)``, loss :func:`tagger_loss`), Viterbi over the CRF's scores;
  :func:`tag` prints the entities of a text, :func:`error_table` counts the most frequent errors by kind.

>>> encoder = TokenEncoder.build([(["Harry", "met", "Ron", "in", "1997"], ["B-PER", "O", "B-PER", "O", "O"]),
...                               (["Ron", "met", "Harry"], ["B-PER", "O", "B-PER"])], min_word_frequency=2)
>>> encoder.words.tokens[4:], encoder.tag_names
(['harry', 'met', 'ron'], ['<pad>', 'B-PER', 'O'])
>>> encoder.encode(["Harry", "sang"], max_characters=4)
array([[ 4,  6,  7,  9, 15, 15],
       [ 1,  4,  1,  9, 13,  1]], dtype=int32)
>>> [casing(word) for word in ["Harry", "HARRY", "harry", "1997", "B52", ","]]
['initial_upper', 'all_upper', 'all_lower', 'numeric', 'mixed_digits', 'other']
"""

import re
import time
from collections import Counter

import keras
import numpy as np

from seqlab import checks
from seqlab.builders.common import OutputHead
from seqlab.crf import CRF, CRFLoss, viterbi
from seqlab.layers import MaskedGlobalMaxPooling1D
from seqlab.data.batching import bucket_batches, make_dataset, pad_sequences
from seqlab.data.vocab import PAD_ID, RESERVED_TOKENS, UNK_ID, Vocabulary, tokenize_words
from seqlab.metrics.spans import ERROR_KINDS, classify_errors, entity_scores, spans, split_tag
from seqlab.layers import WordDropout
from seqlab.sentiment import pretrained_embeddings  # noqa: F401 (re-exported: the same for every word vocabulary)
from seqlab.stacks import recurrent_stack

CASINGS = ("<pad>", "other", "numeric", "mixed_digits", "all_lower", "all_upper", "initial_upper", "mixed_case")
CHARACTER_ENCODERS = ("cnn", "lstm", "none")
_DIGITS = re.compile(r"\d")


def casing(token):
    """The casing class of a token, one of ``CASINGS[1:]``.

    >>> casing("McDonald"), casing("iPhone"), casing("3.5")
    ('mixed_case', 'mixed_case', 'numeric')
    """
    digits = sum(character.isdigit() for character in token)
    if digits and digits >= 0.5 * len(token) and not any(character.isalpha() for character in token):
        return "numeric"
    if digits:
        return "mixed_digits"
    if not any(character.isalpha() for character in token):
        return "other"
    if token.islower():
        return "all_lower"
    if token.isupper():
        return "all_upper"
    if token[0].isupper() and token[1:].lower() == token[1:]:
        return "initial_upper"
    return "mixed_case"


def normalize_word(token):
    """The word-vocabulary key of a token: lower case, every digit ``0``.

    >>> normalize_word("Sept-1996")
    'sept-0000'
    """
    return _DIGITS.sub("0", token.lower())


class TokenEncoder:
    """Word, character and tag vocabularies of a NER dataset, and the packed encoding.

    Args:
        words: a word-level :class:`~seqlab.data.vocab.Vocabulary` of normalized words.
        characters: a character-level :class:`~seqlab.data.vocab.Vocabulary`.
        tag_names: ``["<pad>", tag, ...]``: tag id -> tag string, id 0 reserved for padding.
        max_characters: characters kept per word (longer words keep their first ones).

    Use :meth:`build` to make one from training sentences.
    """

    def __init__(self, words, characters, tag_names, max_characters=20):
        if tag_names[0] != RESERVED_TOKENS[PAD_ID]:
            raise ValueError(f"tag_names[0]={tag_names[0]!r}: id 0 must be the padding tag {RESERVED_TOKENS[PAD_ID]!r}.")
        self.words, self.characters, self.tag_names = words, characters, list(tag_names)
        self.max_characters = checks.positive_integer("max_characters", max_characters)
        self.tag_to_id = {name: index for index, name in enumerate(self.tag_names)}

    @classmethod
    def build(cls, sentences, *, min_word_frequency=2, max_characters=20):
        """Vocabularies from ``(tokens, tags)`` training sentences.

        Args:
            sentences: list of ``(tokens, tags)``.
            min_word_frequency: keep words seen at least this often; rarer words are unknown.
            max_characters: characters kept per word.
        """
        words = Vocabulary.build([[normalize_word(token) for token in tokens] for tokens, _ in sentences],
                                 level="word", min_frequency=min_word_frequency)
        characters = Vocabulary.build([list("".join(tokens)) for tokens, _ in sentences], level="character")
        tags = sorted({tag for _, sentence_tags in sentences for tag in sentence_tags})
        return cls(words, characters, [RESERVED_TOKENS[PAD_ID]] + tags, max_characters)

    @property
    def num_classes(self):
        """Output size of the tagger: every tag plus the padding id 0."""
        return len(self.tag_names)

    def encode(self, tokens, max_characters=None):
        """Packed ``(time, 2 + max_characters)`` int32 array: word id, casing id, character ids."""
        max_characters = max_characters or self.max_characters
        packed = np.zeros((len(tokens), 2 + max_characters), dtype="int32")
        for position, token in enumerate(tokens):
            packed[position, 0] = self.words.token_to_id.get(normalize_word(token), UNK_ID)
            packed[position, 1] = CASINGS.index(casing(token))
            characters = [self.characters.token_to_id.get(character, UNK_ID) for character in token[:max_characters]]
            packed[position, 2:2 + len(characters)] = characters
        return packed

    def encode_tags(self, tags):
        """Tag ids of one sentence; an unknown tag is an error naming it."""
        unknown = sorted(set(tags) - set(self.tag_to_id))
        if unknown:
            raise ValueError(f"tags {unknown} were not in the training data; known: {', '.join(self.tag_names[1:])}.")
        return np.array([self.tag_to_id[tag] for tag in tags], dtype="int32")

    def dataset(self, sentences, batch_size, *, shuffle=True, seed=0):
        """A bucketed ``tf.data`` dataset of ``(packed inputs, tag ids)`` batches (see ``make_dataset``)."""
        return make_dataset([self.encode(tokens) for tokens, _ in sentences],
                            [self.encode_tags(tags) for _, tags in sentences],
                            batch_size, shuffle=shuffle, seed=seed)

    def unknown_rate(self, sentences):
        """Fraction of tokens whose word is not in the word vocabulary.

        >>> encoder = TokenEncoder.build([(["a", "a", "b"], ["O", "O", "O"])])
        >>> encoder.unknown_rate([(["a", "b", "c", "A"], ["O"] * 4)])
        0.5
        """
        ids = [self.words.token_to_id.get(normalize_word(token), UNK_ID) for tokens, _ in sentences for token in tokens]
        return float(np.mean(np.array(ids) == UNK_ID))


@keras.saving.register_keras_serializable(package="seqlab")
class CharacterFeatures(keras.layers.Layer):
    """A feature vector per word from its characters: ``(batch, words, chars)`` -> ``(batch, words, size)``.

    The words of the batch are folded into one axis, ``(batch * words, chars)``, with sizes
    read at run time (``keras.ops.shape``): ``TimeDistributed(Conv1D)`` over a word axis that
    changes from batch to batch fails in Keras 3 (GUIDE section 6). The output is masked where
    a word has no character (padding): ``Concatenate`` keeps a step when *any* input's mask
    keeps it, so every feature joined to the masked word embedding must carry the same mask.

    Args:
        vocab_size: character vocabulary size (id 0 = padding).
        encoder: ``"cnn"``: a ``Conv1D`` of ``filters`` width-``kernel_size`` filters,
            max-pooled over the real characters; ``"lstm"``: a bidirectional LSTM of ``units``
            per direction, its two final states concatenated.
        embedding_dim: character embedding size.
        filters, kernel_size: CNN size.
        units: BiLSTM size per direction.

    >>> layer = CharacterFeatures(vocab_size=10, encoder="cnn", embedding_dim=4, filters=6)
    >>> layer(np.array([[[3, 4, 0], [5, 0, 0]]])).shape
    TensorShape([1, 2, 6])
    >>> CharacterFeatures(vocab_size=10, encoder="lstm", units=3)(np.ones((2, 5, 4), "int32")).shape
    TensorShape([2, 5, 6])
    """

    def __init__(self, vocab_size, encoder="cnn", embedding_dim=25, filters=50, kernel_size=3, units=25,
                 **keywords):
        super().__init__(**keywords)
        if encoder not in ("cnn", "lstm"):
            raise ValueError(f"encoder={encoder!r} is not allowed; allowed: cnn, lstm.")
        self.vocab_size, self.encoder, self.embedding_dim = vocab_size, encoder, embedding_dim
        self.filters, self.kernel_size, self.units = filters, kernel_size, units
        self.embedding = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")
        if encoder == "cnn":
            self.network = keras.layers.Conv1D(filters, kernel_size, padding="same", activation="tanh", name="conv")
            self.pooling = MaskedGlobalMaxPooling1D(name="pooling")
        else:
            self.network = keras.layers.Bidirectional(keras.layers.LSTM(units), name="lstm")

    @property
    def output_size(self):
        return self.filters if self.encoder == "cnn" else 2 * self.units

    def build(self, input_shape):
        self.embedding.build((None, input_shape[-1]))
        self.network.build((None, input_shape[-1], self.embedding_dim))

    def call(self, characters):
        shape = keras.ops.shape(characters)
        folded = keras.ops.reshape(characters, (-1, shape[-1]))
        present = keras.ops.not_equal(folded, PAD_ID)
        word_present = keras.ops.any(present, axis=1, keepdims=True)
        embedded = self.embedding(folded)
        if self.encoder == "cnn":
            features = self.pooling(self.network(embedded), mask=present)
        else:
            # Give a padding word one character so that no row is fully masked.
            present = keras.ops.logical_or(present, keras.ops.arange(shape[-1])[None, :] == 0)
            features = self.network(embedded, mask=present)
        # A padding word's features are 0: never the pooling's float minimum, whose infinities
        # would turn into NaN gradients at the masked steps downstream.
        features = keras.ops.where(word_present, features, keras.ops.zeros_like(features))
        return keras.ops.reshape(features, (shape[0], shape[1], self.output_size))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:2], self.output_size)

    def compute_mask(self, inputs, mask=None):
        return keras.ops.any(keras.ops.not_equal(inputs, PAD_ID), axis=-1)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "encoder": self.encoder,
                "embedding_dim": self.embedding_dim, "filters": self.filters, "kernel_size": self.kernel_size,
                "units": self.units}


@keras.saving.register_keras_serializable(package="seqlab")
class PackedColumns(keras.layers.Layer):
    """Column ``column`` of a packed input's last axis, or (``to_end=True``) every column from it on.

    >>> packed = np.arange(8).reshape(1, 2, 4)
    >>> PackedColumns(1)(packed).numpy().tolist(), PackedColumns(2, to_end=True)(packed).numpy().tolist()
    ([[1, 5]], [[[2, 3], [6, 7]]])
    """

    def __init__(self, column, to_end=False, **keywords):
        super().__init__(**keywords)
        self.column, self.to_end = column, to_end

    def call(self, packed):
        return packed[..., self.column:] if self.to_end else packed[..., self.column]

    def compute_output_shape(self, input_shape):
        if self.to_end:
            return (*input_shape[:-1], input_shape[-1] - self.column)
        return tuple(input_shape[:-1])

    def get_config(self):
        return {**super().get_config(), "column": self.column, "to_end": self.to_end}


def build_tagger(*, vocab_size, num_classes, character_vocab_size=None, max_characters=20, cell="lstm", units=100,
                 depth=1, bidirectional=True, dropout=0.5, embedding_dim=100, word_dropout=0.1,
                 characters="cnn", character_embedding_dim=25, character_filters=50, character_units=25,
                 casing_dim=8, embedding_matrix=None, freeze_embeddings=False, crf=False, name="ner_tagger"):
    """A BiLSTM-style tagger over packed ``(batch, time, 2 + max_characters)`` token arrays.

    Word ids -> :class:`WordDropout` -> ``Embedding`` (masked at id 0), concatenated with a
    casing embedding and :class:`CharacterFeatures`, then the recurrent stack and output head
    that ``seqlab.build("many_to_many", ...)`` uses (``cell``, ``units``, ``depth``,
    ``bidirectional``, ``dropout`` on the inputs of every recurrent layer and before the output).

    Args:
        vocab_size: word vocabulary size.
        num_classes: tags plus the padding id 0 (``TokenEncoder.num_classes``).
        character_vocab_size: character vocabulary size (needed unless ``characters="none"``).
        max_characters: character columns of the packed input.
        cell, units, depth, bidirectional, dropout: as for every seqlab builder.
        embedding_dim: word embedding size (the file's size when ``embedding_matrix`` is given).
        word_dropout: probability of replacing a word by the unknown id during training.
        characters: ``"cnn"``, ``"lstm"`` or ``"none"``.
        character_embedding_dim, character_filters, character_units: character encoder sizes.
        casing_dim: casing embedding size (0: no casing feature).
        crf: a linear-chain CRF output (:class:`seqlab.crf.CRF`): the model then outputs
            emissions (linear scores), trained with :func:`tagger_loss` and decoded by Viterbi.
        embedding_matrix: optional initial word vectors ``(vocab_size, dim)``
            (:func:`pretrained_embeddings`), fine-tuned in training unless ``freeze_embeddings``.
        freeze_embeddings: keep the pretrained word vectors fixed (needs ``embedding_matrix``).

    Returns:
        An uncompiled ``keras.Model`` -> ``(batch, time, num_classes)`` probabilities, masked
        where the word id is 0 (with ``crf``: emissions, unmasked; the loss skips padding).

    >>> model = build_tagger(vocab_size=30, num_classes=5, character_vocab_size=12, max_characters=6, units=8,
    ...                      embedding_dim=10, characters="lstm", character_units=3)
    >>> model.input_shape, model.output_shape
    ((None, None, 8), (None, None, 5))
    >>> build_tagger(vocab_size=30, num_classes=5, characters="bilstm")
    Traceback (most recent call last):
    ...
    ValueError: characters='bilstm' is not allowed; allowed: cnn, lstm, none.
    """
    if characters not in CHARACTER_ENCODERS:
        raise ValueError(f"characters={characters!r} is not allowed; allowed: {', '.join(CHARACTER_ENCODERS)}.")
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


def baseline_scores(splits):
    """The memorisation baseline (:func:`seqlab.baselines.ner_memorisation`) on a NER dataset's own split.

    Args:
        splits: ``{"train", "valid", "test"}`` lists of ``(tokens, tags)`` sentences.

    Returns:
        The row fields ``memorisation_test_f1`` and ``memorisation_valid_f1``.

    >>> train = [(["Peter", "visits", "Paris"], ["B-PER", "O", "B-LOC"])]
    >>> baseline_scores({"train": train, "valid": train, "test": [(["Paris", "visits", "Bonn"], ["B-LOC", "O", "B-LOC"])]})
    {'memorisation_test_f1': 0.6666666666666666, 'memorisation_valid_f1': 1.0}
    """
    from seqlab.baselines import ner_memorisation

    scores = ner_memorisation(splits["train"], splits["test"], valid=splits["valid"])
    return {"memorisation_test_f1": scores["test_f1"], "memorisation_valid_f1": scores["valid_f1"]}


def _allowed_transitions(tag_names):
    """Boolean ``(classes, classes)``: may tag ``j`` follow tag ``i`` in BIO? Plus allowed first tags."""
    parsed = [None if index == PAD_ID else split_tag(name) for index, name in enumerate(tag_names)]

    def may_start(tag):
        return tag is not None and tag[0] != "I"

    allowed = np.zeros((len(tag_names), len(tag_names)), dtype=bool)
    for previous, previous_tag in enumerate(parsed):
        for current, current_tag in enumerate(parsed):
            if previous_tag is None or current_tag is None:
                continue
            allowed[previous, current] = may_start(current_tag) or previous_tag[1] == current_tag[1]
    start = np.array([may_start(tag) for tag in parsed])
    return allowed, start


def constrained_decode(probabilities, tag_names):
    """The most probable BIO-valid tag sequence (Viterbi: ``I-X`` only after ``B-X`` or ``I-X``).

    Args:
        probabilities: ``(time, classes)`` per-token probabilities of one sentence (no padding).
        tag_names: id -> tag (id 0 = padding, never chosen).

    Returns:
        A list of tag strings.

    >>> names = ["<pad>", "B-PER", "I-PER", "O"]
    >>> constrained_decode(np.array([[0, .1, .1, .8], [0, .1, .6, .3], [0, .1, .5, .4]]), names)
    ['O', 'O', 'O']
    >>> constrained_decode(np.array([[0, .4, .1, .5], [0, .1, .8, .1]]), names)
    ['B-PER', 'I-PER']
    """
    allowed, start = _allowed_transitions(tag_names)
    scores = np.log(np.clip(probabilities, 1e-12, 1.0))
    path = viterbi(scores, np.where(allowed, 0.0, -np.inf), np.where(start, 0.0, -np.inf))
    return [tag_names[index] for index in path]


def tagger_loss(model):
    """The training loss of a tagger from :func:`build_tagger`: the CRF's negative log-likelihood
    when it has a ``crf`` layer, else cross-entropy per token (padding masked by Keras)."""
    crf_layers = [layer for layer in model.layers if isinstance(layer, CRF)]
    return CRFLoss(crf_layers[0]) if crf_layers else "sparse_categorical_crossentropy"


def predict_tags(model, encoder, token_lists, *, batch_size=256, constrained=True):
    """Predicted tags for many sentences (batched by length; padding never decoded).

    Args:
        model: a tagger from :func:`build_tagger`.
        encoder: the :class:`TokenEncoder` it was trained with.
        token_lists: list of token lists.
        batch_size: sentences per prediction batch.
        constrained: BIO-constrained Viterbi decoding (:func:`constrained_decode`) instead of
            the arg-max per token; with a CRF output, Viterbi over the CRF's scores, with or
            without the BIO constraints.

    Returns:
        A list of tag lists, one per sentence, in the input order.
    """
    crf_layers = [layer for layer in model.layers if isinstance(layer, CRF)]
    allowed = _allowed_transitions(encoder.tag_names) if constrained else None
    lengths = np.array([len(tokens) for tokens in token_lists])
    predictions = [None] * len(token_lists)
    for batch in bucket_batches(lengths, batch_size, shuffle=False, pool_batches=None):
        packed = pad_sequences([encoder.encode(token_lists[index]) for index in batch])
        probabilities = np.asarray(model.predict_on_batch(packed))
        for row, index in enumerate(batch):
            sentence = probabilities[row, :lengths[index]]
            if crf_layers:
                path = crf_layers[0].decode(sentence, allowed=allowed)
                predictions[index] = [encoder.tag_names[tag_id] for tag_id in path]
            elif constrained:
                predictions[index] = constrained_decode(sentence, encoder.tag_names)
            else:
                predictions[index] = [encoder.tag_names[tag_id] for tag_id in sentence[:, 1:].argmax(axis=1) + 1]
    return predictions


def evaluate(model, encoder, sentences, **keywords):
    """:func:`seqlab.metrics.spans.entity_scores` of the model's predictions on ``(tokens, tags)`` sentences."""
    predicted = predict_tags(model, encoder, [tokens for tokens, _ in sentences], **keywords)
    return entity_scores([tags for _, tags in sentences], predicted)


class SpanF1Callback(keras.callbacks.Callback):
    """Adds ``valid_f1`` (entity-level, exact match) to the logs after every epoch.

    Place it before ``EarlyStopping(monitor="valid_f1", mode="max", restore_best_weights=True)``
    to select the epoch by entity F1. ``epoch_seconds`` holds the training time of each epoch
    (without this evaluation).
    """

    def __init__(self, encoder, sentences, **keywords):
        super().__init__()
        self.encoder, self.sentences, self.keywords = encoder, sentences, keywords
        self.epoch_seconds, self.history = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(time.perf_counter() - self._started)
        f1 = evaluate(self.model, self.encoder, self.sentences, **self.keywords)["f1"]
        self.history.append(f1)
        if logs is not None:
            logs["valid_f1"] = f1


def entities(tokens, tags):
    """``(text, type)`` of every entity in a tagged sentence.

    >>> entities(["Harry", "Potter", "and", "Hermione"], ["B-PER", "I-PER", "O", "B-PER"])
    [('Harry Potter', 'PER'), ('Hermione', 'PER')]
    """
    return [(" ".join(tokens[start:end]), entity_type) for entity_type, start, end in spans(tags)]


def tag(text, model, encoder, *, show=True):
    """Tag a text (split into words and punctuation) and print its entities.

    Returns:
        The list of ``(text, type)`` entities.
    """
    tokens = text if isinstance(text, list) else tokenize_words(text)
    found = entities(tokens, predict_tags(model, encoder, [tokens])[0])
    if show:
        print(" ".join(tokens))
        for entity_text, entity_type in found:
            print(f"  {entity_type:>12}  {entity_text}")
        if not found:
            print("  (no entity)")
    return found


def error_table(sentences, predicted, *, top=15):
    """The most frequent entity errors, by kind, as a ``pandas.DataFrame``.

    Args:
        sentences: ``(tokens, tags)`` with the true tags.
        predicted: predicted tag lists, one per sentence.
        top: rows to keep (most frequent first).

    Returns:
        Columns ``kind, true, predicted, count``; ``true`` / ``predicted`` read
        ``"text [TYPE]"`` (empty for a missed / spurious entity).

    >>> table = error_table([(["Paris", "Hilton", "won"], ["B-PER", "I-PER", "O"])],
    ...                     [["B-LOC", "O", "O"]])
    >>> table.to_dict("records")
    [{'kind': 'wrong type and boundary', 'true': 'Paris Hilton [PER]', 'predicted': 'Paris [LOC]', 'count': 1}]
    """
    import pandas

    def describe(tokens, entity):
        return "" if entity is None else f"{' '.join(tokens[entity[1]:entity[2]])} [{entity[0]}]"

    counts = Counter()
    for (tokens, true_tags), predicted_tags in zip(sentences, predicted):
        for kind, true_entity, predicted_entity in classify_errors(true_tags, predicted_tags):
            counts[kind, describe(tokens, true_entity), describe(tokens, predicted_entity)] += 1
    rows = [{"kind": kind, "true": true, "predicted": guess, "count": count}
            for (kind, true, guess), count in counts.most_common(top)]
    return pandas.DataFrame(rows, columns=["kind", "true", "predicted", "count"])


def error_counts(sentences, predicted):
    """How many errors of each kind (``seqlab.metrics.spans.ERROR_KINDS``), as a dict."""
    counts = Counter(kind for (_, true_tags), predicted_tags in zip(sentences, predicted)
                     for kind, _, _ in classify_errors(true_tags, predicted_tags))
    return {kind: counts[kind] for kind in ERROR_KINDS}
