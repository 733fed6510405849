"""Equation cells against Keras' built-in cells on the same weights, and BPTT gradient checks."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqlab import cells
from seqlab.losses import sequence_cross_entropy

PAIRS = [
    (cells.EquationRNNCell, {}, keras.layers.SimpleRNNCell, {}),
    (cells.EquationGRUCell, {}, keras.layers.GRUCell, {"reset_after": False}),
    (cells.EquationLSTMCell, {}, keras.layers.LSTMCell, {}),
]


def randomise(layer, rng, scale=0.5):
    for weight in layer.weights:
        weight.assign(rng.normal(0.0, scale, weight.shape).astype(weight.dtype))


@pytest.mark.parametrize("equation_class, equation_options, keras_class, keras_options", PAIRS,
                         ids=["rnn", "gru", "lstm"])
def test_equation_cell_equals_keras_cell(equation_class, equation_options, keras_class, keras_options):
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(3, 6, 4)).astype("float32")
    keras_layer = keras.layers.RNN(keras_class(5, **keras_options), return_sequences=True, return_state=True)
    equation_layer = keras.layers.RNN(equation_class(5, **equation_options), return_sequences=True, return_state=True)
    keras_layer.build(inputs.shape)
    equation_layer.build(inputs.shape)
    randomise(keras_layer, rng)
    randomise(equation_layer, rng)  # different weights first: the copy must make them agree
    cells.copy_weights_from_keras(equation_layer.cell, keras_layer.cell)
    expected, computed = keras_layer(inputs), equation_layer(inputs)
    assert len(expected) == len(computed)
    for keras_tensor, equation_tensor in zip(expected, computed):
        np.testing.assert_allclose(np.asarray(equation_tensor), np.asarray(keras_tensor), atol=1e-5)


def test_simplified_gru_is_full_gru_with_relevance_gate_fixed_at_one():
    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(2, 5, 3)).astype("float32")
    full = keras.layers.RNN(cells.EquationGRUCell(4), return_sequences=True)
    simplified = keras.layers.RNN(cells.EquationGRUCell(4, relevance_gate=False), return_sequences=True)
    full.build(inputs.shape)
    simplified.build(inputs.shape)
    randomise(simplified, rng)
    for gate in ("update", "candidate"):
        getattr(full.cell, f"{gate}_kernel").assign(getattr(simplified.cell, f"{gate}_kernel"))
        getattr(full.cell, f"{gate}_bias").assign(getattr(simplified.cell, f"{gate}_bias"))
    full.cell.relevance_kernel.assign(np.zeros(full.cell.relevance_kernel.shape))
    full.cell.relevance_bias.assign(np.full(full.cell.relevance_bias.shape, 40.0))  # sigmoid(40) == 1 in float32
    np.testing.assert_allclose(np.asarray(full(inputs)), np.asarray(simplified(inputs)), atol=1e-6)
    # and the relevance gate matters once it is not saturated
    full.cell.relevance_bias.assign(np.zeros(full.cell.relevance_bias.shape))
    assert not np.allclose(np.asarray(full(inputs)), np.asarray(simplified(inputs)), atol=1e-3)


def test_lstm_literal_form_differs_from_standard_form():
    rng = np.random.default_rng(2)
    inputs = rng.normal(size=(2, 4, 3)).astype("float32")
    standard = keras.layers.RNN(cells.EquationLSTMCell(4))
    literal = keras.layers.RNN(cells.EquationLSTMCell(4, tanh_output=False))
    standard.build(inputs.shape)
    literal.build(inputs.shape)
    randomise(standard, rng, scale=1.5)
    for source, target in zip(standard.weights, literal.weights):
        target.assign(source)
    assert not np.allclose(np.asarray(standard(inputs)), np.asarray(literal(inputs)), atol=1e-3)


@pytest.mark.parametrize("cell", cells.available())
def test_cell_layer_saves_and_loads(cell, tmp_path):
    inputs = keras.Input((None, 3))
    model = keras.Model(inputs, cells.recurrent_layer(cell, 4, return_sequences=True)(inputs))
    batch = np.random.default_rng(3).normal(size=(2, 5, 3)).astype("float32")
    model.save(tmp_path / "cell.keras")
    loaded = keras.saving.load_model(tmp_path / "cell.keras")
    np.testing.assert_allclose(np.asarray(loaded(batch)), np.asarray(model(batch)), atol=1e-6)


def test_copy_weights_rejects_mismatched_pair():
    with pytest.raises(ValueError, match="cannot copy weights from LSTMCell into EquationGRUCell"):
        equation, keras_cell = cells.EquationGRUCell(2), keras.layers.LSTMCell(2)
        equation.build((None, 3))
        keras_cell.build((None, 3))
        cells.copy_weights_from_keras(equation, keras_cell)


@pytest.mark.parametrize("bad_units", [0, -2, 2.5, True])
def test_bad_units_are_rejected(bad_units):
    with pytest.raises(ValueError, match=f"units={bad_units!r} is not allowed"):
        cells.EquationLSTMCell(bad_units)


def test_sequence_loss_is_sum_of_step_losses_and_ignores_padding():
    rng = np.random.default_rng(4)
    probabilities = rng.dirichlet(np.ones(3), size=(2, 4))
    targets = rng.integers(0, 3, size=(2, 4))
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]])
    losses = np.asarray(sequence_cross_entropy(targets, probabilities, mask))
    by_hand = [-sum(np.log(probabilities[b, t, targets[b, t]]) for t in range(4) if mask[b, t]) for b in range(2)]
    np.testing.assert_allclose(losses, by_hand, rtol=1e-6)
    changed = probabilities.copy()
    changed[1, 2:] = rng.dirichlet(np.ones(3), size=2)  # what padding holds must not matter
    np.testing.assert_allclose(np.asarray(sequence_cross_entropy(targets, changed, mask)), losses, rtol=1e-12)


@pytest.mark.parametrize("cell", cells.available())
def test_bptt_gradient_matches_finite_differences(cell):
    """Backpropagation through time (GradientTape) against central differences, in float64."""
    previous_floatx, previous_policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    try:
        rng = np.random.default_rng(5)
        inputs = keras.Input((4, 3), dtype="float64")
        sequence = cells.recurrent_layer(cell, 3, return_sequences=True)(inputs)
        outputs = keras.layers.Dense(2, activation="softmax")(sequence)
        model = keras.Model(inputs, outputs)
        batch = rng.normal(size=(2, 4, 3))
        targets = rng.integers(0, 2, size=(2, 4))
        mask = np.array([[1, 1, 1, 1], [1, 1, 1, 0]], dtype="float64")

        def loss():
            return tf.reduce_sum(sequence_cross_entropy(targets, model(batch), mask))

        recurrent_weights = [w for w in model.trainable_weights if "dense" not in w.path]
        with tf.GradientTape() as tape:
            value = loss()
        gradients = tape.gradient(value, recurrent_weights)
        step = 1e-6
        for weight, gradient in zip(recurrent_weights, gradients):
            original = weight.numpy()
            flat_gradient = np.asarray(gradient).reshape(-1)
            for index in rng.choice(original.size, size=min(4, original.size), replace=False):
                shifted = original.copy().reshape(-1)
                shifted[index] += step
                weight.assign(shifted.reshape(original.shape))
                plus = float(loss())
                shifted[index] -= 2 * step
                weight.assign(shifted.reshape(original.shape))
                minus = float(loss())
                weight.assign(original)
                numeric = (plus - minus) / (2 * step)
                assert abs(numeric - flat_gradient[index]) <= 1e-6 + 1e-5 * abs(numeric), (weight.path, index)
    finally:
        keras.config.set_floatx(previous_floatx)
        keras.config.set_dtype_policy(previous_policy)
