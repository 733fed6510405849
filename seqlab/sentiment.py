"""Helpers for sentence classification: encoding, class weights, word dropout, GloVe, predictions.

The sentiment notebook (``notebooks/sentiment.py``) reads like this::

    dataset = seqlab.data.load("sst2")                       # {"train": [{"text", "label"}], ...}
    vocabulary = build_vocabulary(dataset["train"], min_frequency=2)
    inputs = encode_texts([e["text"] for e in dataset["train"]], vocabulary)
    model = seqlab.build("many_to_one", vocab_size=len(vocabulary), num_classes=2, summary="max")
    trainable = with_word_dropout(model, rate=0.1)            # training view; `model` predicts

Everything here is framework-light and tested without training.

>>> from seqlab.data.vocab import Vocabulary
>>> vocabulary = build_vocabulary([{"text": "good film"}, {"text": "bad film"}], min_frequency=2)
>>> vocabulary.tokens[4:]
['film']
>>> encode_texts(["A good film!", ""], vocabulary)
[[1, 1, 4, 1], [1]]
"""

import pathlib

import keras
import numpy as np

from seqlab.data.sentiment import tokenize
from seqlab.data.sources import DataFormatError, DataNotFoundError
from seqlab.data.vocab import PAD_ID, UNK_ID, Vocabulary


def build_vocabulary(examples, *, min_frequency=2, max_size=None):
    """Word vocabulary of the training examples (tokens of :func:`seqlab.data.sentiment.tokenize`).

    Args:
        examples: ``{"text": ...}`` dicts (a split of a sentiment dataset) or plain strings.
        min_frequency: keep words seen at least this often; with 2, words seen once map to
            ``<unk>``, so the unknown vector is trained on the rare words of the training set
            and is ready for the unseen words of the test set.
        max_size: at most this many ids in all (reserved ids included); ``None`` = no limit.
    """
    texts = [example if isinstance(example, str) else example["text"] for example in examples]
    return Vocabulary.build([tokenize(text) for text in texts], level="word", min_frequency=min_frequency,
                            max_size=max_size)


def encode_texts(texts, vocabulary, *, max_length=None):
    """Token ids of each text; an empty text becomes ``[UNK_ID]`` (an empty row breaks masking).

    Args:
        texts: strings.
        vocabulary: a word :class:`~seqlab.data.vocab.Vocabulary` from :func:`build_vocabulary`.
        max_length: keep only the first ``max_length`` tokens (``None`` = all).

    >>> encode_texts(["x y z"], Vocabulary(["x", "y", "z"]), max_length=2)
    [[4, 5]]
    """
    if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
        raise ValueError(f"max_length={max_length!r} must be None or a positive integer.")
    encoded = []
    for text in texts:
        ids = vocabulary.encode(tokenize(text))[:max_length] or [UNK_ID]
        encoded.append(ids)
    return encoded


def class_weights(labels, num_classes):
    """Per-class loss weights ``total / (num_classes * count)`` (scikit-learn's "balanced").

    Each class then contributes the same total weight to the loss, so a rare class is not
    ignored. A class absent from ``labels`` gets weight 1.

    Args:
        labels: integer class ids of the training examples.
        num_classes: number of classes.

    Returns:
        ``{class_id: weight}``, the form ``keras.Model.fit(class_weight=...)`` takes.

    >>> class_weights([0, 0, 0, 1], num_classes=2)
    {0: 0.6666666666666666, 1: 2.0}
    >>> class_weights([0, 2], num_classes=2)
    Traceback (most recent call last):
    ...
    ValueError: labels must be class ids in range(num_classes=2); received ids 0..2.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"labels must be a non-empty 1-D sequence of class ids; received shape {labels.shape}.")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"labels must be class ids in range(num_classes={num_classes}); received ids {labels.min()}..{labels.max()}."
        )
    counts = np.bincount(labels, minlength=num_classes)
    return {
        index: float(len(labels) / (num_classes * count)) if count else 1.0 for index, count in enumerate(counts)
    }


@keras.saving.register_keras_serializable(package="seqlab")
class WordDropout(keras.layers.Layer):
    """In training only, replace each token id by ``unknown_id`` with probability ``rate``.

    Padding (id 0) is kept, so masks do not change. It teaches the model to use the unknown
    vector, as test sentences hold words the training set never had.

    >>> layer = WordDropout(0.5, seed=1)
    >>> ids = np.array([[5, 6, 7, 8, 0, 0]])
    >>> layer(ids, training=False).numpy().tolist()
    [[5, 6, 7, 8, 0, 0]]
    >>> dropped = layer(ids, training=True).numpy()
    >>> set(dropped[0, :4].tolist()) <= {5, 6, 7, 8, 1}, dropped[0, 4:].tolist()
    (True, [0, 0])
    >>> WordDropout(1.5)
    Traceback (most recent call last):
    ...
    ValueError: rate=1.5 must be in [0, 1).
    """

    def __init__(self, rate, *, unknown_id=UNK_ID, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"rate={rate!r} must be in [0, 1).")
        self.rate, self.unknown_id, self.seed = rate, unknown_id, seed
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, ids, training=False):
        if not training or self.rate == 0.0:
            return ids
        drop = keras.random.uniform(keras.ops.shape(ids), seed=self.generator) < self.rate
        drop = keras.ops.logical_and(drop, keras.ops.not_equal(ids, PAD_ID))
        return keras.ops.where(drop, keras.ops.cast(self.unknown_id, ids.dtype), ids)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "unknown_id": self.unknown_id, "seed": self.seed}


def with_word_dropout(model, rate, *, seed=None):
    """A training view of a token-id ``model``: word dropout (see :class:`WordDropout`), then ``model``.

    The view shares every weight with ``model``; train the view, predict with either (word
    dropout is off outside training). With ``rate == 0`` the model itself is returned.
    """
    if rate == 0.0:
        return model
    inputs = keras.Input(model.input_shape[1:], dtype=model.inputs[0].dtype, name="token_ids")
    return keras.Model(inputs, model(WordDropout(rate, seed=seed, name="word_dropout")(inputs)),
                       name=f"{model.name}_training")


def load_glove(path, vocabulary, dim, *, seed=0, encoding="utf-8"):
    """An embedding matrix for ``vocabulary`` from a GloVe-format text file (``word v1 v2 ... v_dim``).

    Words missing from the file get small random vectors (normal, the file's standard
    deviation), padding gets zeros. Works for any word vocabulary (sentiment, NER) and any
    file in this format (GloVe, fastText ``.vec`` after its header line, word2vec text).

    Args:
        path: the text file.
        vocabulary: a :class:`~seqlab.data.vocab.Vocabulary`; lookups try the token, then
            its lower-case form.
        dim: the vector size; lines of another size raise :class:`DataFormatError`.
        seed: seed of the random vectors.
        encoding: the file's encoding.

    Returns:
        ``(matrix, found)``: ``float32`` array ``(len(vocabulary), dim)`` to pass to
        ``model.get_layer("inputs_embedding").set_weights([matrix])``, and how many
        vocabulary tokens the file had.

    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "tiny.txt"
    >>> _ = file.write_text("film 1 2\\ngood 3 4\\n")
    >>> matrix, found = load_glove(file, Vocabulary(["film", "plot"]), dim=2)
    >>> matrix.shape, found, matrix[4].tolist(), matrix[0].tolist()
    ((6, 2), 1, [1.0, 2.0], [0.0, 0.0])
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"{path}: no such embedding file")
    if not isinstance(dim, int) or dim < 1:
        raise ValueError(f"dim={dim!r} must be a positive integer.")
    wanted = {}
    for token, index in vocabulary.token_to_id.items():
        if index != PAD_ID:
            wanted.setdefault(token, []).append(index)
            if token.lower() != token:
                wanted.setdefault(token.lower(), []).append(index)
    vectors = {}
    with open(path, encoding=encoding, errors="strict") as handle:
        for number, line in enumerate(handle, start=1):
            word, _, rest = line.rstrip("\n").partition(" ")
            if number == 1 and len(rest.split()) == 1 and word.isdigit():
                continue  # fastText / word2vec header: "count dim"
            if word not in wanted:
                continue
            values = rest.split()
            if len(values) != dim:
                raise DataFormatError(f"expected {dim} numbers after the word, found {len(values)}",
                                      path=path, line=number)
            try:
                vectors[word] = np.asarray(values, dtype="float32")
            except ValueError:
                raise DataFormatError(f"a value after {word!r} is not a number", path=path, line=number) from None
    scale = float(np.std(np.stack(list(vectors.values())))) if vectors else 0.1
    matrix = np.random.default_rng(seed).normal(0.0, scale or 0.1, (len(vocabulary), dim)).astype("float32")
    matrix[PAD_ID] = 0.0
    found = set()
    for word in sorted(vectors, key=lambda word: word != word.lower()):  # exact-case rows win over lower-case ones
        for index in wanted[word]:
            matrix[index] = vectors[word]
            found.add(index)
    return matrix, len(found)


def predict(model, vocabulary, class_names, texts, *, batch_size=256):
    """Classify new texts: a ``pandas.DataFrame`` with the text, the predicted class and its probability.

    The texts go through the same tokenizer and vocabulary as the training data; each
    batch is padded to its longest text only.
    """
    import pandas as pd

    probabilities = predict_probabilities(model, encode_texts(texts, vocabulary), batch_size=batch_size)
    return pd.DataFrame({"text": list(texts), "predicted": [class_names[i] for i in probabilities.argmax(-1)],
                         "probability": probabilities.max(-1)})


def predict_probabilities(model, encoded, *, batch_size=256):
    """Class probabilities ``(len(encoded), num_classes)`` for id lists, in their order.

    Examples are sorted by length and batched, so little time goes into padding.
    """
    from seqlab.data.batching import pad_sequences

    order = np.argsort([len(ids) for ids in encoded], kind="stable")
    outputs = []
    for start in range(0, len(order), batch_size):
        batch = pad_sequences([encoded[index] for index in order[start:start + batch_size]])
        outputs.append(np.asarray(model(batch, training=False)))
    probabilities = np.empty((len(encoded), outputs[0].shape[-1]), dtype="float32")
    probabilities[order] = np.concatenate(outputs)
    return probabilities


def most_confident_mistakes(texts, truth, probabilities, class_names, *, count=5):
    """The wrong predictions the model was surest of, as a ``pandas.DataFrame``.

    Args:
        texts: the examples' texts.
        truth: true class ids.
        probabilities: ``(examples, num_classes)`` predicted probabilities.
        class_names: names of the class ids.
        count: rows to return.

    >>> table = most_confident_mistakes(["fine", "awful", "great"], [1, 0, 1],
    ...                                 np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]]), ["neg", "pos"])
    >>> table[["text", "truth", "predicted"]].values.tolist()
    [['fine', 'pos', 'neg']]
    """
    import pandas as pd

    probabilities = np.asarray(probabilities)
    truth = np.asarray(truth)
    predicted = probabilities.argmax(-1)
    wrong = np.flatnonzero(predicted != truth)
    wrong = wrong[np.argsort(-probabilities[wrong, predicted[wrong]], kind="stable")][:count]
    return pd.DataFrame({
        "text": [texts[index] for index in wrong],
        "truth": [class_names[truth[index]] for index in wrong],
        "predicted": [class_names[predicted[index]] for index in wrong],
        "probability": probabilities[wrong, predicted[wrong]],
    })
