"""Per-base gene labels: genes (:class:`Gene`) to frame-aware or coding labels, and back across strands.

Labels (:data:`FRAME_LABELS`) follow the gene finders: ``0`` non-coding, ``1``-``3`` codon
positions 1/2/3 of a gene on the forward strand, ``4``-``6`` codon positions 1/2/3 of a gene on
the reverse strand. ``scheme="coding"`` collapses them to ``0`` non-coding / ``1`` coding
(:func:`collapse_labels`). Where genes overlap, the gene listed last wins.

>>> gene_labels(12, [Gene(2, 11, 1)]).tolist()
[0, 0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 0]
"""

from typing import NamedTuple

import numpy as np

from seqlab import checks

LABEL_SCHEMES = ("frame", "coding")
FRAME_LABELS = ("non-coding", "+1", "+2", "+3", "-1", "-2", "-3")
CODING_LABELS = ("non-coding", "coding")
STRAND_SWAP = np.array([0, 4, 5, 6, 1, 2, 3], dtype=np.int8)  # frame label on the other strand


class Gene(NamedTuple):
    """A gene (or CDS part): 0-based half-open ``[start, end)``, ``strand`` 1 or -1.

    ``phase`` is the number of bases at the gene's 5' end (the left end on the forward strand,
    the right end on the reverse strand) before its first whole codon, as in GFF3.
    """

    start: int
    end: int
    strand: int
    phase: int = 0


def check_feature_types(labels, feature_types):
    """Check a label scheme against the annotation features that mark coding bases.

    Only CDS features carry a reading frame, so ``labels="frame"`` takes ``("CDS",)`` only.

    >>> check_feature_types("coding", ("CDS", "exon"))
    >>> check_feature_types("frame", ("CDS", "exon"))
    Traceback (most recent call last):
    ...
    ValueError: feature_types=('CDS', 'exon') with labels='frame': only CDS features carry a reading frame; use labels='coding' or feature_types=('CDS',).
    """
    checks.one_of("labels", labels, LABEL_SCHEMES)
    if labels == "frame" and set(feature_types) - {"CDS"}:
        raise ValueError(
            f"feature_types={tuple(feature_types)!r} with labels='frame': only CDS features carry a reading frame; "
            "use labels='coding' or feature_types=('CDS',)."
        )


def reverse_complement_labels(labels):
    """Per-base labels of the reverse-complement strand.

    Positions are reversed and forward-strand codon labels ``1-3`` swap with reverse-strand
    labels ``4-6`` (a gene on one strand is on the other strand of the reverse complement).
    Collapsed labels (``0``/``1``) are only reversed.

    >>> reverse_complement_labels(np.array([0, 1, 2, 3, 0])).tolist()
    [0, 6, 5, 4, 0]
    >>> reverse_complement_labels(np.array([0, 1, 1])).tolist()
    [1, 1, 0]
    """
    labels = np.asarray(labels)[..., ::-1]
    if labels.max(initial=0) <= 1:
        return labels.copy()
    return STRAND_SWAP[labels]


def collapse_labels(labels):
    """Coding (1) / non-coding (0) from frame-aware or coding labels.

    >>> collapse_labels([0, 1, 5, 0]).tolist()
    [0, 1, 1, 0]
    """
    return (np.asarray(labels) > 0).astype(np.int8)


def gene_labels(length, genes, *, scheme="frame"):
    """Per-base labels of a sequence of ``length`` bases from its genes (or CDS parts).

    Args:
        length: number of bases.
        genes: :class:`Gene` s (0-based half-open, with strand and 5' phase). Later genes
            overwrite earlier ones where they overlap.
        scheme: ``"frame"`` (labels 0-6) or ``"coding"`` (0/1).

    Returns:
        int8 array of ``length`` labels.

    >>> gene_labels(6, [Gene(0, 5, 1, phase=2)]).tolist()
    [2, 3, 1, 2, 3, 0]
    >>> gene_labels(4, [Gene(1, 3, -1)], scheme="coding").tolist()
    [0, 1, 1, 0]
    """
    checks.one_of("scheme", scheme, LABEL_SCHEMES)
    labels = np.zeros(length, dtype=np.int8)
    for gene in genes:
        if not 0 <= gene.start < gene.end <= length:
            raise ValueError(f"gene={gene!r} lies outside the sequence of length {length}.")
        positions = np.arange(gene.end - gene.start)
        if gene.strand >= 0:
            codon = (positions - gene.phase) % 3 + 1
        else:
            codon = ((positions[::-1] - gene.phase) % 3 + 4)
        labels[gene.start:gene.end] = codon if scheme == "frame" else 1
    return labels
