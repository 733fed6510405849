"""Helpers for sentence classification: encoding, class weights, predictions.

Word dropout lives in :mod:`seqlab.layers`, GloVe files in :mod:`seqlab.data.embeddings`.

The sentiment notebook (``notebooks/sentiment.py``) reads like this::

    dataset = seqlab.data.load("sst2")                       # {"train": [{"text", "label"}], ...}
    vocabulary = build_vocabulary(dataset["train"], min_frequency=2)
    inputs = encode_texts([e["text"] for e in dataset["train"]], vocabulary)
    model = seqlab.build("many_to_one", vocab_size=len(vocabulary), num_classes=2, summary="max")
    trainable = seqlab.layers.with_word_dropout(model, rate=0.1)  # training view; `model` predicts

Everything here is framework-light and tested without training.

>>> from seqlab.data.vocab import Vocabulary
>>> vocabulary = build_vocabulary([{"text": "good film"}, {"text": "bad film"}], min_frequency=2)
>>> vocabulary.tokens[4:]
['film']
>>> encode_texts(["A good film!", ""], vocabulary)
[[1, 1, 4, 1], [1]]
"""

import numpy as np

from seqlab.data.sentiment import tokenize
from seqlab.data.vocab import UNK_ID, Vocabulary


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
