"""Per-base DNA scores: collapsed labels, gene recovery, majority and k-mer baselines."""

import numpy as np
import pytest

from seqlab.data.dna import Gene
from seqlab.metrics import dna


def test_per_base_scores_collapse_frames_before_scoring():
    truth = np.array([0, 0, 0, 1, 2, 3, 4, 5, 6, 0])
    prediction = np.array([0, 0, 5, 3, 3, 3, 1, 0, 6, 0])  # wrong frames still count as coding
    scores = dna.per_base_scores(truth, prediction)
    # coding: truth 6 bases, predicted coding 6 (1 false positive at 2, 1 false negative at 7)
    assert scores["accuracy"] == pytest.approx(0.8)
    assert scores["coding_f1"] == pytest.approx(5 / 6)
    assert scores["noncoding_f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))
    assert scores["mcc"] == pytest.approx((5 * 3 - 1 * 1) / np.sqrt(6 * 6 * 4 * 4))


def test_per_base_scores_skip_padding_and_check_shapes():
    scores = dna.per_base_scores([1, 0, 1, 1], [1, 0, 0, 0], weights=[1, 1, 0, 0])
    assert scores["accuracy"] == 1.0 and scores["mcc"] == 1.0
    with pytest.raises(ValueError, match="true_labels has 2 values but predicted_labels has 3"):
        dna.per_base_scores([0, 1], [0, 1, 1])


def test_majority_baseline_scores_zero_on_the_informative_measures():
    truth = np.array([0] * 13 + [2] * 87)
    scores = dna.majority_baseline(truth, truth)
    assert scores["accuracy"] == pytest.approx(0.87)
    assert scores["coding_f1"] == pytest.approx(2 * 0.87 / 1.87)
    assert scores["mcc"] == 0.0 and scores["noncoding_f1"] == 0.0


def test_gene_recovery_tolerance_frames_and_strands():
    labels = np.zeros(100, dtype=int)
    labels[10:40] = np.tile([1, 2, 3], 10)  # forward gene 10..40
    labels[40:70] = np.tile([2, 3, 1], 10)  # adjacent forward gene in another frame (phase 2)
    labels[75:90] = np.tile([6, 5, 4], 5)   # reverse gene
    genes = [Gene(10, 40, 1), Gene(40, 70, 1, phase=2), Gene(75, 90, -1)]
    assert dna.gene_recovery(genes, labels, tolerance=0) == 1.0
    # collapsed to coding / non-coding the two adjacent genes merge into one segment
    assert dna.gene_recovery(genes, (labels > 0).astype(int), tolerance=0) == pytest.approx(1 / 3)
    shifted = np.roll(labels, 3)  # every gene 3 bases late, still in frame
    assert dna.gene_recovery(genes, shifted, tolerance=2, min_coverage=0.8) == 0.0
    assert dna.gene_recovery(genes, shifted, tolerance=3, min_coverage=0.8) == 1.0
    assert dna.gene_recovery(genes, np.roll(labels, 1), tolerance=3, min_coverage=0.8) == 0.0  # out of frame
    wrong_strand = labels.copy()
    wrong_strand[75:90] = np.tile([1, 2, 3], 5)
    assert dna.gene_recovery(genes, wrong_strand, tolerance=0) == pytest.approx(2 / 3)
    noisy = labels.copy()
    noisy[20:22] = 0  # two wrong bases inside the first gene (coverage 28/30) do not matter
    assert dna.gene_recovery(genes, noisy, tolerance=0) == 1.0
    noisy[20:30] = 0  # ten do (coverage 20/30 < 0.9)
    assert dna.gene_recovery(genes, noisy, tolerance=0) == pytest.approx(2 / 3)
    assert dna.gene_recovery(genes, noisy, tolerance=0, min_coverage=0.6) == 1.0
    # genes separated by a short gap in the same frame stay two genes
    same_frame = np.zeros(60, dtype=int)
    same_frame[0:24], same_frame[30:60] = np.tile([1, 2, 3], 8), np.tile([1, 2, 3], 10)
    assert dna.gene_recovery([Gene(0, 24, 1), Gene(30, 60, 1)], same_frame, tolerance=30) == 1.0
    assert np.isnan(dna.gene_recovery([], labels))


def test_kmer_classifier_learns_codon_statistics():
    rng = np.random.default_rng(1)
    codons = np.array([[2, 1, 1], [0, 3, 2], [2, 2, 1], [1, 0, 3]])  # a small "codon usage"
    pieces, labels = [], []
    for _ in range(30):
        noncoding = rng.integers(0, 4, 150)
        coding = codons[rng.integers(0, 4, 100)].ravel()
        pieces += [noncoding, coding]
        labels += [np.zeros(150, int), np.ones(300, int)]
    ids, truth = np.concatenate(pieces), np.concatenate(labels)
    half = len(ids) // 2
    model = dna.KmerClassifier(k=4, window=30).fit([ids[:half]], [truth[:half]])
    scores = dna.per_base_scores(truth[half:], model.predict(ids[half:]))
    assert scores["mcc"] > 0.8
    majority = dna.majority_baseline(truth[:half], truth[half:])
    assert scores["accuracy"] > majority["accuracy"]
    with pytest.raises(ValueError, match="call fit"):
        dna.KmerClassifier().score(ids)
    with pytest.raises(ValueError, match="k=0"):
        dna.KmerClassifier(k=0)


# --------------------------------------------------------------------------- gene-level scores

FORWARD, REVERSE = Gene(10, 40, 1), Gene(50, 80, -1)  # stop codons at 37..39 and 50..52


def test_kmer_baseline_on_a_region_shorter_than_its_window():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 4, 3000)
    labels = (np.arange(3000) // 500) % 2
    model = dna.KmerClassifier(k=3, window=96).fit([ids], [labels])
    assert len(model.score(ids[:50])) == 50          # "true_labels has 563 values but predicted_labels has 666"
    assert len(model.predict(ids[:50])) == 50
    # short training regions too
    fitted = dna.KmerClassifier(k=3, window=96).fit([ids[:50], ids], [labels[:50], labels])
    assert len(fitted.predict(ids[:10])) == 10


def test_gene_scores_exact_match():
    scores = dna.gene_scores([FORWARD, REVERSE], [FORWARD, REVERSE], 100)
    assert scores["reference_genes"] == scores["predicted_genes"] == 2
    assert scores["stop_recall"] == scores["exact_recall"] == scores["precision"] == 1.0
    assert scores["exact_precision"] == scores["start_accuracy"] == 1.0
    assert scores["mcc"] == scores["sensitivity"] == scores["specificity"] == scores["coding_precision"] == 1.0
    assert scores["note"] == "" and scores["bases"] == 100 and scores["reference_coding_bases"] == 60
    # plain tuples work as well as Gene s
    assert dna.gene_scores([(10, 40, 1)], [(10, 40, 1)], 100)["exact_recall"] == 1.0


def test_gene_scores_wrong_start_keeps_the_stop_match():
    scores = dna.gene_scores([FORWARD, REVERSE], [Gene(16, 40, 1), Gene(50, 71, -1)], 100)
    assert scores["stop_recall"] == 1.0 and scores["precision"] == 1.0
    assert scores["exact_recall"] == 0.0 and scores["exact_precision"] == 0.0 and scores["start_accuracy"] == 0.0
    # per base: 6 + 9 coding bases missed, none predicted wrongly
    assert scores["sensitivity"] == pytest.approx(45 / 60) and scores["specificity"] == 1.0
    tp, fn, fp, tn = 45, 15, 0, 40
    assert scores["mcc"] == pytest.approx((tp * tn - fp * fn) / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)))


def test_gene_scores_wrong_frame_or_strand_does_not_match():
    scores = dna.gene_scores([FORWARD], [Gene(11, 41, 1), Gene(10, 40, -1)], 100)
    assert scores["stop_recall"] == 0.0 and scores["precision"] == 0.0
    assert scores["start_accuracy"] is None and "no reference gene's stop codon is predicted" in scores["note"]
    # a reverse gene keeps its stop codon at its left end: same right end, other left end is no match
    scores = dna.gene_scores([REVERSE], [Gene(53, 80, -1)], 100)
    assert scores["stop_recall"] == 0.0 and scores["precision"] == 0.0
    assert scores["sensitivity"] == pytest.approx(27 / 30)


def test_gene_scores_merged_genes_match_the_downstream_stop_only():
    upstream, downstream = Gene(10, 40, 1), Gene(45, 70, 1)
    scores = dna.gene_scores([upstream, downstream], [Gene(10, 70, 1)], 100)
    assert scores["stop_recall"] == 0.5 and scores["exact_recall"] == 0.0 and scores["precision"] == 1.0
    assert scores["sensitivity"] == 1.0 and scores["specificity"] == pytest.approx(40 / 45)
    assert scores["coding_precision"] == pytest.approx(55 / 60)
    # on the reverse strand the 3' end is the left end: the left-most gene's stop is kept
    left, right = Gene(10, 40, -1), Gene(45, 70, -1)
    scores = dna.gene_scores([left, right], [Gene(10, 70, -1)], 100)
    assert scores["stop_matches"] == 1 and scores["stop_recall"] == 0.5


def test_gene_scores_missed_gene_and_false_positive():
    missed = dna.gene_scores([FORWARD, REVERSE], [FORWARD], 100)
    assert missed["stop_recall"] == 0.5 and missed["exact_recall"] == 0.5 and missed["precision"] == 1.0
    assert missed["sensitivity"] == 0.5 and missed["specificity"] == 1.0
    extra = dna.gene_scores([FORWARD, REVERSE], [FORWARD, REVERSE, Gene(85, 97, 1)], 100)
    assert extra["stop_recall"] == 1.0 and extra["precision"] == pytest.approx(2 / 3)
    assert extra["exact_precision"] == pytest.approx(2 / 3)
    assert extra["specificity"] == pytest.approx(28 / 40) and extra["coding_precision"] == pytest.approx(60 / 72)


def test_gene_scores_count_genes_where_their_stop_codon_is():
    crossing = Gene(40, 60, -1)  # stop codon 40..42, start codon 57..59
    reference = [Gene(10, 30, 1), crossing, Gene(70, 90, -1)]
    scores = dna.gene_scores(reference, [crossing], (0, 50))
    assert scores["reference_genes"] == 2 and scores["stop_recall"] == 0.5 and scores["precision"] == 1.0
    assert scores["bases"] == 50 and scores["reference_coding_bases"] == 30  # 20 + the 10 bases of crossing inside
    right = dna.gene_scores(reference, [crossing], (50, 100))
    assert right["reference_genes"] == 1 and right["predicted_genes"] == 0
    assert right["precision"] is None and right["stop_recall"] == 0.0
    assert right["note"].startswith("no predicted gene has its stop codon in the scored bases")
    assert right["sensitivity"] == pytest.approx(10 / 30)  # the crossing gene's bases inside still count
    nothing = dna.gene_scores(reference, [], (50, 100))
    assert nothing["sensitivity"] == 0.0 and nothing["mcc"] == 0.0  # constant prediction: MCC 0, not None
    # a stop codon cut by the edge does not count
    assert dna.gene_scores([Gene(10, 30, 1)], [], (0, 29))["reference_genes"] == 0


def test_gene_scores_without_reference_genes_say_so():
    scores = dna.gene_scores([], [Gene(10, 40, 1)], 100)
    for key in ("stop_recall", "exact_recall", "start_accuracy", "mcc", "sensitivity"):
        assert scores[key] is None, key
    assert scores["precision"] == 0.0 and scores["specificity"] == pytest.approx(0.7)
    assert scores["note"] == "no reference gene has its stop codon in the scored bases; no reference coding base"
    everything = dna.gene_scores([Gene(0, 30, 1)], [Gene(0, 30, 1)], 30)
    assert everything["mcc"] is None and everything["specificity"] is None
    assert everything["note"] == "no reference non-coding base"
    assert not any(isinstance(value, float) and np.isnan(value) for value in scores.values())


def test_gene_scores_check_their_inputs():
    with pytest.raises(ValueError, match="strand 1 or -1"):
        dna.gene_scores([Gene(10, 40, 0)], [], 100)
    with pytest.raises(ValueError, match="at least 3 bases"):
        dna.gene_scores([], [(10, 11, 1)], 100)
    with pytest.raises(ValueError, match="not a \\(start, end, strand\\) gene"):
        dna.gene_scores([(10, "x", 1)], [], 100)
    with pytest.raises(ValueError, match="scored=\\(5, 5\\)"):
        dna.gene_scores([], [], (5, 5))
