"""Sequence encoding: base ids ``0..4`` for ``A, C, G, T, N``, one-hot vectors, reverse complement.

The IUPAC ambiguity codes (``R Y S W K M B D H V``) are handled explicitly: ``ambiguity="n"``
maps them to ``N`` (and the loaders count them with :func:`count_ambiguous`),
``ambiguity="error"`` rejects them with their position. Characters outside the IUPAC alphabet
always raise :class:`DataFormatError` with their position. Lower case (soft-masked) bases are
read as upper case; ``U`` is read as ``T``.

>>> decode(reverse_complement(encode("AACGTR")))
'NACGTT'
"""

import collections

import numpy as np

from seqlab import checks
from seqlab.data.sources import DataFormatError

BASES = "ACGTN"
NUM_BASES = len(BASES)
N_ID = 4
AMBIGUITY_CODES = "RYSWKMBDHVN"
AMBIGUITY_OPTIONS = ("n", "error")

_INVALID = 255
_LOOKUP = np.full(256, _INVALID, dtype=np.uint8)
for _index, _base in enumerate("ACGT"):
    _LOOKUP[ord(_base)] = _LOOKUP[ord(_base.lower())] = _index
_LOOKUP[ord("U")] = _LOOKUP[ord("u")] = 3
for _code in AMBIGUITY_CODES:
    _LOOKUP[ord(_code)] = _LOOKUP[ord(_code.lower())] = N_ID
_IS_AMBIGUOUS = np.zeros(256, dtype=bool)
for _code in AMBIGUITY_CODES[:-1]:
    _IS_AMBIGUOUS[ord(_code)] = _IS_AMBIGUOUS[ord(_code.lower())] = True
_COMPLEMENT = np.array([3, 2, 1, 0, 4], dtype=np.int8)


def encode(sequence, *, ambiguity="n", path=None, line=None, name="sequence"):
    """Base ids (int8, ``A C G T N`` -> ``0..4``) of a nucleotide string.

    Args:
        sequence: a string of IUPAC nucleotide codes, any case.
        ambiguity: ``"n"`` maps ambiguity codes to ``N``; ``"error"`` rejects them.
        path, line: the file and line the sequence comes from, named in errors.
        name: what to call the sequence in errors (a record name, ``"line"``, ...).

    Raises:
        DataFormatError: a character outside the IUPAC alphabet (or an ambiguity code with
            ``ambiguity="error"``), with its 1-based position.

    >>> encode("acgu").tolist()
    [0, 1, 2, 3]
    >>> encode("ACRT", ambiguity="error")
    Traceback (most recent call last):
    ...
    seqlab.data.sources.DataFormatError: sequence: ambiguity code 'R' at position 3 (1-based) is rejected (ambiguity='error'); use ambiguity='n' to map ambiguity codes to N.
    """
    checks.one_of("ambiguity", ambiguity, AMBIGUITY_OPTIONS)
    raw = np.frombuffer(sequence.encode("latin-1", errors="replace"), dtype=np.uint8)
    ids = _LOOKUP[raw]
    bad = np.flatnonzero(ids == _INVALID)
    if bad.size:
        position = int(bad[0])
        raise DataFormatError(
            f"{name}: character {sequence[position]!r} at position {position + 1} (1-based) is not an IUPAC "
            f"nucleotide code; allowed: ACGTU and the ambiguity codes {AMBIGUITY_CODES} (any case).",
            path=path, line=line,
        )
    if ambiguity == "error":
        ambiguous = np.flatnonzero(_IS_AMBIGUOUS[raw])
        if ambiguous.size:
            position = int(ambiguous[0])
            raise DataFormatError(
                f"{name}: ambiguity code {sequence[position]!r} at position {position + 1} (1-based) is rejected "
                "(ambiguity='error'); use ambiguity='n' to map ambiguity codes to N.",
                path=path, line=line,
            )
    return ids.astype(np.int8)


def count_ambiguous(sequence):
    """Counts of the ambiguity codes (``N`` included) in a string, upper-cased.

    >>> count_ambiguous("ACRNnrS")
    Counter({'R': 2, 'N': 2, 'S': 1})
    """
    return collections.Counter(character for character in sequence.upper() if character in AMBIGUITY_CODES)


def decode(ids):
    """The string of base ids (inverse of :func:`encode` for ``A C G T N``).

    >>> decode([0, 1, 2, 3, 4])
    'ACGTN'
    """
    return "".join(BASES[index] for index in np.asarray(ids).tolist())


def one_hot(ids):
    """float32 one-hot vectors ``(..., 5)`` of base ids; ids outside ``0..4`` (padding) are all zero.

    >>> one_hot([[3, -1]]).shape
    (1, 2, 5)
    >>> one_hot([-1]).sum()
    np.float32(0.0)
    """
    ids = np.asarray(ids)
    return (ids[..., None] == np.arange(NUM_BASES)).astype(np.float32)


def reverse_complement(ids):
    """Base ids of the reverse complement (``A<->T``, ``C<->G``, ``N`` stays), last axis reversed.

    >>> decode(reverse_complement(encode("AACGN")))
    'NCGTT'
    """
    ids = np.asarray(ids)
    return _COMPLEMENT[ids[..., ::-1]]
