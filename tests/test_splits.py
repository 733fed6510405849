"""The one split function and the one limit function: layouts, groups, strata, samples, bad arguments."""

import numpy as np
import pytest

from seqlab.data.splits import limit, split_examples

TRAIN_FIRST = {"train": 0.8, "valid": 0.1, "test": 0.1}
HELD_OUT_FIRST = {"valid": 0.1, "test": 0.1, "train": 0.8}


def test_splits_take_the_shuffled_examples_in_the_order_of_the_fractions():
    examples = list(range(25))
    order = np.random.default_rng(7).permutation(25).tolist()
    # round(0.8 * 25) = 20 for train, round(2.5) = 2 for valid (Python rounds halves to even), the rest for test
    assert split_examples(examples, TRAIN_FIRST, seed=7) == {"train": order[:20], "valid": order[20:22],
                                                            "test": order[22:]}
    # valid and test first, rounded down: 2 each, train the rest
    assert split_examples(examples, HELD_OUT_FIRST, seed=7, rounding="down") == {
        "train": order[4:], "valid": order[:2], "test": order[2:4]}
    assert list(split_examples(examples, HELD_OUT_FIRST, seed=7)) == ["train", "valid", "test"]


def test_same_seed_same_splits_and_every_example_once():
    examples = [f"e{number}" for number in range(50)]
    splits = split_examples(examples, TRAIN_FIRST, seed=3)
    assert splits == split_examples(examples, TRAIN_FIRST, seed=3) != split_examples(examples, TRAIN_FIRST, seed=4)
    assert sorted(sum(splits.values(), [])) == sorted(examples)


def test_groups_stay_together_and_strata_keep_their_share():
    examples = [{"text": f"t{number % 30}", "label": "ab"[number % 30 < 10]} for number in range(90)]
    splits = split_examples(examples, {"valid": 0.2, "test": 0.2, "train": 0.6}, seed=0, keep_order=True,
                            stratify=lambda example: example["label"], group=lambda example: example["text"])
    texts = {name: {example["text"] for example in split} for name, split in splits.items()}
    assert not (texts["train"] & texts["valid"] or texts["train"] & texts["test"] or texts["valid"] & texts["test"])
    # 10 texts labelled "b" and 20 labelled "a": 2 + 4 of them in valid, each text three times
    assert sorted(example["label"] for example in splits["valid"]) == ["a"] * 12 + ["b"] * 6
    for split in splits.values():  # keep_order: the examples' own order
        assert split == [example for example in examples if example in split]


def test_bad_fractions_say_what_is_allowed():
    with pytest.raises(ValueError, match=r"the fractions must sum to 1"):
        split_examples([1, 2, 3], {"train": 0.5, "test": 0.4}, seed=0)
    with pytest.raises(ValueError, match=r"fractions\['valid'\]=-0.1 is not allowed"):
        split_examples([1, 2, 3], {"valid": -0.1, "train": 1.1}, seed=0)
    with pytest.raises(ValueError, match=r"fractions=\{'dev': 1.0\} is not allowed; fractions must map split names"):
        split_examples([1, 2, 3], {"dev": 1.0}, seed=0)
    with pytest.raises(ValueError, match="something must be left to train on"):
        split_examples([1, 2, 3], {"valid": 0.5, "test": 0.5, "train": 0.0}, seed=0)
    with pytest.raises(ValueError, match="rounding='up' is not allowed; allowed: nearest, down"):
        split_examples([1, 2, 3], TRAIN_FIRST, seed=0, rounding="up")


def test_limit_keeps_the_first_or_a_seeded_sample_in_order():
    examples = list(range(100))
    assert limit(examples, 0) is examples
    assert limit(examples, 5) == [0, 1, 2, 3, 4]
    assert limit(examples, 500) == examples
    for draw in ("shuffle", "choice"):
        sample = limit(examples, 10, seed=1, draw=draw)
        assert len(sample) == 10 and sample == sorted(sample) and sample == limit(examples, 10, seed=1, draw=draw)
        assert sample != limit(examples, 10, seed=2, draw=draw)
    expected = sorted(np.random.default_rng(1).permutation(100)[:10].tolist())
    assert limit(examples, 10, seed=1) == expected


def test_limit_of_a_dataset_keeps_each_split_share():
    dataset = {"train": list(range(800)), "valid": list(range(100)), "test": list(range(3))}
    limited = limit(dataset, 90, seed=0, draw="choice")
    assert {name: len(split) for name, split in limited.items()} == {"train": 80, "valid": 10, "test": 1}
    assert limit(dataset, 90)["valid"] == list(range(10))
    assert limit(dataset, 903) is dataset
    with pytest.raises(ValueError, match="max_examples=2.5 is not allowed"):
        limit(dataset, 2.5)
    with pytest.raises(ValueError, match="draw='random' is not allowed; allowed: shuffle, choice"):
        limit(dataset, 2, draw="random")
