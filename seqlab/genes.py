"""Genes from DNA: the classic ORF finder and a Viterbi decoder that obeys the codon grammar.

Genes are ``(start, end, strand)`` intervals (:class:`seqlab.data.dna.Gene`): 0-based
half-open, ``start < end``, ``strand`` ``1`` (forward) or ``-1`` (reverse), and the stop codon
is *inside* the interval at the gene's 3' end: ``[end - 3, end)`` on the forward strand,
``[start, start + 3)`` on the reverse strand (whose bases there read as the reverse complement
of the stop codon, e.g. ``TTA`` for ``TAA``). A complete gene's start codon is at its 5' end:
``[start, start + 3)`` forward, ``[end - 3, end)`` reverse.

- :func:`orf_genes`: for every stop codon on both strands the longest open reading frame
  ending at it (the most upstream in-frame start codon with no in-frame stop in between),
  kept when it is at least ``min_codons`` codons long: the classic baseline of gene finding.
- :func:`decode_genes`: the best-scoring per-base labelling under the codon grammar, from
  per-base scores of the 7 frame-aware classes of :data:`seqlab.data.dna.FRAME_LABELS`
  (``0`` non-coding, ``1``-``3`` codon positions 1/2/3 on the forward strand, ``4``-``6``
  codon positions 1/2/3 on the reverse strand): a forward gene begins at a start codon and
  ends at the first in-frame stop codon, a reverse gene mirrors it, so every decoded gene is
  an open reading frame. Returns the labels and the genes.
- :func:`genes_from_states`: the genes of a per-base labelling that obeys the grammar.

>>> sequence = "CCATGAAACCCTAAGG"
>>> orf_genes(sequence, min_codons=2)
[Gene(start=2, end=14, strand=1, phase=0)]
>>> scores = np.full((len(sequence), 7), -1.0)
>>> scores[:, 0] = -0.5                                  # non-coding is a little more likely ...
>>> scores[2:14, 1:4] = -0.1                             # ... except over the ORF, in any frame
>>> states, genes = decode_genes(sequence, scores)
>>> states.tolist()
[0, 0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 0, 0]
>>> genes
[Gene(start=2, end=14, strand=1, phase=0)]
"""

import numpy as np

from seqlab.data.dna import Gene, encode

START_CODONS = ("ATG", "GTG", "TTG")
STOP_CODONS = ("TAA", "TAG", "TGA")
NUM_STATES = 7
_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def _ids(sequence, argument="sequence"):
    """Base ids (0-4) of a string or an id array."""
    if isinstance(sequence, str):
        return encode(sequence)
    ids = np.asarray(sequence)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"{argument} must be a string or a 1-D array of base ids (0-4); "
                         f"received shape {ids.shape} and dtype {ids.dtype}.")
    return ids


def _codon_ids(codons, argument):
    codons = (codons,) if isinstance(codons, str) else tuple(codons)
    bad = [codon for codon in codons if len(codon) != 3 or set(codon.upper()) - set("ACGT")]
    if not codons or bad:
        raise ValueError(f"{argument}={codons!r}: every codon must be 3 letters of A, C, G, T (at least one codon).")
    return np.array([16 * "ACGT".index(a) + 4 * "ACGT".index(b) + "ACGT".index(c)
                     for a, b, c in (codon.upper() for codon in codons)])


def _reverse_complement_codons(codons):
    codons = (codons,) if isinstance(codons, str) else tuple(codons)
    return tuple(codon.upper().translate(_COMPLEMENT)[::-1] for codon in codons)


def codon_codes(ids):
    """Code ``16 a + 4 b + c`` of the codon starting at every position; -1 if it holds an N or runs off the end.

    >>> codon_codes(encode("ATGNA")).tolist()
    [14, -1, -1, -1, -1]
    """
    ids = np.asarray(ids).astype(np.int64)
    codes = np.full(len(ids), -1, dtype=np.int64)
    if len(ids) >= 3:
        first, second, third = ids[:-2], ids[1:-1], ids[2:]
        valid = (np.maximum(np.maximum(first, second), third) < 4) & (np.minimum(np.minimum(first, second), third) >= 0)
        codes[:-2] = np.where(valid, 16 * first + 4 * second + third, -1)
    return codes


def codon_flags(ids, codons):
    """Boolean per position: the codon starting there is one of ``codons`` (strings).

    >>> codon_flags(encode("ATGTGA"), ("TGA", "ATG")).astype(int).tolist()
    [1, 0, 0, 1, 0, 0]
    """
    return np.isin(codon_codes(ids), _codon_ids(codons, "codons"))


def _forward_orfs(ids, min_codons, start_codons, stop_codons):
    """``(start, end)`` of the longest ORF ending at every forward-strand stop codon."""
    codes = codon_codes(ids)
    is_start, is_stop = np.isin(codes, start_codons), np.isin(codes, stop_codons)
    found = []
    for frame in range(3):
        positions = np.arange(frame, len(ids) - 2, 3)
        if positions.size == 0:
            continue
        starts, stops = is_start[positions], is_stop[positions]
        count = positions.size
        # the first start codon at or after every codon index (count when there is none)
        next_start = np.minimum.accumulate(np.where(starts, np.arange(count), count)[::-1])[::-1]
        next_start = np.append(next_start, count)
        stop_index = np.flatnonzero(stops)
        previous = np.concatenate([[-1], stop_index[:-1]])
        first = next_start[previous + 1]
        keep = (first < stop_index) & (stop_index - first + 1 >= min_codons)
        found.append(np.stack([positions[first[keep]], positions[stop_index[keep]] + 3], axis=1))
    return np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)


def orf_genes(sequence, min_codons, start_codons=START_CODONS, stop_codons=STOP_CODONS):
    """The classic ORF finder: the longest open reading frame ending at every stop codon, both strands.

    For every stop codon (on the forward strand and on the reverse complement) the gene runs
    from the most upstream in-frame start codon after the previous in-frame stop codon (or
    after the sequence's edge) to the stop codon, and is kept when it is at least
    ``min_codons`` codons long, counting the start and the stop codon (``end - start >= 3 *
    min_codons``). A stop codon with no start codon upstream in its frame, and an open frame
    that runs off the sequence without a stop, give no gene. Codons holding an ``N`` are
    neither start nor stop codons.

    Args:
        sequence: a nucleotide string or base ids (``0..4`` for ``A C G T N``).
        min_codons: shortest gene kept, in codons (the stop codon included).
        start_codons, stop_codons: codons (strings, forward strand) that start / end a gene.

    Returns:
        list of :class:`seqlab.data.dna.Gene` (see the module docstring), sorted by start,
        then end, forward strand first.

    >>> orf_genes("ATGATGTAA", min_codons=3)          # nested starts: the longest ORF
    [Gene(start=0, end=9, strand=1, phase=0)]
    >>> orf_genes("TTACATCAT", min_codons=3)          # its reverse complement
    [Gene(start=0, end=9, strand=-1, phase=0)]
    >>> orf_genes("ATGATGTAA", min_codons=4)
    []
    """
    if isinstance(min_codons, bool) or not isinstance(min_codons, (int, np.integer)) or min_codons < 2:
        raise ValueError(f"min_codons={min_codons!r} must be an integer >= 2 (a start and a stop codon).")
    ids = _ids(sequence)
    starts, stops = _codon_ids(start_codons, "start_codons"), _codon_ids(stop_codons, "stop_codons")
    length = len(ids)
    genes = [Gene(int(start), int(end), 1) for start, end in _forward_orfs(ids, min_codons, starts, stops)]
    reverse = (np.where(ids[::-1] < 4, 3 - ids[::-1], ids[::-1]))
    genes += [Gene(length - int(end), length - int(start), -1)
              for start, end in _forward_orfs(reverse, min_codons, starts, stops)]
    return sorted(genes, key=lambda gene: (gene.start, gene.end, -gene.strand))


# --------------------------------------------------------------------------- decoder under the codon grammar


def _grammar_flags(ids, start_codons, stop_codons):
    """Per-position booleans (codon starting there): start, stop, reverse-strand start, reverse-strand stop."""
    return (codon_flags(ids, start_codons), codon_flags(ids, stop_codons),
            codon_flags(ids, _reverse_complement_codons(start_codons)),
            codon_flags(ids, _reverse_complement_codons(stop_codons)))


def _shifted(flags, shift):
    """``flags[t - shift]`` at every ``t`` (False before the sequence)."""
    shifted = np.zeros(len(flags), dtype=bool)
    if shift < len(flags):
        shifted[shift:] = flags[:len(flags) - shift]
    return shifted


def decode_genes(sequence, scores, *, partial_genes=False, gene_score=0.0,
                 start_codons=START_CODONS, stop_codons=STOP_CODONS):
    """The best per-base frame labelling (Viterbi) that obeys the codon grammar, and its genes.

    States are the 7 frame-aware labels of :data:`seqlab.data.dna.FRAME_LABELS`: ``0``
    non-coding, ``1 2 3`` codon positions 1/2/3 of a forward gene, ``4 5 6`` codon positions
    1/2/3 of a reverse gene (which read ``6 5 4 6 5 4`` from left to right). A path is valid
    when every forward gene (a run ``1 2 3 ... 1 2 3``) begins at a start codon and ends at the
    first in-frame stop codon, and every reverse gene (a run ``6 5 4 ... 6 5 4``) begins on
    the left at a reverse-complemented stop codon, holds no other one in frame and ends on the
    right at a reverse-complemented start codon. Genes may be adjacent, but not overlap (one
    label per base). The path maximises

        sum_t scores[t, state_t] + gene_score * (number of genes).

    The recursion is the usual Viterbi over the 7 states with position-dependent
    transitions (O(length x 7^2) at worst; each state has at most 3 allowed predecessors),
    a Python loop over positions with precomputed (vectorised) codon flags: 1-2 s for the
    493,000-base test region of the embedded genome.

    One label per base cannot show two overlapping genes, so overlapping genes (about a fifth
    of neighbouring bacterial genes share 1, 4 or more bases, e.g. ``...ATGA...`` where a stop
    codon overlaps the next start) decode as one gene and a truncated or missing other one.

    Args:
        sequence: nucleotide string or base ids (``0..4``) of length ``T``.
        scores: ``(T, 7)`` per-base scores of the 7 classes, e.g. a model's log-probabilities
            (``-inf`` forbids a class at a base).
        partial_genes: also allow genes cut by the sequence's edges (a region of a genome):
            any state may begin or end the path; a cut gene lacks its start codon, its stop
            codon or both, and the grammar holds for the part inside.
        gene_score: added once per gene (a log prior; negative values give fewer genes).
        start_codons, stop_codons: forward-strand codons, as in :func:`orf_genes`.

    Returns:
        ``(states, genes)``: int8 ``(T,)`` labels, and the genes whose stop codon lies in the
        sequence (see :func:`genes_from_states`; with ``partial_genes`` a gene cut at its 5'
        end is included, with its ``phase``).

    Raises:
        ValueError: ``scores`` is not ``(T, 7)`` or allows no valid path (``-inf`` everywhere
            a valid path could go).

    >>> scores = np.log(np.full((9, 7), 0.1))
    >>> scores[:, 4:] = np.log(0.3)                      # reverse-strand coding favoured ...
    >>> decode_genes("TTACATCAT", scores)[0].tolist()   # ... and TTA CAT CAT is a reverse ORF
    [6, 5, 4, 6, 5, 4, 6, 5, 4]
    >>> decode_genes("TTACATCCC", scores)[0].tolist()   # GGG (read backwards) starts no gene
    [6, 5, 4, 6, 5, 4, 0, 0, 0]
    >>> decode_genes("TTACCCCGA", scores)[0].tolist()   # no start codon: no gene
    [0, 0, 0, 0, 0, 0, 0, 0, 0]
    """
    ids = _ids(sequence)
    length = len(ids)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (length, NUM_STATES):
        raise ValueError(f"scores has shape {scores.shape}; expected ({length}, {NUM_STATES}) for a sequence of "
                         f"{length} bases and the 7 frame-aware classes.")
    if np.isnan(scores).any():
        raise ValueError("scores holds NaN values; use -inf to forbid a class at a base.")
    if length == 0:
        return np.zeros(0, dtype=np.int8), []
    is_start, is_stop, reverse_start, reverse_stop = _grammar_flags(ids, start_codons, stop_codons)
    # flags at the step into position t (from t - 1): a forward gene may end at t - 1 if the codon
    # [t-3, t) is a stop; a reverse gene may end at t - 1 if [t-3, t) is a reverse start codon.
    stop_before = _shifted(is_stop, 3).tolist()
    reverse_start_before = _shifted(reverse_start, 3).tolist()
    start_here, reverse_stop_here = is_start.tolist(), reverse_stop.tolist()
    columns = [scores[:, state].tolist() for state in range(NUM_STATES)]
    minus_infinity = -np.inf
    gene_score = float(gene_score)

    # previous scores v0..v6; back pointers for the states with a choice: 0, 1 and 6
    v = scores[0].copy()
    if not partial_genes:
        for state in (2, 3, 4, 5):
            v[state] = minus_infinity
        if not start_here[0]:
            v[1] = minus_infinity
        if not reverse_stop_here[0]:
            v[6] = minus_infinity
        v[1] += gene_score
        v[6] += gene_score
    else:
        v[1:] += gene_score
    v0, v1, v2, v3, v4, v5, v6 = v.tolist()
    back0, back1, back6 = bytearray(length), bytearray(length), bytearray(length)
    c0, c1, c2, c3, c4, c5, c6 = columns
    for t in range(1, length):
        plus_end, minus_end = stop_before[t], reverse_start_before[t]
        start, reverse = start_here[t], reverse_stop_here[t]
        # non-coding: after non-coding or a gene that ended at t - 1
        best, choice = v0, 0
        if plus_end and v3 > best:
            best, choice = v3, 3
        if minus_end and v4 > best:
            best, choice = v4, 4
        n0 = best + c0[t]
        back0[t] = choice
        # forward codon position 1: a new gene at a start codon, or the gene going on
        best, choice = minus_infinity, 0
        if start:
            best, choice = v0 + gene_score, 0
            if minus_end and v4 + gene_score > best:
                best, choice = v4 + gene_score, 4
        if not plus_end:
            if v3 > best:
                best, choice = v3, 3
        elif start and v3 + gene_score > best:
            best, choice = v3 + gene_score, 3
        n1 = best + c1[t]
        back1[t] = choice
        # reverse codon position 3 (a reverse gene's left end is its stop codon)
        best, choice = minus_infinity, 0
        if reverse:
            best, choice = v0 + gene_score, 0
            if plus_end and v3 + gene_score > best:
                best, choice = v3 + gene_score, 3
            if minus_end and v4 + gene_score > best:
                best, choice = v4 + gene_score, 4
        elif v4 > best:
            best, choice = v4, 4
        n6 = best + c6[t]
        back6[t] = choice
        v0, v1, v2, v3, v4, v5, v6 = n0, n1, v1 + c2[t], v2 + c3[t], v5 + c4[t], v6 + c5[t], n6
    final = [v0, v1, v2, v3, v4, v5, v6]
    if not partial_genes:
        plus_end = length >= 3 and bool(is_stop[length - 3])
        minus_end = length >= 3 and bool(reverse_start[length - 3])
        final = [v0, minus_infinity, minus_infinity, v3 if plus_end else minus_infinity,
                 v4 if minus_end else minus_infinity, minus_infinity, minus_infinity]
    state = int(np.argmax(final))
    if final[state] == minus_infinity:
        raise ValueError("scores allow no valid path under the codon grammar (every valid labelling scores -inf).")
    states = np.zeros(length, dtype=np.int8)
    previous = {2: 1, 3: 2, 4: 5, 5: 6}
    pointers = {0: back0, 1: back1, 6: back6}
    for t in range(length - 1, -1, -1):
        states[t] = state
        if t:
            state = pointers[state][t] if state in pointers else previous[state]
    return states, genes_from_states(ids, states, start_codons=start_codons, stop_codons=stop_codons)


def genes_from_states(sequence, states, *, truncated=False, start_codons=START_CODONS, stop_codons=STOP_CODONS):
    """The genes of a per-base frame labelling that obeys the codon grammar (see :func:`decode_genes`).

    A forward run of ``1 2 3`` labels is cut after every in-frame stop codon, a reverse run of
    ``6 5 4`` labels before every in-frame reverse-complemented stop codon, so adjacent genes
    in one frame come out as separate genes.

    Args:
        sequence: nucleotide string or base ids.
        states: per-base labels 0-6.
        truncated: also return genes whose 3' end runs off the sequence (no stop codon inside).
            Genes cut at their 5' end are always returned; their ``phase`` says how many bases
            at the 5' end precede the first whole codon.

    Returns:
        list of :class:`seqlab.data.dna.Gene`, sorted by start.

    >>> genes_from_states("ATGTAAATGTAG", [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3])
    [Gene(start=0, end=6, strand=1, phase=0), Gene(start=6, end=12, strand=1, phase=0)]
    >>> genes_from_states("AATGA", [2, 3, 1, 2, 3])
    [Gene(start=0, end=5, strand=1, phase=2)]
    """
    ids = _ids(sequence)
    states = np.asarray(states).astype(np.int64)
    if states.shape != ids.shape:
        raise ValueError(f"states has shape {states.shape}; expected {ids.shape}, one label per base.")
    length = len(ids)
    if length == 0:
        return []
    _, is_stop, _, reverse_stop = _grammar_flags(ids, start_codons, stop_codons)
    genes = []
    plus = (states >= 1) & (states <= 3)
    stop_ends = _shifted(is_stop, 3)  # codon [t-3, t) is a stop
    previous_plus = np.concatenate([[False], plus[:-1]])
    previous_three = np.concatenate([[False], states[:-1] == 3])
    begins = plus & (~previous_plus | (previous_three & stop_ends))
    ends = plus & np.concatenate([begins[1:] | ~plus[1:], [True]])
    for start, last in zip(np.flatnonzero(begins), np.flatnonzero(ends)):
        complete = states[last] == 3 and last >= 2 and is_stop[last - 2]
        if complete or truncated:
            genes.append(Gene(int(start), int(last) + 1, 1, int((1 - states[start]) % 3)))
    minus = states >= 4
    previous_minus = np.concatenate([[False], minus[:-1]])
    begins = minus & (~previous_minus | ((states == 6) & reverse_stop))
    ends = minus & np.concatenate([begins[1:] | ~minus[1:], [True]])
    for start, last in zip(np.flatnonzero(begins), np.flatnonzero(ends)):
        complete = states[start] == 6 and reverse_stop[start]
        if complete or truncated:
            genes.append(Gene(int(start), int(last) + 1, -1, int((4 - states[last]) % 3)))
    return sorted(genes, key=lambda gene: (gene.start, gene.end, -gene.strand))
