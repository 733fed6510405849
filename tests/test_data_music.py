"""Piano-roll sources: benchmark files with their published counts, other formats, bad input, MIDI."""

import os
import pickle
import re

import numpy as np
import pytest
import scipy.io

from seqlab import data
from seqlab.data import DataFormatError, music, sources
from seqlab.tasks.music import write_midi



def _counts(dataset):
    return {split: len(pieces) for split, pieces in dataset.items()}


def test_jsb_mat_has_the_published_counts(shared_data):
    dataset = data.load("jsb_chorales", path=shared_data("jsb_chorales", "JSB_Chorales.mat"))
    assert _counts(dataset) == {"train": 229, "valid": 76, "test": 77}
    assert sum(len(piece) for piece in dataset["train"]) == 13807
    assert all(piece.dtype == np.uint8 and piece.shape[1] == 88 for split in dataset.values() for piece in split)
    assert dataset["train"][0].shape == (129, 88)
    assert (np.flatnonzero(dataset["train"][0][0]) + 21).tolist() == [60, 72, 79, 88]


def test_jsb_json_holds_the_same_pieces_as_the_mat_file(shared_data):
    from_json = data.load("jsb_chorales_json", path=shared_data("jsb_chorales", "jsb-chorales-quarter.json"))
    from_mat = data.load("jsb_chorales", path=shared_data("jsb_chorales", "JSB_Chorales.mat"))
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
    path = write_midi(roll, tmp_path / "roll.mid", steps_per_quarter=steps_per_quarter)
    assert np.array_equal(music.read_piano_roll(path, steps_per_quarter=steps_per_quarter), roll)


def _write_folder(tmp_path):
    from music21 import note, stream

    root = tmp_path / "scores"
    for split in music.SPLITS:
        (root / split).mkdir(parents=True)
    write_midi(music.pitches_to_piano_roll([[60, 64], [62]]), root / "train" / "a.mid")
    part = stream.Part([note.Note("E4", quarterLength=2), note.Note("G4")])
    part.write("musicxml", fp=str(root / "train" / "b.musicxml"))
    (root / "valid" / "c.abc").write_text("X:1\nT:tiny\nM:4/4\nL:1/4\nK:C\nCDEF|G4|]\n")
    write_midi(music.pitches_to_piano_roll([[70]]), root / "test" / "d.midi")
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


# --------------------------------------------------------------------------- pickles are read without running code


class _RunsCode:
    """Unpickling this calls ``os.system`` (it would create ``marker``)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch '{self.marker}'",)


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_a_pickle_that_would_run_code_is_refused_and_runs_nothing(tmp_path, protocol):
    marker = tmp_path / "owned"
    pieces = {"train": [[(60,)], _RunsCode(marker)], "valid": [], "test": []}
    file = tmp_path / "Nottingham.pickle"
    file.write_bytes(pickle.dumps(pieces, protocol=protocol))
    refused = rf"{re.escape(str(file))}: refusing to load {os.system.__module__}\.system: a piano-roll pickle holds"
    with pytest.raises(DataFormatError, match=refused):
        music.load_piano_roll_file(file)
    with pytest.raises(DataFormatError, match=refused):
        data.load("nottingham", path=tmp_path)
    assert not marker.exists()


def _python2_pickle(value):
    """``value`` pickled as Python 2's cPickle (protocol 2) writes it, floats as numpy float64 scalars."""
    if isinstance(value, dict):
        return b"}(" + b"".join(_python2_pickle(key) + _python2_pickle(item) for key, item in value.items()) + b"u"
    if isinstance(value, list):
        return b"]" + b"".join(_python2_pickle(item) + b"a" for item in value)
    if isinstance(value, tuple):
        return b"(" + b"".join(_python2_pickle(item) for item in value) + b"t"
    if isinstance(value, str):
        return b"U" + bytes([len(value)]) + value.encode("latin1")       # a Python 2 byte string
    float64 = (b"cnumpy\ndtype\nU\x02f8\x89\x88\x87R(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb")
    return b"cnumpy.core.multiarray\nscalar\n" + float64 + b"U\x08" + np.float64(value).tobytes() + b"\x86R"


def test_original_python2_pickles_with_numpy_pitches_still_load(tmp_path):
    file = tmp_path / "JSB Chorales.pickle"
    # 67.0 as float64 holds the byte 0xc0: only a latin1 reading of Python 2 strings gets it back
    file.write_bytes(b"\x80\x02" + _python2_pickle({"train": [[(60.0, 67.0), (), (108.0,)]], "valid": [[(21.0,)]],
                                                     "test": [[(62.0,)]]}) + b".")
    dataset = data.load("jsb_chorales", path=tmp_path)
    assert _counts(dataset) == {"train": 1, "valid": 1, "test": 1}
    assert [(np.flatnonzero(step) + 21).tolist() for step in dataset["train"][0]] == [[60, 67], [], [108]]


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_python3_pickles_of_numpy_numbers_and_arrays_load(tmp_path, protocol):
    pieces = {"train": [[(np.int64(60), np.float64(64.0)), np.array([67, 71])]], "valid": [[[21]]], "test": [[()]]}
    file = tmp_path / "pieces.pkl"
    file.write_bytes(pickle.dumps(pieces, protocol=protocol))
    dataset = music.load_piano_roll_file(file)
    assert [(np.flatnonzero(step) + 21).tolist() for step in dataset["train"][0]] == [[60, 64], [67, 71]]


def test_a_truncated_pickle_is_a_clear_error(tmp_path):
    file = tmp_path / "MuseData.pickle"
    file.write_bytes(pickle.dumps(_pieces(), protocol=2)[:-20])
    with pytest.raises(DataFormatError, match=r"MuseData.pickle: not a readable pickle: "):
        music.load_piano_roll_file(file)


# --------------------------------------------------------------------------- any publisher's file name


def _write_mat(file, rolls):
    cells = np.empty((1, len(rolls)), dtype=object)
    for index, roll in enumerate(rolls):
        cells[0, index] = roll
    scipy.io.savemat(file, {"traindata": cells, "validdata": cells, "testdata": cells})


@pytest.mark.parametrize("name, file_name", [
    ("piano_midi", "Piano_midi.mat"), ("piano_midi", "Piano-midi.de.mat"), ("piano_midi", "Piano-midi.de.pickle"),
    ("jsb_chorales", "JSB Chorales.pickle"), ("nottingham", "Nottingham.pickle"), ("musedata", "MuseData.pickle"),
])
def test_a_set_resolves_by_name_whatever_its_publisher_called_the_file(tmp_path, monkeypatch, name, file_name):
    monkeypatch.setenv("SEQLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SEQLAB_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "data" / name
    folder.mkdir(parents=True)
    if file_name.endswith(".mat"):
        _write_mat(folder / file_name, [np.eye(88, dtype=np.uint8)[:3], np.eye(88, dtype=np.uint8)[5:7]])
    else:
        (folder / file_name).write_bytes(pickle.dumps(_pieces(), protocol=2))
    assert data.locate(name) == ("data dir", folder)
    dataset = data.load(name)
    assert _counts(dataset) == ({"train": 2, "valid": 2, "test": 2} if file_name.endswith(".mat")
                                else {"train": 2, "valid": 1, "test": 1})
    assert f"{file_name}=" in sources.resolved_sources()["data_files"]


def test_a_folder_without_the_set_lists_every_accepted_name(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SEQLAB_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "data" / "piano_midi").mkdir(parents=True)
    (tmp_path / "data" / "piano_midi" / "piano.mat").write_bytes(b"")
    accepted = "Piano_midi.mat or Piano-midi.de.mat or Piano-midi.de.pickle"
    with pytest.raises(data.DataNotFoundError, match=rf"piano_midi has no file {accepted}(.|\n)*holding {accepted}"):
        data.load("piano_midi")
    with pytest.raises(data.DataNotFoundError, match=rf"piano_midi has no file {accepted}"):
        data.describe("piano_midi").loader(tmp_path / "data" / "piano_midi")


def test_alternative_names_must_name_listed_files():
    from seqlab.data.sources import Source

    with pytest.raises(ValueError, match=r"whose keys are among files \('a.mat',\)"):
        Source(name="x", task="music", folder="x", files=("a.mat",), loader=print, citation="-", licence="-",
               alternative_names={"b.mat": ("c.mat",)})
    with pytest.raises(ValueError, match="as a list, not a string"):
        Source(name="x", task="music", folder="x", files=("a.mat",), loader=print, citation="-", licence="-",
               alternative_names={"a.mat": "c.mat"})


# --------------------------------------------------------------------------- the time step travels with the data


def test_every_source_carries_its_time_step(tmp_path):
    rolls = [np.eye(88, dtype=np.uint8)[index:index + 2] for index in range(12)]
    expected = {"jsb_chorales": ("JSB_Chorales.mat", 1), "nottingham": ("Nottingham.mat", 2),
                "musedata": ("MuseData.mat", 2), "piano_midi": ("Piano_midi.mat", 2)}
    for name, (file_name, steps_per_quarter) in expected.items():
        folder = tmp_path / name
        folder.mkdir()
        _write_mat(folder / file_name, rolls)
        assert data.load(name, path=folder).steps_per_quarter == steps_per_quarter
        limited = data.load(name, path=folder, max_pieces=10)          # through limit_pieces
        assert limited.steps_per_quarter == steps_per_quarter
    (tmp_path / "pieces.json").write_text('{"train": [[[60]]], "valid": [], "test": []}')
    assert data.load("jsb_chorales_json", path=tmp_path / "pieces.json").steps_per_quarter == 1
    folder = _write_folder(tmp_path)
    assert music.load_music_folder(folder, steps_per_quarter=4).steps_per_quarter == 4


def test_the_loaded_data_is_still_a_plain_dict_of_splits(tmp_path):
    _write_mat(tmp_path / "Nottingham.mat", [np.eye(88, dtype=np.uint8)[:2]])
    dataset = data.load("nottingham", path=tmp_path)
    assert isinstance(dataset, dict) and list(dataset) == ["train", "valid", "test"]
    again = pickle.loads(pickle.dumps(dataset))
    assert again.steps_per_quarter == 2 and np.array_equal(again["train"][0], dataset["train"][0])


# --------------------------------------------------------------------------- max_pieces counts pieces, not files


_TUNE_NOTES = "CDEFGABcdefg"                               # MIDI 60 62 64 65 67 69 71 72 74 76 77 79


def _abc_book(file, count, first=0):
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text("".join(f"X:{index + 1}\nT:tune {index + 1}\nM:4/4\nL:1/4\nK:C\n{_TUNE_NOTES[index]}4|]\n\n"
                            for index in range(first, first + count)))


def _first_pitches(dataset):
    return {split: [int(np.flatnonzero(piece[0])[0]) + 21 for piece in pieces] for split, pieces in dataset.items()}


def test_an_abc_book_gives_one_piece_per_tune_split_by_position(tmp_path):
    _abc_book(tmp_path / "book.abc", 12)
    dataset = music.load_music_folder(tmp_path)
    assert _first_pitches(dataset) == {"train": [60, 62, 64, 65, 67, 69, 71, 72, 77, 79], "valid": [74], "test": [76]}


def test_max_pieces_counts_the_tunes_of_an_abc_book_and_reads_no_more_files(tmp_path, monkeypatch):
    _abc_book(tmp_path / "a_book.abc", 12)
    (tmp_path / "b_broken.mid").write_bytes(b"not read at all")
    read = []
    read_scores = music._read_scores
    monkeypatch.setattr(music, "_read_scores", lambda path, steps: read.append(path.name) or read_scores(path, steps))
    dataset = data.load("music_folder", path=tmp_path, max_pieces=10)
    assert _counts(dataset) == {"train": 8, "valid": 1, "test": 1}
    assert _first_pitches(dataset) == {"train": [60, 62, 64, 65, 67, 69, 71, 72], "valid": [74], "test": [76]}
    assert read == ["a_book.abc"]


def test_max_pieces_counts_tunes_in_each_split_folder(tmp_path):
    _abc_book(tmp_path / "train" / "book.abc", 10)
    _abc_book(tmp_path / "valid" / "book.abc", 2, first=10)
    _abc_book(tmp_path / "test" / "tunes.abc", 2, first=10)
    assert _counts(music.load_music_folder(tmp_path)) == {"train": 10, "valid": 2, "test": 2}
    limited = music.load_music_folder(tmp_path, max_pieces=10)
    assert _first_pitches(limited) == {"train": [60, 62, 64, 65, 67, 69, 71, 72], "valid": [77], "test": [77]}
