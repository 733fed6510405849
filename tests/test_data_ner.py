"""NER data: CoNLL column files (IOB1 -> BIO, bad input), the embedded WNUT-2016 tweets, the token encoder."""


import numpy as np
import pytest

from seqlab.data import DataFormatError, DataNotFoundError, load, locate
from seqlab.data.ner import CASINGS, SOURCES, TokenEncoder, casing, load_wnut16, read_conll, wnut16_file
from seqlab.data.tags import spans
from seqlab.data.vocab import UNK_ID

SOURCE = {source.name: source for source in SOURCES}


def write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return path


def test_read_conll_skips_docstart_converts_iob1_and_picks_columns(tmp_path):
    path = write(tmp_path, "tiny.conll", (
        "-DOCSTART- -X- -X- O\n\n"
        "EU NNP I-NP I-ORG\nrejects VBZ I-VP O\nGerman JJ B-NP I-MISC\nBritish JJ I-NP B-MISC\n\n\n"
        "-DOCSTART- -X- -X- O\n\n"
        "Peter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\n"
    ))
    sentences = read_conll(path)
    assert sentences == [
        (["EU", "rejects", "German", "British"], ["B-ORG", "O", "B-MISC", "B-MISC"]),
        (["Peter", "Blackburn"], ["B-PER", "I-PER"]),
    ]
    chunks = read_conll(path, tag_column=2)
    assert chunks[0][1] == ["B-NP", "B-VP", "B-NP", "I-NP"]


def test_read_conll_accepts_tab_separated_bio_with_whitespace_only_separators(tmp_path):
    path = write(tmp_path, "tweets.txt", "Empire\tB-facility\nState\tI-facility\n\t\nhi\tO\n\t\n")
    assert read_conll(path) == [(["Empire", "State"], ["B-facility", "I-facility"]), (["hi"], ["O"])]


def test_malformed_line_names_file_and_line(tmp_path):
    path = write(tmp_path, "bad.conll", "EU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter NNP I-NP I-PER\n")
    with pytest.raises(DataFormatError, match=r"bad\.conll:1: expected a token in column 0 and a tag in column 4"):
        read_conll(path, tag_column=4)
    with pytest.raises(DataFormatError, match=r"bad\.conll:1: tag 'NNP' in column 1 is not a BIO/IOB1 tag"):
        read_conll(path, tag_column=1)


def test_lines_with_a_different_number_of_columns_are_malformed(tmp_path):
    path = write(tmp_path, "bad.conll", "EU I-ORG\nrejects\n")
    with pytest.raises(DataFormatError, match=r"bad\.conll:2: expected at least 2 columns \(a token and a tag\), found 1"):
        read_conll(path)
    # A dropped NER column would otherwise be read silently as the chunk column.
    path = write(tmp_path, "short.conll", "EU NNP I-NP I-ORG\nrejects VBZ I-VP\n")
    with pytest.raises(DataFormatError, match=r"short\.conll:2: expected 4 columns \(as on line 1\), found 3"):
        read_conll(path)
    with pytest.raises(DataFormatError, match=r"one\.conll:1: expected at least 2 columns"):
        read_conll(write(tmp_path, "one.conll", "EU\n"))


def test_empty_and_missing_files_give_clear_errors(tmp_path):
    with pytest.raises(DataFormatError, match="empty"):
        read_conll(write(tmp_path, "empty.conll", ""))
    with pytest.raises(DataFormatError, match="no sentence"):
        read_conll(write(tmp_path, "docstart.conll", "-DOCSTART- -X- -X- O\n\n"))
    with pytest.raises(DataNotFoundError, match="no such file"):
        read_conll(tmp_path / "absent.conll")


def test_conll2003_folder_missing_a_file_is_not_found(tmp_path):
    write(tmp_path, "eng.train", "EU NNP I-NP I-ORG\n")
    with pytest.raises(DataNotFoundError, match="has no file eng.testa"):
        locate(SOURCE["conll2003"], tmp_path)


def test_wnut16_is_embedded_and_split_with_a_fixed_seed():
    place, path = locate(SOURCE["wnut16"])
    assert place == "embedded" and path == wnut16_file() and path.name == "ner.txt"
    dataset = load(SOURCE["wnut16"])
    assert {name: len(split) for name, split in dataset.items()} == {"train": 1915, "valid": 239, "test": 240}
    assert sum(len(split) for split in dataset.values()) == 2394
    assert dataset == load(SOURCE["wnut16"])
    types = {entity[0] for split in dataset.values() for _, tags in split for entity in spans(tags)}
    assert types == {"company", "facility", "geo-loc", "movie", "musicartist", "other", "person", "product",
                     "sportsteam", "tvshow"}
    assert all(len(tokens) == len(tags) for split in dataset.values() for tokens, tags in split)
    other_split = load_wnut16(path, seed=1)
    assert other_split["test"] != dataset["test"]



def test_conll2003_has_the_published_counts(shared_data):
    folder = shared_data("conll2003", "eng.train", "eng.testa", "eng.testb")
    dataset = load(SOURCE["conll2003"], folder)
    assert {name: len(split) for name, split in dataset.items()} == {"train": 14041, "valid": 3250, "test": 3453}
    assert {name: sum(len(tokens) for tokens, _ in split) for name, split in dataset.items()} == {
        "train": 203621, "valid": 51362, "test": 46435}
    # Entities per split (Tjong Kim Sang & De Meulder 2003, Table 2): 23,499 / 5,942 / 5,648.
    assert {name: sum(len(spans(tags)) for _, tags in split) for name, split in dataset.items()} == {
        "train": 23499, "valid": 5942, "test": 5648}
    assert all(tag == "O" or tag.startswith("B-") for _, tags in dataset["train"] for tag in tags[:1])


def test_casing_classes():
    assert [casing(token) for token in ["EU", "rejects", "German", "1996-08-22", "3.5", "B52", "McDonald", "--"]] == [
        "all_upper", "all_lower", "initial_upper", "numeric", "numeric", "mixed_digits", "mixed_case", "other"]


def test_encoder_maps_rare_words_to_unknown_and_packs_three_views():
    sentences = [(["Harry", "met", "Ron"], ["B-PER", "O", "B-PER"]), (["harry", "met", "Luna", "1996"], ["B-PER", "O", "B-PER", "O"])]
    encoder = TokenEncoder.build(sentences, min_word_frequency=2, max_characters=3)
    assert encoder.words.tokens[4:] == ["harry", "met"]
    assert encoder.tag_names == ["<pad>", "B-PER", "O"] and encoder.num_classes == 3
    packed = encoder.encode(["HARRY", "Luna", "2001"])
    assert packed.shape == (3, 5) and packed.dtype == np.int32
    assert packed[:, 0].tolist() == [encoder.words.token_to_id["harry"], UNK_ID, UNK_ID]
    assert [CASINGS[index] for index in packed[:, 1]] == ["all_upper", "initial_upper", "numeric"]
    assert packed[1, 2:].tolist() == [encoder.characters.token_to_id[character] for character in "Lun"]
    assert encoder.unknown_rate([(["Harry", "Luna"], ["B-PER", "B-PER"])]) == 0.5
    with pytest.raises(ValueError, match=r"tags \['B-LOC'\] were not in the training data"):
        encoder.encode_tags(["B-LOC"])
