"""Labelled short sequences (many-to-one): the UCI splice junctions and any ``class, id, sequence`` file.

Both sources split one file with a fixed-seed stratified K-fold assignment (:func:`splice_folds`):
fold ``test_fold`` is the test split, the next fold the validation split, the other folds train.
The dataset also counts how often identical sequences repeat (:func:`duplicate_counts`) and how
many rows of a split also occur in an earlier one (:func:`split_overlaps`).
"""

import collections
import functools
import pathlib

import numpy as np

from seqlab.data.dna.bases import count_ambiguous, encode
from seqlab.data.dna.files import files_with_suffix
from seqlab.data.sources import DataFormatError, DataNotFoundError, read_lines

SPLICE_CLASSES = ("EI", "IE", "N")
LABELLED_SUFFIXES = (".csv", ".data", ".txt")
_HEADER_CLASS_NAMES = {"class", "classes", "label", "labels", "target", "y"}
_HEADER_SEQUENCE_NAMES = {"sequence", "sequences", "seq", "dna"}


def _is_header(fields):
    return len(fields) >= 1 and (fields[0].lower() in _HEADER_CLASS_NAMES
                                 or (len(fields) == 3 and fields[2].lower() in _HEADER_SEQUENCE_NAMES))


def read_labelled_sequences(path, *, classes=None, ambiguity="n"):
    """Rows of a labelled short-sequence file: one ``class, id, sequence`` line per example.

    The layout of the UCI files ``splice.data`` (EI / IE / N) and ``promoters.data``
    (``+`` / ``-``). Every field is stripped of its padding (spaces, tabs); blank lines are
    skipped, and so is a first line that is a header (its class field reads ``class`` or
    ``label``, or its sequence field reads ``sequence``).

    Args:
        path: the file.
        classes: the allowed class names in label order; ``None`` reads them from the file,
            sorted (so ``EI, IE, N`` for the splice file, ``+, -`` for the promoter file).
        ambiguity: ``"n"`` maps ambiguity codes to N; ``"error"`` rejects them.

    Returns:
        ``(examples, classes, ambiguous)``: a list of ``{"id", "sequence", "ids", "label"}`` in
        file order (label an index into ``classes``), the class names, and the counts of
        ambiguity codes.

    Raises:
        DataFormatError: a row without 3 comma-separated fields, an empty sequence, a class
            outside ``classes``, a bad base (file and line), or fewer than two classes.
    """
    rows, ambiguous, first = [], collections.Counter(), True
    for line_number, line in enumerate(read_lines(path, strip=True), start=1):
        if not line:
            continue
        fields = [field.strip() for field in line.split(",")]
        if first and _is_header(fields):
            first = False
            continue
        first = False
        if len(fields) != 3:
            raise DataFormatError(f"expected 3 comma-separated fields (class, id, sequence), found {len(fields)}",
                                  path=path, line=line_number)
        label, name, sequence = fields
        if classes is not None and label not in classes:
            raise DataFormatError(f"class {label!r} is not one of {', '.join(classes)}", path=path, line=line_number)
        if not sequence:
            raise DataFormatError(f"sequence {name}: the sequence field is empty", path=path, line=line_number)
        ids = encode(sequence, ambiguity=ambiguity, path=path, line=line_number, name=f"sequence {name}")
        ambiguous.update(count_ambiguous(sequence))
        rows.append((label, {"id": name, "sequence": sequence, "ids": ids}))
    if classes is None:
        classes = tuple(sorted({label for label, _ in rows}))
        if len(classes) < 2:
            raise DataFormatError(f"a classification task needs at least two classes; the file holds "
                                  f"{len(rows)} row(s) of {len(classes)} class(es) {', '.join(map(repr, classes))}",
                                  path=path)
    classes = tuple(classes)
    examples = [{**example, "label": classes.index(label)} for label, example in rows]
    return examples, classes, ambiguous


def read_splice(path, *, ambiguity="n"):
    """Rows of the UCI splice-junction file (``splice.data``, or ``splice.csv`` with a header).

    :func:`read_labelled_sequences` with the classes fixed to :data:`SPLICE_CLASSES`.

    Returns:
        ``(examples, ambiguous)``: a list of ``{"id", "sequence", "ids", "label"}`` in file
        order, and the counts of ambiguity codes.

    Raises:
        DataFormatError: a row without 3 comma-separated fields, an unknown class, or a bad
            base (file and line).
    """
    examples, _, ambiguous = read_labelled_sequences(path, classes=SPLICE_CLASSES, ambiguity=ambiguity)
    return examples, ambiguous


def ambiguous_rows(examples):
    """How many splice examples hold at least one ambiguity code (``N`` included).

    >>> ambiguous_rows([{"sequence": "ACGN"}, {"sequence": "ACGT"}])
    1
    """
    return sum(bool(count_ambiguous(example["sequence"])) for example in examples)


def sequence_key(example):
    """What makes two examples identical: their sequence, upper-cased."""
    return example["sequence"].upper()


def duplicate_counts(examples):
    """How often identical sequences repeat among examples.

    ``repeated_sequences`` distinct sequences occur more than once; they make up
    ``rows_with_repeated_sequence`` rows, ``extra_copies`` of them beyond the first;
    ``conflicting_labels`` sequences carry more than one class.

    >>> duplicate_counts([{"sequence": "ACG", "label": 0}, {"sequence": "acg", "label": 1},
    ...                   {"sequence": "TTT", "label": 0}])  # doctest: +NORMALIZE_WHITESPACE
    {'rows': 3, 'distinct_sequences': 2, 'repeated_sequences': 1, 'rows_with_repeated_sequence': 2,
     'extra_copies': 1, 'conflicting_labels': 1}
    """
    counts = collections.Counter(sequence_key(example) for example in examples)
    labels = collections.defaultdict(set)
    for example in examples:
        labels[sequence_key(example)].add(example["label"])
    return {
        "rows": len(examples),
        "distinct_sequences": len(counts),
        "repeated_sequences": sum(1 for count in counts.values() if count > 1),
        "rows_with_repeated_sequence": sum(count for count in counts.values() if count > 1),
        "extra_copies": sum(count - 1 for count in counts.values()),
        "conflicting_labels": sum(1 for values in labels.values() if len(values) > 1),
    }


def overlapping_rows(examples, reference):
    """How many ``examples`` have a sequence identical to one in ``reference`` (e.g. test rows seen in training).

    >>> overlapping_rows([{"sequence": "ACG"}, {"sequence": "TTT"}], [{"sequence": "acg"}])
    1
    """
    seen = {sequence_key(example) for example in reference}
    return sum(sequence_key(example) in seen for example in examples)


def split_overlaps(dataset):
    """Rows of a later split whose sequence also occurs in an earlier one: ``test_in_train`` etc.

    >>> split_overlaps({"train": [{"sequence": "AC"}], "valid": [{"sequence": "AC"}], "test": [{"sequence": "GG"}]})
    {'valid_in_train': 1, 'test_in_train': 0, 'test_in_valid': 0}
    """
    return {
        "valid_in_train": overlapping_rows(dataset["valid"], dataset["train"]),
        "test_in_train": overlapping_rows(dataset["test"], dataset["train"]),
        "test_in_valid": overlapping_rows(dataset["test"], dataset["valid"]),
    }


def splice_folds(labels, num_folds=10, seed=0, groups=None):
    """Fold number (0..num_folds-1) of every example: a fixed-seed stratified K-fold assignment.

    Args:
        labels: class index of every example.
        num_folds: number of folds.
        seed: seed of the shuffle.
        groups: optional group of every example (e.g. its sequence): examples of one group
            share a fold (scikit-learn's ``StratifiedGroupKFold``: stratified as far as the
            groups allow), so no test example has an identical twin in its training folds.

    >>> splice_folds([0, 0, 1, 1, 2, 2], num_folds=2).tolist()
    [1, 0, 0, 1, 0, 1]
    >>> folds = splice_folds([0, 0, 0, 1, 1, 1], num_folds=2, groups=["a", "a", "b", "c", "c", "d"])
    >>> bool(folds[0] == folds[1] and folds[3] == folds[4])
    True
    """
    from sklearn.model_selection import StratifiedKFold

    if num_folds < 2:
        raise ValueError(f"num_folds={num_folds!r} must be at least 2.")
    if groups is not None:
        codes = {group: index for index, group in enumerate(dict.fromkeys(groups))}
        if len(codes) < num_folds:
            raise ValueError(f"num_folds={num_folds!r} is more than the {len(codes)} distinct groups.")
        return np.array(_group_folds(tuple(int(label) for label in labels), tuple(codes[group] for group in groups),
                                     num_folds, seed))
    folds = np.zeros(len(labels), dtype=int)
    splits = StratifiedKFold(n_splits=num_folds, shuffle=True, random_state=seed).split(np.zeros(len(labels)), labels)
    for fold, (_, test_index) in enumerate(splits):
        folds[test_index] = fold
    return folds


@functools.lru_cache(maxsize=8)
def _group_folds(labels, groups, num_folds, seed):
    """StratifiedGroupKFold's assignment, cached: it takes seconds on the splice file, and a
    cross-validation loop loads the same file once per fold."""
    from sklearn.model_selection import StratifiedGroupKFold

    folds = np.zeros(len(labels), dtype=int)
    splitter = StratifiedGroupKFold(n_splits=num_folds, shuffle=True, random_state=seed)
    for fold, (_, test_index) in enumerate(splitter.split(np.zeros(len(labels)), labels, groups)):
        folds[test_index] = fold
    return tuple(folds.tolist())


def _fold_dataset(examples, classes, ambiguous, *, test_fold, num_folds, seed, group_identical, description):
    if not 0 <= test_fold < num_folds:
        raise ValueError(f"test_fold={test_fold!r} must be in 0..{num_folds - 1} (num_folds={num_folds}).")
    groups = [sequence_key(example) for example in examples] if group_identical else None
    folds = splice_folds([example["label"] for example in examples], num_folds, seed, groups=groups)
    valid_fold = (test_fold + 1) % num_folds
    dataset = {
        "train": [example for example, fold in zip(examples, folds) if fold not in (test_fold, valid_fold)],
        "valid": [example for example, fold in zip(examples, folds) if fold == valid_fold],
        "test": [example for example, fold in zip(examples, folds) if fold == test_fold],
        "classes": tuple(classes),
        "ambiguous": dict(ambiguous),
        "ambiguous_rows": ambiguous_rows(examples),
        "group_identical": group_identical,
        "duplicates": duplicate_counts(examples),
        "description": description,
    }
    dataset["overlaps"] = split_overlaps(dataset)
    lengths = {len(example["ids"]) for example in examples}
    dataset["sequence_length"] = lengths.pop() if len(lengths) == 1 else None
    return dataset


def load_uci_splice(path, *, test_fold=0, num_folds=10, seed=0, ambiguity="n", group_identical=False):
    """UCI primate splice-junction sequences: train / valid / test splits of one CV fold.

    The file repeats sequences: 3,190 rows hold 3,005 distinct sequences (125 of them occur 2 to
    5 times, in 310 rows; one is labelled both IE and N), so with the plain stratified folds
    about 8 % of a fold's test rows have an identical sequence in its training split, as in
    the published results. ``group_identical=True`` keeps identical sequences in one fold.
    ``dataset["duplicates"]`` counts the repeats and ``dataset["overlaps"]`` the rows of
    this fold's validation and test splits that also occur in an earlier split.

    Args:
        path: the folder holding ``splice.csv`` (or ``splice.data``), or the file itself.
        test_fold: which fold is the test split (0..num_folds-1); the next fold (cyclically)
            is the validation split and the rest train. ``test_fold=0`` is the fixed split.
        num_folds: number of stratified folds (10 for the usual 10-fold CV).
        seed: seed of the fold assignment (keep 0 to compare with the committed results).
        ambiguity: ``"n"`` maps the 15 rows' ambiguity codes to N; ``"error"`` rejects them.
        group_identical: put identical sequences in the same fold (stratified group K-fold),
            so that no test (or validation) sequence occurs in training. ``False`` (the
            default) keeps the plain stratified folds of the committed results.
    """
    path = pathlib.Path(path)
    if path.is_dir():
        path = next((path / name for name in ("splice.csv", "splice.data") if (path / name).is_file()),
                    path / "splice.csv")
    examples, ambiguous = read_splice(path, ambiguity=ambiguity)
    return _fold_dataset(examples, SPLICE_CLASSES, ambiguous, test_fold=test_fold, num_folds=num_folds, seed=seed,
                         group_identical=group_identical,
                         description=f"{path.name}: UCI primate splice junctions, fold {test_fold} of {num_folds}"
                                     f"{' (identical sequences grouped)' if group_identical else ''}")


def load_labelled_sequences(path, *, test_fold=0, num_folds=10, seed=0, ambiguity="n", group_identical=False,
                            classes=None):
    """Any labelled short-sequence file (``class, id, sequence`` lines) as a many-to-one task.

    The classes are read from the file (sorted) unless ``classes`` names them; the splits are
    those of :func:`load_uci_splice` (one fixed-seed stratified K-fold assignment: fold
    ``test_fold`` tests, the next validates, the rest train). Sequences may differ in length
    (``dataset["sequence_length"]`` is then ``None``; pad them with
    :func:`seqlab.tasks.dna_splice.stack_ids`).

    Args:
        path: the file, or a folder holding exactly one ``.csv`` / ``.data`` / ``.txt`` file.
        test_fold, num_folds, seed, ambiguity, group_identical: as in :func:`load_uci_splice`.
        classes: the class names in label order (``None``: read from the file, sorted).

    Returns:
        the dict of :func:`load_uci_splice`, with the file's own ``"classes"``.

    Raises:
        DataNotFoundError: a folder with no or several candidate files.
        DataFormatError: see :func:`read_labelled_sequences`.
    """
    path = pathlib.Path(path)
    if path.is_dir():
        candidates = files_with_suffix(path, LABELLED_SUFFIXES)
        if len(candidates) != 1:
            raise DataNotFoundError(f"folder {path} must hold exactly one labelled-sequence file "
                                    f"({', '.join(LABELLED_SUFFIXES)}); found {len(candidates)}: pass the file itself.")
        path = candidates[0]
    examples, classes, ambiguous = read_labelled_sequences(path, classes=classes, ambiguity=ambiguity)
    return _fold_dataset(examples, classes, ambiguous, test_fold=test_fold, num_folds=num_folds, seed=seed,
                         group_identical=group_identical,
                         description=f"{path.name}: {len(examples)} labelled sequences, classes "
                                     f"{', '.join(classes)}, fold {test_fold} of {num_folds}")
