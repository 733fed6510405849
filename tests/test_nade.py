"""The NADE output layer: exact likelihood against enumeration, gradients, saving, sampling, the NADE generator."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

import seqlab
from seqlab.data.batching import make_dataset
from seqlab.data.music import PianoRollSplits
from seqlab.nade import NADE, NADEDistribution, targets_as_inputs
from seqlab.sampling import initial_states, model_step_function, sample
from seqlab.tasks import music

KEYS, HIDDEN, RNN_UNITS = 4, 3, 2
EVERY_FRAME = np.array(list(itertools.product([0.0, 1.0], repeat=KEYS)))  # all 2^K frames, (16, K)


def random_layer(seed=0, keys=KEYS, hidden=HIDDEN, rnn_units=RNN_UNITS):
    """A float64 NADE layer with every weight (W, V and the two bias maps) drawn at random."""
    layer = NADE(keys, hidden, dtype="float64")
    layer.build([(None, rnn_units), (None, keys)])
    rng = np.random.default_rng(seed)
    for weight in layer.weights:
        weight.assign(rng.normal(scale=1.5, size=weight.shape))
    return layer


def weights_of(layer):
    """``b_v, b_h`` maps and ``W, V`` as numpy, by name (not by position)."""
    return {
        "visible_kernel": np.asarray(layer.visible_bias.kernel), "visible_offset": np.asarray(layer.visible_bias.bias),
        "hidden_kernel": np.asarray(layer.hidden_bias.kernel), "hidden_offset": np.asarray(layer.hidden_bias.bias),
        "W": np.asarray(layer.visible_to_hidden), "V": np.asarray(layer.hidden_to_visible),
    }


def reference_log_probability(layer, rnn_output, frame):
    """The equations read literally: one key at a time, h_i from the keys below i."""
    weights = weights_of(layer)
    visible_bias = rnn_output @ weights["visible_kernel"] + weights["visible_offset"]
    hidden_bias = rnn_output @ weights["hidden_kernel"] + weights["hidden_offset"]
    total = 0.0
    for key in range(len(frame)):
        hidden = 1 / (1 + np.exp(-(hidden_bias + weights["W"][:, :key] @ frame[:key])))
        probability = 1 / (1 + np.exp(-(visible_bias[key] + weights["V"][key] @ hidden)))
        total += np.log(probability if frame[key] else 1 - probability)
    return total


@pytest.fixture(scope="module")
def layer():
    return random_layer()


@pytest.fixture(scope="module")
def rnn_outputs():
    return np.random.default_rng(1).normal(size=(3, RNN_UNITS))  # three different conditioning RNN states


def test_log_likelihood_equals_the_equations_key_by_key(layer, rnn_outputs):
    for rnn_output in rnn_outputs:
        conditioning = np.repeat(rnn_output[None], len(EVERY_FRAME), axis=0)
        vectorised = np.asarray(layer.log_likelihood(conditioning, EVERY_FRAME))
        expected = [reference_log_probability(layer, rnn_output, frame) for frame in EVERY_FRAME]
        np.testing.assert_allclose(vectorised, expected, rtol=1e-12, atol=1e-12)


def test_probabilities_of_every_frame_sum_to_one(layer, rnn_outputs):
    conditioning = np.repeat(rnn_outputs[:, None], len(EVERY_FRAME), axis=1)  # (3 states, 16 frames, units)
    frames = np.broadcast_to(EVERY_FRAME, (len(rnn_outputs), *EVERY_FRAME.shape))
    totals = np.exp(np.asarray(layer.log_likelihood(conditioning, frames))).sum(axis=1)
    np.testing.assert_allclose(totals, 1.0, atol=1e-12)


def test_outputs_are_the_conditionals_of_the_joint_by_enumeration(layer, rnn_outputs):
    """p_i returned for a frame = P(v_i = 1 | v_<i) computed from the joint over all 2^K frames."""
    conditioning = np.repeat(rnn_outputs[:1], len(EVERY_FRAME), axis=0)
    joint = np.exp(np.asarray(layer.log_likelihood(conditioning, EVERY_FRAME)))
    outputs = np.asarray(layer([conditioning, EVERY_FRAME]))
    for row, frame in enumerate(EVERY_FRAME):
        for key in range(KEYS):
            same_prefix = np.all(EVERY_FRAME[:, :key] == frame[:key], axis=1)
            expected = joint[same_prefix & (EVERY_FRAME[:, key] == 1)].sum() / joint[same_prefix].sum()
            assert outputs[row, key] == pytest.approx(expected, abs=1e-12)


def test_binary_cross_entropy_summed_over_keys_is_the_negative_log_likelihood(layer, rnn_outputs):
    conditioning = np.repeat(rnn_outputs[1:2], len(EVERY_FRAME), axis=0)
    probabilities = np.asarray(layer([conditioning, EVERY_FRAME]))
    cross_entropy = -(EVERY_FRAME * np.log(probabilities) + (1 - EVERY_FRAME) * np.log(1 - probabilities)).sum(-1)
    np.testing.assert_allclose(cross_entropy, -np.asarray(layer.log_likelihood(conditioning, EVERY_FRAME)),
                               rtol=1e-10)


def test_conditional_of_a_key_never_reads_that_key_or_the_keys_above(layer, rnn_outputs):
    rng = np.random.default_rng(5)
    frame = rng.integers(0, 2, size=(1, KEYS)).astype(float)
    base = np.asarray(layer([rnn_outputs[:1], frame]))[0]
    for key in range(KEYS):
        changed = frame.copy()
        changed[0, key:] = 1 - changed[0, key:]
        np.testing.assert_array_equal(np.asarray(layer([rnn_outputs[:1], changed]))[0, :key + 1], base[:key + 1])


def test_gradients_match_finite_differences_for_every_weight():
    layer = random_layer(seed=2)
    rng = np.random.default_rng(3)
    rnn_output = rng.normal(size=(5, RNN_UNITS))
    frames = rng.integers(0, 2, size=(5, KEYS)).astype(float)

    def loss():
        return -tf.reduce_sum(layer.log_likelihood(rnn_output, frames))

    with tf.GradientTape() as tape:
        value = loss()
    gradients = tape.gradient(value, layer.trainable_weights)
    assert len(gradients) == 6  # W, V, and kernel + bias of both bias maps
    step = 1e-6
    for weight, gradient in zip(layer.trainable_weights, gradients):
        gradient = np.asarray(gradient)
        assert np.all(np.isfinite(gradient)) and np.abs(gradient).max() > 0, weight.path
        original = np.asarray(weight).copy()
        numeric = np.zeros_like(original)
        for index in np.ndindex(original.shape):
            for sign in (1, -1):
                shifted = original.copy()
                shifted[index] += sign * step
                weight.assign(shifted)
                numeric[index] += sign * float(loss()) / (2 * step)
            weight.assign(original)
        np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-7, err_msg=weight.path)


def test_config_round_trip():
    layer = NADE(88, 150, name="music_nade")
    clone = NADE.from_config(layer.get_config())
    assert (clone.num_visible, clone.units, clone.name) == (88, 150, "music_nade")
    assert clone.get_config() == layer.get_config()


def test_bad_arguments():
    with pytest.raises(ValueError, match="num_visible=0 is not allowed; num_visible must be a positive integer"):
        NADE(0, 3)
    with pytest.raises(ValueError, match=r"frames have 5 units per frame .*num_visible=4 are required"):
        NADE(4, 3)([np.zeros((1, 2), "float32"), np.zeros((1, 5), "float32")])
    layer = random_layer()
    with pytest.raises(ValueError, match=r"biases has shape \(6,\); \(\.\.\., 7\)"):
        layer.distribution(np.zeros(6))
    distribution = layer.distribution(np.zeros(KEYS + HIDDEN))
    with pytest.raises(ValueError, match="temperature=-1 is not allowed"):
        distribution.sample(temperature=-1)
    with pytest.raises(ValueError, match="top_k=0 is not allowed"):
        distribution.sample(top_k=0)
    with pytest.raises(ValueError, match="rng='seed' is not allowed"):
        distribution.sample(rng="seed")


# ------------------------------------------------------------------------------------------- sampling


def test_sampler_draws_frames_with_the_model_probabilities(layer, rnn_outputs):
    biases = np.asarray(layer(rnn_outputs[:1]))[0]
    draws = 20000
    frames = layer.sample(np.repeat(biases[None], draws, axis=0), rng=4)
    assert frames.shape == (draws, KEYS) and frames.dtype == np.float32 and set(np.unique(frames)) <= {0.0, 1.0}
    counts = {tuple(frame): count for frame, count in zip(*np.unique(frames, axis=0, return_counts=True))}
    expected = np.exp(layer.distribution(biases).log_probability(EVERY_FRAME))
    observed = np.array([counts.get(tuple(frame), 0) / draws for frame in EVERY_FRAME])
    np.testing.assert_allclose(observed, expected, atol=0.012)


def test_sampler_is_deterministic_with_a_seed(layer, rnn_outputs):
    distribution = layer.distribution(np.asarray(layer(rnn_outputs))[:, :])  # three frames at once
    first = distribution.sample(rng=7)
    assert first.shape == (3, KEYS)
    np.testing.assert_array_equal(first, distribution.sample(rng=np.random.default_rng(7)))
    np.testing.assert_array_equal(distribution.sample(rng=np.random.RandomState(7)),
                                  distribution.sample(rng=np.random.RandomState(7)))
    many = [distribution.sample(rng=seed) for seed in range(20)]
    assert any(not np.array_equal(many[0], other) for other in many[1:])


def test_greedy_sampling_and_top_k():
    distribution = random_layer(seed=4).distribution(np.random.default_rng(6).normal(size=(50, KEYS + HIDDEN)))
    greedy = distribution.sample(temperature=0)
    np.testing.assert_array_equal(greedy, (distribution.conditional_probabilities(greedy) >= 0.5).astype("float32"))
    capped = distribution.sample(temperature=2.0, top_k=1, rng=0)
    assert capped.sum(axis=1).max() <= 1
    loud = NADEDistribution(np.full(6, 9.0), np.zeros(2), np.zeros((2, 6)), np.zeros((6, 2)))
    assert loud.sample(top_k=2, rng=0).tolist() == [1, 1, 0, 0, 0, 0]  # the cap keeps the lowest keys drawn


# ------------------------------------------------------------------------------------------- generator


def nade_generator(**keywords):
    return seqlab.build("one_to_many", input_dim=KEYS, output="nade", nade_units=HIDDEN, units=3, **keywords)


def piano_roll(seed, pieces=2, frames=6):
    return np.random.default_rng(seed).integers(0, 2, size=(pieces, frames, KEYS)).astype("float32")


def test_save_and_load_give_identical_outputs(tmp_path):
    generator = nade_generator(cell="gru", depth=2)
    roll = piano_roll(0)
    inputs = [roll[:, :-1], roll[:, 1:]]
    generator.train.save(tmp_path / "nade.keras")
    loaded = keras.saving.load_model(tmp_path / "nade.keras")
    np.testing.assert_array_equal(np.asarray(loaded(inputs)), np.asarray(generator.train(inputs)))
    nade = [layer for layer in loaded.layers if isinstance(layer, NADE)][0]
    assert (nade.num_visible, nade.units) == (KEYS, HIDDEN)


def test_sampling_a_nade_generator_carries_states_and_is_seeded():
    generator = nade_generator(cell="lstm")
    step_function = model_step_function(generator.step)
    states = initial_states(generator.step)
    frames = sample(step_function, states, [np.zeros(KEYS)], steps=8, distribution="nade", temperature=1.0, seed=3)
    assert frames.shape == (8, KEYS) and set(np.unique(frames)) <= {0.0, 1.0}
    again = sample(step_function, states, [np.zeros(KEYS)], steps=8, distribution="nade", temperature=1.0, seed=3)
    np.testing.assert_array_equal(frames, again)
    capped = sample(step_function, states, [np.zeros(KEYS)], steps=8, distribution="nade", top_k=1, seed=3)
    assert capped.sum(axis=1).max() <= 1

    # greedy sampling = greedy key-by-key decoding read off the training model
    greedy = sample(step_function, states, [np.zeros(KEYS)], steps=4, distribution="nade", temperature=0)
    sequence = np.concatenate([np.zeros((1, KEYS)), greedy])[None].astype("float32")
    conditionals = np.asarray(generator.train([sequence[:, :-1], sequence[:, 1:]]))[0]
    np.testing.assert_array_equal(greedy, (conditionals >= 0.5).astype("float32"))


def test_distribution_must_match_the_generator():
    step_function = model_step_function(nade_generator().step)
    states = initial_states(nade_generator().step)
    with pytest.raises(ValueError, match="distribution='bernoulli' is not allowed; a NADE generator's output is drawn "
                                         "with distribution='nade'"):
        sample(step_function, states, [np.zeros(KEYS)], steps=2, distribution="bernoulli")
    plain = seqlab.build("one_to_many", input_dim=KEYS, output_activation="sigmoid", units=3)
    with pytest.raises(ValueError, match="distribution='nade' is not allowed; distribution='nade' needs the output"):
        sample(model_step_function(plain.step), initial_states(plain.step), [np.zeros(KEYS)], steps=2,
               distribution="nade")


def test_frame_nll_of_the_training_model_is_the_exact_negative_log_likelihood():
    generator = nade_generator(cell="gru")
    pieces = [piano_roll(1, pieces=1, frames=5)[0], piano_roll(2, pieces=1, frames=3)[0]]
    nade = [layer for layer in generator.step.layers if isinstance(layer, NADE)][0]
    log_likelihoods = []
    for piece in pieces:
        states = initial_states(generator.step)
        for frame, next_frame in zip(piece[:-1], piece[1:]):
            biases, *states = [np.asarray(tensor) for tensor in generator.step([frame[None, None], *states])]
            log_likelihoods.append(nade.distribution(biases[0]).log_probability(next_frame))
    data = music.Task("pieces", PianoRollSplits(dict.fromkeys(("train", "valid", "test"), pieces), steps_per_quarter=1))
    test_nll = music.evaluate(data, music.predict(generator.train, data, "test"), "test")["test_nll"]
    assert test_nll == pytest.approx(-np.mean(log_likelihoods), rel=1e-5)


def test_one_training_step_with_binary_cross_entropy_on_a_random_piano_roll():
    keras.utils.set_random_seed(0)
    generator = nade_generator(cell="gru", dropout=0.1)
    pieces = list(piano_roll(3, pieces=4, frames=7))
    dataset = targets_as_inputs(make_dataset([piece[:-1] for piece in pieces], [piece[1:] for piece in pieces], 2,
                                             sample_weights=[np.ones(6, "float32")] * 4))
    (inputs, targets), same_targets, weights = next(iter(dataset))
    assert inputs.shape == targets.shape and np.array_equal(targets, same_targets) and weights.shape == (2, 6)
    generator.train.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    before = [np.asarray(weight).copy() for weight in generator.train.trainable_weights]
    history = generator.train.fit(dataset, epochs=1, shuffle=False, verbose=0)  # the dataset shuffles
    assert np.isfinite(history.history["loss"][0])
    assert all(not np.array_equal(old, np.asarray(new)) for old, new in zip(before, generator.train.trainable_weights))


@pytest.mark.parametrize("keywords, message", [
    (dict(vocab_size=10, input_dim=None), "output='nade' is not allowed with vocab_size=10: NADE models frames"),
    (dict(output_activation="softmax"), "output_activation='softmax' is not allowed with output='nade'"),
    (dict(nade_units=0), "nade_units=0 is not allowed; nade_units must be a positive integer"),
])
def test_builder_arguments(keywords, message):
    arguments = dict(input_dim=KEYS, output="nade", nade_units=HIDDEN, units=3)
    arguments.update(keywords)
    with pytest.raises(ValueError, match=message):
        seqlab.build("one_to_many", **arguments)
