"""Genes from DNA: the classic ORF finder and the Viterbi decoder under the codon grammar."""

import numpy as np
import pytest

import seqlab.genes
from seqlab.data import dna
from seqlab.data.dna import Gene
from seqlab.genes import decode_genes, genes_from_states, orf_genes

STARTS, STOPS = ("ATG", "GTG", "TTG"), ("TAA", "TAG", "TGA")


def reverse_complement(sequence):
    return dna.decode(dna.reverse_complement(dna.encode(sequence)))


# --------------------------------------------------------------------------- ORF finder


def test_plus_strand_orf():
    sequence = "CC" + "ATG" + "GCT" * 4 + "TAA" + "GG"
    assert orf_genes(sequence, min_codons=6) == [Gene(2, 20, 1)]
    assert sequence[2:5] == "ATG" and sequence[17:20] == "TAA"
    assert orf_genes(sequence, min_codons=7) == []  # 6 codons, the stop included


def test_minus_strand_orf_is_the_mirror_of_the_plus_strand_one():
    sequence = "CC" + "ATG" + "GCT" * 4 + "TAA" + "GG"
    mirrored = reverse_complement(sequence)
    length = len(sequence)
    assert orf_genes(mirrored, min_codons=6) == [Gene(length - 20, length - 2, -1)]
    gene = orf_genes(mirrored, min_codons=6)[0]
    assert mirrored[gene.start:gene.start + 3] == "TTA"  # reverse-complemented stop at the left
    assert mirrored[gene.end - 3:gene.end] == "CAT"      # reverse-complemented start at the right
    # ids work as well as strings
    assert orf_genes(dna.encode(mirrored), min_codons=6) == orf_genes(mirrored, min_codons=6)


def test_nested_starts_pick_the_most_upstream_start_after_the_previous_stop():
    #            stop     start     start     start             stop
    sequence = "TGA" + "TTG" + "GCC" + "ATG" + "GTG" + "GCC" + "TAG"
    assert orf_genes(sequence, min_codons=2) == [Gene(3, 21, 1)]
    # a start codon before the previous in-frame stop does not count
    sequence = "ATG" + "TAA" + "GCC" + "ATG" + "GCC" + "TGA"
    assert orf_genes(sequence, min_codons=2) == [Gene(0, 6, 1), Gene(9, 18, 1)]
    assert orf_genes(sequence, min_codons=3) == [Gene(9, 18, 1)]


def test_stop_without_start_and_open_frame_without_stop_give_no_gene():
    assert orf_genes("GCCGCCTAA", min_codons=2) == []
    assert orf_genes("ATGGCCGCC", min_codons=2) == []
    assert orf_genes("ATGNNNTAA", min_codons=2) == [Gene(0, 9, 1)]   # N inside is neither start nor stop
    assert orf_genes("ATGTANTAA", min_codons=2) == [Gene(0, 9, 1)]   # TAN is no stop


def test_overlapping_orfs_in_different_frames_are_all_reported():
    # frame 0: ATG CAT GAA AAA TAA (0..15); frame 1: ATG AAA AAT AAA TGA (4..19)
    sequence = "ATGCATGAAAAATAAATGA"
    assert orf_genes(sequence, min_codons=5) == [Gene(0, 15, 1), Gene(4, 19, 1)]
    # no reverse-strand ORF here (CAT at 3 is a reverse start codon, but no reverse stop lies left of it)
    assert all(gene.strand == 1 for gene in orf_genes(sequence, min_codons=2))


def brute_force_orfs(sequence, min_codons):
    """Reference: the definition of the longest ORF per stop codon, written the slow way."""
    found = set()
    for strand, text in ((1, sequence), (-1, reverse_complement(sequence))):
        length = len(text)
        for stop in range(length - 2):
            if text[stop:stop + 3] not in STOPS:
                continue
            best, position = None, stop - 3
            while position >= 0 and text[position:position + 3] not in STOPS:
                if text[position:position + 3] in STARTS:
                    best = position
                position -= 3
            if best is not None and (stop + 3 - best) // 3 >= min_codons:
                start, end = best, stop + 3
                found.add((start, end, 1) if strand == 1 else (length - end, length - start, -1))
    return found


@pytest.mark.parametrize("seed", range(20))
def test_orf_finder_matches_the_definition_on_random_sequences(seed):
    rng = np.random.default_rng(seed)
    pieces = ["ATG", "GTG", "TTG", "TAA", "TAG", "TGA", "CAT", "TTA", "GCC", "A", "C", "G", "T", "N"]
    sequence = "".join(rng.choice(pieces, 60))
    for min_codons in (2, 4, 8):
        assert {tuple(gene[:3]) for gene in orf_genes(sequence, min_codons)} == brute_force_orfs(sequence, min_codons)


def test_orf_finder_custom_codons_and_errors():
    assert orf_genes("CTGGCCTAA", min_codons=2) == []
    assert orf_genes("CTGGCCTAA", min_codons=2, start_codons=("CTG",)) == [Gene(0, 9, 1)]
    assert orf_genes("ATGGCCTAA", min_codons=2, stop_codons="GCC") == [Gene(0, 6, 1)]
    with pytest.raises(ValueError, match="min_codons=1"):
        orf_genes("ATGTAA", min_codons=1)
    with pytest.raises(ValueError, match="start_codons"):
        orf_genes("ATGTAA", min_codons=2, start_codons=("AUGX",))
    with pytest.raises(ValueError, match="1-D array"):
        orf_genes(np.zeros((2, 3), int), min_codons=2)


# --------------------------------------------------------------------------- decoder: brute force


def candidate_plus_genes(text, partial):
    """``(start, end, phase)`` of every forward gene the grammar allows, from the gene definition."""
    length = len(text)
    found = set()

    def open_between(first, last_exclusive):  # no whole stop codon at first, first+3, ... before last
        return all(text[position:position + 3] not in STOPS for position in range(first, last_exclusive, 3))

    for start in range(length - 2):
        if text[start:start + 3] not in STARTS:
            continue
        for stop in range(start, length - 2, 3):
            if text[stop:stop + 3] in STOPS:
                found.add((start, stop + 3, 0))
                break
        else:
            if partial:  # cut at the 3' end: runs off the sequence without a stop
                found.add((start, length, 0))
    if partial:  # cut at the 5' end: begins at base 0 in any codon phase
        for phase in range(3):
            for stop in range(phase, length - 2, 3):
                if text[stop:stop + 3] in STOPS:
                    found.add((0, stop + 3, phase))
                    break
            else:
                found.add((0, length, phase))
    return found


def candidate_genes(sequence, partial):
    length = len(sequence)
    plus = [Gene(start, end, 1, phase) for start, end, phase in candidate_plus_genes(sequence, partial)]
    minus = [Gene(length - end, length - start, -1, phase)
             for start, end, phase in candidate_plus_genes(reverse_complement(sequence), partial)]
    return plus + minus


def brute_force_decode(sequence, scores, partial, gene_score):
    """Best score and labels over every set of non-overlapping valid genes (every valid path)."""
    candidates = sorted(set(candidate_genes(sequence, partial)))
    length = len(sequence)
    best_score, best_labels, paths = -np.inf, None, 0

    def visit(chosen, index):
        nonlocal best_score, best_labels, paths
        if index == len(candidates):
            labels = dna.gene_labels(length, chosen)
            score = scores[np.arange(length), labels].sum() + gene_score * len(chosen)
            paths += 1
            if score > best_score:
                best_score, best_labels = score, labels
            return
        visit(chosen, index + 1)
        gene = candidates[index]
        if all(gene.start >= other.end or gene.end <= other.start for other in chosen):
            visit(chosen + [gene], index + 1)

    visit([], 0)
    return best_score, best_labels, paths, candidates


def path_score(scores, states, genes, gene_score):
    return scores[np.arange(len(states)), states].sum() + gene_score * len(genes)


HAND_PICKED = [
    "ATGAAATAA",        # one forward gene
    "TTATTTCAT",        # its reverse complement
    "ATGTAAATGTAG",     # two adjacent genes in one frame
    "CATGCCTAAGTGA",    # forward genes in two frames
    "ATGTTACATCATGA",   # both strands
    "TTGATGTGATAACAT",  # nested starts, stops in several frames
]


def random_sequences(count, seed=0):
    """Short sequences (12-15 bases) rich in start and stop codons: several valid genes each."""
    rng = np.random.default_rng(seed)
    pieces = ["ATG", "GTG", "TTG", "TAA", "TAG", "TGA", "CAT", "CAC", "TTA", "TCA", "CTA", "A", "C", "G", "T"]
    found = []
    while len(found) < count:
        sequence = "".join(rng.choice(pieces, 8))[: int(rng.integers(12, 16))]
        candidates = candidate_genes(sequence, False)
        strands = {gene.strand for gene in candidates}
        if len(sequence) >= 12 and len(candidates) >= 3 and (len(found) % 2 or strands == {1, -1}):
            found.append(sequence)
    return found


@pytest.mark.parametrize("partial", [False, True])
@pytest.mark.parametrize("sequence", HAND_PICKED + random_sequences(24))
def test_viterbi_path_is_the_best_valid_path(sequence, partial):
    rng = np.random.default_rng(len(sequence) + 7 * partial)
    for gene_score in (0.0, -2.0, 1.5):
        scores = rng.normal(size=(len(sequence), 7))
        best_score, best_labels, paths, candidates = brute_force_decode(sequence, scores, partial, gene_score)
        assert paths >= 2
        states, genes = decode_genes(sequence, scores, partial_genes=partial, gene_score=gene_score)
        all_genes = genes_from_states(sequence, states, truncated=True)
        # the decoded path is valid: it is made of candidate genes ...
        assert set(all_genes) <= set(candidates), (sequence, states.tolist())
        assert dna.gene_labels(len(sequence), all_genes).tolist() == states.tolist()
        # ... and it is the best one
        assert path_score(scores, states, all_genes, gene_score) == pytest.approx(best_score, abs=1e-9)
        assert states.tolist() == best_labels.tolist()
        # the genes returned are those with their stop codon inside the sequence
        for gene in genes:
            stop = sequence[gene.end - 3:gene.end] if gene.strand == 1 else reverse_complement(
                sequence[gene.start:gene.start + 3])
            assert stop in STOPS


def test_strict_decoding_has_fewer_paths_than_partial_decoding():
    sequence = "GCCTAAGCCATGGC"
    strict = brute_force_decode(sequence, np.zeros((14, 7)), False, 0.0)[2]
    partial = brute_force_decode(sequence, np.zeros((14, 7)), True, 0.0)[2]
    assert 1 < strict < partial


# --------------------------------------------------------------------------- decoder: hand-made cases


def coding_scores(length, coding_ranges, *, frames=(1, 2, 3), strength=2.0):
    """Log-probability-like scores: non-coding favoured except over ``coding_ranges`` (any of ``frames``)."""
    scores = np.full((length, 7), -3.0)
    scores[:, 0] = -0.2
    for start, end in coding_ranges:
        scores[start:end, 0] = -strength
        scores[start:end, list(frames)] = -0.2
    return scores


def flank(length, seed):
    """A random C/G sequence: no start or stop codon on either strand (each holds an A or a T)."""
    rng = np.random.default_rng(seed)
    return "".join(rng.choice(list("CG"), length))


def test_hand_made_orf_decodes_to_exactly_that_gene():
    orf = "ATG" + "GCCAAAGGC" * 5 + "TGA"
    sequence = flank(20, 1) + orf + flank(20, 2)
    gene = Gene(20, 20 + len(orf), 1)
    # the model is unsure of the frame: every forward codon position scores the same
    states, genes = decode_genes(sequence, coding_scores(len(sequence), [(gene.start, gene.end)]))
    assert genes == [gene]
    assert states.tolist() == dna.gene_labels(len(sequence), [gene]).tolist()
    # the same on the reverse strand, with the emissions mirrored
    mirrored = reverse_complement(sequence)
    mirror = Gene(len(sequence) - gene.end, len(sequence) - gene.start, -1)
    scores = coding_scores(len(sequence), [(mirror.start, mirror.end)], frames=(4, 5, 6))
    states, genes = decode_genes(mirrored, scores)
    assert genes == [mirror]
    assert states.tolist() == dna.gene_labels(len(sequence), [mirror]).tolist()
    # emissions a little off the ends still give the ORF, as far as the grammar allows
    states, genes = decode_genes(sequence, coding_scores(len(sequence), [(gene.start + 4, gene.end - 2)]))
    assert genes == [gene]


def test_coding_emissions_across_an_in_frame_stop_cannot_make_a_gene_through_it():
    first = "ATG" + "GCC" * 6 + "TAA"     # ends at the in-frame stop
    second = "GCC" * 6 + "TGA"            # the same frame goes on, with no start codon of its own
    sequence = flank(12, 3) + first + second + flank(12, 4)
    start, end = 12, 12 + len(first) + len(second)
    states, genes = decode_genes(sequence, coding_scores(len(sequence), [(start, end)], strength=4.0))
    assert genes == [Gene(start, start + len(first), 1)]
    for gene in genes_from_states(sequence, states, truncated=True):
        codons = [sequence[position:position + 3] for position in range(gene.start, gene.end - 3, 3)]
        assert not set(codons) & set(STOPS)
    # without the grammar (per-base argmax) the whole range would be coding
    assert (coding_scores(len(sequence), [(start, end)], strength=4.0).argmax(axis=1)[start:end] > 0).all()


def test_partial_genes_at_the_edges():
    # a forward gene cut at its 5' end (phase 1) and one cut at its 3' end
    sequence = "C" + "GCC" * 4 + "TAA" + "CCGCC" + "ATG" + "GCC" * 3 + "GC"
    length = len(sequence)
    scores = coding_scores(length, [(0, 16), (21, length)])
    strict_states, strict_genes = decode_genes(sequence, scores)
    assert strict_genes == [] and not strict_states.any()
    states, genes = decode_genes(sequence, scores, partial_genes=True)
    assert genes == [Gene(0, 16, 1, phase=1)]
    assert genes_from_states(sequence, states, truncated=True) == [Gene(0, 16, 1, phase=1), Gene(21, length, 1)]


def test_decoder_checks_its_inputs_and_decodes_long_sequences():
    with pytest.raises(ValueError, match=r"scores has shape \(9, 3\); expected \(9, 7\)"):
        decode_genes("ATGAAATAA", np.zeros((9, 3)))
    with pytest.raises(ValueError, match="NaN"):
        decode_genes("ATGAAATAA", np.full((9, 7), np.nan))
    scores = np.zeros((9, 7))
    scores[:, 0] = -np.inf
    with pytest.raises(ValueError, match="no valid path"):
        decode_genes("GCCGCCGCC", scores)
    assert decode_genes("", np.zeros((0, 7)))[1] == []
    states, genes = decode_genes("AT", np.zeros((2, 7)))
    assert states.tolist() == [0, 0] and genes == []
    # a long random sequence decodes, and every gene is an ORF
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 4, 30_000).astype(np.int8)
    states, genes = decode_genes(ids, np.log(rng.dirichlet(np.ones(7), size=len(ids))))
    text = dna.decode(ids)
    for gene in genes:
        strand_text = text[gene.start:gene.end] if gene.strand == 1 else reverse_complement(text[gene.start:gene.end])
        codons = [strand_text[position:position + 3] for position in range(0, len(strand_text), 3)]
        assert codons[0] in STARTS and codons[-1] in STOPS and not set(codons[:-1]) & set(STOPS)


def test_codon_helpers():
    assert seqlab.genes.codon_codes(dna.encode("AC")).tolist() == [-1, -1]
    assert seqlab.genes.codon_flags(dna.encode("CATTTA"), ("CAT",)).tolist() == [True] + [False] * 5
    assert seqlab.genes._reverse_complement_codons(STOPS) == ("TTA", "CTA", "TCA")
