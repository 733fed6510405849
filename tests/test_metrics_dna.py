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
