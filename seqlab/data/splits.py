"""One way to cut examples into train / valid / test, and one way to keep fewer of them.

:func:`split_examples` shuffles examples with a seed and cuts them by fractions; every loader
that makes its own split (the WNUT-2016 tweets, the text sources, the sentiment CSV files and
tweets) calls it, and the same seed always gives the same splits. :func:`limit` keeps at most
``max_examples`` of a list or of a whole dataset: the first ones, or a seeded random sample in
the examples' own order (a notebook's ``max_examples`` parameter).

>>> splits = split_examples(list(range(10)), {"train": 0.6, "valid": 0.2, "test": 0.2}, seed=0)
>>> {name: len(split) for name, split in splits.items()}
{'train': 6, 'valid': 2, 'test': 2}
>>> limit(splits["train"], 3)
[4, 6, 2]
>>> limit(list("abcdef"), 3, seed=0)
['c', 'd', 'f']
"""

import numpy as np

from seqlab import checks

SPLITS = ("train", "valid", "test")
ROUNDINGS = ("nearest", "down")
DRAWS = ("shuffle", "choice")


def _checked_fractions(fractions):
    if not isinstance(fractions, dict) or not fractions or not set(fractions) <= set(SPLITS):
        raise ValueError(f"fractions={fractions!r} is not allowed; fractions must map split names "
                         f"({', '.join(SPLITS)}) to fractions.")
    for name, value in fractions.items():
        checks.fraction(f"fractions[{name!r}]", value, inclusive_high=True)
    if not np.isclose(sum(fractions.values()), 1.0):
        raise ValueError(f"fractions={fractions!r} is not allowed; the fractions must sum to 1.")
    if "train" in fractions and np.isclose(fractions["train"], 0.0):
        raise ValueError(f"fractions={fractions!r} is not allowed; train needs a fraction above 0 "
                         "(something must be left to train on).")
    return list(fractions)


def _count(share, rounding):
    return int(round(share)) if rounding == "nearest" else int(share)


def split_examples(examples, fractions, *, seed, rounding="nearest", stratify=None, group=None, keep_order=False):
    """Shuffle ``examples`` with ``seed`` and cut them into splits of the given fractions.

    The splits take their share of the shuffled examples in the order ``fractions`` names
    them: each gets ``fraction * count`` examples, rounded as ``rounding`` says, and the last
    one gets whatever is left. With ``stratify``, every stratum (visited in sorted order) is
    shuffled and cut on its own, so each split holds each stratum in its share; with
    ``group``, examples of one group (the copies of one text) go to the same split together
    and the fractions count groups.

    Args:
        examples: a list.
        fractions: ``{split name: fraction}`` (names among ``train``, ``valid``, ``test``;
            fractions in [0, 1] summing to 1; ``train`` above 0), in the order the splits
            are cut.
        seed: seed of the shuffle; the same seed always gives the same splits.
        rounding: ``"nearest"`` (Python's ``round``) or ``"down"``: how ``fraction * count``
            becomes a number of examples.
        stratify: optional function of an example giving its stratum (sortable).
        group: optional function of an example giving its group (hashable); a group's
            stratum is that of its first example.
        keep_order: each split lists its examples in their original order instead of the
            shuffled one.

    Returns:
        ``{name: list}`` in the order train, valid, test.

    >>> split_examples(list(range(10)), {"valid": 0.25, "test": 0.25, "train": 0.5}, seed=1, rounding="down")
    {'train': [1, 2, 5, 9, 6, 3], 'valid': [8, 4], 'test': [7, 0]}
    >>> examples = ["a1", "b1", "a2", "a1", "b2", "a3", "b3", "a4"]
    >>> split_examples(examples, {"train": 0.5, "test": 0.5}, seed=0, stratify=lambda text: text[0],
    ...                group=lambda text: text, keep_order=True)
    {'train': ['a1', 'a1', 'b2', 'a3', 'b3'], 'test': ['b1', 'a2', 'a4']}
    >>> split_examples([1, 2], {"train": 0.5, "valid": 0.6}, seed=0)
    Traceback (most recent call last):
    ...
    ValueError: fractions={'train': 0.5, 'valid': 0.6} is not allowed; the fractions must sum to 1.
    """
    names = _checked_fractions(fractions)
    checks.one_of("rounding", rounding, ROUNDINGS)
    members = {}
    for index, example in enumerate(examples):
        members.setdefault(group(example) if group else index, []).append(index)
    strata = {}
    for indices in members.values():
        strata.setdefault(stratify(examples[indices[0]]) if stratify else None, []).append(indices)
    random = np.random.default_rng(seed)
    chosen = {name: [] for name in names}
    for stratum in sorted(strata) if stratify else strata:
        groups = strata[stratum]
        order = random.permutation(len(groups))
        start = 0
        for position, name in enumerate(names):
            end = len(groups) if position == len(names) - 1 else start + _count(fractions[name] * len(groups), rounding)
            chosen[name] += [index for rank in order[start:end] for index in groups[rank]]
            start = end
    return {name: [examples[index] for index in (sorted(chosen[name]) if keep_order else chosen[name])]
            for name in SPLITS if name in chosen}


def limit(examples, max_examples, *, seed=None, draw="shuffle"):
    """At most ``max_examples`` of ``examples`` (0: all of them): the first ones, or a random sample in order.

    Args:
        examples: a list, or a dataset ``{split name: list}``: then ``max_examples`` counts
            the splits together, each split keeps its share (rounded, at least one example
            of a non-empty split), and the splits are sampled one after the other from one
            random stream; a dataset no larger than ``max_examples`` comes back as it is.
        max_examples: how many to keep; 0 keeps everything.
        seed: ``None`` keeps the first examples; an ``int`` (or a ``numpy.random.Generator``)
            draws a random sample, the kept examples in their original order.
        draw: how the sample is drawn, ``"shuffle"`` (the first ``max_examples`` of a seeded
            permutation) or ``"choice"`` (``numpy.random.Generator.choice`` without
            replacement). Both are uniform samples and differ only in which one a seed
            gives: the text sources use the first, the sentiment sources the second, and
            recorded results were made with each.

    >>> limit(list(range(10)), 4), limit(list(range(10)), 0)
    ([0, 1, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    >>> limit(list(range(10)), 4, seed=0), limit(list(range(10)), 4, seed=0, draw="choice")
    ([2, 4, 6, 7], [2, 4, 5, 7])
    >>> dataset = {"train": list(range(80)), "valid": list(range(10)), "test": list(range(10))}
    >>> {name: len(split) for name, split in limit(dataset, 20, seed=0).items()}
    {'train': 16, 'valid': 2, 'test': 2}
    >>> limit(dataset, -1)
    Traceback (most recent call last):
    ...
    ValueError: max_examples=-1 is not allowed; max_examples must be an integer >= 0.
    """
    checks.non_negative_integer("max_examples", max_examples)
    checks.one_of("draw", draw, DRAWS)
    if isinstance(examples, dict):
        total = sum(len(split) for split in examples.values())
        if max_examples == 0 or max_examples >= total:
            return examples
        random = None if seed is None else np.random.default_rng(seed)
        return {name: limit(split, min(len(split), max(1, int(round(max_examples * len(split) / total)))) if split
                            else 0, seed=random, draw=draw)
                for name, split in examples.items()}
    if max_examples == 0:
        return examples
    count = min(max_examples, len(examples))
    if seed is None:
        return examples[:count]
    random = np.random.default_rng(seed)
    if draw == "shuffle":
        kept = random.permutation(len(examples))[:count]
    else:
        kept = random.choice(len(examples), size=count, replace=False)
    return [examples[index] for index in np.sort(kept)]
