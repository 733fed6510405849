"""Tests for seqlab.probes: agreement data, hidden-state gradients, gradient check."""

import numpy as np
import pytest

from seqlab import probes

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

SINGULAR = {singular for singular, _ in probes.AGREEMENT_NOUNS}
PLURAL = {plural for _, plural in probes.AGREEMENT_NOUNS}


@pytest.mark.parametrize("distance", [0, 1, 2, 3, 4, 5, 11, 30])
def test_agreement_lengths_subject_and_vocabulary(distance):
    examples = probes.agreement_data(200, distance=distance, seed=distance)
    words = set(probes.agreement_words())
    for example in examples:
        tokens = example["tokens"]
        assert len(tokens) == distance + 2
        assert tokens[0] == "the"
        assert tokens[1] in (PLURAL if example["label"] == 1 else SINGULAR)
        assert set(tokens) <= words


def test_agreement_is_seeded_and_balanced():
    first = probes.agreement_data(2000, distance=6, seed=7)
    assert first == probes.agreement_data(2000, distance=6, seed=7)
    assert first != probes.agreement_data(2000, distance=6, seed=8)
    plural_share = np.mean([example["label"] for example in first])
    assert 0.45 < plural_share < 0.55


@pytest.mark.parametrize("probability, agree", [(1.0, False), (0.0, True)])
def test_agreement_attractors_follow_probability(probability, agree):
    for example in probes.agreement_data(100, distance=9, attractor_probability=probability, seed=1):
        filler_nouns = [word for word in example["tokens"][2:] if word in SINGULAR | PLURAL]
        assert len(filler_nouns) == 3
        subject_plural = example["label"] == 1
        assert all((noun in PLURAL) == (subject_plural if agree else not subject_plural) for noun in filler_nouns)


def test_agreement_half_attractors_defeat_the_last_noun():
    examples = probes.agreement_data(3000, distance=6, seed=2)
    last_noun_says_plural = [example["tokens"][-1] in PLURAL for example in examples]
    agreement = np.mean([guess == bool(example["label"]) for guess, example in zip(last_noun_says_plural, examples)])
    assert 0.45 < agreement < 0.55


@pytest.mark.parametrize(
    "keywords, message",
    [
        ({"num_examples": 0, "distance": 3}, "num_examples=0"),
        ({"num_examples": 5, "distance": 2.5}, "distance=2.5"),
        ({"num_examples": 5, "distance": 3, "attractor_probability": 1.5}, "attractor_probability=1.5"),
    ],
)
def test_agreement_rejects_bad_arguments(keywords, message):
    num_examples = keywords.pop("num_examples")
    with pytest.raises(ValueError, match=message):
        probes.agreement_data(num_examples, **keywords)


def unrolled_state_gradients(layer, inputs, weights):
    """Reference: run the cell step by step in Python and differentiate with respect to each a<t>."""
    cell = layer.cell
    states = cell.get_initial_state(batch_size=inputs.shape[0])
    states = list(states) if isinstance(states, (list, tuple)) else [states]
    hidden = []
    with tf.GradientTape() as tape:
        for step in range(inputs.shape[1]):
            output, states = cell(inputs[:, step], states)
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            tape.watch(output)
            hidden.append(output)
            states[0] = output
        loss = tf.reduce_sum(hidden[-1] * weights)
    return np.stack([gradient.numpy() for gradient in tape.gradient(loss, hidden)], axis=1)


@pytest.mark.parametrize("layer_class", ["SimpleRNN", "GRU", "LSTM"])
def test_state_gradients_match_step_by_step_backpropagation(layer_class):
    keras.utils.set_random_seed(0)
    layer = getattr(keras.layers, layer_class)(5)
    inputs = tf.constant(np.random.default_rng(0).normal(size=(3, 6, 4)), dtype="float32")
    layer.build(inputs.shape)
    weights = tf.constant(np.random.default_rng(1).normal(size=(1, 5)), dtype="float32")
    probed = probes.state_gradients(layer, inputs, lambda output: output * weights)
    reference = unrolled_state_gradients(layer, inputs, weights)
    assert probed.shape == (3, 6, 5)
    np.testing.assert_allclose(probed, reference, rtol=1e-4, atol=1e-6)
    assert np.abs(probed[:, 0]).max() > 0


def test_linear_recurrence_gives_geometric_decay():
    layer = keras.layers.SimpleRNN(
        4, activation="linear", recurrent_initializer=keras.initializers.Identity(0.5), kernel_initializer="ones"
    )
    gradients = probes.state_gradients(layer, np.ones((2, 8, 3), "float32"), keras.ops.sum)
    norms = np.linalg.norm(gradients, axis=-1).mean(axis=0)
    np.testing.assert_allclose(norms[:-1] / norms[1:], 0.5, rtol=1e-5)


def test_go_backwards_is_indexed_by_input_position():
    layer = keras.layers.SimpleRNN(
        2, activation="linear", recurrent_initializer=keras.initializers.Identity(0.5), go_backwards=True
    )
    gradients = probes.state_gradients(layer, np.ones((1, 5, 3), "float32"), keras.ops.sum)
    norms = np.linalg.norm(gradients[0], axis=-1)
    np.testing.assert_allclose(norms[1:] / norms[:-1], 0.5, rtol=1e-5)


def test_state_gradients_rejects_a_bidirectional_layer():
    with pytest.raises(ValueError, match="recurrent_layer="):
        probes.state_gradients(keras.layers.Bidirectional(keras.layers.GRU(3)), np.ones((1, 2, 3)), keras.ops.sum)


def chain_model(*recurrent_layers):
    return keras.Sequential(
        [keras.Input((7,)), keras.layers.Embedding(12, 4), *recurrent_layers, keras.layers.Dense(2, activation="softmax")]
    )


def test_state_gradient_norms_on_a_chain_model():
    keras.utils.set_random_seed(3)
    model = chain_model(keras.layers.GRU(6))
    inputs = np.random.default_rng(3).integers(1, 12, size=(4, 7))
    targets = np.array([0, 1, 1, 0])
    norms = probes.state_gradient_norms(model, inputs, targets)
    embedded = model.layers[0](inputs)
    gradients = probes.state_gradients(
        model.layers[1], embedded,
        lambda output: keras.losses.sparse_categorical_crossentropy(targets, model.layers[2](output)),
    )
    np.testing.assert_allclose(norms, np.linalg.norm(gradients, axis=-1).mean(axis=0), rtol=1e-5)
    assert norms.shape == (7,) and np.all(norms > 0)


def test_state_gradient_norms_rejects_two_recurrent_layers():
    model = chain_model(keras.layers.GRU(6, return_sequences=True), keras.layers.GRU(6))
    with pytest.raises(ValueError, match="exactly one unwrapped recurrent layer"):
        probes.state_gradient_norms(model, np.ones((2, 7), "int32"), np.zeros(2, "int32"))


def test_state_gradient_norms_rejects_a_model_with_a_skip_connection():
    inputs = keras.Input((7,))
    embedded = keras.layers.Embedding(12, 4)(inputs)
    summary = keras.layers.SimpleRNN(3)(embedded)
    skipped = keras.layers.GlobalAveragePooling1D()(embedded)
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.Concatenate()([summary, skipped]))
    model = keras.Model(inputs, outputs)
    with pytest.raises(ValueError, match="cannot be cut"):
        probes.state_gradient_norms(model, np.ones((2, 7), "int32"), np.zeros(2, "int32"))


def test_gradient_check_agrees_on_a_recurrent_loss():
    keras.utils.set_random_seed(4)
    layer = keras.layers.SimpleRNN(3, dtype="float64")
    inputs = tf.constant(np.random.default_rng(4).normal(size=(2, 5, 2)))
    layer.build(inputs.shape)
    rows = probes.gradient_check(lambda: tf.reduce_sum(layer(inputs) ** 2), layer.trainable_variables, entries=4, epsilon=1e-5)
    assert len(rows) == 4 + 4 + 3
    assert max(row["relative_error"] for row in rows) < 1e-7
    before = [variable.numpy().copy() for variable in layer.trainable_variables]
    probes.gradient_check(lambda: tf.reduce_sum(layer(inputs)), layer.trainable_variables, entries=2)
    for original, variable in zip(before, layer.trainable_variables):
        np.testing.assert_array_equal(original, variable.numpy())


def test_gradient_check_exposes_a_wrong_gradient():
    weight = tf.Variable([2.0, -1.0], dtype="float64")
    rows = probes.gradient_check(lambda: tf.reduce_sum(tf.stop_gradient(weight) * weight), [weight])
    np.testing.assert_allclose([row["analytic"] for row in rows], [2.0, -1.0])
    np.testing.assert_allclose([row["numeric"] for row in rows], [4.0, -2.0], rtol=1e-6)
    np.testing.assert_allclose([row["relative_error"] for row in rows], 1 / 3, rtol=1e-6)


def test_state_gradient_norms_on_a_seqlab_many_to_one_model():
    seqlab = pytest.importorskip("seqlab")
    keras.utils.set_random_seed(5)
    model = seqlab.build("many_to_one", cell="lstm", units=5, vocab_size=12, embedding_dim=4, num_classes=2)
    inputs = np.random.default_rng(5).integers(1, 12, size=(3, 6))
    targets = np.array([1, 0, 1])
    norms = probes.state_gradient_norms(model, inputs, targets)
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)][0]
    embedded = model.get_layer("inputs_embedding")(inputs)
    head = keras.Sequential([model.get_layer("output_dropout"), model.get_layer("output")])
    gradients = probes.state_gradients(
        recurrent, embedded,
        lambda output: keras.losses.sparse_categorical_crossentropy(targets, head(output[1])),
    )
    np.testing.assert_allclose(norms, np.linalg.norm(gradients, axis=-1).mean(axis=0), rtol=1e-5)


def test_state_gradients_keep_the_layer_dtype():
    layer = keras.layers.SimpleRNN(
        2, activation="linear", recurrent_initializer=keras.initializers.Identity(0.5), dtype="float64"
    )
    gradients = probes.state_gradients(layer, np.ones((1, 3, 2)), keras.ops.sum)
    assert gradients.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(gradients[0], axis=-1)[:-1] / np.linalg.norm(gradients[0], axis=-1)[1:], 0.5)
