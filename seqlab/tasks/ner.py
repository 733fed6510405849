"""Named-entity recognition: one tag per word, scored by entity (exact span match, as conlleval).

The task-module protocol (docs/contracts.md, "Task modules"): :func:`prepare` loads the
``(tokens, tags)`` sentences and builds the :class:`~seqlab.data.ner.TokenEncoder` (word,
character and tag vocabularies); :func:`baselines` scores memorisation (every word tagged with
its most frequent training tag); :func:`build` makes ``seqlab.build("tagger", ...)`` with the
encoder's sizes; :func:`predict` tags every sentence of a split, decoding with BIO constraints
(Viterbi over the log-probabilities, never ``O`` -> ``I-X``: :func:`constrained_decode`) or,
for a tagger with a CRF output, Viterbi over the CRF's scores; :func:`evaluate` gives the entity
precision, recall and F1. Training stays in the notebook, with :func:`tagger_loss` and the
:class:`seqlab.training.EvaluateCallback` (the validation entity F1 of :func:`predict` and
:func:`evaluate`, which early stopping monitors). Then what the
notebook shows: :func:`tag` (the entities of a text), :func:`entities`, :func:`per_type_scores`,
:func:`error_counts` and :func:`error_table`.

>>> sentences = [(["Harry", "met", "Ron"], ["B-PER", "O", "B-PER"]), (["Ron", "saw", "Paris"], ["B-PER", "O", "B-LOC"])]
>>> data = Task("demo", {"train": sentences, "valid": sentences[:1], "test": sentences[1:]},
...             TokenEncoder.build(sentences, min_word_frequency=1))
>>> data.describe()
sentences: train 2, valid 1, test 1
words: 9, characters: 18, tags: B-LOC, B-PER, O
unknown-word rate: train 0.0, valid 0.0, test 0.0
entities:
     train  valid  test
LOC      1      0     1
PER      3      2     1
>>> baselines(data)
{'memorisation_test_f1': 1.0, 'memorisation_valid_f1': 1.0}
>>> evaluate(data, [["B-PER", "O", "O"]], "test")
{'test_f1': 0.6666666666666666, 'test_precision': 1.0, 'test_recall': 0.5}
"""

import dataclasses
from collections import Counter

import numpy as np

import seqlab
from seqlab import checks
from seqlab.crf import CRF, CRFLoss, viterbi
from seqlab.data.batching import in_length_order, pad_sequences
from seqlab.data.ner import TokenEncoder
from seqlab.data.splits import SPLITS, limit
from seqlab.data.tags import bio_transitions, spans
from seqlab.data.vocab import tokenize_words
from seqlab.metrics.spans import ERROR_KINDS, classify_errors, entity_scores


# --------------------------------------------------------------------------- the protocol


@dataclasses.dataclass
class Task:
    """The sentences of one NER dataset and their encoder, as :func:`prepare` makes them.

    Attributes:
        dataset: the source's name (``"wnut16"``, ``"conll2003"``).
        splits: ``"train"``, ``"valid"``, ``"test"`` -> lists of ``(tokens, tags)`` (BIO tags).
        encoder: the :class:`~seqlab.data.ner.TokenEncoder` built from the training sentences.
    """

    dataset: str
    splits: dict
    encoder: TokenEncoder

    def describe(self):
        """Print the sentences of every split, the vocabulary sizes, the tags, the share of unknown words
        and the entities of each type in each split."""
        import pandas

        print("sentences:", ", ".join(f"{split} {len(sentences)}" for split, sentences in self.splits.items()))
        print(f"words: {len(self.encoder.words)}, characters: {len(self.encoder.characters)}, "
              f"tags: {', '.join(self.encoder.tag_names[1:])}")
        print("unknown-word rate:", ", ".join(f"{split} {round(self.encoder.unknown_rate(sentences), 3)}"
                                               for split, sentences in self.splits.items()))
        counts = pandas.DataFrame({
            split: pandas.Series([entity[0] for _, tags in sentences for entity in spans(tags)]).value_counts()
            for split, sentences in self.splits.items()
        }).fillna(0).astype(int)
        print("entities:")
        print(counts.to_string())


def prepare(dataset, *, path=None, max_examples=0, min_word_frequency=2, max_characters=20):
    """Load a NER source's sentences (:func:`seqlab.data.load`) and build their :class:`TokenEncoder`.

    Args:
        dataset: a NER source: ``wnut16`` (embedded tweets, a fixed-seed 80/10/10 split) or
            ``conll2003`` (eng.train / eng.testa / eng.testb).
        path: the file or folder of the data; ``None`` resolves the source by name.
        max_examples: 0 keeps every training sentence, else the first ``max_examples``; the
            validation and test splits are always complete.
        min_word_frequency: training words seen fewer times become unknown.
        max_characters: characters kept per word.

    Returns:
        :class:`Task`; the encoder is built from the (limited) training sentences.
    """
    splits = seqlab.data.load(dataset, path=path)
    splits["train"] = limit(splits["train"], max_examples)
    encoder = TokenEncoder.build(splits["train"], min_word_frequency=min_word_frequency, max_characters=max_characters)
    return Task(dataset, splits, encoder)


def baselines(data):
    """The memorisation baseline (:func:`seqlab.baselines.ner_memorisation`: every word gets its most
    frequent training tag, ``O`` when never seen) on the validation and test sentences.

    Returns:
        ``{"memorisation_test_f1": ..., "memorisation_valid_f1": ...}``.
    """
    scores = seqlab.baselines.ner_memorisation(data.splits["train"], data.splits["test"], valid=data.splits["valid"])
    return {"memorisation_test_f1": scores["test_f1"], "memorisation_valid_f1": scores["valid_f1"]}


def build(data, **architecture):
    """The tagger: ``seqlab.build("tagger", ...)`` with the word, character and tag counts of ``data``'s encoder.

    Args:
        data: the :class:`Task`.
        **architecture: the builder's other keywords (``cell``, ``units``, ``depth``,
            ``bidirectional``, ``dropout``, ``characters``, ``casing_dim``, ``crf``,
            ``embedding_matrix``, ...): see :func:`seqlab.builders.tagger.tagger`.

    Returns:
        An uncompiled ``keras.Model``: packed ``(batch, time, 2 + max_characters)`` token
        arrays -> ``(batch, time, num_classes)`` tag probabilities (with ``crf=True``: emissions).
    """
    encoder = data.encoder
    return seqlab.build("tagger", vocab_size=len(encoder.words), num_classes=encoder.num_classes,
                        character_vocab_size=len(encoder.characters), max_characters=encoder.max_characters,
                        **architecture)


def predict(model, data, split, *, constrained=True, batch_size=256):
    """The predicted tags of every sentence of a split (:func:`predict_tags`).

    Args:
        model: a tagger of :func:`build`.
        data: the :class:`Task`.
        split: ``"train"``, ``"valid"`` or ``"test"``.
        constrained: BIO-constrained Viterbi decoding instead of the arg-max per word.
        batch_size: sentences per forward pass.

    Returns:
        A list of tag lists, one per sentence of the split, in its order.
    """
    checks.one_of("split", split, SPLITS)
    return predict_tags(model, data.encoder, [tokens for tokens, _ in data.splits[split]], constrained=constrained,
                        batch_size=batch_size)


def evaluate(data, predictions, split):
    """Exact-match entity scores (:func:`seqlab.metrics.spans.entity_scores`, micro-averaged) of predicted tags.

    Args:
        data: the :class:`Task`.
        predictions: :func:`predict`'s tag lists for ``split``.
        split: ``"train"``, ``"valid"`` or ``"test"``.

    Returns:
        ``{"<split>_f1", "<split>_precision", "<split>_recall"}``.
    """
    scores = _entity_scores(data, predictions, split)
    return {f"{split}_{name}": scores[name] for name in ("f1", "precision", "recall")}


def _entity_scores(data, predictions, split):
    checks.one_of("split", split, SPLITS)
    return entity_scores([tags for _, tags in data.splits[split]], predictions)


# --------------------------------------------------------------------------- decoding


def tagger_loss(model):
    """The training loss of a tagger of :func:`build`: the CRF's negative log-likelihood
    (:class:`seqlab.crf.CRFLoss`) when it has a CRF output, else cross-entropy per word (padding
    masked by Keras)."""
    crf = _crf_layer(model)
    return "sparse_categorical_crossentropy" if crf is None else CRFLoss(crf)


def predict_tags(model, encoder, token_lists, *, constrained=True, batch_size=256):
    """Predicted tags for many sentences, run in length order (padding is never decoded).

    Args:
        model: a tagger of :func:`build`.
        encoder: the :class:`~seqlab.data.ner.TokenEncoder` it was trained with.
        token_lists: list of token lists.
        constrained: BIO-constrained Viterbi decoding (:func:`constrained_decode`) instead of
            the arg-max per token (the padding tag never chosen); with a CRF output, Viterbi
            over the CRF's scores, with or without the BIO constraints.
        batch_size: sentences per forward pass (:func:`seqlab.data.batching.in_length_order`).

    Returns:
        A list of tag lists, one per sentence, in the input order.
    """
    crf = _crf_layer(model)
    allowed = bio_transitions(encoder.tag_names) if constrained else None

    def decode(scores):
        if crf is not None:
            return crf.decode(scores, allowed=allowed)
        if constrained:
            return _constrained_path(scores, allowed)
        return scores[:, 1:].argmax(axis=1) + 1  # the padding tag (id 0) is never chosen

    def predict_batch(batch):
        outputs = np.asarray(model.predict_on_batch(pad_sequences([encoder.encode(tokens) for tokens in batch])))
        return [[encoder.tag_names[tag_id] for tag_id in decode(outputs[row, :len(tokens)])]
                for row, tokens in enumerate(batch)]

    return in_length_order(token_lists, predict_batch, batch_size=batch_size)


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
    return [tag_names[index] for index in _constrained_path(probabilities, bio_transitions(tag_names))]


def _constrained_path(probabilities, allowed):
    transitions, start = allowed
    scores = np.log(np.clip(probabilities, 1e-12, 1.0))
    return viterbi(scores, np.where(transitions, 0.0, -np.inf), np.where(start, 0.0, -np.inf))


def _crf_layer(model):
    """The model's CRF output layer, or ``None``."""
    return next((layer for layer in model.layers if isinstance(layer, CRF)), None)


# --------------------------------------------------------------------------- training


# --------------------------------------------------------------------------- what the notebook shows


def per_type_scores(data, predictions, split):
    """Precision, recall, F1 and support (true entities) of every entity type, as a ``pandas.DataFrame``.

    >>> sentences = [(["Ron", "saw", "Paris"], ["B-PER", "O", "B-LOC"])]
    >>> data = Task("demo", {"train": sentences, "valid": sentences, "test": sentences}, TokenEncoder.build(sentences))
    >>> per_type_scores(data, [["B-PER", "O", "O"]], "test")
         precision  recall   f1  support
    LOC        0.0     0.0  0.0      1.0
    PER        1.0     1.0  1.0      1.0
    """
    import pandas

    return pandas.DataFrame(_entity_scores(data, predictions, split)["per_type"]).T


def entities(tokens, tags):
    """``(text, type)`` of every entity in a tagged sentence.

    >>> entities(["Harry", "Potter", "and", "Hermione"], ["B-PER", "I-PER", "O", "B-PER"])
    [('Harry Potter', 'PER'), ('Hermione', 'PER')]
    """
    return [(" ".join(tokens[start:end]), entity_type) for entity_type, start, end in spans(tags)]


def tag(text, model, data, *, show=True):
    """Tag a text (split into words and punctuation, or a list of tokens) and print its entities.

    Args:
        text: a string, or a list of tokens.
        model: a tagger of :func:`build`.
        data: the :class:`Task` it was trained on (its encoder).
        show: print the tokens and the entities found.

    Returns:
        The list of ``(text, type)`` entities.
    """
    tokens = text if isinstance(text, list) else tokenize_words(text)
    found = entities(tokens, predict_tags(model, data.encoder, [tokens])[0])
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
    """How many errors of each kind (:data:`seqlab.metrics.spans.ERROR_KINDS`), as a dict.

    >>> error_counts([(["Paris", "Hilton", "won"], ["B-PER", "I-PER", "O"])], [["B-LOC", "O", "B-ORG"]])
    {'wrong type': 0, 'wrong boundary': 0, 'wrong type and boundary': 1, 'missed': 0, 'spurious': 1}
    """
    counts = Counter(kind for (_, true_tags), predicted_tags in zip(sentences, predicted)
                     for kind, _, _ in classify_errors(true_tags, predicted_tags))
    return {kind: counts[kind] for kind in ERROR_KINDS}
