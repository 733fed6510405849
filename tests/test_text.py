"""Text sources: published counts, embedded name lists and prose, any plain-text file, bad input."""

import os

import pytest

from seqlab import data
from seqlab.data import DataFormatError, DataNotFoundError
from seqlab.data.sources import package_path
from seqlab.data.text import (
    load_census_names,
    load_text,
    load_text_lines,
    read_census_names,
    split_sentences,
)
from seqlab.data.vocab import EOS_TOKEN, Vocabulary



def count(dataset):
    return sum(len(split) for split in dataset.values())


def test_dinos_has_the_published_1543_names_and_27_symbols(shared_data):
    shared_data("char_lm", "dinos.txt")
    dataset = data.load("dinos")
    assert count(dataset) == 1543
    assert [len(dataset[name]) for name in ("train", "valid", "test")] == [1235, 154, 154]
    assert all(example[-1] == EOS_TOKEN for split in dataset.values() for example in split)
    assert len(Vocabulary.build(dataset["train"], level="character")) == 4 + 26  # reserved ids + a-z; <eos> is reserved
    everything = {"".join(example[:-1]) for split in dataset.values() for example in split}
    assert "aachenosaurus" in everything


def test_names_has_the_published_32033_names(shared_data):
    shared_data("char_lm", "names.txt")
    dataset = data.load("names", valid_fraction=0.0, test_fraction=0.05, seed=2)
    assert count(dataset) == 32033
    assert len(dataset["test"]) == 1601 and dataset["valid"] == []
    assert {token for split in dataset.values() for example in split for token in example[:-1]} == set(
        "abcdefghijklmnopqrstuvwxyz")


def test_census_names_are_embedded_with_the_published_counts():
    assert data.locate("census_names")[0] == "embedded"
    folder = data.resolve("census_names")
    first = read_census_names(folder, "first")
    assert len(first) == 5494 and first[:2] == ["MARY", "PATRICIA"]
    assert len(read_census_names(folder, "last")) == 88799
    assert len(read_census_names(folder, "all")) == 5494 + 88799
    dataset = data.load("census_names")
    assert count(dataset) == len(set(first)) == 5163
    last = load_census_names(folder, kind="last", valid_fraction=0.0, test_fraction=0.0, max_examples=500)
    assert len(last["train"]) == 500
    assert all(token.islower() or token == EOS_TOKEN for example in last["train"] for token in example)


def test_lady_susan_is_embedded_english_prose():
    place, folder = data.locate("lady_susan")
    assert place == "embedded" and (folder / "en.txt").is_file()
    dataset = data.load("lady_susan", valid_fraction=0.0, test_fraction=0.0)
    sentences = dataset["train"]
    assert len(sentences) == 1188
    assert sum(token[0].isalnum() for sentence in sentences for token in sentence) == 23149
    assert not any("Gutenberg" in sentence for sentence in sentences)
    words = {token for sentence in sentences for token in sentence}
    assert {"Frederica", "Reginald", "Churchhill"} <= words
    vocabulary = Vocabulary.build(sentences, level="word", lowercase=True, min_frequency=2)
    assert 1000 < len(vocabulary) < 5000


def test_any_text_file_character_and_word_level(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("The cat sat. It was\nhappy!\n\nThe End\n", encoding="utf-8")
    lines = load_text(story, valid_fraction=0.0, test_fraction=0.0, end_token=False, seed=0)["train"]
    assert sorted("".join(line) for line in lines) == ["The End", "The cat sat. It was", "happy!"]
    sentences = load_text(story, level="word", unit="sentence", lowercase=True, valid_fraction=0.0,
                          test_fraction=0.0)["train"]
    assert sorted(sentences) == sorted([["the", "cat", "sat", ".", EOS_TOKEN], ["it", "was", "happy", "!", EOS_TOKEN],
                                        ["the", "end", EOS_TOKEN]])


def test_splits_are_disjoint_seeded_and_checked():
    units = [f"line {number}" for number in range(100)]
    splits = load_text_lines(units, level="word", valid_fraction=0.1, test_fraction=0.2, seed=4)
    assert [len(splits[name]) for name in ("train", "valid", "test")] == [70, 10, 20]
    every = sorted(" ".join(tokens[:-1]) for split in splits.values() for tokens in split)
    assert every == sorted(units)
    assert load_text_lines(units, seed=4) == load_text_lines(units, seed=4)
    assert load_text_lines(units, seed=4) != load_text_lines(units, seed=5)
    # valid and test are rounded down: 1.9 of 19 lines is 1
    small = load_text_lines(units[:19], valid_fraction=0.1, test_fraction=0.1)
    assert [len(split) for split in small.values()] == [17, 1, 1]
    with pytest.raises(ValueError, match=r"fractions\['valid'\]=1.5 is not allowed"):
        load_text_lines(units, valid_fraction=1.5)
    with pytest.raises(ValueError, match="something must be left to train on"):
        load_text_lines(units, valid_fraction=0.5, test_fraction=0.5)


def test_bad_arguments_name_the_argument(tmp_path):
    with pytest.raises(ValueError, match="level='byte' is not allowed; allowed: character, word"):
        load_text_lines(["a"], level="byte")
    with pytest.raises(ValueError, match="max_examples=-1"):
        load_text_lines(["a"], max_examples=-1)
    with pytest.raises(ValueError, match="unit='paragraph' is not allowed"):
        load_text(tmp_path / "any.txt", unit="paragraph")
    with pytest.raises(ValueError, match="kind='middle' is not allowed"):
        read_census_names(package_path("names"), kind="middle")


def test_bad_files_give_clear_errors(tmp_path):
    with pytest.raises(DataNotFoundError, match="missing.txt: no such file"):
        load_text(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(DataFormatError, match="empty.txt: the file is empty"):
        load_text(empty)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"fine\n\x80\x81\n")
    with pytest.raises(DataFormatError, match=r"binary.txt:2: cannot decode byte 0x80 as utf-8"):
        load_text(binary)
    with pytest.raises(DataNotFoundError, match=r"path=.*has no file dinos.txt"):
        data.load("dinos", path=tmp_path)


def test_malformed_census_line_names_file_and_line(tmp_path):
    for file_name in ("dist.female.first", "dist.male.first", "dist.all.last"):
        (tmp_path / file_name).write_text("MARY           2.629  2.629      1\n")
    (tmp_path / "dist.male.first").write_text("JAMES 3.318 3.318 1\nJOHN 3.271\n")
    with pytest.raises(DataFormatError, match=r"dist.male.first:2: expected 'NAME frequency cumulative rank'"):
        read_census_names(tmp_path, "first")
    assert read_census_names(tmp_path, "last") == ["MARY"]


def test_sentence_splitting_keeps_abbreviations_before_lower_case():
    assert split_sentences("He said no. she said yes.  Then, \"Go!\" They went.") == [
        "He said no. she said yes.", "Then, \"Go!\"", "They went."]
