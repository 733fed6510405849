"""The language-model task module: preparing a text at both levels, held-out loss, samples."""

import numpy as np
import pytest

import seqlab
from seqlab.data.vocab import Vocabulary
from seqlab.tasks import language_model


@pytest.fixture
def story(tmp_path):
    file = tmp_path / "story.txt"
    file.write_text(" ".join(f"The cat {'sat' if index % 2 else 'ran'} here {index}." for index in range(40)) + "\n")
    return file


def prepare(file, level, **keywords):
    """``language_model.prepare`` of a prose file: the ``lady_susan`` loader splits any text into sentences."""
    return language_model.prepare("lady_susan", path=file, level=level, seed=1, **keywords)


def test_both_levels_split_the_same_sentences(story):
    words, characters = prepare(story, "word", min_frequency=2), prepare(story, "character")
    assert [len(words.splits[name]) for name in ("train", "valid", "test")] == [32, 4, 4]
    assert [" ".join(tokens[:-1]) for tokens in words.splits["test"]] == [
        "".join(tokens[:-1]).replace(".", " .") for tokens in characters.splits["test"]]
    assert words.vocabulary.level == "word" and "cat" in words.vocabulary
    assert language_model.unknown_rate(words, "test") == pytest.approx(1 / 7)  # the sentence number
    assert characters.token_count("test") == sum(len(tokens) for tokens in characters.splits["test"])


def test_predict_and_evaluate_score_every_true_next_token(story):
    data = prepare(story, "character")
    seqlab.training.seed_everything(0)
    generator = language_model.build(data, cell="gru", units=4, embedding_dim=3)
    predictions = language_model.predict(generator.train, data, "test", batch_size=3)
    assert [len(p) for p in predictions] == [len(tokens) for tokens in data.splits["test"]]
    inputs, targets = language_model.next_token_arrays(data, "test")
    full = np.asarray(generator.train(inputs))
    by_hand = np.take_along_axis(full, targets[..., None], axis=-1)[..., 0][targets != 0]
    np.testing.assert_allclose(np.concatenate(predictions), by_hand, rtol=1e-5)
    scores = language_model.evaluate(data, predictions, "test")
    assert scores["test_loss_per_token"] == pytest.approx(-np.log(by_hand).mean(), rel=1e-5)
    assert scores["test_loss_per_character"] == scores["test_loss_per_token"]
    assert scores["test_perplexity"] == pytest.approx(np.exp(scores["test_loss_per_token"]))
    with pytest.raises(ValueError, match=r"predictions hold \d+ token probabilities"):
        language_model.evaluate(data, predictions[1:], "test")
    texts = language_model.sample_texts(generator, data, temperature=1.0, count=2, max_length=5, seed=3)
    assert len(texts) == 2 and all(len(text) <= 5 for text in texts)
    table = language_model.sample_table(generator, data, temperatures=[0.5, 1.0], count=2, max_length=5)
    assert table["temperature"].tolist() == [0.5, 0.5, 1.0, 1.0]


def test_word_level_loss_per_character_needs_the_character_count(story):
    data = prepare(story, "word")
    predictions = [np.full(len(tokens), 0.5, "float32") for tokens in data.splits["test"]]
    assert "test_loss_per_character" not in language_model.evaluate(data, predictions, "test")
    scores = language_model.evaluate(data, predictions, "test", characters=100)
    assert scores["test_loss_per_character"] == pytest.approx(data.token_count("test") * np.log(2) / 100)


def test_unigram_baseline_beats_the_uniform_guess():
    examples = [list("aab") + ["<eos>"]] * 3
    data = language_model.Task("demo", "character", {"train": examples, "valid": examples, "test": examples},
                               Vocabulary.build(examples, level="character"))
    scores = language_model.baselines(data)
    assert scores["uniform_test_loss_per_token"] == pytest.approx(np.log(len(data.vocabulary) - 2))
    assert scores["unigram_test_loss_per_token"] < scores["uniform_test_loss_per_token"]
