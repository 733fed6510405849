"""Vocabulary: reserved ids, sorting, frequency and size limits, JSON round trip, errors."""

import json

import pytest

from seqlab.data import DataFormatError
from seqlab.data.vocab import (
    BOS_ID,
    EOS_ID,
    EOS_TOKEN,
    PAD_ID,
    RESERVED_TOKENS,
    UNK_ID,
    Vocabulary,
    tokenize_words,
)


def test_reserved_ids_are_fixed():
    assert (PAD_ID, UNK_ID, BOS_ID, EOS_ID) == (0, 1, 2, 3)
    assert RESERVED_TOKENS == ("<pad>", "<unk>", "<bos>", "<eos>")
    assert Vocabulary([]).tokens == list(RESERVED_TOKENS)


def test_tokens_are_sorted_whatever_the_example_order():
    first = Vocabulary.build(["the cat sat", "a dog"], level="word")
    second = Vocabulary.build(["a dog", "the cat sat"], level="word")
    assert first == second
    assert first.tokens[4:] == ["a", "cat", "dog", "sat", "the"]
    assert len(first) == 9


def test_reserved_tokens_in_examples_are_not_counted_and_map_to_their_ids():
    vocabulary = Vocabulary.build([["a", "b", EOS_TOKEN], ["b", EOS_TOKEN]], level="character")
    assert vocabulary.tokens[4:] == ["a", "b"]
    assert vocabulary.encode(["b", "a", EOS_TOKEN]) == [5, 4, EOS_ID]


def test_min_frequency_and_max_size():
    texts = ["a a a b b c", "a b d"]
    assert Vocabulary.build(texts, level="word", min_frequency=2).tokens[4:] == ["a", "b"]
    assert Vocabulary.build(texts, level="word", min_frequency=3).tokens[4:] == ["a", "b"]
    assert Vocabulary.build(texts, level="word", min_frequency=4).tokens[4:] == ["a"]
    limited = Vocabulary.build(texts, level="word", max_size=6)
    assert len(limited) == 6 and limited.tokens[4:] == ["a", "b"]
    # ties (c and d seen once) are broken by the token, so the kept set is deterministic
    assert Vocabulary.build(texts, level="word", max_size=7).tokens[4:] == ["a", "b", "c"]
    assert len(Vocabulary.build(texts, level="word", max_size=4)) == 4


def test_encode_decode_round_trip_and_unknown_tokens():
    vocabulary = Vocabulary.build(["hello", "world"], level="character")
    ids = vocabulary.encode("hold!", add_bos=True, add_eos=True)
    assert ids[0] == BOS_ID and ids[-1] == EOS_ID
    assert ids[-2] == UNK_ID  # "!" never seen
    assert vocabulary.decode(ids) == ["h", "o", "l", "d", "<unk>"]
    assert vocabulary.decode(ids, strip_special=False)[0] == "<bos>"
    assert vocabulary.to_text(vocabulary.encode("world") + [PAD_ID, PAD_ID]) == "world"
    assert vocabulary.encode_all(["he", "lo"]) == [vocabulary.encode("he"), vocabulary.encode("lo")]


def test_word_level_lowercase_and_text():
    vocabulary = Vocabulary.build(["The cat.", "the dog"], level="word", lowercase=True)
    assert vocabulary.tokens[4:] == [".", "cat", "dog", "the"]
    assert vocabulary.to_text(vocabulary.encode("THE DOG.")) == "the dog ."
    assert "cat" in vocabulary and "Cat" not in vocabulary


def test_json_round_trip_through_a_file(tmp_path):
    vocabulary = Vocabulary.build(["Ünïcode words", "words"], level="word", lowercase=True, min_frequency=1)
    path = tmp_path / "vocabulary.json"
    vocabulary.to_json(path)
    loaded = Vocabulary.from_json(path)
    assert loaded == vocabulary
    assert loaded.level == "word" and loaded.lowercase is True
    assert loaded.encode("ünïcode WORDS") == vocabulary.encode("ünïcode WORDS")
    assert Vocabulary.from_json(str(path)) == vocabulary
    assert json.loads(path.read_text(encoding="utf-8"))["tokens"][:4] == list(RESERVED_TOKENS)


def test_bad_json_is_a_format_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "seqlab.vocabulary",\n "tokens": [\n')
    with pytest.raises(DataFormatError, match="broken.json:3: not valid JSON"):
        Vocabulary.from_json(path)
    with pytest.raises(DataFormatError, match="not a seqlab vocabulary"):
        Vocabulary.from_json('{"tokens": []}')
    with pytest.raises(DataFormatError, match="first tokens must be"):
        Vocabulary.from_json('{"format": "seqlab.vocabulary", "tokens": ["a", "<pad>"]}')
    unsorted = json.dumps({"format": "seqlab.vocabulary", "tokens": list(RESERVED_TOKENS) + ["b", "a"]})
    with pytest.raises(DataFormatError, match="not sorted"):
        Vocabulary.from_json(unsorted)


@pytest.mark.parametrize(
    "keywords, message",
    [
        ({"min_frequency": 0}, "min_frequency=0 must be an integer >= 1"),
        ({"min_frequency": 1.5}, "min_frequency=1.5"),
        ({"max_size": 3}, "max_size=3 must be None or at least 4"),
        ({"level": "byte"}, "level='byte' is not allowed; allowed: character, word"),
    ],
)
def test_bad_arguments_name_the_argument(keywords, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        Vocabulary.build(["a b"], **keywords)


def test_bad_tokens_and_ids():
    with pytest.raises(ValueError, match="duplicates"):
        Vocabulary(["a", "a"])
    with pytest.raises(ValueError, match="reserved tokens"):
        Vocabulary(["<pad>", "a"])
    with pytest.raises(ValueError, match="must be a string or a list of tokens"):
        Vocabulary(["a"]).encode(5)
    with pytest.raises(ValueError, match="id -1 at position 1 is outside the vocabulary"):
        Vocabulary(["a"]).decode([4, -1])


def test_tokenize_words_keeps_inner_apostrophes_and_punctuation():
    assert tokenize_words("I can't; 3 o'clock!") == ["I", "can't", ";", "3", "o'clock", "!"]
