"""Sentence classification (seqlab.tasks.sentiment): pooling over masked steps, class weights, word dropout,
pretrained embeddings, predictions, baselines."""

import numpy as np
import pytest

import seqlab
from seqlab import layers
from seqlab.data import embeddings
from seqlab.data.vocab import UNK_ID, Vocabulary
from seqlab.tasks import sentiment


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


def labelled(split_labels):
    """A sentiment Task whose splits hold one example per label given (texts "t0", "t1", ...)."""
    splits = {name: [{"text": f"t{index}", "label": label} for index, label in enumerate(labels)]
              for name, labels in split_labels.items()}
    return sentiment.Task("demo", splits, Vocabulary([]))


def test_class_weights_balance_the_classes():
    data = labelled({"train": ["a"] * 6 + ["b"] * 3 + ["c"], "test": ["d"]})
    labels = data.labels["train"].tolist()
    weights = sentiment.class_weights(data)
    assert weights == pytest.approx({0: 10 / 24, 1: 10 / 12, 2: 10 / 4, 3: 1.0})  # "d" is not in train
    totals = {label: weights[label] * labels.count(label) for label in (0, 1, 2)}
    assert totals == pytest.approx({0: 2.5, 1: 2.5, 2: 2.5})
    assert sentiment.class_weights(data, balanced=False) == {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0}


def test_dataset_carries_the_class_weights_of_the_training_examples():
    data = labelled({"train": ["a", "a", "a", "b"], "valid": ["a", "b"]})
    weights = sentiment.class_weights(data)
    inputs, targets, sample_weights = next(iter(sentiment.dataset(data, "train", 4, class_weights=weights)))
    assert sorted(np.asarray(sample_weights).tolist()) == pytest.approx([2 / 3] * 3 + [2.0])
    assert len(next(iter(sentiment.dataset(data, "valid", 4, shuffle=False)))) == 2  # no weights: (inputs, targets)


def test_vocabulary_maps_words_seen_once_to_unknown():
    vocabulary = sentiment.build_vocabulary(["a fine film", "a dull film", "fine"], min_frequency=2)
    assert vocabulary.tokens[4:] == ["a", "film", "fine"]
    assert sentiment.encode_texts(["A dull FILM"], vocabulary) == [[4, UNK_ID, 5]]


def test_prepare_encodes_every_split_with_the_training_vocabulary(tmp_path):
    file = tmp_path / "reviews.csv"
    rows = [f"{'a fine film' if index % 2 else 'dull plot twist'} {index},{'pos' if index % 2 else 'neg'}"
            for index in range(40)]
    file.write_text("text,label\n" + "\n".join(rows) + "\n")
    data = sentiment.prepare("sentiment_csv", path=file, max_length=2)
    assert data.class_names == ["neg", "pos"] and data.num_classes == 2
    assert {name: len(split) for name, split in data.splits.items()} == {"train": 32, "valid": 4, "test": 4}
    assert data.vocabulary.tokens[4:] == ["a", "dull", "film", "fine", "plot", "twist"]
    assert all(len(ids) == 2 for split in data.encoded.values() for ids in split)
    assert [data.class_names[index] for index in data.labels["test"]] == [e["label"] for e in data.splits["test"]]


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
    probabilities = sentiment.predict_probabilities(model, encoded, batch_size=2)
    one_by_one = np.concatenate([model(np.array([ids])).numpy() for ids in encoded])
    np.testing.assert_allclose(probabilities, one_by_one, atol=1e-6)
    data = sentiment.Task("demo", {"train": [{"text": "good", "label": label} for label in "abc"]},
                          Vocabulary(["bad", "good"]))
    table = sentiment.classify(["good", "so bad"], model, data)
    assert table["text"].tolist() == ["good", "so bad"]
    assert set(table["predicted"]) <= {"a", "b", "c"}


def test_predict_and_evaluate_a_split():
    data = labelled({"train": ["x", "y"], "test": ["x", "y", "y"]})
    model = sentiment.build(data, embedding_dim=3, cell="gru", units=2)
    probabilities = sentiment.predict(model, data, "test")
    assert probabilities.shape == (3, 2)
    assert sentiment.evaluate(data, np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]]), "test") == pytest.approx(
        {"test_accuracy": 2 / 3, "test_macro_f1": (2 / 3 + 2 / 3) / 2})
    with pytest.raises(ValueError, match=r"predictions has 2 rows; predict\(model, data, 'test'\) gives the 3 rows"):
        sentiment.evaluate(data, probabilities[:2], "test")


def test_most_confident_mistakes_sorted_by_confidence():
    data = labelled({"test": ["pos", "neg", "pos", "pos"]})
    probabilities = np.array([[0.9, 0.1], [0.3, 0.7], [0.2, 0.8], [0.6, 0.4]])
    table = sentiment.most_confident_mistakes(data, probabilities, "test")
    assert table["text"].tolist() == ["t0", "t1", "t3"]
    assert table["probability"].tolist() == pytest.approx([0.9, 0.7, 0.6])


@pytest.mark.parametrize("freeze_embeddings", [False, True])
def test_build_starts_from_the_given_embedding_matrix(freeze_embeddings):
    import keras

    matrix = np.random.default_rng(0).normal(size=(9, 5)).astype("float32")
    data = sentiment.Task("demo", {"train": [{"text": "a", "label": "x"}, {"text": "b", "label": "y"}]},
                          Vocabulary(list("abcde")))
    model = sentiment.build(data, embedding_dim=64, embedding_matrix=matrix, freeze_embeddings=freeze_embeddings,
                            cell="gru", units=3)
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


def test_build_checks_the_embedding_arguments():
    data = sentiment.Task("demo", {"train": [{"text": "a", "label": "x"}, {"text": "b", "label": "y"}]},
                          Vocabulary(list("abcde")))
    model = sentiment.build(data, embedding_dim=6, units=3)
    assert model.get_layer("inputs_embedding").get_weights()[0].shape == (9, 6)
    assert model.get_layer("inputs_embedding").trainable
    with pytest.raises(ValueError, match=r"embedding_matrix has shape \(4, 5\); \(vocab_size=9, dim\)"):
        sentiment.build(data, embedding_matrix=np.zeros((4, 5)))
    with pytest.raises(ValueError, match="freeze_embeddings=True needs pretrained vectors"):
        sentiment.build(data, freeze_embeddings=True)


def test_baselines_choose_nbsvm_C_on_valid_and_name_the_row_fields():
    good, bad = ["fine", "great", "moving", "funny"], ["dull", "tired", "awful", "boring"]
    generator = np.random.default_rng(0)

    def examples(count):
        return [{"text": " ".join(generator.choice(words, 3)) + " film", "label": label}
                for _ in range(count) for words, label in ((good, "positive"), (bad, "negative"))]

    splits = {"train": examples(20), "valid": examples(5), "test": examples(5)}
    data = sentiment.Task("demo", splits, sentiment.build_vocabulary(splits["train"]))
    scores = sentiment.baselines(data, C_values=(0.3, 1.0))
    assert set(scores) == {"majority_test_accuracy", "nbsvm_test_accuracy", "nbsvm_valid_accuracy", "nbsvm_C",
                           "ngram_lr_test_accuracy"}
    assert scores["majority_test_accuracy"] == 0.5
    assert scores["nbsvm_test_accuracy"] == scores["nbsvm_valid_accuracy"] == scores["ngram_lr_test_accuracy"] == 1.0
    assert scores["nbsvm_C"] == 0.3  # a tie on valid: the smallest C
    with pytest.raises(ValueError, match="C_values"):
        sentiment.baselines(data, C_values=())
