"""Right padding, length bucketing and ``tf.data`` pipelines for variable-length sequences.

Padding always goes at the end (``post``) with id 0, so masks are right-padded: a mask row
is ones then zeros, which keeps Keras' cuDNN RNN kernels usable on GPU. Bucketing groups
examples of similar length into the same batch, which cuts the padded (wasted) steps.

>>> pad_sequences([[5, 6, 7], [8]])
array([[5, 6, 7],
       [8, 0, 0]], dtype=int32)
>>> lengths = [9, 2, 8, 3, 1, 10]
>>> batches = bucket_batches(lengths, batch_size=2, seed=0)
>>> sorted(sorted(lengths[index] for index in batch) for batch in batches)
[[1, 2], [3, 8], [9, 10]]
>>> round(padding_fraction(batches, lengths=lengths), 3)
0.175
>>> round(padding_fraction([[0, 1], [2, 3], [4, 5]], lengths=lengths), 3)
0.389
"""

import numpy as np

from seqlab import checks
from seqlab.data.vocab import PAD_ID


def _as_arrays(sequences, argument):
    arrays = [np.asarray(sequence) for sequence in sequences]
    if not arrays:
        raise ValueError(f"{argument} is empty; at least one sequence is required.")
    for index, array in enumerate(arrays):
        if array.ndim == 0:
            raise ValueError(f"{argument}[{index}]={array!r} is a scalar; each item must be a sequence.")
        if array.shape[1:] != arrays[0].shape[1:]:
            raise ValueError(
                f"{argument}[{index}] has step shape {array.shape[1:]}, but {argument}[0] has "
                f"{arrays[0].shape[1:]}; every step must have the same shape."
            )
    return arrays


def pad_sequences(sequences, *, max_length=None, pad_value=PAD_ID, dtype=None):
    """Stack variable-length sequences into one array, padded (and truncated) at the end.

    Args:
        sequences: list of sequences: id lists, or arrays ``(time, *features)``
            (e.g. piano-roll frames).
        max_length: output length; ``None`` = the longest sequence. Longer sequences keep
            their first ``max_length`` steps.
        pad_value: fill value (default ``PAD_ID`` = 0).
        dtype: output dtype; default ``int32`` for integer input, ``float32`` otherwise.

    Returns:
        ``numpy`` array ``(len(sequences), max_length, *features)``.

    >>> pad_sequences([[[1.0, 0.0]], [[0.5, 0.5], [1.0, 1.0]]]).shape
    (2, 2, 2)
    >>> pad_sequences([[1, 2, 3], [4]], max_length=2)
    array([[1, 2],
           [4, 0]], dtype=int32)
    """
    arrays = _as_arrays(sequences, "sequences")
    if max_length is None:
        max_length = max(len(array) for array in arrays)
    if not isinstance(max_length, (int, np.integer)) or max_length < 1:
        raise ValueError(f"max_length={max_length!r} must be None or a positive integer.")
    if dtype is None:
        integer = all(np.issubdtype(array.dtype, np.integer) or array.size == 0 for array in arrays)
        dtype = "int32" if integer else "float32"
    padded = np.full((len(arrays), max_length) + arrays[0].shape[1:], pad_value, dtype=dtype)
    for row, array in enumerate(arrays):
        steps = min(len(array), max_length)
        padded[row, :steps] = array[:steps]
    return padded


def _check_batching(lengths, batch_size, pool_batches):
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or len(lengths) == 0:
        raise ValueError(f"lengths must be a non-empty list of sequence lengths; got shape {lengths.shape}.")
    checks.positive_integer("batch_size", batch_size)
    if pool_batches is not None and (not isinstance(pool_batches, (int, np.integer)) or pool_batches < 1):
        raise ValueError(f"pool_batches={pool_batches!r} must be None (sort everything) or a positive integer.")
    return lengths


def bucket_batches(lengths, batch_size, seed=0, *, shuffle=True, pool_batches=100, drop_remainder=False):
    """Group example indices into batches of similar length.

    The examples are shuffled (with ``seed``), cut into pools of ``pool_batches * batch_size``,
    sorted by length inside each pool and cut into batches; the batches are then shuffled.
    Larger pools mean less padding, smaller pools more randomness between epochs.

    Args:
        lengths: length of every example.
        batch_size: examples per batch.
        seed: shuffle seed (same seed, same batches).
        shuffle: shuffle examples and batches; ``False`` keeps the sorted order.
        pool_batches: batches per sorting pool; ``None`` sorts the whole dataset at once.
        drop_remainder: drop batches smaller than ``batch_size``.

    Returns:
        list of ``numpy`` index arrays.

    >>> [batch.tolist() for batch in bucket_batches([3, 1, 2, 1], batch_size=2, shuffle=False)]
    [[1, 3], [2, 0]]
    """
    lengths = _check_batching(lengths, batch_size, pool_batches)
    random = np.random.default_rng(seed)
    order = random.permutation(len(lengths)) if shuffle else np.arange(len(lengths))
    pool_size = len(lengths) if pool_batches is None else pool_batches * batch_size
    batches = []
    for start in range(0, len(order), pool_size):
        pool = order[start:start + pool_size]
        pool = pool[np.argsort(lengths[pool], kind="stable")]
        batches += [pool[offset:offset + batch_size] for offset in range(0, len(pool), batch_size)]
    if drop_remainder:
        batches = [batch for batch in batches if len(batch) == batch_size]
    if shuffle:
        batches = [batches[index] for index in random.permutation(len(batches))]
    return batches


def in_length_order(items, predict_batch, *, batch_size=256, length=len):
    """``predict_batch`` over batches of similar length, the results put back in the items' order.

    The way to run a model over many variable-length examples: sorting by length keeps the
    padding small, and the caller gets one result per item, in its own order.

    Args:
        items: examples (sequences, or anything ``length`` measures).
        predict_batch: function of a list of items (one batch, shortest first) that returns one
            result per item, in that order.
        batch_size: items per batch.
        length: the length of an item.

    >>> in_length_order(["ccc", "a", "bb"], lambda batch: [text.upper() for text in batch], batch_size=2)
    ['CCC', 'A', 'BB']
    """
    results = [None] * len(items)
    if not len(items):
        return results
    for batch in bucket_batches([length(item) for item in items], batch_size, shuffle=False, pool_batches=None):
        outputs = predict_batch([items[index] for index in batch])
        for index, output in zip(batch, outputs):
            results[index] = output
    return results


def sequential_batches(count, batch_size, seed=0, *, shuffle=True, drop_remainder=False):
    """Batches of indices without length grouping (optionally shuffled with ``seed``).

    >>> [batch.tolist() for batch in sequential_batches(5, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    _check_batching(np.zeros(count), batch_size, None)
    order = np.random.default_rng(seed).permutation(count) if shuffle else np.arange(count)
    batches = [order[offset:offset + batch_size] for offset in range(0, count, batch_size)]
    if drop_remainder:
        batches = [batch for batch in batches if len(batch) == batch_size]
    return batches


def padding_fraction(batches, *, lengths=None):
    """Fraction of the batched time steps that are padding.

    Args:
        batches: either padded arrays (or tuples whose first item is the padded inputs, as a
            ``tf.data`` dataset from :func:`make_dataset` yields): a step is padding when its
            id is 0 (``(batch, time)``) or all its features are 0 (``(batch, time, features)``);
            or, with ``lengths``, index batches from :func:`bucket_batches`.
        lengths: the example lengths, when ``batches`` holds indices (exact and cheap).

    Returns:
        float in [0, 1).

    >>> padding_fraction([pad_sequences([[1, 2, 3, 4], [5]])])
    0.375
    """
    padded_steps = total_steps = 0
    if lengths is not None:
        lengths = np.asarray(lengths)
        for batch in batches:
            batch_lengths = lengths[np.asarray(batch)]
            total_steps += batch_lengths.max() * len(batch_lengths)
            padded_steps += batch_lengths.max() * len(batch_lengths) - batch_lengths.sum()
    else:
        for batch in batches:
            inputs = np.asarray(batch[0] if isinstance(batch, tuple) else batch)
            step_is_padding = inputs == PAD_ID if inputs.ndim == 2 else np.all(inputs == 0, axis=tuple(range(2, inputs.ndim)))
            total_steps += step_is_padding.size
            padded_steps += step_is_padding.sum()
    if total_steps == 0:
        raise ValueError("batches is empty; nothing to measure.")
    return float(padded_steps / total_steps)


def _per_token(inputs, targets):
    """True when every target is a sequence as long as its input (per-token labels)."""
    return all(np.ndim(target) >= 1 and len(target) == len(sequence) for sequence, target in zip(inputs, targets))


def _signature(tensorflow, example, per_token, dtype):
    shape = (None, None) + np.shape(example)[1:] if per_token else (None,) + np.shape(example)
    return tensorflow.TensorSpec(shape=shape, dtype=dtype)


def _dtype(values):
    integer = all(np.issubdtype(np.asarray(value).dtype, np.integer) or np.asarray(value).dtype == bool for value in values)
    return "int32" if integer else "float32"


def make_dataset(inputs, targets, batch_size, *, bucketing=True, shuffle=True, seed=0, sample_weights=None,
                 pool_batches=100, drop_remainder=False, per_token_targets=None):
    """A ``tf.data.Dataset`` of right-padded batches of variable-length sequences.

    Every pass over the dataset (every epoch) draws new batches with seed ``seed + epoch``,
    so training is reproducible and still reshuffled. Batches are prefetched.

    Args:
        inputs: list of sequences: token-id lists, or arrays ``(time, features)``.
        targets: one per example: a label (int or vector) for many-to-one models, or a
            sequence as long as its input (per-token labels, next-token ids, piano-roll frames)
            for many-to-many / one-to-many models; per-token targets are right-padded with 0.
        batch_size: examples per batch.
        bucketing: group examples of similar length (:func:`bucket_batches`) to cut padding.
        shuffle: reshuffle every epoch; ``False`` gives a fixed order (evaluation).
        seed: shuffle seed.
        sample_weights: optional, one per example (a number) or per token (a sequence as long
            as the input; padded with 0). Yields ``(inputs, targets, sample_weights)`` batches.
        pool_batches: bucketing pool size in batches (see :func:`bucket_batches`).
        drop_remainder: drop the last incomplete batches.
        per_token_targets: ``None`` decides from the data (every target a sequence as long as
            its input); ``True`` / ``False`` says it explicitly (e.g. fixed-length inputs with
            vector labels of the same length).

    Returns:
        ``tf.data.Dataset`` yielding ``(inputs, targets)`` or ``(inputs, targets, sample_weights)``.

    Raises:
        ValueError: mismatched lengths, an empty example (a fully masked row breaks cuDNN), or
            bad arguments.

    >>> dataset = make_dataset([[1, 2, 3], [4], [5, 6]], [0, 1, 1], batch_size=2, seed=0)
    >>> len(dataset)
    2
    >>> [tuple(inputs.shape) for inputs, targets in dataset]
    [(1, 3), (2, 2)]
    """
    import tensorflow

    inputs, targets = list(inputs), list(targets)
    if len(targets) != len(inputs):
        raise ValueError(f"targets has {len(targets)} items but inputs has {len(inputs)}; one target per input.")
    if sample_weights is not None and len(sample_weights) != len(inputs):
        raise ValueError(f"sample_weights has {len(sample_weights)} items but inputs has {len(inputs)}.")
    lengths = np.array([len(sequence) for sequence in inputs])
    if len(lengths) and lengths.min() == 0:
        raise ValueError(
            f"inputs[{int(np.argmin(lengths))}] is empty; drop empty examples (a fully masked row breaks cuDNN)."
        )
    _check_batching(lengths, batch_size, pool_batches)
    input_arrays = _as_arrays(inputs, "inputs")
    if per_token_targets is None:
        per_token_targets = _per_token(inputs, targets)
    elif per_token_targets and not _per_token(inputs, targets):
        raise ValueError("per_token_targets=True, but some target is not a sequence as long as its input.")
    columns = [(input_arrays, True, _dtype(input_arrays[:100]))]
    columns.append((targets, per_token_targets, _dtype(targets[:100])))
    if sample_weights is not None:
        columns.append((list(sample_weights), _per_token(inputs, sample_weights), "float32"))
    signature = tuple(_signature(tensorflow, values[0], per_token, dtype) for values, per_token, dtype in columns)
    epoch = [0]

    def epoch_batches(epoch_seed):
        if bucketing:
            return bucket_batches(lengths, batch_size, epoch_seed, shuffle=shuffle, pool_batches=pool_batches,
                                  drop_remainder=drop_remainder)
        return sequential_batches(len(lengths), batch_size, epoch_seed, shuffle=shuffle, drop_remainder=drop_remainder)

    def generate():
        batches = epoch_batches(seed + epoch[0])
        epoch[0] += 1
        for batch in batches:
            yield tuple(
                pad_sequences([values[index] for index in batch], dtype=dtype) if per_token
                else np.asarray([values[index] for index in batch], dtype=dtype)
                for values, per_token, dtype in columns
            )

    batch_count = len(epoch_batches(seed))
    if batch_count == 0:
        raise ValueError(f"batch_size={batch_size} with drop_remainder=True leaves no batch of {len(lengths)} examples.")
    dataset = tensorflow.data.Dataset.from_generator(generate, output_signature=signature)
    dataset = dataset.apply(tensorflow.data.experimental.assert_cardinality(batch_count))
    return dataset.prefetch(tensorflow.data.AUTOTUNE)
