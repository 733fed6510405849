"""Right padding, bucketing, padding fraction and the tf.data pipeline."""

import numpy as np
import pytest

from seqlab.data.batching import (
    bucket_batches,
    make_dataset,
    pad_sequences,
    padding_fraction,
    sequential_batches,
)


def random_lengths(count=500, seed=3):
    return np.random.default_rng(seed).integers(1, 60, size=count)


def test_pad_sequences_pads_and_truncates_at_the_end():
    padded = pad_sequences([[1, 2, 3], [4], [5, 6]])
    np.testing.assert_array_equal(padded, [[1, 2, 3], [4, 0, 0], [5, 6, 0]])
    assert padded.dtype == np.int32
    np.testing.assert_array_equal(pad_sequences([[1, 2, 3], [4]], max_length=2), [[1, 2], [4, 0]])
    np.testing.assert_array_equal(pad_sequences([[1], [2]], max_length=3, pad_value=-1), [[1, -1, -1], [2, -1, -1]])


def test_pad_sequences_of_feature_frames():
    frames = [np.ones((3, 4), dtype="uint8"), np.full((1, 4), 0.5)]
    padded = pad_sequences(frames)
    assert padded.shape == (2, 3, 4) and padded.dtype == np.float32
    np.testing.assert_array_equal(padded[1, 0], [0.5] * 4)
    np.testing.assert_array_equal(padded[1, 1:], 0)


def test_pad_sequences_bad_input():
    with pytest.raises(ValueError, match="sequences is empty"):
        pad_sequences([])
    with pytest.raises(ValueError, match="max_length=0 must be None or a positive integer"):
        pad_sequences([[1]], max_length=0)
    with pytest.raises(ValueError, match=r"sequences\[1\] has step shape \(3,\), but sequences\[0\] has \(2,\)"):
        pad_sequences([np.zeros((2, 2)), np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"sequences\[0\]=array\(5\) is a scalar"):
        pad_sequences([5])


def test_bucket_batches_cover_every_example_once_and_are_deterministic():
    lengths = random_lengths()
    batches = bucket_batches(lengths, batch_size=32, seed=7)
    indices = np.concatenate(batches)
    assert sorted(indices.tolist()) == list(range(len(lengths)))
    assert [len(batch) for batch in batches].count(32) >= len(batches) - 1
    again = bucket_batches(lengths, batch_size=32, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    other = bucket_batches(lengths, batch_size=32, seed=8)
    assert not all(np.array_equal(a, b) for a, b in zip(batches, other))


def test_bucketing_cuts_padding():
    lengths = random_lengths()
    bucketed = padding_fraction(bucket_batches(lengths, 32, seed=0), lengths=lengths)
    plain = padding_fraction(sequential_batches(len(lengths), 32, seed=0), lengths=lengths)
    assert plain > 0.4  # uniform lengths 1..59 in random batches of 32: about half is padding
    assert bucketed < 0.1
    small_pools = padding_fraction(bucket_batches(lengths, 32, seed=0, pool_batches=2), lengths=lengths)
    assert bucketed <= small_pools < plain


def test_bucket_batches_options_and_errors():
    lengths = [5, 1, 4, 2, 3]
    unshuffled = bucket_batches(lengths, batch_size=2, shuffle=False)
    assert [batch.tolist() for batch in unshuffled] == [[1, 3], [4, 2], [0]]
    dropped = bucket_batches(lengths, batch_size=2, seed=0, drop_remainder=True)
    assert sorted(len(batch) for batch in dropped) == [2, 2]
    with pytest.raises(ValueError, match="batch_size=0 is not allowed; batch_size must be a positive integer"):
        bucket_batches(lengths, batch_size=0)
    with pytest.raises(ValueError, match="lengths must be a non-empty list"):
        bucket_batches([], batch_size=2)
    with pytest.raises(ValueError, match="pool_batches=0"):
        bucket_batches(lengths, batch_size=2, pool_batches=0)


def test_padding_fraction_from_arrays_matches_lengths():
    lengths = [3, 1, 2, 2]
    sequences = [[7] * length for length in lengths]
    batches = [[0, 1], [2, 3]]
    arrays = [pad_sequences([sequences[index] for index in batch]) for batch in batches]
    assert padding_fraction(arrays) == pytest.approx(2 / 10)
    assert padding_fraction(batches, lengths=lengths) == pytest.approx(2 / 10)
    frames = pad_sequences([np.ones((2, 3)), np.ones((1, 3))])
    assert padding_fraction([(frames, None)]) == pytest.approx(1 / 4)
    with pytest.raises(ValueError, match="batches is empty"):
        padding_fraction([])


def collect(dataset):
    return [tuple(np.asarray(part) for part in batch) for batch in dataset]


def test_make_dataset_many_to_one_is_right_padded_and_complete():
    rng = np.random.default_rng(0)
    inputs = [rng.integers(1, 50, size=length).tolist() for length in rng.integers(1, 30, size=101)]
    labels = list(rng.integers(0, 3, size=101))
    dataset = make_dataset(inputs, labels, batch_size=16, seed=1)
    batches = collect(dataset)
    assert len(dataset) == len(batches) == 7
    assert sum(len(x) for x, _ in batches) == 101
    seen = {}
    for x, y in batches:
        assert x.dtype == np.int32 and y.shape == (len(x),)
        for row, label in zip(x, y):
            mask = row != 0
            length = int(mask.sum())
            assert mask[:length].all() and not mask[length:].any()  # right-padded: ones then zeros
            seen[tuple(row[:length].tolist())] = int(label)
    assert seen == {tuple(sequence): int(label) for sequence, label in zip(inputs, labels)}


def test_make_dataset_reshuffles_each_epoch_deterministically():
    inputs = [[1] * length for length in range(1, 41)]
    targets = list(range(40))
    dataset = make_dataset(inputs, targets, batch_size=4, seed=5)
    first, second = collect(dataset), collect(dataset)
    order = lambda batches: [int(value) for _, y in batches for value in y]  # noqa: E731
    assert order(first) != order(second)
    fresh = make_dataset(inputs, targets, batch_size=4, seed=5)
    assert order(collect(fresh)) == order(first)
    fixed = make_dataset(inputs, targets, batch_size=4, shuffle=False, bucketing=False)
    assert order(collect(fixed)) == list(range(40))


def test_make_dataset_per_token_targets_and_weights():
    inputs = [[4, 5, 6], [7], [8, 9]]
    tags = [[1, 2, 1], [2], [1, 1]]
    weights = [[1.0, 0.5, 1.0], [2.0], [1.0, 1.0]]
    batches = collect(make_dataset(inputs, tags, batch_size=3, shuffle=False, bucketing=False, sample_weights=weights))
    assert len(batches) == 1
    x, y, w = batches[0]
    np.testing.assert_array_equal(x, [[4, 5, 6], [7, 0, 0], [8, 9, 0]])
    np.testing.assert_array_equal(y, [[1, 2, 1], [2, 0, 0], [1, 1, 0]])
    np.testing.assert_allclose(w, [[1.0, 0.5, 1.0], [2.0, 0, 0], [1.0, 1.0, 0]])
    assert w.dtype == np.float32


def test_make_dataset_per_token_targets_can_be_forced_off():
    inputs = [[1, 2], [3, 4]]
    label_vectors = [[0.0, 1.0], [1.0, 0.0]]  # multi-label vectors that happen to be as long as the inputs
    (x, y), = collect(make_dataset(inputs, label_vectors, batch_size=2, shuffle=False, per_token_targets=False))
    assert y.shape == (2, 2) and y.dtype == np.float32
    with pytest.raises(ValueError, match="per_token_targets=True, but some target"):
        make_dataset(inputs, [0, 1], batch_size=2, per_token_targets=True)


def test_make_dataset_feature_frames_for_piano_rolls():
    rolls = [np.eye(4, dtype="float32")[:length] for length in (4, 2, 3)]
    next_frames = [roll[::-1] for roll in rolls]
    (x, y), = collect(make_dataset(rolls, next_frames, batch_size=3, shuffle=False, bucketing=False))
    assert x.shape == (3, 4, 4) and y.shape == (3, 4, 4) and x.dtype == np.float32
    np.testing.assert_array_equal(x[1, 2:], 0)


def test_make_dataset_trains_a_masked_keras_model():
    import keras

    keras.utils.set_random_seed(0)
    inputs = [[1 + (index % 5)] * (1 + index % 7) for index in range(40)]
    labels = [index % 2 for index in range(40)]
    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(8, 4, mask_zero=True),
                              keras.layers.GRU(4), keras.layers.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    history = model.fit(make_dataset(inputs, labels, batch_size=8, seed=0), epochs=2, verbose=0, shuffle=False)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()


def test_make_dataset_bad_input():
    with pytest.raises(ValueError, match="targets has 1 items but inputs has 2"):
        make_dataset([[1], [2]], [0], batch_size=2)
    with pytest.raises(ValueError, match=r"inputs\[1\] is empty"):
        make_dataset([[1], []], [0, 1], batch_size=2)
    with pytest.raises(ValueError, match="sample_weights has 1 items"):
        make_dataset([[1], [2]], [0, 1], batch_size=2, sample_weights=[1.0])
    with pytest.raises(ValueError, match="leaves no batch of 2 examples"):
        make_dataset([[1], [2]], [0, 1], batch_size=3, drop_remainder=True)
    with pytest.raises(ValueError, match="batch_size=-1"):
        make_dataset([[1], [2]], [0, 1], batch_size=-1)
