"""Genome regions and training windows: records cut into contiguous train / valid / test regions, windows of them.

A genome dataset (sources ``cdiphtheriae_genome``, ``genbank``, ``fasta_gff3``) is what
:func:`genome_dataset` returns: ``"train"``, ``"valid"``, ``"test"`` lists of *regions*,
contiguous pieces of each record (the first 70 %, the next 10 %, the last 20 % by default;
never random windows, which leak), plus ``"label_names"``, ``"ambiguous"`` and
``"description"``. :func:`windows` cuts regions into overlapping fixed-length windows (both
strands) for training.

>>> window_starts(11, 4, 3).tolist()
[0, 3, 6, 7]
"""

import numpy as np

from seqlab import checks
from seqlab.data.dna.bases import reverse_complement
from seqlab.data.dna.labels import CODING_LABELS, FRAME_LABELS, Gene, gene_labels, reverse_complement_labels

DEFAULT_FRACTIONS = (0.7, 0.1, 0.2)


def _check_fractions(fractions):
    if len(fractions) != 3 or min(fractions) < 0 or fractions[0] <= 0 or abs(sum(fractions) - 1.0) > 1e-6:
        raise ValueError(
            f"fractions={tuple(fractions)!r} must be three non-negative shares (train, valid, test) "
            "summing to 1, with train > 0."
        )


def split_regions(records, fractions=DEFAULT_FRACTIONS):
    """Cut every record into contiguous train / valid / test regions.

    Args:
        records: dicts ``{"name", "sequence", "labels", "genes"}`` (whole records).
        fractions: shares of each record for train, valid and test, in that order along the
            record (so the test region is the record's end).

    Returns:
        ``{"train": [...], "valid": [...], "test": [...]}`` lists of region dicts (described in
        :mod:`seqlab.data.dna`); genes crossing a region boundary are kept only in the labels.

    >>> record = {"name": "r", "sequence": np.zeros(100, np.int8), "labels": np.zeros(100, np.int8),
    ...           "genes": [Gene(5, 20, 1), Gene(65, 80, -1), Gene(88, 97, 1)]}
    >>> splits = split_regions([record])
    >>> [(region["start"], len(region["sequence"]), region["genes"]) for region in splits["test"]]
    [(80, 20, [Gene(start=8, end=17, strand=1, phase=0)])]
    """
    _check_fractions(fractions)
    splits = {"train": [], "valid": [], "test": []}
    for record in records:
        length = len(record["sequence"])
        bounds = [int(round(share * length)) for share in np.cumsum([0.0, *fractions])]
        bounds[-1] = length
        for split, start, end in zip(splits, bounds[:-1], bounds[1:]):
            if end <= start:
                continue
            genes = [
                Gene(gene.start - start, gene.end - start, gene.strand, gene.phase)
                for gene in record["genes"]
                if gene.start >= start and gene.end <= end
            ]
            splits[split].append({
                "record": record["name"],
                "start": start,
                "sequence": record["sequence"][start:end],
                "labels": record["labels"][start:end],
                "genes": genes,
            })
    return splits


def window_starts(length, window, stride):
    """Start offsets of windows of ``window`` bases every ``stride`` bases covering ``length`` bases.

    The last window is aligned to the end, so every base is covered; a sequence shorter than
    the window gets one window at 0 (padded by :func:`windows`).

    >>> window_starts(10, 4, 3).tolist()
    [0, 3, 6]
    >>> window_starts(11, 4, 3).tolist()
    [0, 3, 6, 7]
    >>> window_starts(3, 4, 2).tolist()
    [0]
    """
    checks.positive_integer("window", window)
    checks.positive_integer("stride", stride)
    if length <= window:
        return np.array([0])
    starts = np.arange(0, length - window + 1, stride)
    if starts[-1] != length - window:
        starts = np.append(starts, length - window)
    return starts


def windows(regions, window, stride=None, *, both_strands=True):
    """Overlapping fixed-length windows of regions, for training a per-base tagger.

    Args:
        regions: region dicts (a split of a genome dataset).
        window: bases per window.
        stride: bases between window starts (default ``window // 2``: half overlap).
        both_strands: also add every window's reverse complement (labels mapped with
            :func:`seqlab.data.dna.reverse_complement_labels`).

    Returns:
        ``(ids, labels, weights)``: int8 ``(n, window)`` base ids (``-1`` where a short region
        is padded), int8 ``(n, window)`` labels, float32 ``(n, window)`` weights (0 on padding).

    >>> from seqlab.data.dna.bases import decode, encode
    >>> region = {"sequence": encode("ACGTACGTAC"), "labels": np.arange(10) % 2}
    >>> ids, labels, weights = windows([region], 6, 4)
    >>> ids.shape, weights.sum()
    ((4, 6), np.float32(24.0))
    >>> decode(ids[2])
    'GTACGT'
    """
    stride = stride or max(1, window // 2)
    all_ids, all_labels, all_weights = [], [], []
    for region in regions:
        sequence, labels = np.asarray(region["sequence"]), np.asarray(region["labels"])
        starts = window_starts(len(sequence), window, stride)
        if len(sequence) < window:
            padding = window - len(sequence)
            sequence = np.concatenate([sequence, np.full(padding, -1, np.int8)])
            labels = np.concatenate([labels, np.zeros(padding, np.int8)])
            weights = np.concatenate([np.ones(window - padding, np.float32), np.zeros(padding, np.float32)])
        else:
            weights = np.ones(len(sequence), np.float32)
        index = starts[:, None] + np.arange(window)
        region_ids, region_labels, region_weights = sequence[index], labels[index], weights[index]
        all_ids.append(region_ids)
        all_labels.append(region_labels)
        all_weights.append(region_weights)
        if both_strands:
            complement = np.where(region_ids >= 0, reverse_complement(np.maximum(region_ids, 0)), -1)
            all_ids.append(np.where(region_ids[:, ::-1] >= 0, complement, -1))
            all_labels.append(reverse_complement_labels(region_labels))
            all_weights.append(region_weights[:, ::-1])
    if not all_ids:
        raise ValueError("regions is empty: there is nothing to cut into windows.")
    return (np.concatenate(all_ids).astype(np.int8), np.concatenate(all_labels).astype(np.int8),
            np.concatenate(all_weights))


def genome_dataset(records, *, labels, fractions, ambiguous, description):
    """A genome dataset from whole annotated records: per-base labels from their CDS parts, then regions.

    Args:
        records: dicts ``{"name", "sequence", "genes", "parts"}``: base ids, whole genes and the
            CDS parts that carry the labels (the parts of a spliced gene, each with its phase);
            every record gains its ``"labels"``.
        labels: ``"frame"`` or ``"coding"`` (:func:`seqlab.data.dna.gene_labels`).
        fractions: train / valid / test shares along each record (:func:`split_regions`).
        ambiguous: counts of the ambiguity codes read as ``N``.
        description: where the labels come from, for the reader.

    Returns:
        ``{"train", "valid", "test", "label_names", "ambiguous", "description"}``.
    """
    for record in records:
        record["labels"] = gene_labels(len(record["sequence"]), record["parts"], scheme=labels)
    splits = split_regions(records, fractions)
    splits.update(
        label_names=FRAME_LABELS if labels == "frame" else CODING_LABELS,
        ambiguous=dict(ambiguous),
        description=description,
    )
    return splits
