"""One harness for every builder: architecture x cell x bidirectional x depth.

Cheap checks (output shapes, parameter counts against the closed form) run on the full
cross product; the costlier ones (save/load round trip, one optimizer step, step model ==
training model) run on a covering subset in which every cell meets every architecture.
Generators with a NADE output (``output="nade"``) get the same checks on their own subset;
the tagger's CRF output and its character layer get theirs at the end.
"""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

import seqlab
from seqlab import cells
from seqlab.crf import CRFLoss
from seqlab.data.ner import CASINGS
from seqlab.layers import CharacterFeatures
from seqlab.nade import NADE
from seqlab.sampling import initial_states

VOCAB, FEATURES, CLASSES, TARGET_VOCAB, EMBEDDING, UNITS, TIME = 13, 5, 4, 9, 6, 3, 7
ARCHITECTURES = ["many_to_one", "many_to_many", "one_to_many", "encoder_decoder", "tagger"]
CELLS = cells.available()
# The tagger reads packed (word id, casing id, MAX_CHARACTERS character ids) per token.
CHARACTERS, MAX_CHARACTERS, CHARACTER_EMBEDDING, FILTERS, CASING = 8, 4, 3, 2, 2
TAGGER_SIZES = dict(character_vocab_size=CHARACTERS, max_characters=MAX_CHARACTERS,
                    character_embedding_dim=CHARACTER_EMBEDDING, character_filters=FILTERS, casing_dim=CASING)


def recurrent_parameters(cell, units, inputs):
    """Closed-form parameter count of one recurrent layer (one direction)."""
    square = units * (units + inputs)
    return {
        "rnn": square + units, "equation_rnn": square + units,
        "gru": 3 * (square + 2 * units),  # Keras' GRU with reset_after=True has two bias vectors
        "equation_gru": 3 * (square + units), "equation_simplified_gru": 2 * (square + units),
        "lstm": 4 * (square + units), "equation_lstm": 4 * (square + units),
    }[cell]


def stack_parameters(cell, units, depth, bidirectional, inputs):
    directions = 2 if bidirectional else 1
    total = 0
    for _ in range(depth):
        total += directions * recurrent_parameters(cell, units, inputs)
        inputs = directions * units
    return total


def expected_parameters(architecture, cell, depth, bidirectional, tokens):
    directions = 2 if bidirectional else 1
    if architecture == "tagger":  # word, casing and character embeddings, a width-3 CNN, the stack, the head
        token_features = EMBEDDING + CASING + FILTERS
        return (VOCAB * EMBEDDING + len(CASINGS) * CASING + CHARACTERS * CHARACTER_EMBEDDING
                + 3 * CHARACTER_EMBEDDING * FILTERS + FILTERS
                + stack_parameters(cell, UNITS, depth, bidirectional, token_features)
                + directions * UNITS * CLASSES + CLASSES)
    input_size = EMBEDDING if tokens else FEATURES
    embedding = VOCAB * EMBEDDING if tokens else 0
    if architecture in ("many_to_one", "many_to_many"):
        return (embedding + stack_parameters(cell, UNITS, depth, bidirectional, input_size)
                + directions * UNITS * CLASSES + CLASSES)
    if architecture == "one_to_many":
        return embedding + stack_parameters(cell, UNITS, depth, False, input_size) + UNITS * CLASSES + CLASSES
    decoder_units = directions * UNITS
    return (embedding + stack_parameters(cell, UNITS, depth, bidirectional, input_size)
            + TARGET_VOCAB * EMBEDDING + stack_parameters(cell, decoder_units, depth, False, EMBEDDING)
            + decoder_units * TARGET_VOCAB + TARGET_VOCAB)


def nade_parameters(cell, depth, nade_units):
    """One-to-many with ``output="nade"`` over FEATURES binary units: the stack, two bias maps, W and V."""
    return (stack_parameters(cell, UNITS, depth, False, FEATURES) + UNITS * FEATURES + FEATURES
            + UNITS * nade_units + nade_units + 2 * nade_units * FEATURES)


def keywords(architecture, cell, depth, bidirectional, tokens, dropout=0.0):
    kw = dict(cell=cell, units=UNITS, depth=depth, bidirectional=bidirectional, dropout=dropout,
              embedding_dim=EMBEDDING)
    if architecture == "tagger":  # always token ids, packed with their casing and characters
        return dict(kw, vocab_size=VOCAB, num_classes=CLASSES, **TAGGER_SIZES)
    kw.update(vocab_size=VOCAB) if tokens else kw.update(input_dim=FEATURES)
    if architecture == "encoder_decoder":
        kw["target_vocab_size"] = TARGET_VOCAB
    else:
        kw["num_classes"] = CLASSES
    return kw


def batch_for(architecture, tokens, rng, batch=2):
    if architecture == "tagger":
        packed = np.concatenate([rng.integers(1, VOCAB, size=(batch, TIME, 1)),
                                 rng.integers(1, len(CASINGS), size=(batch, TIME, 1)),
                                 rng.integers(0, CHARACTERS, size=(batch, TIME, MAX_CHARACTERS))], axis=-1)
        return packed.astype("int32"), rng.integers(1, CLASSES, size=(batch, TIME))
    source = (rng.integers(1, VOCAB, size=(batch, TIME)) if tokens
              else rng.normal(size=(batch, TIME, FEATURES)).astype("float32"))
    if architecture == "encoder_decoder":
        target = rng.integers(1, TARGET_VOCAB, size=(batch, TIME - 2))
        return [source, target], target
    if architecture == "many_to_one":
        return source, rng.integers(0, CLASSES, size=(batch,))
    return source, rng.integers(0, CLASSES, size=(batch, TIME))


def training_model(built):
    return built.train if hasattr(built, "train") else built


FULL_CROSS = [combo for combo in itertools.product(ARCHITECTURES, CELLS, [False, True], [1, 2, 3])
              if not (combo[0] == "one_to_many" and combo[2])]


@pytest.mark.parametrize("architecture, cell, bidirectional, depth", FULL_CROSS)
def test_shapes_and_parameter_counts(architecture, cell, bidirectional, depth):
    tokens = depth != 2  # token ids for depth 1 and 3, feature vectors for depth 2
    built = seqlab.build(architecture, **keywords(architecture, cell, depth, bidirectional, tokens))
    model = training_model(built)
    assert model.count_params() == expected_parameters(architecture, cell, depth, bidirectional, tokens)
    batch, _ = batch_for(architecture, tokens, np.random.default_rng(0))
    output = np.asarray(model(batch))
    expected_shape = {"many_to_one": (2, CLASSES), "many_to_many": (2, TIME, CLASSES),
                      "one_to_many": (2, TIME, CLASSES), "encoder_decoder": (2, TIME - 2, TARGET_VOCAB),
                      "tagger": (2, TIME, CLASSES)}
    assert output.shape == expected_shape[architecture]
    np.testing.assert_allclose(output.sum(axis=-1), 1.0, atol=1e-5)  # softmax probabilities


# every cell with every architecture; bidirectional and depth cycle so each value appears
COVERING = [(architecture, cell, (index % 2 == 1) and architecture != "one_to_many", 1 + index % 3)
            for index, (architecture, cell) in enumerate(itertools.product(ARCHITECTURES, CELLS))]


@pytest.mark.parametrize("architecture, cell, bidirectional, depth", COVERING)
def test_round_trip_and_one_training_step(architecture, cell, bidirectional, depth, tmp_path):
    rng = np.random.default_rng(1)
    tokens = depth != 2
    built = seqlab.build(architecture, **keywords(architecture, cell, depth, bidirectional, tokens, dropout=0.1))
    model = training_model(built)
    batch, targets = batch_for(architecture, tokens, rng)

    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(np.asarray(loaded(batch)), np.asarray(model(batch)), atol=1e-6)

    # one plain gradient-descent step on the (deterministic, dropout off) loss of a fixed batch
    assert_one_step_lowers_the_loss(model, batch, targets, keras.losses.SparseCategoricalCrossentropy())


NADE_UNITS = 2
NADE_COVERING = [(cell, 1 + index % 3) for index, cell in enumerate(CELLS)]


def nade_generator(cell, depth, **extra):
    return seqlab.build("one_to_many", cell=cell, units=UNITS, depth=depth, input_dim=FEATURES, output="nade",
                        nade_units=NADE_UNITS, **extra)


def frames_batch(rng, batch=2):
    roll = rng.integers(0, 2, size=(batch, TIME + 1, FEATURES)).astype("float32")
    return [roll[:, :-1], roll[:, 1:]], roll[:, 1:]


@pytest.mark.parametrize("cell, depth", NADE_COVERING)
def test_nade_generator_shapes_parameters_and_step_model(cell, depth):
    """output="nade": closed-form parameter count; step biases + true next frame give the training outputs."""
    generator = nade_generator(cell, depth)
    assert generator.train.count_params() == nade_parameters(cell, depth, NADE_UNITS)
    assert generator.step.count_params() == generator.train.count_params()
    inputs, _ = frames_batch(np.random.default_rng(5), batch=1)
    expected = np.asarray(generator.train(inputs))
    assert expected.shape == (1, TIME, FEATURES) and np.all((expected > 0) & (expected < 1))
    nade = [layer for layer in generator.step.layers if isinstance(layer, NADE)][0]
    states = initial_states(generator.step)
    for t in range(TIME):
        biases, *states = [np.asarray(tensor) for tensor in generator.step([inputs[0][:, t:t + 1], *states])]
        assert biases.shape == (1, FEATURES + NADE_UNITS)
        conditionals = nade.distribution(biases[0]).conditional_probabilities(inputs[1][0, t])
        np.testing.assert_allclose(conditionals, expected[0, t], atol=1e-5)


@pytest.mark.parametrize("cell, depth", [("lstm", 2), ("equation_gru", 1)])
def test_nade_generator_round_trip_and_one_training_step(cell, depth, tmp_path):
    model = nade_generator(cell, depth, dropout=0.1).train
    batch, targets = frames_batch(np.random.default_rng(6))
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(np.asarray(loaded(batch)), np.asarray(model(batch)), atol=1e-6)

    # mean binary cross-entropy over keys = the exact NADE NLL / keys
    assert_one_step_lowers_the_loss(model, batch, targets, keras.losses.BinaryCrossentropy())


def test_input_and_output_dropout_default_to_dropout():
    def rates(**kw):
        model = seqlab.build("one_to_many", vocab_size=VOCAB, units=UNITS, depth=2, **kw).train
        return [model.get_layer(name).rate for name in ("recurrent_1_input_dropout", "recurrent_2_input_dropout",
                                                          "output_dropout")]

    assert rates(dropout=0.3) == [0.3, 0.3, 0.3]
    assert rates(dropout=0.3, output_dropout=0.1) == [0.3, 0.3, 0.1]
    assert rates(input_dropout=0.2) == [0.2, 0.2, 0.0]


@pytest.mark.parametrize("cell", CELLS)
def test_generator_step_model_reproduces_training_model(cell):
    """Feeding the step model one element at a time, carrying its states, gives the training outputs."""
    generator = seqlab.build("one_to_many", **keywords("one_to_many", cell, 2, False, True))
    sequence = np.random.default_rng(2).integers(1, VOCAB, size=(1, TIME))
    expected = np.asarray(generator.train(sequence))[0]
    states = initial_states(generator.step)
    for t in range(TIME):
        output, *states = [np.asarray(tensor) for tensor in generator.step([sequence[:, t:t + 1], *states])]
        np.testing.assert_allclose(np.asarray(output)[0], expected[t], atol=1e-5)


@pytest.mark.parametrize("cell, bidirectional", [("lstm", True), ("gru", False), ("equation_lstm", True)])
def test_decoder_step_reproduces_teacher_forcing(cell, bidirectional):
    seq2seq = seqlab.build("encoder_decoder", **keywords("encoder_decoder", cell, 2, bidirectional, True))
    rng = np.random.default_rng(3)
    (source, target), _ = batch_for("encoder_decoder", True, rng, batch=1)
    expected = np.asarray(seq2seq.train([source, target]))[0]
    states = [np.asarray(state) for state in seq2seq.encoder(source)]
    for t in range(target.shape[1]):
        output, *states = [np.asarray(tensor) for tensor in seq2seq.decoder_step([target[:, t:t + 1], *states])]
        np.testing.assert_allclose(np.asarray(output)[0], expected[t], atol=1e-5)


def test_generator_layers_are_shared():
    generator = seqlab.build("one_to_many", vocab_size=VOCAB, units=UNITS)
    train_weights = {id(weight) for weight in generator.train.weights}
    assert train_weights == {id(weight) for weight in generator.step.weights}


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_defaults_stay_cudnn_eligible(architecture):
    """Every Keras LSTM/GRU layer in a default-built model meets the cuDNN conditions."""
    kw = keywords(architecture, "lstm", 2, architecture != "one_to_many", True, dropout=0.3)
    for cell in ("lstm", "gru"):
        kw["cell"] = cell
        model = training_model(seqlab.build(architecture, **kw))
        layers = [layer.forward_layer if isinstance(layer, keras.layers.Bidirectional) else layer
                  for layer in model.layers]
        recurrent = [layer for layer in layers if isinstance(layer, (keras.layers.LSTM, keras.layers.GRU))]
        assert recurrent, "no recurrent layer found"
        for layer in recurrent:
            config = layer.get_config()
            assert config["activation"] == "tanh" and config["recurrent_activation"] == "sigmoid"
            assert config["recurrent_dropout"] == 0 and config["unroll"] is False and config["use_bias"] is True
            assert config.get("reset_after", True) is True
            assert layer.use_cudnn == "auto"


def test_masked_summaries_ignore_padding():
    """mean/max/last over a right-padded sequence equal those over the unpadded sequence."""
    rng = np.random.default_rng(4)
    for summary in ("last", "mean", "max"):
        model = seqlab.build("many_to_one", vocab_size=VOCAB, num_classes=CLASSES, units=UNITS,
                             bidirectional=True, summary=summary)
        short = rng.integers(1, VOCAB, size=(1, 4))
        padded = np.concatenate([short, np.zeros((1, 3), dtype=short.dtype)], axis=1)
        np.testing.assert_allclose(np.asarray(model(padded)), np.asarray(model(short)), atol=1e-6)


@pytest.mark.parametrize("architecture, keyword, value, message", [
    ("many_to_one", "cell", "lstn", "cell='lstn' is not known; allowed: equation_gru"),
    ("many_to_many", "depth", 0, "depth=0 is not allowed"),
    ("many_to_one", "units", -4, "units=-4 is not allowed"),
    ("one_to_many", "bidirectional", True, "bidirectional=True is not allowed for one_to_many"),
    ("many_to_many", "dropout", 1.5, r"dropout=1.5 is not allowed; dropout must be a number in \[0, 1\)"),
    ("many_to_one", "summary", "first", "summary='first' is not allowed; allowed: last, mean, max"),
    ("many_to_one", "output_activation", "relu", "output_activation='relu' is not allowed"),
    ("one_to_many", "output", "crf", "output='crf' is not allowed; allowed: dense, nade"),
    ("one_to_many", "nade_units", 8, "nade_units=8 is not allowed with output='dense'; nade_units is only used"),
    ("one_to_many", "input_dropout", -0.1, r"input_dropout=-0.1 is not allowed; input_dropout must be a number in"),
    ("one_to_many", "output_dropout", 1.0, r"output_dropout=1.0 is not allowed; output_dropout must be a number in"),
    ("one_to_many", "dropout", 1.5, r"dropout=1.5 is not allowed; dropout must be a number in \[0, 1\)"),
    ("encoder_decoder", "target_vocab_size", 0, "target_vocab_size=0 is not allowed"),
    ("tagger", "characters", "bilstm", "characters='bilstm' is not allowed; allowed: cnn, lstm, none"),
    ("tagger", "character_vocab_size", None, "character_vocab_size=None with characters='cnn'"),
    ("tagger", "units", 0, "units=0 is not allowed"),
    ("tagger", "embedding_matrix", np.zeros((2, 3)), f"embedding_matrix has 2 rows; vocab_size={VOCAB} are needed"),
    ("tagger", "freeze_embeddings", True, "freeze_embeddings=True needs pretrained vectors"),
])
def test_bad_arguments_name_argument_value_and_allowed(architecture, keyword, value, message):
    kw = keywords(architecture, "lstm", 1, False, True)
    kw[keyword] = value
    with pytest.raises(ValueError, match=message):
        seqlab.build(architecture, **kw)


def test_token_and_feature_inputs_are_exclusive():
    with pytest.raises(ValueError, match="give exactly one of vocab_size"):
        seqlab.build("many_to_many", vocab_size=5, input_dim=3, num_classes=2)


def assert_one_step_lowers_the_loss(model, batch, targets, loss_function):
    """One plain SGD step on the loss of a fixed batch (dropout off) must lower it."""
    optimizer = keras.optimizers.SGD(learning_rate=0.05)

    def loss():
        return loss_function(targets, model(batch, training=False))

    with tf.GradientTape() as tape:
        before = loss()
    optimizer.apply_gradients(zip(tape.gradient(before, model.trainable_weights), model.trainable_weights))
    assert float(loss()) < float(before)


@pytest.mark.parametrize("cell, bidirectional", [("lstm", True), ("equation_gru", False)])
def test_tagger_crf_output_round_trip_and_one_training_step(cell, bidirectional, tmp_path):
    """With crf=True the tagger outputs emissions, and its CRF adds transition, start and end scores."""
    model = seqlab.build("tagger", **{**keywords("tagger", cell, 1, bidirectional, True), "crf": True})
    softmax = seqlab.build("tagger", **keywords("tagger", cell, 1, bidirectional, True))
    assert model.count_params() == softmax.count_params() + CLASSES * CLASSES + 2 * CLASSES
    batch, targets = batch_for("tagger", True, np.random.default_rng(2))
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras", compile=False)
    np.testing.assert_allclose(np.asarray(loaded(batch)), np.asarray(model(batch)), atol=1e-6)
    assert_one_step_lowers_the_loss(model, batch, targets, CRFLoss(model.get_layer("crf")))


@pytest.mark.parametrize("encoder", ["cnn", "lstm"])
def test_tagger_character_features_train_over_a_changing_word_axis(encoder):
    # GUIDE section 6: TimeDistributed(Conv1D) fails when the word axis changes between batches.
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, 6), dtype="int32")
    outputs = keras.layers.Dense(2)(CharacterFeatures(12, encoder, embedding_dim=4, filters=5, units=3)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    generator = np.random.default_rng(0)
    for words in (3, 7, 2):
        characters = generator.integers(0, 12, (4, words, 6))
        loss = model.train_on_batch(characters, np.zeros((4, words, 2)))
        assert np.isfinite(loss)


@pytest.mark.parametrize("encoder", ["cnn", "lstm"])
def test_tagger_character_padding_does_not_change_a_word_vector(encoder):
    keras.utils.set_random_seed(0)
    layer = CharacterFeatures(12, encoder, embedding_dim=4, filters=5, units=3)
    short = np.array([[[3, 4, 5, 0]]])
    longer = np.array([[[3, 4, 5, 0, 0, 0, 0, 0]]])
    np.testing.assert_allclose(layer(short).numpy(), layer(longer).numpy(), rtol=1e-5, atol=1e-6)
    # A padding word (no character) gives zeros, never the pooling's float minimum.
    assert np.all(layer(np.zeros((1, 2, 4), "int32")).numpy() == 0.0)
    assert layer.compute_mask(np.array([[[3, 0], [0, 0]]])).numpy().tolist() == [[True, False]]
