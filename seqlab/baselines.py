"""Classic baselines, measured on the same splits as the recurrent models.

Every baseline is a function ``baseline(train, test, *, valid=None, ...)`` that fits on
``train`` and returns a dict of scores named like the notebooks' rows, so a baseline row and a
model row sit in one table:

- sentiment (examples ``{"text", "label"}`` as :mod:`seqlab.data.sentiment` loads them):
  :func:`majority_class`, :func:`nbsvm` (Wang & Manning 2012) and
  :func:`ngram_logistic_regression` return ``test_accuracy``, ``test_macro_f1`` and, when
  ``valid`` is given, ``valid_accuracy``; the fitted ones add ``train_seconds``;
- NER (sentences ``(tokens, tags)`` as :mod:`seqlab.data.ner` loads them):
  :func:`ner_memorisation` returns ``test_f1``, ``test_precision``, ``test_recall`` and, with
  ``valid``, ``valid_f1`` / ``valid_precision`` / ``valid_recall`` (exact-match entity scores,
  :func:`seqlab.metrics.spans.entity_scores`).

Scores are fractions in [0, 1], as in the notebooks. For the literature's MR protocol (10-fold
cross-validation) train on the nine other folds, ``train + valid`` of ``load("mr", fold=k)``,
and average ``test_accuracy`` over the ten folds.

>>> train = [{"text": "a fine film", "label": "positive"}, {"text": "a dull film", "label": "negative"},
...          {"text": "fine acting", "label": "positive"}]
>>> majority_class(train, [{"text": "dull", "label": "negative"}])
{'test_accuracy': 0.0, 'test_macro_f1': 0.0}
"""

import collections
import time

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from seqlab.data.tags import OUTSIDE
from seqlab.metrics import classification
from seqlab.metrics.spans import entity_scores


# --------------------------------------------------------------------------- shared helpers


def _labels(examples, argument):
    """Labels of ``examples``: dicts with a ``"label"`` key, or the labels themselves."""
    examples = list(examples)
    if not examples:
        raise ValueError(f"{argument} is empty; a baseline needs at least one example.")
    return [example["label"] if isinstance(example, dict) else example for example in examples]


def _texts(examples, argument):
    examples = list(examples)
    if not examples:
        raise ValueError(f"{argument} is empty; a baseline needs at least one example.")
    if not all(isinstance(example, dict) and "text" in example and "label" in example for example in examples):
        raise ValueError(f"{argument} must be a list of {{'text': str, 'label': ...}} examples "
                         "(a split of a seqlab.data.sentiment dataset).")
    return [example["text"] for example in examples], [example["label"] for example in examples]


def _classification_scores(splits, predict):
    """``test_accuracy``, ``test_macro_f1`` (over every class of every split) and ``valid_accuracy``.

    ``splits`` maps ``"train"``, ``"test"`` and optionally ``"valid"`` to ``(inputs, labels)``;
    ``predict(inputs)`` gives the predicted labels.
    """
    classes = sorted({label for _, labels in splits.values() for label in labels}, key=str)
    inputs, labels = splits["test"]
    predicted = predict(inputs)
    scores = {"test_accuracy": classification.accuracy(labels, predicted),
              "test_macro_f1": classification.macro_f1(labels, predicted, labels=classes)}
    if "valid" in splits:
        inputs, labels = splits["valid"]
        scores["valid_accuracy"] = classification.accuracy(labels, predict(inputs))
    return scores


def _text_splits(train, test, valid):
    splits = {"train": _texts(train, "train"), "test": _texts(test, "test")}
    if valid is not None:
        splits["valid"] = _texts(valid, "valid")
    return splits


def _tokenizer(tokenizer):
    if tokenizer is None:
        from seqlab.data.sentiment import tokenize

        return tokenize
    if not callable(tokenizer):
        raise ValueError(f"tokenizer={tokenizer!r} must be None (seqlab.data.sentiment.tokenize) or a callable.")
    return tokenizer


def _check_ngram_range(ngram_range):
    if (not isinstance(ngram_range, (tuple, list)) or len(ngram_range) != 2
            or not all(isinstance(n, int) for n in ngram_range) or not 1 <= ngram_range[0] <= ngram_range[1]):
        raise ValueError(f"ngram_range={ngram_range!r} must be a pair (low, high) of integers with 1 <= low <= high.")
    return tuple(ngram_range)


# --------------------------------------------------------------------------- majority class


def majority_class(train, test, *, valid=None):
    """Predict the most frequent training label everywhere (ties: the first label in sorted order).

    Args:
        train, test, valid: sentiment examples (``{"text", "label"}``) or plain labels.

    Returns:
        ``{"test_accuracy", "test_macro_f1"[, "valid_accuracy"]}``.

    >>> majority_class(["pos", "neg", "pos"], ["pos", "neg"], valid=["neg"])
    {'test_accuracy': 0.5, 'test_macro_f1': 0.3333333333333333, 'valid_accuracy': 0.0}
    """
    splits = {"train": _labels(train, "train"), "test": _labels(test, "test")}
    if valid is not None:
        splits["valid"] = _labels(valid, "valid")
    counts = collections.Counter(splits["train"])
    majority = min(counts, key=lambda label: (-counts[label], str(label)))
    return _classification_scores({name: (labels, labels) for name, labels in splits.items()},
                                  lambda labels: [majority] * len(labels))


# --------------------------------------------------------------------------- NBSVM


def log_count_ratio(features, positive, *, alpha=1.0):
    """Naive-Bayes log-count ratio ``r = log((p / |p|_1) / (q / |q|_1))`` (Wang & Manning 2012).

    Args:
        features: ``(examples, features)`` matrix (dense or sparse), binarised counts in NBSVM.
        positive: boolean mask of the positive examples.
        alpha: additive smoothing: ``p = alpha + sum of the positive rows``, ``q = alpha +
            sum of the other rows``.

    Returns:
        ``float64`` array ``(features,)``; positive values mark features of the positive class.

    >>> log_count_ratio(np.array([[1, 0], [1, 1], [0, 1]]), np.array([True, True, False])).round(4).tolist()
    [0.5878, -0.5108]
    """
    positive = np.asarray(positive, dtype=bool)
    if alpha <= 0:
        raise ValueError(f"alpha={alpha!r} must be > 0 (the smoothing keeps every log finite).")
    if positive.shape != (features.shape[0],):
        raise ValueError(f"positive has shape {positive.shape}; one flag per row of features "
                         f"({features.shape[0]}) is required.")
    p = alpha + np.asarray(features[positive].sum(axis=0), dtype="float64").ravel()
    q = alpha + np.asarray(features[~positive].sum(axis=0), dtype="float64").ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


class NBSVMClassifier:
    """NBSVM (Wang & Manning 2012): a linear SVM over naive-Bayes-scaled features, interpolated.

    For each class (one classifier for two classes, one-vs-rest for more): the log-count ratio
    ``r`` of the class against the rest (:func:`log_count_ratio`), a
    :class:`sklearn.svm.LinearSVC` (L2-regularised squared hinge, as the paper's liblinear) on
    the scaled features ``x * r``, and the paper's interpolation between that SVM's weights
    ``w`` and naive Bayes, ``w' = (1 - beta) * mean(|w|) + beta * w``; the SVM's bias is kept.
    The score of a class is ``(x * r) . w' + b``; the prediction is the class with the highest.

    Args:
        C: the SVM's inverse regularisation strength (the paper: 1; chosen on dev, SST-2 here: 0.1).
        beta: interpolation weight of the SVM (the paper: 0.25; 1 is the plain SVM over NB features).
        alpha: smoothing of the log-count ratios (the paper: 1).

    Attributes (after :meth:`fit`):
        classes_: the sorted class labels.
        ratios_: ``(classifiers, features)`` log-count ratios (one row when there are two classes,
            for ``classes_[1]`` against ``classes_[0]``).
        svm_coef_: the SVM weights ``w``, same shape.
        coef_: the interpolated weights ``w'`` (they act on the scaled features).
        intercept_: ``(classifiers,)`` SVM biases.
    """

    def __init__(self, *, C=1.0, beta=0.25, alpha=1.0):
        if not C > 0:
            raise ValueError(f"C={C!r} must be > 0.")
        if not 0.0 <= beta <= 1.0:
            raise ValueError(f"beta={beta!r} must be in [0, 1].")
        if not alpha > 0:
            raise ValueError(f"alpha={alpha!r} must be > 0.")
        self.C, self.beta, self.alpha = C, beta, alpha

    def fit(self, features, labels):
        """Fit on binary features ``(examples, features)`` and their labels (two classes or more)."""
        features = sparse.csr_matrix(features, dtype="float64")
        labels = np.asarray(labels)
        self.classes_ = np.unique(labels)
        if len(self.classes_) < 2:
            raise ValueError(f"labels hold one class ({self.classes_.tolist()}); NBSVM needs at least two.")
        targets = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        ratios, svm_weights, biases = [], [], []
        for target in targets:
            positive = labels == target
            ratio = log_count_ratio(features, positive, alpha=self.alpha)
            svm = LinearSVC(C=self.C, max_iter=10_000).fit(features.multiply(ratio).tocsr(), positive)
            ratios.append(ratio)
            svm_weights.append(svm.coef_[0])
            biases.append(svm.intercept_[0])
        self.ratios_ = np.array(ratios)
        self.svm_coef_ = np.array(svm_weights)
        mean_magnitude = np.abs(self.svm_coef_).mean(axis=1, keepdims=True)
        self.coef_ = (1.0 - self.beta) * mean_magnitude + self.beta * self.svm_coef_
        self.intercept_ = np.array(biases)
        return self

    def scale(self, features):
        """The scaled features ``x * r`` of each classifier: a list of sparse matrices."""
        features = sparse.csr_matrix(features, dtype="float64")
        return [features.multiply(ratio).tocsr() for ratio in self.ratios_]

    def decision_function(self, features):
        """Scores ``(x * r) . w' + b``: ``(examples,)`` for two classes, ``(examples, classes)`` otherwise."""
        features = sparse.csr_matrix(features, dtype="float64")
        scores = np.asarray(features @ (self.ratios_ * self.coef_).T) + self.intercept_
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, features):
        """The predicted class labels."""
        scores = self.decision_function(features)
        if len(self.classes_) == 2:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]


def nbsvm(train, test, *, valid=None, C=1.0, beta=0.25, alpha=1.0, ngram_range=(1, 2), tokenizer=None):
    """NBSVM-bi (Wang & Manning 2012): binary uni+bigram features, NB log-count ratios, interpolated SVM.

    The features are the presence (0/1) of each word n-gram of ``train``
    (:func:`seqlab.data.sentiment.tokenize`, which lower-cases); the classifier is
    :class:`NBSVMClassifier`. Two classes and more (one-vs-rest) work. Published: MR 10-fold
    79.4 (the paper), measured here 79.83 +- 0.74; SST-2 test 83.36 with ``C=0.1`` chosen on dev.

    Args:
        train, test, valid: sentiment examples ``{"text", "label"}``.
        C, beta, alpha: see :class:`NBSVMClassifier` (the paper: 1, 0.25, 1).
        ngram_range: ``(1, 2)`` is NBSVM-bi, ``(1, 1)`` NBSVM-uni, ``(1, 3)`` NBSVM-tri.
        tokenizer: text -> tokens (default :func:`seqlab.data.sentiment.tokenize`).

    Returns:
        ``{"test_accuracy", "test_macro_f1"[, "valid_accuracy"], "train_seconds"}``.

    >>> train = [{"text": text, "label": label} for text, label in [
    ...     ("a gripping , moving film", "positive"), ("moving and funny", "positive"),
    ...     ("a dull , tired film", "negative"), ("tired and dull", "negative")]]
    >>> test = [{"text": "funny and gripping", "label": "positive"}, {"text": "so dull", "label": "negative"}]
    >>> nbsvm(train, test)["test_accuracy"]
    1.0
    """
    splits = _text_splits(train, test, valid)
    started = time.perf_counter()
    vectorizer = CountVectorizer(tokenizer=_tokenizer(tokenizer), lowercase=False, token_pattern=None,
                                 ngram_range=_check_ngram_range(ngram_range), binary=True)
    texts, labels = splits["train"]
    model = NBSVMClassifier(C=C, beta=beta, alpha=alpha).fit(vectorizer.fit_transform(texts), labels)
    train_seconds = time.perf_counter() - started
    scores = _classification_scores(splits, lambda texts: model.predict(vectorizer.transform(texts)).tolist())
    return {**scores, "train_seconds": train_seconds}


# --------------------------------------------------------------------------- bag of n-grams + logistic regression


def ngram_logistic_regression(train, test, *, valid=None, C=1.0, ngram_range=(1, 2), tfidf=True, tokenizer=None,
                              max_iter=1000):
    """Bag-of-n-grams logistic regression: TF-IDF (or binary) word n-grams, L2-regularised, multinomial.

    Args:
        train, test, valid: sentiment examples ``{"text", "label"}``.
        C: inverse regularisation strength of :class:`sklearn.linear_model.LogisticRegression`.
        ngram_range: word n-gram sizes, ``(1, 2)``: unigrams and bigrams.
        tfidf: TF-IDF weights with sublinear term frequency (``True``), or 0/1 presence.
        tokenizer: text -> tokens (default :func:`seqlab.data.sentiment.tokenize`).
        max_iter: iterations of the solver (lbfgs).

    Returns:
        ``{"test_accuracy", "test_macro_f1"[, "valid_accuracy"], "train_seconds"}``.

    >>> train = [{"text": text, "label": label} for text, label in [
    ...     ("a gripping , moving film", "positive"), ("moving and funny", "positive"),
    ...     ("a dull , tired film", "negative"), ("tired and dull", "negative")]]
    >>> ngram_logistic_regression(train, [{"text": "so dull", "label": "negative"}], C=10)["test_accuracy"]
    1.0
    """
    if not C > 0:
        raise ValueError(f"C={C!r} must be > 0.")
    splits = _text_splits(train, test, valid)
    started = time.perf_counter()
    options = dict(tokenizer=_tokenizer(tokenizer), lowercase=False, token_pattern=None,
                   ngram_range=_check_ngram_range(ngram_range))
    vectorizer = TfidfVectorizer(sublinear_tf=True, **options) if tfidf else CountVectorizer(binary=True, **options)
    texts, labels = splits["train"]
    model = LogisticRegression(C=C, max_iter=max_iter).fit(vectorizer.fit_transform(texts), labels)
    train_seconds = time.perf_counter() - started
    scores = _classification_scores(splits, lambda texts: model.predict(vectorizer.transform(texts)).tolist())
    return {**scores, "train_seconds": train_seconds}


# --------------------------------------------------------------------------- NER memorisation


def _sentences(sentences, argument):
    sentences = list(sentences)
    if not sentences:
        raise ValueError(f"{argument} is empty; a baseline needs at least one sentence.")
    for tokens, tags in sentences:
        if len(tokens) != len(tags):
            raise ValueError(f"{argument}: a sentence has {len(tokens)} tokens but {len(tags)} tags; "
                             "(tokens, tags) pairs of equal length are required.")
    return sentences


def most_frequent_tags(sentences):
    """Each training token's most frequent tag (ties: the first tag in sorted order).

    >>> most_frequent_tags([(["Paris", "is", "Paris"], ["B-LOC", "O", "B-PER"]), (["Paris"], ["B-LOC"])])
    {'Paris': 'B-LOC', 'is': 'O'}
    """
    counts = collections.defaultdict(collections.Counter)
    for tokens, tags in _sentences(sentences, "sentences"):
        for token, tag in zip(tokens, tags):
            counts[token][tag] += 1
    return {token: min(tags, key=lambda tag: (-tags[tag], tag)) for token, tags in counts.items()}


def ner_memorisation(train, test, *, valid=None, unseen_tag=OUTSIDE):
    """Tag each token with its most frequent training tag (``O`` for unseen tokens); score entity spans.

    Tokens are matched exactly (case matters). The predicted tags are read as spans the way
    :func:`seqlab.data.tags.spans` reads them (an ``I-X`` after another type opens an
    entity), and scored with exact-match micro precision, recall and F1 (conlleval's scores).

    Args:
        train, test, valid: sentences ``(tokens, tags)`` (BIO or IOB1).
        unseen_tag: the tag of a token never seen in training.

    Returns:
        ``{"test_f1", "test_precision", "test_recall"[, "valid_f1", "valid_precision", "valid_recall"]}``.

    >>> train = [(["Peter", "Blackburn", "visits", "Paris"], ["B-PER", "I-PER", "O", "B-LOC"])]
    >>> test = [(["Peter", "visits", "Berlin"], ["B-PER", "O", "B-LOC"])]
    >>> ner_memorisation(train, test)
    {'test_f1': 0.6666666666666666, 'test_precision': 1.0, 'test_recall': 0.5}
    """
    memory = most_frequent_tags(_sentences(train, "train"))
    splits = {"test": _sentences(test, "test")}
    if valid is not None:
        splits["valid"] = _sentences(valid, "valid")
    scores = {}
    for name, sentences in splits.items():
        predicted = [[memory.get(token, unseen_tag) for token in tokens] for tokens, _ in sentences]
        result = entity_scores([tags for _, tags in sentences], predicted)
        scores.update({f"{name}_f1": result["f1"], f"{name}_precision": result["precision"],
                       f"{name}_recall": result["recall"]})
    return scores
