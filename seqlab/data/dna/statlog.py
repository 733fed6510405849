"""The StatLog splice-junction data (mlbench's ``DNA.rda``): bases from 3-bit indicators, StatLog's split."""

import pathlib

import numpy as np

from seqlab.data.dna.bases import BASES, decode
from seqlab.data.dna.splice import SPLICE_CLASSES, duplicate_counts, sequence_key, splice_folds, split_overlaps
from seqlab.data.sources import DataFormatError, DataNotFoundError

STATLOG_FILE = "DNA.rda"
STATLOG_TRAIN_ROWS = 2000
STATLOG_BITS = {"A": (1, 0, 0), "C": (0, 1, 0), "G": (0, 0, 1), "T": (0, 0, 0)}
_STATLOG_LOOKUP = np.full(8, -1, dtype=np.int8)
for _base, (_first, _second, _third) in STATLOG_BITS.items():
    _STATLOG_LOOKUP[4 * _first + 2 * _second + _third] = BASES.index(_base)


def decode_statlog_bits(bits):
    """Base ids from the StatLog 3-bit indicators (``A 100, C 010, G 001, T 000``), ``(..., 60 * 3) -> (..., 60)``.

    Returns ``-1`` where a base's bits are none of the four patterns.

    >>> decode(decode_statlog_bits(np.array([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0])))
    'ACGT'
    """
    bits = np.asarray(bits).astype(np.int64)
    triples = bits.reshape(bits.shape[:-1] + (bits.shape[-1] // 3, 3))
    return _STATLOG_LOOKUP[triples @ np.array([4, 2, 1])]


def read_statlog_dna(path):
    """The 3,186 examples of mlbench's ``DNA.rda``, in file order, bases decoded from their bits.

    Returns:
        a list of ``{"id", "sequence", "ids", "label"}`` (``id`` the R row name, ``label`` an
        index into :data:`SPLICE_CLASSES`).

    Raises:
        DataFormatError: not an R data file, no ``DNA`` data frame, not 180 indicator
            columns plus ``Class``, a value other than 0/1, a base whose bits are none of the
            four patterns, or an unknown class (row and base named).
    """
    try:
        import pyreadr
    except ImportError as error:
        raise ImportError("reading the StatLog DNA file (an R .rda file) needs pyreadr: pip install pyreadr") from error
    path = pathlib.Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"file {path} does not exist.")
    try:
        frames = pyreadr.read_r(str(path))
    except Exception as error:  # pyreadr raises its own LibrdataError / PyreadrError types
        raise DataFormatError(f"not a readable R data file: {error}", path=path) from error
    if "DNA" in frames:
        frame = frames["DNA"]
    elif len(frames) == 1:
        frame = next(iter(frames.values()))
    else:
        raise DataFormatError(f"no data frame named 'DNA'; the file holds {', '.join(frames) or 'none'}", path=path)
    columns = [f"V{index}" for index in range(1, 181)]
    missing = [name for name in (*columns, "Class") if name not in frame.columns]
    if missing:
        raise DataFormatError(f"expected columns V1..V180 and Class (mlbench's DNA); missing {', '.join(missing[:5])}"
                              f"{' ...' if len(missing) > 5 else ''}", path=path)
    values = frame[columns].astype(str).to_numpy()
    bad = np.argwhere((values != "0") & (values != "1"))
    if bad.size:
        row, column = bad[0]
        raise DataFormatError(f"row {frame.index[row]}: column {columns[column]} holds {values[row, column]!r}, "
                              "not 0 or 1", path=path)
    ids = decode_statlog_bits((values == "1").astype(np.int8))
    bad = np.argwhere(ids < 0)
    if bad.size:
        row, base = bad[0]
        raise DataFormatError(f"row {frame.index[row]}: base {base + 1} (columns V{3 * base + 1}..V{3 * base + 3}) has "
                              "more than one bit set; allowed: A 100, C 010, G 001, T 000", path=path)
    examples = []
    for row, (name, label) in enumerate(zip(frame.index, frame["Class"].astype(str))):
        if label.upper() not in SPLICE_CLASSES:
            raise DataFormatError(f"row {name}: class {label!r} is not one of ei, ie, n", path=path)
        examples.append({"id": str(name), "sequence": decode(ids[row]), "ids": ids[row],
                         "label": SPLICE_CLASSES.index(label.upper())})
    return examples


def load_statlog_dna(path, *, valid_fraction=0.1, seed=0):
    """The StatLog splice-junction data (mlbench's ``DNA.rda``): the StatLog train / test split.

    **Row order.** mlbench's help page (``man/DNA.Rd``) describes the data but does not say
    which rows were StatLog's training and test sets, and its rows are not in the order of
    the UCI file (they are shuffled). The StatLog split is 2,000 training and 1,186 test
    examples; the first 2,000 rows of ``DNA.rda`` hold 464 ei / 485 ie / 1,051 n and the last
    1,186 hold 303 ei / 280 ie / 603 n, the class counts given for StatLog's training and test
    sets (quoted in issue 18; not checked here against the StatLog book). A random 2,000 /
    1,186 split matches all three counts with probability 0.04 %, so the first 2,000 rows are
    taken as the training set and the last 1,186 as the test set (StatLog's two files
    concatenated in order).

    **Bases.** Each base is 3 indicator bits, ``A 100, C 010, G 001, T 000`` (mlbench's and
    StatLog's documentation). Checked against the UCI file: decoded this way, 3,175 of the
    3,186 rows are an exact UCI sequence with the same class (no other assignment of the four
    patterns matches more than a few rows). The other 11 are UCI rows holding ``N``, which
    StatLog encoded as ``001``, the code of G: in those rows some G are really unknown bases,
    and nothing in the file tells which (mlbench's "4 examples with ambiguities were removed"
    covers only the rows with other codes). The bases are decoded to ids 0..3 so the splice
    models and features (:func:`seqlab.tasks.dna_splice.splice_features`) apply unchanged; the one-hot of
    the ids carries exactly the information of the 180 bits.

    **Duplicates.** 82 of the 1,186 test rows have an identical sequence among the 2,000
    training rows (``dataset["overlaps"]``); StatLog's split keeps them and so does this loader.

    Args:
        path: ``DNA.rda`` or the folder holding it.
        valid_fraction: share of the 2,000 training rows held out for validation (model
            selection): one fold of a seeded stratified group K-fold over the training rows
            (``round(1 / valid_fraction)`` folds; identical sequences stay on one side). ``0``
            keeps all 2,000 rows for training.
        seed: seed of the validation draw.

    Returns:
        ``{"train", "valid", "test", "classes", "duplicates", "overlaps", "ambiguous",
        "ambiguous_rows", "sequence_length", "description"}``; ``train`` + ``valid`` are
        StatLog's 2,000 training rows, ``test`` its 1,186 test rows. ``ambiguous`` and
        ``ambiguous_rows`` are ``None``: the bit encoding cannot show ambiguity codes.
    """
    if not 0 <= valid_fraction <= 0.5:
        raise ValueError(f"valid_fraction={valid_fraction!r} must be between 0 and 0.5.")
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / STATLOG_FILE
    examples = read_statlog_dna(path)
    if len(examples) <= STATLOG_TRAIN_ROWS:
        raise DataFormatError(f"expected 3,186 rows (2,000 StatLog training + 1,186 test), found {len(examples)}",
                              path=path)
    training, test = examples[:STATLOG_TRAIN_ROWS], examples[STATLOG_TRAIN_ROWS:]
    if valid_fraction > 0:
        folds = splice_folds([example["label"] for example in training], int(round(1 / valid_fraction)), seed,
                             groups=[sequence_key(example) for example in training])
        train = [example for example, fold in zip(training, folds) if fold != 0]
        valid = [example for example, fold in zip(training, folds) if fold == 0]
    else:
        train, valid = training, []
    dataset = {
        "train": train,
        "valid": valid,
        "test": test,
        "classes": SPLICE_CLASSES,
        "ambiguous": None,
        "ambiguous_rows": None,
        "duplicates": duplicate_counts(examples),
        "sequence_length": 60,
        "description": f"{path.name}: StatLog DNA (mlbench), rows 1-2,000 train ({len(train)} train + {len(valid)} "
                       f"validation), rows 2,001-{len(examples):,} test",
    }
    dataset["overlaps"] = split_overlaps(dataset)
    return dataset
