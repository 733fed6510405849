"""Piano-roll sources: benchmark files with their published counts, other formats, bad input, MIDI."""

import os
import pathlib
import pickle

import numpy as np
import pytest
import scipy.io

from seqlab import data
from seqlab.data import DataFormatError, music

SHARED = pathlib.Path(os.environ.get("SEQLAB_DATA_DIR", "")) / "jsb_chorales"
needs_jsb = pytest.mark.skipif(
    not os.environ.get("SEQLAB_DATA_DIR") or not (SHARED / "JSB_Chorales.mat").is_file(),
    reason="SEQLAB_DATA_DIR/jsb_chorales/JSB_Chorales.mat not present (set SEQLAB_DATA_DIR=../shared/data)",
)


def _counts(dataset):
    return {split: len(pieces) for split, pieces in dataset.items()}


@needs_jsb
def test_jsb_mat_has_the_published_counts():
    dataset = data.load("jsb_chorales")
    assert _counts(dataset) == {"train": 229, "valid": 76, "test": 77}
    assert sum(len(piece) for piece in dataset["train"]) == 13807
    assert all(piece.dtype == np.uint8 and piece.shape[1] == 88 for split in dataset.values() for piece in split)
    assert dataset["train"][0].shape == (129, 88)
    assert (np.flatnonzero(dataset["train"][0][0]) + 21).tolist() == [60, 72, 79, 88]


@needs_jsb
def test_jsb_json_holds_the_same_pieces_as_the_mat_file():
    from_json = data.load("jsb_chorales_json")
    from_mat = data.load("jsb_chorales")
    assert _counts(from_json) == {"train": 229, "valid": 76, "test": 77}
    for split in music.SPLITS:
        assert all(np.array_equal(a, b) for a, b in zip(from_json[split], from_mat[split]))


def _pieces():
    return {"train": [[(60.0, 64.0), (), (67,)], [(21,)]], "valid": [[(108,)]], "test": [[(62, 65, 69)]]}


def test_original_pickle_format_loads(tmp_path):
    file = tmp_path / "Nottingham.pickle"
    file.write_bytes(pickle.dumps(_pieces(), protocol=2))
    dataset = music.load_piano_roll_file(file)
    assert _counts(dataset) == {"train": 2, "valid": 1, "test": 1}
    first = dataset["train"][0]
    assert first.shape == (3, 88) and first.dtype == np.uint8
    assert [(np.flatnonzero(step) + 21).tolist() for step in first] == [[60, 64], [], [67]]
    assert dataset["valid"][0][0, 87] == 1 and dataset["train"][1][0, 0] == 1


def test_the_other_benchmark_sets_load_from_their_mat_files_with_no_code_change(tmp_path):
    rolls = [np.eye(88, dtype=np.uint8)[:5], np.eye(88, dtype=np.uint8)[10:12]]
    cells = np.empty((1, 2), dtype=object)
    cells[0, 0], cells[0, 1] = rolls
    for name, file_name in [("nottingham", "Nottingham.mat"), ("musedata", "MuseData.mat"),
                            ("piano_midi", "Piano-midi.de.mat")]:
        folder = tmp_path / name
        folder.mkdir()
        scipy.io.savemat(folder / file_name, {"traindata": cells, "validdata": cells, "testdata": cells})
        dataset = data.load(name, path=folder)
        assert _counts(dataset) == {"train": 2, "valid": 2, "test": 2}
        assert np.array_equal(dataset["test"][1], rolls[1])


def test_mat_file_with_wrong_keys_is_a_clear_error(tmp_path):
    file = tmp_path / "JSB_Chorales.mat"
    scipy.io.savemat(file, {"train": np.zeros((2, 88)), "valid": np.zeros((2, 88))})
    with pytest.raises(DataFormatError, match=r"JSB_Chorales.mat: missing key\(s\) traindata, validdata, testdata.*found: train, valid"):
        data.load("jsb_chorales", path=tmp_path)


def test_mat_piece_with_the_wrong_width_is_a_clear_error(tmp_path):
    cells = np.empty((1, 1), dtype=object)
    cells[0, 0] = np.zeros((4, 12), dtype=np.uint8)
    file = tmp_path / "bad.mat"
    scipy.io.savemat(file, {"traindata": cells, "validdata": cells, "testdata": cells})
    with pytest.raises(DataFormatError, match=r"bad.mat: traindata piece 0 has shape \(4, 12\); expected"):
        music.load_piano_roll_file(file)


def test_pitch_out_of_range_and_missing_splits_are_clear_errors(tmp_path):
    file = tmp_path / "pieces.json"
    file.write_text('{"train": [[[60], [12]]], "valid": [], "test": []}')
    with pytest.raises(DataFormatError, match=r"pieces.json: piece 0, step 1: pitch 12 is outside the piano range"):
        music.load_piano_roll_file(file)
    file.write_text('{"training": []}')
    with pytest.raises(DataFormatError, match="expected a mapping with keys train, valid, test; found training"):
        music.load_piano_roll_file(file)


@pytest.mark.parametrize("steps_per_quarter", [1, 2])
def test_midi_round_trip_restores_the_piano_roll(tmp_path, steps_per_quarter):
    generator = np.random.default_rng(0)
    roll = (generator.random((24, 88)) < 0.04).astype(np.uint8)
    roll[:, 39] = 1                                    # a held middle C
    roll[-1, 60] = 1
    path = music.write_midi(roll, tmp_path / "roll.mid", steps_per_quarter=steps_per_quarter)
    assert np.array_equal(music.read_piano_roll(path, steps_per_quarter=steps_per_quarter), roll)


def _write_folder(tmp_path):
    from music21 import note, stream

    root = tmp_path / "scores"
    for split in music.SPLITS:
        (root / split).mkdir(parents=True)
    music.write_midi(music.pitches_to_piano_roll([[60, 64], [62]]), root / "train" / "a.mid")
    part = stream.Part([note.Note("E4", quarterLength=2), note.Note("G4")])
    part.write("musicxml", fp=str(root / "train" / "b.musicxml"))
    (root / "valid" / "c.abc").write_text("X:1\nT:tiny\nM:4/4\nL:1/4\nK:C\nCDEF|G4|]\n")
    music.write_midi(music.pitches_to_piano_roll([[70]]), root / "test" / "d.midi")
    return root


def test_music_folder_skips_and_counts_an_unreadable_file(tmp_path):
    root = _write_folder(tmp_path)
    (root / "train" / "broken.mid").write_bytes(b"MThd this is not a MIDI file")
    with pytest.warns(UserWarning, match=r"1 of 5 files in .*scores could not be read and were skipped: broken.mid"):
        dataset = data.load("music_folder", path=root)
    assert _counts(dataset) == {"train": 2, "valid": 1, "test": 1}
    assert [(np.flatnonzero(step) + 21).tolist() for step in dataset["train"][1]] == [[64], [64], [67]]
    assert [(np.flatnonzero(step) + 21).tolist() for step in dataset["valid"][0]][:5] == [[60], [62], [64], [65], [67]]
    assert dataset["test"][0].shape == (1, 88)


def test_music_folder_where_nothing_is_readable_is_an_error(tmp_path):
    (tmp_path / "x.mid").write_bytes(b"junk")
    with pytest.warns(UserWarning, match="1 of 1 files"), pytest.raises(DataFormatError, match="none of the 1 score files"):
        music.load_music_folder(tmp_path)


def test_bach_chorales_load_split_by_position_and_come_from_the_cache_the_second_time(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLAB_CACHE_DIR", str(tmp_path))
    dataset = data.load("bach_chorales", max_pieces=10)
    assert _counts(dataset) == {"train": 8, "valid": 1, "test": 1}
    assert dataset["train"][0].shape == (63, 88)                  # BWV 269, 63 quarter notes
    assert dataset["train"][0].sum(axis=1).max() == 4             # four voices
    assert len(list((tmp_path / "bach_chorales").glob("*_first10.npz"))) == 1

    from music21 import corpus

    def refuse(*args, **keywords):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(corpus, "parse", refuse)
    again = data.load("bach_chorales", max_pieces=10)
    assert all(np.array_equal(a, b) for split in music.SPLITS for a, b in zip(again[split], dataset[split]))


@pytest.mark.parametrize("max_pieces", [-1, 5, 2.5])
def test_bach_chorales_reject_a_bad_max_pieces(max_pieces):
    with pytest.raises(ValueError, match=f"max_pieces={max_pieces!r}"):
        music.load_bach_chorales(max_pieces=max_pieces)


def test_limit_pieces_keeps_the_first_pieces_of_each_split_in_the_8_1_1_shares(tmp_path):
    rolls = [np.full((index + 1, 88), index % 2, dtype=np.uint8) for index in range(40)]
    cells = np.empty((1, 40), dtype=object)
    for index, roll in enumerate(rolls):
        cells[0, index] = roll
    scipy.io.savemat(tmp_path / "JSB_Chorales.mat", {"traindata": cells, "validdata": cells, "testdata": cells})
    dataset = data.load("jsb_chorales", path=tmp_path, max_pieces=30)
    assert _counts(dataset) == {"train": 24, "valid": 3, "test": 3}
    assert [len(piece) for piece in dataset["test"]] == [1, 2, 3]
    with pytest.raises(ValueError, match="max_pieces=3"):
        data.load("jsb_chorales", path=tmp_path, max_pieces=3)
