"""The NER task module: data, tagger, decoding, the span-F1 callback, inspection, on toy sentences a tiny tagger learns."""

import itertools

import keras
import numpy as np
import pytest

import seqlab

from seqlab.data.embeddings import load_glove, pretrained_embeddings
from seqlab.data.ner import TokenEncoder, normalize_word
from seqlab.data.tags import split_tag
from seqlab.tasks import ner

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


def toy_task(max_characters=10, **encoder_options):
    splits = {"train": toy_sentences(200, seed=1), "valid": toy_sentences(40, seed=2), "test": toy_sentences(40, seed=5)}
    return ner.Task("toy", splits, TokenEncoder.build(splits["train"], max_characters=max_characters, **encoder_options))


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(0)
    data = toy_task()
    model = ner.build(data, units=16, embedding_dim=16, dropout=0.1, character_filters=8)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=ner.tagger_loss(model))
    history = model.fit(data.encoder.dataset(data.splits["train"], 16, seed=0), epochs=4, shuffle=False, verbose=0,
                        callbacks=[seqlab.training.EvaluateCallback(ner, data, "valid")])
    return data, model, history


def test_prepare_limits_the_training_sentences_and_builds_the_encoder_from_them(capsys):
    data = ner.prepare("wnut16", max_examples=50, min_word_frequency=1, max_characters=12)
    assert [len(data.splits[split]) for split in ("train", "valid", "test")] == [50, 239, 240]
    assert data.encoder.max_characters == 12
    assert set(data.encoder.words.tokens[4:]) == {normalize_word(token)
                                                  for tokens, _ in data.splits["train"] for token in tokens}
    data.describe()
    assert "sentences: train 50, valid 239, test 240" in capsys.readouterr().out
    with pytest.raises(ValueError, match="max_examples=-1 is not allowed"):
        ner.prepare("wnut16", max_examples=-1)


def test_tiny_tagger_learns_the_toy_pattern(trained, capsys):
    data, model, history = trained
    assert len(history.history["valid_f1"]) == 4
    predictions = ner.predict(model, data, "valid")
    scores = ner.evaluate(data, predictions, "valid")
    assert set(scores) == {"valid_f1", "valid_precision", "valid_recall"} and scores["valid_f1"] > 0.9
    assert scores["valid_f1"] == pytest.approx(history.history["valid_f1"][-1])
    assert list(ner.per_type_scores(data, predictions, "valid").index) == ["LOC", "PER"]
    found = ner.tag("Luna visited London .", model, data)
    assert found == [("Luna", "PER"), ("London", "LOC")]
    assert "PER  Luna" in capsys.readouterr().out
    with pytest.raises(ValueError, match="split='dev' is not allowed; allowed: train, valid, test"):
        ner.predict(model, data, "dev")


def test_model_saves_and_loads_with_its_custom_layers(trained, tmp_path):
    data, model, _ = trained
    path = tmp_path / "tagger.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    packed = data.encoder.encode(data.splits["valid"][0][0])[None]
    np.testing.assert_allclose(loaded.predict_on_batch(packed), model.predict_on_batch(packed), rtol=1e-5)


@pytest.mark.parametrize("characters, cell", [("cnn", "lstm"), ("lstm", "gru"), ("none", "rnn")])
def test_padding_never_changes_a_prediction(characters, cell):
    """A sentence tagged alone and padded beside a longer one gets the same probabilities."""
    keras.utils.set_random_seed(0)
    data = toy_task(max_characters=8)
    model = ner.build(data, cell=cell, units=6, embedding_dim=6, characters=characters, character_filters=4,
                      character_units=3)
    encoder = data.encoder
    short, long = ["Ron", "visited", "Paris", "."], ["Harry", "Fredson", "visited", "Dublin", ".", "it", "was"]
    alone = model.predict_on_batch(encoder.encode(short)[None])
    padded = model.predict_on_batch(np.stack([np.pad(encoder.encode(short), ((0, 3), (0, 0))), encoder.encode(long)]))
    np.testing.assert_allclose(alone[0], padded[0, :4], rtol=1e-4, atol=1e-5)
    tags = ner.predict_tags(model, encoder, [long, short])
    assert [len(sequence) for sequence in tags] == [7, 4]


def test_loss_ignores_padded_positions():
    keras.utils.set_random_seed(0)
    data = toy_task(max_characters=8)
    model = ner.build(data, units=4, embedding_dim=4, dropout=0.0, word_dropout=0.0, character_filters=4)
    model.compile(loss=ner.tagger_loss(model))
    tokens, tags = data.splits["train"][0]
    packed = data.encoder.encode(tokens)[None]
    targets = data.encoder.encode_tags(tags)[None]
    padded = np.pad(packed, ((0, 0), (0, 5), (0, 0)))
    for padding_target in (0, 1):
        padded_targets = np.pad(targets, ((0, 0), (0, 5)), constant_values=padding_target)
        assert model.evaluate(padded, padded_targets, verbose=0) == pytest.approx(
            model.evaluate(packed, targets, verbose=0), rel=1e-5)


def test_word_vectors_from_a_glove_file_initialise_the_embedding(tmp_path):
    sentences = [(["Harry", "met", "Harry"], ["B-PER", "O", "B-PER"])] * 2
    data = ner.Task("toy", {"train": sentences, "valid": sentences, "test": sentences}, TokenEncoder.build(sentences))
    file = tmp_path / "vectors.txt"
    file.write_text("harry 0.5 -0.5 1.0\nunrelated 1 1 1\nmet 0.0 0.25 0.75\n")
    matrix, found = load_glove(file, data.encoder.words, dim=3)
    assert found == 2
    model = ner.build(data, characters="none", units=4, embedding_matrix=matrix)
    weights = model.get_layer("word_embedding").get_weights()[0]
    assert weights.shape == (len(data.encoder.words), 3)
    np.testing.assert_allclose(weights[data.encoder.words.token_to_id["harry"]], [0.5, -0.5, 1.0])


@pytest.mark.parametrize("freeze_embeddings", [False, True])
def test_tagger_starts_from_the_given_embedding_matrix(freeze_embeddings):
    data = toy_task(max_characters=6)
    matrix = np.random.default_rng(0).normal(size=(len(data.encoder.words), 7)).astype("float32")
    model = ner.build(data, units=4, embedding_dim=32, embedding_matrix=matrix, freeze_embeddings=freeze_embeddings,
                      character_filters=3, word_dropout=0.0)
    embedding = model.get_layer("word_embedding")
    np.testing.assert_array_equal(embedding.get_weights()[0], matrix)  # the matrix's width, not embedding_dim
    assert embedding.trainable is not freeze_embeddings
    assert (id(embedding.embeddings) in {id(weight) for weight in model.trainable_weights}) is not freeze_embeddings
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss=ner.tagger_loss(model))
    tokens, tags = data.splits["test"][0]
    model.train_on_batch(data.encoder.encode(tokens)[None], data.encoder.encode_tags(tags)[None])
    assert (not np.allclose(embedding.get_weights()[0], matrix)) is not freeze_embeddings


def test_pretrained_embeddings_look_up_the_lower_cased_words(tmp_path):
    encoder = TokenEncoder.build([(["Harry", "met", "Harry", "in", "1997"], ["B-PER", "O", "B-PER", "O", "O"])] * 2)
    file = tmp_path / "vectors.txt"
    file.write_text("harry 0.5 -0.5\nmet 0 1\nin 1 0\n")
    matrix, coverage = pretrained_embeddings(str(file), encoder.words)
    assert coverage == pytest.approx(3 / 4)  # "0000" (1997) is not in the file
    np.testing.assert_array_equal(matrix[encoder.words.token_to_id["harry"]], [0.5, -0.5])


def test_baselines_are_memorisation_on_the_same_split():
    scores = ner.baselines(toy_task())
    assert set(scores) == {"memorisation_test_f1", "memorisation_valid_f1"}
    assert 0.0 < scores["memorisation_test_f1"] <= 1.0


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
    data = toy_task()
    model = ner.build(data, units=16, embedding_dim=16, dropout=0.1, character_filters=8, crf=True)
    assert model.get_layer("crf").num_classes == data.encoder.num_classes
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=ner.tagger_loss(model))
    model.fit(data.encoder.dataset(data.splits["train"], 16, seed=0), epochs=4, shuffle=False, verbose=0)
    for constrained in (True, False):
        assert ner.evaluate(data, ner.predict(model, data, "valid", constrained=constrained), "valid")["valid_f1"] > 0.9
    path = tmp_path / "crf_tagger.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, compile=False)
    assert ner.predict(loaded, data, "valid") == ner.predict(model, data, "valid")
