"""NER tagger: token encoding, character features over a changing word axis, masking, decoding, errors."""

import itertools

import keras
import numpy as np
import pytest

from seqlab import ner
from seqlab.data.vocab import UNK_ID
from seqlab.metrics.spans import spans, split_tag
from seqlab.data.embeddings import load_glove

NAMES = ["Harry", "Ron", "Hermione", "Draco", "Luna", "Neville", "Ginny", "Fred"]
PLACES = ["London", "Paris", "Hogwarts", "Dublin"]


def toy_sentences(count, seed):
    """'<name> [<surname>] visited <place> .' with PER / LOC tags: a pattern a tiny tagger learns."""
    generator = np.random.default_rng(seed)
    sentences = []
    for _ in range(count):
        tokens, tags = [], []
        tokens.append(str(generator.choice(NAMES)))
        tags.append("B-PER")
        if generator.random() < 0.5:
            tokens.append(str(generator.choice(NAMES)) + "son")
            tags.append("I-PER")
        tokens += ["visited", str(generator.choice(PLACES)), "."]
        tags += ["O", "B-LOC", "O"]
        if generator.random() < 0.5:
            tokens += ["it", "was", "fun", "."]
            tags += ["O"] * 4
        sentences.append((tokens, tags))
    return sentences


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(0)
    train, valid = toy_sentences(200, seed=1), toy_sentences(40, seed=2)
    encoder = ner.TokenEncoder.build(train, max_characters=10)
    model = ner.build_tagger(vocab_size=len(encoder.words), num_classes=encoder.num_classes,
                             character_vocab_size=len(encoder.characters), max_characters=10, units=16,
                             embedding_dim=16, dropout=0.1, character_filters=8)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    callback = ner.SpanF1Callback(encoder, valid)
    model.fit(encoder.dataset(train, 16, seed=0), epochs=4, shuffle=False, verbose=0, callbacks=[callback])
    return encoder, model, valid, callback


def test_casing_classes():
    assert [ner.casing(token) for token in ["EU", "rejects", "German", "1996-08-22", "3.5", "B52", "McDonald", "--"]] == [
        "all_upper", "all_lower", "initial_upper", "numeric", "numeric", "mixed_digits", "mixed_case", "other"]


def test_encoder_maps_rare_words_to_unknown_and_packs_three_views():
    sentences = [(["Harry", "met", "Ron"], ["B-PER", "O", "B-PER"]), (["harry", "met", "Luna", "1996"], ["B-PER", "O", "B-PER", "O"])]
    encoder = ner.TokenEncoder.build(sentences, min_word_frequency=2, max_characters=3)
    assert encoder.words.tokens[4:] == ["harry", "met"]
    assert encoder.tag_names == ["<pad>", "B-PER", "O"] and encoder.num_classes == 3
    packed = encoder.encode(["HARRY", "Luna", "2001"])
    assert packed.shape == (3, 5) and packed.dtype == np.int32
    assert packed[:, 0].tolist() == [encoder.words.token_to_id["harry"], UNK_ID, UNK_ID]
    assert [ner.CASINGS[index] for index in packed[:, 1]] == ["all_upper", "initial_upper", "numeric"]
    assert packed[1, 2:].tolist() == [encoder.characters.token_to_id[character] for character in "Lun"]
    assert encoder.unknown_rate([(["Harry", "Luna"], ["B-PER", "B-PER"])]) == 0.5
    with pytest.raises(ValueError, match=r"tags \['B-LOC'\] were not in the training data"):
        encoder.encode_tags(["B-LOC"])


@pytest.mark.parametrize("encoder_name", ["cnn", "lstm"])
def test_character_features_train_over_a_changing_word_axis(encoder_name):
    # GUIDE section 6: TimeDistributed(Conv1D) fails when the word axis changes between batches.
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, 6), dtype="int32")
    outputs = keras.layers.Dense(2)(ner.CharacterFeatures(12, encoder_name, embedding_dim=4, filters=5, units=3)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    generator = np.random.default_rng(0)
    for words in (3, 7, 2):
        characters = generator.integers(0, 12, (4, words, 6))
        loss = model.train_on_batch(characters, np.zeros((4, words, 2)))
        assert np.isfinite(loss)


@pytest.mark.parametrize("encoder_name", ["cnn", "lstm"])
def test_character_padding_does_not_change_a_word_vector(encoder_name):
    keras.utils.set_random_seed(0)
    layer = ner.CharacterFeatures(12, encoder_name, embedding_dim=4, filters=5, units=3)
    short = np.array([[[3, 4, 5, 0]]])
    longer = np.array([[[3, 4, 5, 0, 0, 0, 0, 0]]])
    np.testing.assert_allclose(layer(short).numpy(), layer(longer).numpy(), rtol=1e-5, atol=1e-6)
    # A padding word (no character) gives zeros, never the pooling's float minimum.
    assert np.all(layer(np.zeros((1, 2, 4), "int32")).numpy() == 0.0)
    assert layer.compute_mask(np.array([[[3, 0], [0, 0]]])).numpy().tolist() == [[True, False]]


@pytest.mark.parametrize("characters, cell", [("cnn", "lstm"), ("lstm", "gru"), ("none", "rnn")])
def test_padding_never_changes_a_prediction(characters, cell):
    """A sentence tagged alone and padded beside a longer one gets the same probabilities."""
    keras.utils.set_random_seed(0)
    sentences = toy_sentences(20, seed=3)
    encoder = ner.TokenEncoder.build(sentences, max_characters=8)
    model = ner.build_tagger(vocab_size=len(encoder.words), num_classes=encoder.num_classes,
                             character_vocab_size=len(encoder.characters), max_characters=8, cell=cell, units=6,
                             embedding_dim=6, characters=characters, character_filters=4, character_units=3)
    short, long = ["Ron", "visited", "Paris", "."], ["Harry", "Fredson", "visited", "Dublin", ".", "it", "was"]
    alone = model.predict_on_batch(encoder.encode(short)[None])
    padded = model.predict_on_batch(np.stack([np.pad(encoder.encode(short), ((0, 3), (0, 0))), encoder.encode(long)]))
    np.testing.assert_allclose(alone[0], padded[0, :4], rtol=1e-4, atol=1e-5)
    tags = ner.predict_tags(model, encoder, [short, long])
    assert [len(sequence) for sequence in tags] == [4, 7]


def test_loss_ignores_padded_positions():
    keras.utils.set_random_seed(0)
    sentences = toy_sentences(10, seed=4)
    encoder = ner.TokenEncoder.build(sentences, max_characters=8)
    model = ner.build_tagger(vocab_size=len(encoder.words), num_classes=encoder.num_classes,
                             character_vocab_size=len(encoder.characters), max_characters=8, units=4,
                             embedding_dim=4, dropout=0.0, word_dropout=0.0, character_filters=4)
    model.compile(loss="sparse_categorical_crossentropy")
    tokens, tags = sentences[0]
    packed = encoder.encode(tokens)[None]
    targets = encoder.encode_tags(tags)[None]
    padded = np.pad(packed, ((0, 0), (0, 5), (0, 0)))
    for padding_target in (0, 1):
        padded_targets = np.pad(targets, ((0, 0), (0, 5)), constant_values=padding_target)
        assert model.evaluate(padded, padded_targets, verbose=0) == pytest.approx(
            model.evaluate(packed, targets, verbose=0), rel=1e-5)


def test_tiny_tagger_learns_the_toy_pattern(trained, capsys):
    encoder, model, valid, callback = trained
    assert len(callback.history) == 4 and len(callback.epoch_seconds) == 4
    scores = ner.evaluate(model, encoder, valid)
    assert scores["f1"] > 0.9
    assert scores["f1"] == pytest.approx(callback.history[-1])
    found = ner.tag("Luna visited London .", model, encoder)
    assert found == [("Luna", "PER"), ("London", "LOC")]
    assert "PER  Luna" in capsys.readouterr().out


def test_model_saves_and_loads_with_its_custom_layers(trained, tmp_path):
    encoder, model, valid, _ = trained
    path = tmp_path / "tagger.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    packed = encoder.encode(valid[0][0])[None]
    np.testing.assert_allclose(loaded.predict_on_batch(packed), model.predict_on_batch(packed), rtol=1e-5)


def test_word_vectors_from_a_glove_file_initialise_the_embedding(tmp_path):
    sentences = [(["Harry", "met", "Harry"], ["B-PER", "O", "B-PER"])] * 2
    encoder = ner.TokenEncoder.build(sentences)
    file = tmp_path / "vectors.txt"
    file.write_text("harry 0.5 -0.5 1.0\nunrelated 1 1 1\nmet 0.0 0.25 0.75\n")
    matrix, found = load_glove(file, encoder.words, dim=3)
    assert found == 2
    model = ner.build_tagger(vocab_size=len(encoder.words), num_classes=encoder.num_classes, characters="none",
                             units=4, embedding_matrix=matrix)
    weights = model.get_layer("word_embedding").get_weights()[0]
    assert weights.shape == (len(encoder.words), 3)
    np.testing.assert_allclose(weights[encoder.words.token_to_id["harry"]], [0.5, -0.5, 1.0])
    with pytest.raises(ValueError, match="embedding_matrix has 2 rows"):
        ner.build_tagger(vocab_size=len(encoder.words), num_classes=3, characters="none", embedding_matrix=np.zeros((2, 3)))


@pytest.mark.parametrize("freeze_embeddings", [False, True])
def test_tagger_starts_from_the_given_embedding_matrix(freeze_embeddings):
    encoder = ner.TokenEncoder.build(toy_sentences(20, seed=3), max_characters=6)
    matrix = np.random.default_rng(0).normal(size=(len(encoder.words), 7)).astype("float32")
    model = ner.build_tagger(vocab_size=len(encoder.words), num_classes=encoder.num_classes,
                             character_vocab_size=len(encoder.characters), max_characters=6, units=4,
                             embedding_dim=32, embedding_matrix=matrix, freeze_embeddings=freeze_embeddings,
                             character_filters=3, word_dropout=0.0)
    embedding = model.get_layer("word_embedding")
    np.testing.assert_array_equal(embedding.get_weights()[0], matrix)  # the matrix's width, not embedding_dim
    assert embedding.trainable is not freeze_embeddings
    assert (id(embedding.embeddings) in {id(weight) for weight in model.trainable_weights}) is not freeze_embeddings
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss=ner.tagger_loss(model))
    tokens, tags = toy_sentences(1, seed=4)[0]
    model.train_on_batch(encoder.encode(tokens)[None], np.array([[encoder.tag_to_id[tag] for tag in tags]]))
    assert (not np.allclose(embedding.get_weights()[0], matrix)) is not freeze_embeddings
    with pytest.raises(ValueError, match="freeze_embeddings=True needs pretrained vectors"):
        ner.build_tagger(vocab_size=10, num_classes=3, characters="none", freeze_embeddings=True)


def test_pretrained_embeddings_look_up_the_lower_cased_words(tmp_path):
    encoder = ner.TokenEncoder.build([(["Harry", "met", "Harry", "in", "1997"], ["B-PER", "O", "B-PER", "O", "O"])] * 2)
    file = tmp_path / "vectors.txt"
    file.write_text("harry 0.5 -0.5\nmet 0 1\nin 1 0\n")
    matrix, coverage = ner.pretrained_embeddings(str(file), encoder.words)
    assert coverage == pytest.approx(3 / 4)  # "0000" (1997) is not in the file
    np.testing.assert_array_equal(matrix[encoder.words.token_to_id["harry"]], [0.5, -0.5])


def test_baseline_scores_are_memorisation_on_the_same_split():
    train, valid, test = toy_sentences(50, seed=1), toy_sentences(10, seed=2), toy_sentences(10, seed=5)
    scores = ner.baseline_scores({"train": train, "valid": valid, "test": test})
    assert set(scores) == {"memorisation_test_f1", "memorisation_valid_f1"}
    assert 0.0 < scores["memorisation_test_f1"] <= 1.0


def test_build_tagger_checks_its_arguments():
    with pytest.raises(ValueError, match="characters='bilstm' is not allowed"):
        ner.build_tagger(vocab_size=10, num_classes=3, characters="bilstm")
    with pytest.raises(ValueError, match="character_vocab_size=None"):
        ner.build_tagger(vocab_size=10, num_classes=3, characters="cnn")
    with pytest.raises(ValueError, match="units=0"):
        ner.build_tagger(vocab_size=10, num_classes=3, characters="none", units=0)


def is_valid_bio(tags):
    previous = "O"
    for tag in tags:
        prefix, entity_type = split_tag(tag)
        if prefix == "I" and previous in ("O",) + tuple(t for t in [previous] if split_tag(t)[1] != entity_type):
            return False
        previous = tag
    return True


def test_constrained_decoding_is_the_best_valid_sequence():
    names = ["<pad>", "B-LOC", "B-PER", "I-PER", "O"]
    generator = np.random.default_rng(0)
    for _ in range(30):
        probabilities = generator.dirichlet(np.ones(len(names)), size=4)
        decoded = ner.constrained_decode(probabilities, names)
        assert is_valid_bio(decoded)
        scores = np.log(probabilities)
        best = max((sequence for sequence in itertools.product(range(1, len(names)), repeat=4)
                    if is_valid_bio([names[index] for index in sequence])),
                   key=lambda sequence: sum(scores[position, index] for position, index in enumerate(sequence)))
        assert decoded == [names[index] for index in best]
    # When the arg-max per word is already valid, decoding keeps it.
    assert ner.constrained_decode(np.array([[0, .1, .7, .1, .1], [0, .1, .1, .7, .1]]), names) == ["B-PER", "I-PER"]


def test_error_table_counts_each_kind():
    sentences = [
        (["Paris", "Hilton", "flew", "to", "Paris"], ["B-PER", "I-PER", "O", "O", "B-LOC"]),
        (["Paris", "Hilton", "met", "EU", "staff"], ["B-PER", "I-PER", "O", "B-ORG", "O"]),
    ]
    predicted = [["B-LOC", "O", "O", "O", "B-LOC"], ["B-LOC", "O", "B-PER", "B-LOC", "O"]]
    assert ner.error_counts(sentences, predicted) == {
        "wrong type": 1, "wrong boundary": 0, "wrong type and boundary": 2, "missed": 0, "spurious": 1}
    table = ner.error_table(sentences, predicted)
    assert table.iloc[0].to_dict() == {"kind": "wrong type and boundary", "true": "Paris Hilton [PER]",
                                       "predicted": "Paris [LOC]", "count": 2}
    assert table["count"].sum() == 4


def test_crf_tagger_learns_the_toy_pattern_and_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    train, valid = toy_sentences(200, seed=1), toy_sentences(40, seed=2)
    encoder = ner.TokenEncoder.build(train, max_characters=10)
    model = ner.build_tagger(vocab_size=len(encoder.words), num_classes=encoder.num_classes,
                             character_vocab_size=len(encoder.characters), max_characters=10, units=16,
                             embedding_dim=16, dropout=0.1, character_filters=8, crf=True)
    assert model.get_layer("crf").num_classes == encoder.num_classes
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=ner.tagger_loss(model))
    model.fit(encoder.dataset(train, 16, seed=0), epochs=4, shuffle=False, verbose=0)
    for constrained in (True, False):
        assert ner.evaluate(model, encoder, valid, constrained=constrained)["f1"] > 0.9
    path = tmp_path / "crf_tagger.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, compile=False)
    assert ner.predict_tags(loaded, encoder, [tokens for tokens, _ in valid]) == ner.predict_tags(
        model, encoder, [tokens for tokens, _ in valid])
