"""Scores for per-base DNA labelling: base-level, gene-level and two baselines.

Every score collapses frame-aware labels (0 non-coding, 1-6 codon positions on either
strand, see :mod:`seqlab.data.dna`) to coding / non-coding first. In a bacterial genome
about 87 % of the bases are coding, so the all-coding guess already scores coding F1 0.93:
the informative scores are the Matthews correlation (MCC) and the non-coding F1, both 0
for the majority class.

- :func:`per_base_scores`: accuracy, MCC, coding F1 and non-coding F1 (scikit-learn).
- :func:`gene_recovery`: the share of true genes whose two ends a prediction recovers within
  a tolerance.
- :func:`gene_scores`: gene-level scores the way gene finders report them (stop codons and
  both ends predicted exactly, precision of the predicted genes) plus per-base MCC,
  sensitivity and specificity of the coding bases, from reference and predicted genes.
- :func:`majority_baseline`: the training region's majority class everywhere.
- :class:`KmerClassifier`: k-mer (hexamer) frequency log-odds, coding vs non-coding, averaged
  over a sliding window and thresholded where it scores best on the training region.

>>> scores = per_base_scores([0, 0, 1, 2, 3, 0], [0, 1, 1, 2, 3, 0])
>>> round(scores["accuracy"], 3), round(scores["mcc"], 3), round(scores["noncoding_f1"], 3)
(0.833, 0.707, 0.8)
"""

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef

from seqlab import checks
from seqlab.data.dna import N_ID, collapse_labels


def per_base_scores(true_labels, predicted_labels, weights=None):
    """Coding / non-coding scores of per-base predictions (frame labels are collapsed first).

    Args:
        true_labels, predicted_labels: int arrays of the same shape (0 = non-coding).
        weights: optional 0/1 array of the same shape; bases with weight 0 (padding) are skipped.

    Returns:
        dict with ``accuracy``, ``mcc``, ``coding_f1``, ``noncoding_f1``.
    """
    true_labels, predicted_labels = np.ravel(true_labels), np.ravel(predicted_labels)
    if true_labels.shape != predicted_labels.shape:
        raise ValueError(
            f"true_labels has {true_labels.size} values but predicted_labels has {predicted_labels.size}; "
            "they must match."
        )
    if weights is not None:
        keep = np.ravel(weights) > 0
        true_labels, predicted_labels = true_labels[keep], predicted_labels[keep]
    truth, prediction = collapse_labels(true_labels), collapse_labels(predicted_labels)
    return {
        "accuracy": float(accuracy_score(truth, prediction)),
        "mcc": float(matthews_corrcoef(truth, prediction)),
        "coding_f1": float(f1_score(truth, prediction, pos_label=1, zero_division=0.0)),
        "noncoding_f1": float(f1_score(truth, prediction, pos_label=0, zero_division=0.0)),
    }


def majority_baseline(train_labels, test_labels):
    """Scores of predicting the training region's majority class (coding or not) everywhere.

    >>> scores = majority_baseline([1, 1, 0], [1, 1, 1, 0])
    >>> scores["accuracy"], scores["mcc"], scores["noncoding_f1"]
    (0.75, 0.0, 0.0)
    """
    majority = int(np.bincount(collapse_labels(np.ravel(train_labels)), minlength=2).argmax())
    test_labels = np.ravel(test_labels)
    return per_base_scores(test_labels, np.full(test_labels.shape, majority))


def _segment_keys(labels):
    """A key per base that is constant along one predicted gene.

    Frame labels give ``1 + phase`` (forward) or ``4 + phase`` (reverse), where ``phase`` is the
    position modulo 3 of the gene's codon starts, so adjacent genes in different frames or on
    different strands are separate segments; 0/1 labels give 1 for every coding base.
    """
    labels = np.asarray(labels).astype(int)
    if labels.max(initial=0) <= 1:
        return labels
    position = np.arange(len(labels))
    forward = 1 + (position - (labels - 1)) % 3
    reverse = 4 + (position + (labels - 4)) % 3
    return np.where(labels == 0, 0, np.where(labels <= 3, forward, reverse))


def _gene_key(gene, frame_aware):
    """The segment key (see :func:`_segment_keys`) that a gene's own labels would have."""
    if not frame_aware:
        return 1
    phase = getattr(gene, "phase", 0)
    if gene.strand >= 0:
        return 1 + (gene.start + phase) % 3
    return 4 + (gene.end - 1 - phase) % 3


def gene_recovery(genes, predicted_labels, *, tolerance=30, min_coverage=0.9):
    """Share of true genes whose start and stop the prediction recovers within ``tolerance`` bases.

    A gene counts as recovered when, with its key (its frame and strand for frame labels,
    plain "coding" for 0/1 labels), a predicted run begins within ``tolerance`` bases of the
    gene's start, a predicted run ends within ``tolerance`` bases of its end, and at least
    ``min_coverage`` of its bases carry that key (a few wrong bases inside do not matter).

    Args:
        genes: true genes with ``start``, ``end`` (0-based half-open), ``strand`` (and
            optionally ``phase``), in the coordinates of ``predicted_labels`` (e.g. a test
            region's ``genes``).
        predicted_labels: per-base predictions (frame labels 0-6 or 0/1).
        tolerance: largest allowed distance, in bases, at each end.
        min_coverage: share of the gene's bases that must carry its key.

    Returns:
        float in [0, 1] (``nan`` when there is no gene).

    >>> from seqlab.data.dna import Gene
    >>> genes = [Gene(1, 7, 1), Gene(9, 12, -1)]
    >>> gene_recovery(genes, [0, 1, 2, 3, 1, 2, 3, 0, 0, 6, 5, 4], tolerance=0)
    1.0
    >>> gene_recovery(genes, [0, 1, 2, 3, 1, 2, 3, 0, 0, 0, 0, 0], tolerance=0)
    0.5
    """
    genes = list(genes)
    if not genes:
        return float("nan")
    predicted_labels = np.asarray(predicted_labels)
    frame_aware = predicted_labels.max(initial=0) > 1
    keys = _segment_keys(predicted_labels)
    padded = np.concatenate([[-1], keys, [-1]])
    run_starts = padded[1:-1] != padded[:-2]   # a run of keys[i] begins at i
    run_ends = padded[1:-1] != padded[2:]      # a run of keys[i] ends after i
    recovered = 0
    for gene in genes:
        key = _gene_key(gene, frame_aware)
        low, high = max(gene.start - tolerance, 0), min(gene.start + tolerance + 1, len(keys))
        starts = np.any(run_starts[low:high] & (keys[low:high] == key))
        low, high = max(gene.end - 1 - tolerance, 0), min(gene.end + tolerance, len(keys))
        ends = np.any(run_ends[low:high] & (keys[low:high] == key))
        coverage = np.mean(keys[gene.start:gene.end] == key) if gene.end > gene.start else 0.0
        recovered += bool(starts and ends and coverage >= min_coverage)
    return recovered / len(genes)


def _check_genes(genes, argument):
    """``(start, end, strand)`` integer triples of genes (``Gene`` s or plain tuples), checked."""
    checked = []
    for gene in genes:
        try:
            start, end, strand = (int(value) for value in tuple(gene)[:3])
        except (TypeError, ValueError):
            raise ValueError(f"{argument}: {gene!r} is not a (start, end, strand) gene.") from None
        if end - start < 3 or strand not in (1, -1):
            raise ValueError(
                f"{argument}: gene {gene!r} must have start < end with at least 3 bases (its stop codon) and "
                "strand 1 or -1."
            )
        checked.append((start, end, strand))
    return checked


def _stop_position(start, end, strand):
    """Left-most base of a gene's stop codon (the 3' end: right on strand 1, left on strand -1)."""
    return end - 3 if strand == 1 else start


def gene_scores(reference_genes, predicted_genes, scored):
    """Gene-level and per-base scores of predicted genes against reference genes.

    Genes are ``(start, end, strand)`` (e.g. :class:`seqlab.data.dna.Gene`): 0-based half-open
    ``[start, end)``, ``start < end``, ``strand`` 1 or -1, and the stop codon inside the interval
    at the 3' end (bases ``end - 3 .. end - 1`` on strand 1, ``start .. start + 2`` on strand
    -1), as Prodigal reports them and :func:`seqlab.genes.orf_genes` returns them.

    A gene *belongs to* the scored bases when its stop codon lies wholly inside them, so a
    gene crossing the edge of a scored region is counted in the region that holds its 3' end
    (and nowhere else); its coding bases inside the region count in the per-base scores either
    way. Pass whole-genome genes and ``scored=(region_start, region_end)`` to score one region
    of a genome without losing the genes that cross its edges.

    Gene-level scores (a predicted gene matches a reference gene when they share the strand and
    the stop codon; "exact" when they share the start too):

    - ``stop_recall``: share of reference genes whose stop codon is predicted (3' match);
    - ``exact_recall``: share of reference genes predicted with exact start and stop;
    - ``precision``: share of predicted genes whose stop codon is a reference gene's;
    - ``exact_precision``: share of predicted genes that equal a reference gene;
    - ``start_accuracy``: share of 3'-matched reference genes whose start is right too.

    Per-base scores (coding = inside any gene, either strand, over the scored bases):
    ``mcc``, ``sensitivity`` (share of reference coding bases predicted coding),
    ``specificity`` (share of reference non-coding bases predicted non-coding, the statistics
    definition) and ``coding_precision`` (share of predicted coding bases that are coding,
    which gene-finding papers after Burset & Guigo 1996 call "specificity").

    A score with no denominator is ``None``, never NaN, and ``note`` says why (no reference
    gene in the scored bases, no predicted gene, no coding or no non-coding reference base);
    MCC is 0.0 when the prediction is constant but the reference is not (as in
    :func:`per_base_scores`).

    Args:
        reference_genes, predicted_genes: iterables of genes.
        scored: the bases to score: a length ``n`` (bases ``0 .. n - 1``) or ``(start, end)``.

    Returns:
        dict with the scores above and the counts ``reference_genes``, ``predicted_genes``,
        ``stop_matches``, ``exact_matches``, ``bases``, ``reference_coding_bases``,
        ``predicted_coding_bases`` and ``note`` (``""`` when every score is defined).

    Raises:
        ValueError: a gene is not ``(start, end, strand)`` with ``end - start >= 3`` and strand
            1 or -1, or ``scored`` is empty.

    >>> reference = [(0, 9, 1), (12, 30, -1)]
    >>> predicted = [(3, 9, 1), (12, 30, -1), (33, 45, 1)]
    >>> scores = gene_scores(reference, predicted, 45)
    >>> scores["stop_recall"], scores["exact_recall"], round(scores["precision"], 3), scores["note"]
    (1.0, 0.5, 0.667, '')
    >>> gene_scores([], predicted, 45)["stop_recall"], gene_scores([], predicted, 45)["note"]
    (None, 'no reference gene has its stop codon in the scored bases; no reference coding base')
    """
    if isinstance(scored, (int, np.integer)):
        low, high = 0, int(scored)
    else:
        low, high = (int(value) for value in scored)
    if high <= low:
        raise ValueError(f"scored={scored!r} must be a positive length or (start, end) with start < end.")
    reference = _check_genes(reference_genes, "reference_genes")
    predicted = _check_genes(predicted_genes, "predicted_genes")

    def inside(gene):
        stop = _stop_position(*gene)
        return low <= stop and stop + 3 <= high

    reference_in = [gene for gene in reference if inside(gene)]
    predicted_in = [gene for gene in predicted if inside(gene)]
    reference_stops = {(_stop_position(*gene), gene[2]) for gene in reference}
    predicted_stops = {(_stop_position(*gene), gene[2]) for gene in predicted}
    reference_set, predicted_set = set(reference), set(predicted)
    stop_matches = sum((_stop_position(*gene), gene[2]) in predicted_stops for gene in reference_in)
    exact_matches = sum(gene in predicted_set for gene in reference_in)
    predicted_stop_matches = sum((_stop_position(*gene), gene[2]) in reference_stops for gene in predicted_in)
    predicted_exact_matches = sum(gene in reference_set for gene in predicted_in)

    def coding(genes):
        mask = np.zeros(high - low, dtype=bool)
        for start, end, _ in genes:
            mask[max(start, low) - low:max(min(end, high) - low, 0)] = True
        return mask

    truth, prediction = coding(reference), coding(predicted)
    true_positive = int(np.sum(truth & prediction))
    false_negative = int(np.sum(truth & ~prediction))
    false_positive = int(np.sum(~truth & prediction))
    true_negative = int(np.sum(~truth & ~prediction))
    notes = []

    def share(numerator, denominator, note):
        if denominator == 0:
            if note not in notes:
                notes.append(note)
            return None
        return numerator / denominator

    no_reference = "no reference gene has its stop codon in the scored bases"
    no_prediction = "no predicted gene has its stop codon in the scored bases"
    results = {
        "reference_genes": len(reference_in),
        "predicted_genes": len(predicted_in),
        "stop_matches": stop_matches,
        "exact_matches": exact_matches,
        "stop_recall": share(stop_matches, len(reference_in), no_reference),
        "exact_recall": share(exact_matches, len(reference_in), no_reference),
        "precision": share(predicted_stop_matches, len(predicted_in), no_prediction),
        "exact_precision": share(predicted_exact_matches, len(predicted_in), no_prediction),
        "start_accuracy": share(exact_matches, stop_matches,
                                "no reference gene's stop codon is predicted" if reference_in else no_reference),
        "bases": high - low,
        "reference_coding_bases": int(truth.sum()),
        "predicted_coding_bases": int(prediction.sum()),
        "sensitivity": share(true_positive, true_positive + false_negative, "no reference coding base"),
        "specificity": share(true_negative, true_negative + false_positive, "no reference non-coding base"),
        "coding_precision": share(true_positive, true_positive + false_positive, "no predicted coding base"),
    }
    if truth.all() or not truth.any():
        results["mcc"] = None
        if "no reference coding base" not in notes and "no reference non-coding base" not in notes:
            notes.append("no reference coding base" if not truth.any() else "no reference non-coding base")
    else:
        denominator = np.sqrt(float(true_positive + false_positive) * (true_positive + false_negative)
                              * (true_negative + false_positive) * (true_negative + false_negative))
        numerator = float(true_positive) * true_negative - float(false_positive) * false_negative
        results["mcc"] = float(numerator / denominator) if denominator > 0 else 0.0
    results["note"] = "; ".join(notes)
    return results


def mcc_by_threshold(scores, truth, thresholds):
    """MCC of ``scores > threshold`` against 0/1 ``truth`` for many thresholds at once (sorted counts).

    Used to choose a decision threshold on held-out data (the k-mer baseline, the tagger's
    P(coding) on the validation region).

    >>> mcc_by_threshold(np.array([0.1, 0.4, 0.6, 0.9]), np.array([0, 0, 1, 1]), np.array([0.5, 0.2])).round(3).tolist()
    [1.0, 0.577]
    """
    positives, negatives = np.sort(scores[truth == 1]), np.sort(scores[truth == 0])
    true_positive = len(positives) - np.searchsorted(positives, thresholds, side="right")
    false_positive = len(negatives) - np.searchsorted(negatives, thresholds, side="right")
    false_negative, true_negative = len(positives) - true_positive, len(negatives) - false_positive
    numerator = true_positive * true_negative - false_positive * false_negative
    denominator = np.sqrt(np.prod([true_positive + false_positive, true_positive + false_negative,
                                   true_negative + false_positive, true_negative + false_negative], axis=0,
                                  dtype=float))
    return np.divide(numerator, denominator, out=np.zeros(len(thresholds)), where=denominator > 0)


def kmer_codes(ids, k):
    """Integer code (base 4) of the k-mer starting at every position; -1 where it holds an N or runs off the end.

    >>> kmer_codes(np.array([0, 1, 2, 3, 4, 0]), 2).tolist()
    [1, 6, 11, -1, -1, -1]
    """
    ids = np.asarray(ids).astype(np.int64)
    codes = np.full(len(ids), -1, dtype=np.int64)
    if len(ids) < k:
        return codes
    view = np.lib.stride_tricks.sliding_window_view(ids, k)
    valid = (view < N_ID).all(axis=1) & (view >= 0).all(axis=1)
    values = view @ (4 ** np.arange(k - 1, -1, -1))
    codes[: len(values)] = np.where(valid, values, -1)
    return codes


class KmerClassifier:
    """Coding / non-coding baseline: k-mer frequency log-odds averaged over a sliding window.

    ``fit`` counts each k-mer at coding and at non-coding positions (the label of its first
    base) and stores ``log P(k-mer | coding) - log P(k-mer | non-coding)`` (add-one smoothing).
    A base's score is the mean log-odds of the k-mers starting in a window centred on it;
    the threshold is the one that maximises MCC on the training sequences.

    Args:
        k: k-mer length (6 = hexamers, the classic gene-finding statistic).
        window: bases averaged around each position.

    >>> rng = np.random.default_rng(0)
    >>> coding = np.tile([0, 1, 2], 200)          # a periodic "codon" pattern
    >>> noncoding = rng.integers(0, 4, 600)
    >>> ids = np.concatenate([noncoding, coding, noncoding])
    >>> labels = np.concatenate([np.zeros(600), np.ones(600), np.zeros(600)]).astype(int)
    >>> model = KmerClassifier(k=3, window=30).fit([ids], [labels])
    >>> float((model.predict(ids) == labels).mean()) > 0.95
    True
    """

    def __init__(self, k=6, window=96):
        self.k, self.window = checks.positive_integer("k", k), checks.positive_integer("window", window)
        self.log_odds, self.threshold = None, None

    def fit(self, sequences, labels):
        """Count k-mers in base-id arrays ``sequences`` with per-base ``labels``; choose the threshold."""
        size = 4 ** self.k
        counts = np.ones((2, size))
        for ids, truth in zip(sequences, labels):
            codes = kmer_codes(ids, self.k)
            coding = collapse_labels(truth)
            valid = codes >= 0
            counts += np.stack([np.bincount(codes[valid & (coding == value)], minlength=size) for value in (0, 1)])
        probabilities = counts / counts.sum(axis=1, keepdims=True)
        self.log_odds = np.log(probabilities[1]) - np.log(probabilities[0])
        scores = np.concatenate([self.score(ids) for ids in sequences])
        truth = np.concatenate([collapse_labels(truth) for truth in labels])
        candidates = np.quantile(scores, np.linspace(0.01, 0.99, 99))
        self.threshold = float(candidates[int(np.argmax(mcc_by_threshold(scores, truth, candidates)))])
        return self

    def score(self, ids):
        """Per-base coding score (mean k-mer log-odds over the window)."""
        if self.log_odds is None:
            raise ValueError("KmerClassifier.score: call fit(...) first.")
        codes = kmer_codes(ids, self.k)
        values = np.where(codes >= 0, self.log_odds[np.maximum(codes, 0)], 0.0)
        kernel = np.ones(self.window) / self.window
        shift = self.k // 2
        # mode="full" sliced to the region: the same values as mode="same" when the region is at
        # least a window long, and one value per base when it is shorter (mode="same" returns
        # max(len(values), window) values)
        smoothed = np.convolve(values, kernel, mode="full")[(self.window - 1) // 2:][:len(values)]
        return np.roll(smoothed, shift)

    def predict(self, ids):
        """Per-base 0/1 predictions (1 = coding)."""
        return (self.score(ids) > self.threshold).astype(np.int8)
