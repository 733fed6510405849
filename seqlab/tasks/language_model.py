"""Language models: the next character or word, held-out loss per token and per character, sampled text.

A language model gives the probability of a sequence one token at a time,
``P(y<1>, ..., y<T>) = prod_t P(y<t> | y<1>, ..., y<t-1>)``. Every example is a token list
ending with ``<eos>``; the model reads ``<bos>, y<1>, ..., y<T-1>`` and is trained to output
``y<1>, ..., y<T>`` (teacher forcing, :func:`next_token_arrays`).

The task-module protocol (docs/contracts.md, "Task modules"): :func:`prepare` loads a text
source at character or word level and builds the vocabulary of its training split;
:func:`baselines` scores a uniform guess and the training unigram frequencies;
:func:`build` makes ``seqlab.build("one_to_many", ...)``; :func:`predict` gives the
probability the model puts on every true next token of a split and :func:`evaluate` the
held-out loss per token, the perplexity and the loss per character. Training stays in the
notebook. Then what the notebook shows: :func:`sample_texts` and :func:`sample_table` (new
sequences drawn from the one-step model, with temperature and top-k) and
:func:`unknown_rate`.

>>> examples = [list("abba") + ["<eos>"], list("ab") + ["<eos>"]]
>>> data = Task("demo", "character", {"train": examples, "valid": examples[1:], "test": examples[1:]},
...             Vocabulary.build(examples[:1], level="character"))
>>> data.describe()
demo, character level: 2 / 1 / 1 examples (train / valid / test)
vocabulary: 6 ids: 'ab' + <pad> <unk> <bos> <eos>
>>> {name: round(value, 3) for name, value in baselines(data).items()}
{'uniform_test_loss_per_token': 1.386, 'unigram_valid_loss_per_token': 1.195, 'unigram_test_loss_per_token': 1.195}
>>> {name: round(value, 3) for name, value in evaluate(data, [np.array([0.5, 0.5, 0.25])], "test").items()}
{'test_loss_per_token': 0.924, 'test_perplexity': 2.52, 'test_loss_per_character': 0.924}
"""

import dataclasses

import numpy as np

import seqlab
from seqlab import checks, sampling
from seqlab.data.batching import in_length_order, pad_sequences
from seqlab.data.splits import SPLITS
from seqlab.data.vocab import BOS_ID, EOS_ID, LEVELS, PAD_ID, UNK_ID, Vocabulary


# --------------------------------------------------------------------------- the protocol


@dataclasses.dataclass
class Task:
    """The examples of one text source at one level and their vocabulary, as :func:`prepare` makes them.

    Attributes:
        dataset: the source's name (``"census_names"``, ``"lady_susan"``, ...).
        level: ``"character"`` or ``"word"``.
        splits: ``"train"``, ``"valid"``, ``"test"`` -> lists of token lists, each ending with ``<eos>``.
        vocabulary: the vocabulary of the training split.
        min_frequency: training tokens seen fewer times are ``<unk>`` (as the vocabulary was built).
    """

    dataset: str
    level: str
    splits: dict
    vocabulary: Vocabulary
    min_frequency: int = 1

    def describe(self):
        """Print the examples per split and the vocabulary."""
        counts = " / ".join(str(len(self.splits[split])) for split in SPLITS)
        print(f"{self.dataset}, {self.level} level: {counts} examples (train / valid / test)")
        reserved = "<pad> <unk> <bos> <eos>"
        if self.level == "character":
            print(f"vocabulary: {len(self.vocabulary)} ids: {''.join(self.vocabulary.tokens[4:])!r} + {reserved}")
        else:
            print(f"vocabulary: {len(self.vocabulary)} ids: {len(self.vocabulary) - 4} words seen >= "
                  f"{self.min_frequency} times in training + {reserved}")

    def token_count(self, split):
        """The tokens a model predicts on a split: every token of every example, ``<eos>`` included."""
        return sum(len(tokens) for tokens in self.splits[checks.one_of("split", split, SPLITS)])


def prepare(dataset, *, path=None, level="character", max_examples=0, min_frequency=1, seed=0):
    """Load a text source at one level (:func:`seqlab.data.load`) and build the vocabulary of its training split.

    Args:
        dataset: a text source (``seqlab data list``): ``census_names`` and ``lady_susan``
            (embedded), ``dinos``, ``names``.
        path: the file or folder of the data; ``None`` resolves the source by name.
        level: ``"character"`` or ``"word"``.
        max_examples: a random ``max_examples`` of the examples, before splitting (0: all;
            :func:`seqlab.data.splits.limit`).
        min_frequency: training tokens seen fewer times become ``<unk>``.
        seed: seed of the sample and of the split; the same seed splits the same examples
            the same way at both levels.

    Returns:
        :class:`Task`.
    """
    checks.one_of("level", level, LEVELS)
    splits = seqlab.data.load(dataset, path=path, level=level, seed=seed, max_examples=max_examples)
    vocabulary = Vocabulary.build(splits["train"], level=level, min_frequency=min_frequency)
    return Task(dataset, level, splits, vocabulary, min_frequency)


def baselines(data):
    """Two models without context, scored like :func:`evaluate` (nats per predicted token).

    ``uniform``: every token a model can predict (all but ``<pad>`` and ``<bos>``) equally
    likely. ``unigram``: each such token with its frequency among the training targets,
    add-one smoothed, whatever came before.

    Returns:
        ``{"uniform_test_loss_per_token", "unigram_valid_loss_per_token", "unigram_test_loss_per_token"}``.
    """
    predictable = len(data.vocabulary) - 2
    counts = np.bincount(np.concatenate(data.vocabulary.encode_all(data.splits["train"])),
                         minlength=len(data.vocabulary)).astype("float64")
    probabilities = (counts + 1) / (counts.sum() + predictable)
    fields = {"uniform_test_loss_per_token": float(np.log(predictable))}
    for split in ("valid", "test"):
        targets = np.concatenate(data.vocabulary.encode_all(data.splits[split]))
        fields[f"unigram_{split}_loss_per_token"] = float(-np.log(probabilities[targets]).mean())
    return fields


def build(data, **architecture):
    """The language model: ``seqlab.build("one_to_many", ...)`` over the task's vocabulary.

    Args:
        data: the :class:`Task`.
        **architecture: the builder's other keywords (``cell``, ``units``, ``depth``,
            ``embedding_dim``, ...): see :func:`seqlab.builders.one_to_many.one_to_many`.

    Returns:
        ``Generator(train, step)``, uncompiled: ``train`` maps ``(batch, time)`` token ids to
        the next token's probabilities at every step; ``step`` maps one token and the states
        to the next token's probabilities and the new states (for sampling).
    """
    return seqlab.build("one_to_many", vocab_size=len(data.vocabulary), **architecture)


def predict(model, data, split, *, batch_size=256):
    """The probability ``model`` puts on every true next token of every example of a split.

    Examples run in length order (:func:`seqlab.data.batching.in_length_order`), each batch
    padded to its longest; padding comes after the real tokens and is masked.

    Args:
        model: what :func:`build` returns (its ``train`` model is used) or that ``train`` model:
            ``(batch, time)`` ids -> ``(batch, time, vocabulary)``.
        data: the :class:`Task`.
        split: ``"train"``, ``"valid"`` or ``"test"``.
        batch_size: examples per forward pass.

    Returns:
        list of ``float32`` arrays, one per example (as long as it), in the split's order.
    """
    encoded = data.vocabulary.encode_all(data.splits[checks.one_of("split", split, SPLITS)])
    model = getattr(model, "train", model)

    def predict_batch(batch):
        outputs = np.asarray(model.predict_on_batch(pad_sequences([[BOS_ID] + ids[:-1] for ids in batch])))
        return [outputs[row, np.arange(len(ids)), ids] for row, ids in enumerate(batch)]

    return in_length_order(encoded, predict_batch, batch_size=batch_size)


def evaluate(data, predictions, split, *, characters=None):
    """Held-out loss of :func:`predict`'s probabilities for ``split``: per token, as perplexity, per character.

    The loss per character divides the total loss (nats) by the number of characters of the
    split's text, each example's end counting as one: at character level the tokens
    themselves; at word level pass ``characters``, the :meth:`Task.token_count` of the same
    split at character level, so models of both levels are compared on one scale.

    Returns:
        ``{"<split>_loss_per_token", "<split>_perplexity"}`` and, when the characters are
        known, ``"<split>_loss_per_character"``.
    """
    tokens = data.token_count(split)
    probabilities = np.concatenate(predictions) if len(predictions) else np.zeros(0, "float32")
    if len(probabilities) != tokens:
        raise ValueError(f"predictions hold {len(probabilities)} token probabilities; predict(model, data, {split!r}) "
                         f"gives the {tokens} required.")
    nll = float(-np.log(np.clip(probabilities, 1e-12, None)).sum())
    scores = {f"{split}_loss_per_token": nll / tokens, f"{split}_perplexity": float(np.exp(nll / tokens))}
    if characters is None and data.level == "character":
        characters = tokens
    if characters is not None:
        scores[f"{split}_loss_per_character"] = nll / checks.positive_integer("characters", characters)
    return scores


# --------------------------------------------------------------------------- training data and outputs


def next_token_arrays(data, split):
    """Teacher-forcing arrays of a split: inputs ``<bos>, y<1>, ..., y<T-1>`` and targets ``y<1>, ..., y<T>``.

    Both ``(examples, longest)``, right-padded with id 0 (masked in the model and the loss).

    >>> task = Task("demo", "character", {"train": [["a", "b", "<eos>"], ["b", "<eos>"]]}, Vocabulary(["a", "b"]))
    >>> inputs, targets = next_token_arrays(task, "train")
    >>> inputs.tolist(), targets.tolist()
    ([[2, 4, 5], [2, 5, 0]], [[4, 5, 3], [5, 3, 0]])
    """
    encoded = data.vocabulary.encode_all(data.splits[checks.one_of("split", split, SPLITS)])
    return pad_sequences([[BOS_ID] + ids[:-1] for ids in encoded]), pad_sequences(encoded)


def unknown_rate(data, split):
    """The share of a split's tokens that are ``<unk>`` in the task's vocabulary."""
    ids = np.concatenate(data.vocabulary.encode_all(data.splits[checks.one_of("split", split, SPLITS)]))
    return float((ids == UNK_ID).mean())


def sample_texts(generator, data, *, temperature, count, max_length, top_k=0, seed=0):
    """``count`` new sequences drawn from the one-step model, as text.

    The step model shares every layer with the training model and carries the recurrent
    state from token to token, so each new token costs one step (:func:`seqlab.sampling.sample`).

    Args:
        generator: ``Generator(train, step)`` of :func:`build`.
        data: the :class:`Task` (its vocabulary writes the text).
        temperature: reshapes the distribution, ``p^(1/T)``: low picks safe, frequent tokens,
            high takes risks; 0 is greedy.
        count: sequences drawn, sample ``i`` with the seed ``seed + i``.
        max_length: the most tokens drawn per sequence (it ends earlier at ``<eos>``).
        top_k: draw only among the ``k`` most probable tokens; 0: all.
        seed: the first sample's seed.
    """
    step = sampling.model_step_function(generator.step)
    return [data.vocabulary.to_text(sampling.sample(step, sampling.initial_states(generator.step), [BOS_ID],
                                                    steps=max_length, temperature=temperature, top_k=top_k or None,
                                                    seed=seed + index, end_id=EOS_ID))
            for index in range(count)]


def sample_table(generator, data, *, temperatures, count, max_length, top_k=0, seed=0):
    """:func:`sample_texts` at every temperature, as a ``pandas.DataFrame`` (temperature, sample, in training set).

    "in training set" says whether a sample is one of the training examples, so the share of
    novel samples can be read off.
    """
    import pandas as pd

    known = {data.vocabulary.to_text(ids) for ids in data.vocabulary.encode_all(data.splits["train"])}
    return pd.DataFrame([{"temperature": temperature, "sample": text, "in training set": text in known}
                         for temperature in temperatures
                         for text in sample_texts(generator, data, temperature=temperature, count=count,
                                                  max_length=max_length, top_k=top_k, seed=seed)])
