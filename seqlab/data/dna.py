"""DNA data: one-hot bases, reverse complement, per-base gene labels and splice junctions.

Bases are ids ``0..4`` for ``A, C, G, T, N`` (:data:`BASES`). The other IUPAC ambiguity codes
(``R Y S W K M B D H V``) are handled explicitly: ``ambiguity="n"`` maps them to ``N`` and the
loaders count them (``dataset["ambiguous"]``), ``ambiguity="error"`` rejects them with their
position. Characters outside the IUPAC alphabet always raise :class:`DataFormatError` with
their position. Lower case (soft-masked) bases are read as upper case; ``U`` is read as ``T``.

Per-base gene labels (:data:`FRAME_LABELS`) follow the gene finders: ``0`` non-coding,
``1``-``3`` codon positions 1/2/3 of a gene on the forward strand, ``4``-``6`` codon positions
1/2/3 of a gene on the reverse strand. ``labels="coding"`` collapses them to ``0`` non-coding /
``1`` coding (:func:`collapse_labels`); scores are always computed on the collapsed labels.
Where genes overlap, the gene listed last wins.

Genome datasets (sources ``cdiphtheriae_genome``, ``genbank``, ``fasta_gff3``) are dicts:

- ``"train"``, ``"valid"``, ``"test"``: lists of *regions*, contiguous pieces of each record
  (the first 70 %, the next 10 %, the last 20 % by default; never random windows, which
  leak). A region is a dict ``{"record", "start", "sequence", "labels", "genes"}``:
  ``sequence`` and ``labels`` are int8 arrays, ``start`` the region's offset in its record and
  ``genes`` the :class:`Gene` s that lie wholly inside the region, in region coordinates.
- ``"label_names"``: :data:`FRAME_LABELS` or :data:`CODING_LABELS`; ``"ambiguous"``: counts
  of ambiguity codes mapped to ``N``; ``"description"``: where the labels come from.

:func:`windows` cuts regions into overlapping fixed-length windows (both strands) for training.

The splice dataset (source ``uci_splice``) is a dict of splits ``"train"``, ``"valid"``,
``"test"``, each a list of ``{"id", "sequence", "ids", "label"}`` (label an index into
:data:`SPLICE_CLASSES`), plus ``"classes"``, ``"ambiguous"`` (code counts) and
``"ambiguous_rows"``. The three splits come from
one fixed-seed stratified 10-fold assignment: fold ``test_fold`` is the test split, the next
fold the validation split, the other eight train; ``test_fold`` = 0..9 gives 10-fold CV.

>>> ids = encode("ACGTN")
>>> ids.tolist()
[0, 1, 2, 3, 4]
>>> decode(reverse_complement(encode("AACGTR")))
'NACGTT'
>>> one_hot(encode("GA")).tolist()
[[0.0, 0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0]]
>>> encode("ACGX")
Traceback (most recent call last):
...
seqlab.data.sources.DataFormatError: sequence: character 'X' at position 4 (1-based) is not an IUPAC nucleotide code; allowed: ACGTU and the ambiguity codes RYSWKMBDHVN (any case).
>>> gene_labels(12, [Gene(2, 11, 1)]).tolist()
[0, 0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 0]
>>> gene_labels(8, [Gene(1, 7, -1)]).tolist()
[0, 6, 5, 4, 6, 5, 4, 0]
"""

import collections
import gzip
import pathlib
import re
from typing import NamedTuple

import numpy as np

from seqlab.data.sources import DataFormatError, DataNotFoundError, Source, package_path, read_lines

BASES = "ACGTN"
NUM_BASES = len(BASES)
N_ID = 4
AMBIGUITY_CODES = "RYSWKMBDHVN"
AMBIGUITY_OPTIONS = ("n", "error")
LABEL_SCHEMES = ("frame", "coding")
FRAME_LABELS = ("non-coding", "+1", "+2", "+3", "-1", "-2", "-3")
CODING_LABELS = ("non-coding", "coding")
SPLICE_CLASSES = ("EI", "IE", "N")
DEFAULT_FRACTIONS = (0.7, 0.1, 0.2)
GENOME_FILE = "GCF_001457455.1_NCTC11397_genomic.fna.gz"
FASTA_SUFFIXES = (".fna", ".fa", ".fasta", ".fas", ".fsa", ".ffn")
GFF_SUFFIXES = (".gff3", ".gff")
GENBANK_SUFFIXES = (".gb", ".gbk", ".genbank", ".gbff")

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


def _check_choice(argument, value, allowed):
    if value not in allowed:
        raise ValueError(f"{argument}={value!r} is not allowed; allowed: {', '.join(map(repr, allowed))}.")


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
    _check_choice("ambiguity", ambiguity, AMBIGUITY_OPTIONS)
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
    _check_choice("scheme", scheme, LABEL_SCHEMES)
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


# --------------------------------------------------------------------------- regions and windows


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
        ``{"train": [...], "valid": [...], "test": [...]}`` lists of region dicts (see the
        module docstring); genes crossing a region boundary are kept only in the labels.

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
    if window < 1 or stride < 1:
        raise ValueError(f"window={window!r} and stride={stride!r} must be positive integers.")
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
            :func:`reverse_complement_labels`).

    Returns:
        ``(ids, labels, weights)``: int8 ``(n, window)`` base ids (``-1`` where a short region
        is padded), int8 ``(n, window)`` labels, float32 ``(n, window)`` weights (0 on padding).

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


# --------------------------------------------------------------------------- genome sources


def _genome_dataset(records, *, labels, fractions, ambiguous, description):
    for record in records:
        record["labels"] = gene_labels(len(record["sequence"]), record["parts"], scheme=labels)
    splits = split_regions(records, fractions)
    splits.update(
        label_names=FRAME_LABELS if labels == "frame" else CODING_LABELS,
        ambiguous=dict(ambiguous),
        description=description,
    )
    return splits


def _open_text(path):
    path = pathlib.Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"file {path} does not exist.")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="latin-1")
    return open(path, encoding="latin-1")


def read_fasta(path, *, ambiguity="n"):
    """Records of a FASTA file (plain or ``.gz``) as ``[(name, ids)]`` plus ambiguity counts.

    Raises:
        DataFormatError: no ``>`` header before the first sequence line, a bad character
            (file, line and column), or no record at all.
    """
    records, ambiguous = [], collections.Counter()
    name, chunks = None, []
    with _open_text(path) as handle:
        for line_number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line or line.startswith(";"):
                continue
            if line.startswith(">"):
                if name is not None:
                    records.append((name, np.concatenate(chunks) if chunks else np.zeros(0, np.int8)))
                name, chunks = line[1:].split()[0] if line[1:].split() else f"record{len(records) + 1}", []
                continue
            if name is None:
                raise DataFormatError("sequence line before the first '>' header (is this a FASTA file?)",
                                      path=path, line=line_number)
            chunks.append(encode(line, ambiguity=ambiguity, path=path, line=line_number, name="line"))
            ambiguous.update(count_ambiguous(line))
    if name is not None:
        records.append((name, np.concatenate(chunks) if chunks else np.zeros(0, np.int8)))
    if not records:
        raise DataFormatError("no FASTA record ('>' header) found", path=path)
    return records, ambiguous


def prodigal_genes(ids):
    """Genes predicted by pyrodigal (Prodigal's single-genome mode, trained on the sequence itself).

    Args:
        ids: base ids of one genome (at least 20,000 bases for Prodigal's training).

    Returns:
        list of :class:`Gene` (0-based half-open).
    """
    import pyrodigal

    sequence = decode(ids)
    finder = pyrodigal.GeneFinder()
    finder.train(sequence)
    return [Gene(gene.begin - 1, gene.end, gene.strand) for gene in finder.find_genes(sequence)]


def load_prodigal_genome(path, *, labels="frame", fractions=DEFAULT_FRACTIONS, ambiguity="n"):
    """A FASTA genome with per-base labels from pyrodigal's gene predictions.

    The labels are Prodigal's predictions, not experimentally verified genes: a network
    trained on them learns to reproduce a classical gene finder.

    Args:
        path: a FASTA file (plain or gzipped), or a folder holding the embedded file's name.
        labels: ``"frame"`` (0-6) or ``"coding"`` (0/1).
        fractions: train / valid / test shares along each record.
        ambiguity: ``"n"`` or ``"error"`` (see :func:`encode`).
    """
    _check_choice("labels", labels, LABEL_SCHEMES)
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / GENOME_FILE
    fasta, ambiguous = read_fasta(path, ambiguity=ambiguity)
    records = []
    for name, ids in fasta:
        genes = prodigal_genes(ids)
        records.append({"name": name, "sequence": ids, "genes": genes, "parts": genes})
    return _genome_dataset(
        records, labels=labels, fractions=fractions, ambiguous=ambiguous,
        description=f"{path.name}: labels are pyrodigal (Prodigal) gene predictions, not verified genes",
    )


def _files_with_suffix(folder, suffixes):
    return sorted(
        file for file in pathlib.Path(folder).iterdir()
        if file.is_file() and any(file.name.lower().removesuffix(".gz").endswith(suffix) for suffix in suffixes)
    )


def _genbank_parts(feature, record_length):
    """The :class:`Gene` parts (5' to 3') of a GenBank feature, with phases along the spliced CDS."""
    codon_start = int(feature.qualifiers.get("codon_start", ["1"])[0])
    offset, parts = 0, []
    for part in feature.location.parts:
        start, end = max(int(part.start), 0), min(int(part.end), record_length)
        if end <= start:
            continue
        strand = -1 if part.strand == -1 else 1
        parts.append(Gene(start, end, strand, phase=(codon_start - 1 - offset) % 3))
        offset += end - start
    return parts


def load_genbank(path, *, labels="frame", feature_types=("CDS",), fractions=DEFAULT_FRACTIONS, ambiguity="n"):
    """Per-base labels from the features of GenBank files (a user's own annotated sequences).

    Args:
        path: a GenBank file (``.gb``, ``.gbk``, ``.gbff``, optionally ``.gz``) or a folder of them.
        labels: ``"frame"`` (codon positions from each CDS's location and ``codon_start``)
            or ``"coding"``.
        feature_types: feature keys that mark coding bases, e.g. ``("CDS",)`` or
            ``("CDS", "exon")``; ``exon`` features carry no reading frame, so they need
            ``labels="coding"``.
        fractions, ambiguity: as in :func:`load_prodigal_genome`.

    Raises:
        DataFormatError: a file Biopython cannot parse, one with no record, or a bad base.
    """
    from Bio import SeqIO

    _check_choice("labels", labels, LABEL_SCHEMES)
    if labels == "frame" and set(feature_types) - {"CDS"}:
        raise ValueError(
            f"feature_types={tuple(feature_types)!r} with labels='frame': only CDS features carry a reading frame; "
            "use labels='coding' or feature_types=('CDS',)."
        )
    path = pathlib.Path(path)
    files = _files_with_suffix(path, GENBANK_SUFFIXES) if path.is_dir() else [path]
    if not files:
        raise DataNotFoundError(f"folder {path} holds no GenBank file ({', '.join(GENBANK_SUFFIXES)}).")
    records, ambiguous = [], collections.Counter()
    for file in files:
        with _open_text(file) as handle:
            try:
                parsed = list(SeqIO.parse(handle, "genbank"))
            except ValueError as error:
                raise DataFormatError(f"not a readable GenBank file: {error}", path=file) from error
        if not parsed:
            raise DataFormatError("no GenBank record (LOCUS ... //) found", path=file)
        for record in parsed:
            text = str(record.seq)
            ids = encode(text, ambiguity=ambiguity, path=file, name=record.id)
            ambiguous.update(count_ambiguous(text))
            genes, parts = [], []
            for feature in record.features:
                if feature.type not in feature_types:
                    continue
                feature_parts = _genbank_parts(feature, len(ids))
                if feature_parts:
                    parts += feature_parts
                    strand = feature_parts[0].strand
                    genes.append(Gene(min(p.start for p in feature_parts), max(p.end for p in feature_parts), strand))
            records.append({"name": record.id, "sequence": ids, "genes": genes, "parts": parts})
    return _genome_dataset(
        records, labels=labels, fractions=fractions, ambiguous=ambiguous,
        description=f"{path.name}: labels from the {'/'.join(feature_types)} features of the GenBank file(s)",
    )


_GFF_ATTRIBUTE = re.compile(r"(?:^|;)\s*(ID|Parent)=([^;]+)")


def read_gff3(path, feature_types=("CDS",)):
    """Features of a GFF3 file as ``{seqid: [(group, Gene)]}`` plus the embedded ``##FASTA`` lines.

    ``group`` is the feature's ``ID`` (else its ``Parent``, else its line number): the parts of
    one spliced CDS share it. Coordinates become 0-based half-open; ``phase`` ``.`` reads as 0.

    Raises:
        DataFormatError: a feature line without 9 tab-separated columns, a non-integer or
            reversed coordinate, or a strand/phase outside the GFF3 values (file and line).
    """
    features, fasta_lines = collections.defaultdict(list), []
    lines = read_lines(path, strip=False) if not str(path).endswith(".gz") else _open_text(path).read().splitlines()
    in_fasta = False
    for line_number, line in enumerate(lines, start=1):
        if in_fasta:
            fasta_lines.append(line)
            continue
        if line.startswith("##FASTA"):
            in_fasta = True
            continue
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.rstrip("\n").split("\t")
        if len(columns) != 9:
            raise DataFormatError(f"expected 9 tab-separated GFF3 columns, found {len(columns)}", path=path,
                                  line=line_number)
        seqid, _, kind, start, end, _, strand, phase, attributes = columns
        if kind not in feature_types:
            continue
        try:
            start, end = int(start), int(end)
        except ValueError:
            raise DataFormatError(f"start={start!r} and end={end!r} must be integers", path=path,
                                  line=line_number) from None
        if not 1 <= start <= end:
            raise DataFormatError(f"start={start} and end={end} must satisfy 1 <= start <= end", path=path,
                                  line=line_number)
        if strand not in ("+", "-", ".", "?") or phase not in ("0", "1", "2", "."):
            raise DataFormatError(f"strand={strand!r} must be + - . ? and phase={phase!r} 0 1 2 or .",
                                  path=path, line=line_number)
        names = dict(_GFF_ATTRIBUTE.findall(attributes))
        group = names.get("ID") or names.get("Parent") or f"line{line_number}"
        gene = Gene(start - 1, end, -1 if strand == "-" else 1, 0 if phase == "." else int(phase))
        features[seqid].append((group, gene))
    return features, fasta_lines


def load_fasta_gff3(path, *, labels="frame", feature_types=("CDS",), fractions=DEFAULT_FRACTIONS, ambiguity="n"):
    """Per-base labels from a FASTA file and the CDS features of a GFF3 file.

    Args:
        path: a folder holding one FASTA file and one GFF3 file (``.gff3``/``.gff``, optionally
            ``.gz``), or a GFF3 file whose sequences follow a ``##FASTA`` line.
        labels, feature_types, fractions, ambiguity: as in :func:`load_genbank`; the frame of
            each CDS line comes from its GFF3 ``phase`` column.

    Raises:
        DataNotFoundError: the folder lacks a FASTA or GFF3 file.
        DataFormatError: malformed lines (file and line), or a feature on a sequence the FASTA
            file does not hold, or beyond its end.
    """
    _check_choice("labels", labels, LABEL_SCHEMES)
    if labels == "frame" and set(feature_types) - {"CDS"}:
        raise ValueError(
            f"feature_types={tuple(feature_types)!r} with labels='frame': only CDS features carry a reading frame; "
            "use labels='coding' or feature_types=('CDS',)."
        )
    path = pathlib.Path(path)
    if path.is_dir():
        gff_files, fasta_files = _files_with_suffix(path, GFF_SUFFIXES), _files_with_suffix(path, FASTA_SUFFIXES)
        if len(gff_files) != 1:
            raise DataNotFoundError(f"folder {path} must hold exactly one GFF3 file; found {len(gff_files)}.")
        gff_file = gff_files[0]
    else:
        gff_file, fasta_files = path, []
    features, fasta_lines = read_gff3(gff_file, feature_types)
    if fasta_files:
        fasta, ambiguous = read_fasta(fasta_files[0], ambiguity=ambiguity)
    elif fasta_lines:
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".fna", delete=False) as handle:
            handle.write("\n".join(fasta_lines))
        temporary = pathlib.Path(handle.name)
        try:
            fasta, ambiguous = read_fasta(temporary, ambiguity=ambiguity)
        finally:
            temporary.unlink()
    else:
        raise DataNotFoundError(f"{path}: no FASTA file beside the GFF3 file and no ##FASTA section in it.")
    lengths = {name: len(ids) for name, ids in fasta}
    for seqid, items in features.items():
        if seqid not in lengths:
            raise DataFormatError(f"features on sequence {seqid!r}, which the FASTA data does not hold "
                                  f"(it holds {', '.join(lengths)})", path=gff_file)
        for _, gene in items:
            if gene.end > lengths[seqid]:
                raise DataFormatError(f"feature {gene} ends beyond sequence {seqid!r} ({lengths[seqid]} bases)",
                                      path=gff_file)
    records = []
    for name, ids in fasta:
        groups = collections.defaultdict(list)
        for group, gene in features.get(name, []):
            groups[group].append(gene)
        genes = [Gene(min(p.start for p in parts), max(p.end for p in parts), parts[0].strand)
                 for parts in groups.values()]
        parts = [gene for items in groups.values() for gene in items]
        records.append({"name": name, "sequence": ids, "genes": genes, "parts": parts})
    return _genome_dataset(
        records, labels=labels, fractions=fractions, ambiguous=ambiguous,
        description=f"{gff_file.name}: labels from the {'/'.join(feature_types)} features of the GFF3 file",
    )


# --------------------------------------------------------------------------- splice junctions


def read_splice(path, *, ambiguity="n"):
    """Rows of the UCI splice-junction file (``splice.data``, or ``splice.csv`` with a header).

    Every field is stripped of its padding spaces.

    Returns:
        ``(examples, ambiguous)``: a list of ``{"id", "sequence", "ids", "label"}`` in file
        order, and the counts of ambiguity codes.

    Raises:
        DataFormatError: a row without 3 comma-separated fields, an unknown class, or a bad
            base (file and line).
    """
    examples, ambiguous = [], collections.Counter()
    for line_number, line in enumerate(read_lines(path, strip=True), start=1):
        if not line:
            continue
        fields = [field.strip() for field in line.split(",")]
        if line_number == 1 and fields[0].lower() == "class":
            continue
        if len(fields) != 3:
            raise DataFormatError(f"expected 3 comma-separated fields (class, id, sequence), found {len(fields)}",
                                  path=path, line=line_number)
        label, name, sequence = fields
        if label not in SPLICE_CLASSES:
            raise DataFormatError(f"class {label!r} is not one of {', '.join(SPLICE_CLASSES)}", path=path,
                                  line=line_number)
        ids = encode(sequence, ambiguity=ambiguity, path=path, line=line_number, name=f"sequence {name}")
        ambiguous.update(count_ambiguous(sequence))
        examples.append({"id": name, "sequence": sequence, "ids": ids, "label": SPLICE_CLASSES.index(label)})
    return examples, ambiguous


def ambiguous_rows(examples):
    """How many splice examples hold at least one ambiguity code (``N`` included).

    >>> ambiguous_rows([{"sequence": "ACGN"}, {"sequence": "ACGT"}])
    1
    """
    return sum(bool(count_ambiguous(example["sequence"])) for example in examples)


def splice_folds(labels, num_folds=10, seed=0):
    """Fold number (0..num_folds-1) of every example: a fixed-seed stratified K-fold assignment.

    >>> splice_folds([0, 0, 1, 1, 2, 2], num_folds=2).tolist()
    [1, 0, 0, 1, 0, 1]
    """
    from sklearn.model_selection import StratifiedKFold

    folds = np.zeros(len(labels), dtype=int)
    splitter = StratifiedKFold(n_splits=num_folds, shuffle=True, random_state=seed)
    for fold, (_, test_index) in enumerate(splitter.split(np.zeros(len(labels)), labels)):
        folds[test_index] = fold
    return folds


def load_uci_splice(path, *, test_fold=0, num_folds=10, seed=0, ambiguity="n"):
    """UCI primate splice-junction sequences: train / valid / test splits of one CV fold.

    Args:
        path: the folder holding ``splice.csv`` (or ``splice.data``), or the file itself.
        test_fold: which fold is the test split (0..num_folds-1); the next fold (cyclically)
            is the validation split and the rest train. ``test_fold=0`` is the fixed split.
        num_folds: number of stratified folds (10 for the usual 10-fold CV).
        seed: seed of the fold assignment (keep 0 to compare with the committed results).
        ambiguity: ``"n"`` maps the 15 rows' ambiguity codes to N; ``"error"`` rejects them.
    """
    if not 0 <= test_fold < num_folds:
        raise ValueError(f"test_fold={test_fold!r} must be in 0..{num_folds - 1} (num_folds={num_folds}).")
    path = pathlib.Path(path)
    if path.is_dir():
        path = next((path / name for name in ("splice.csv", "splice.data") if (path / name).is_file()),
                    path / "splice.csv")
    examples, ambiguous = read_splice(path, ambiguity=ambiguity)
    folds = splice_folds([example["label"] for example in examples], num_folds, seed)
    valid_fold = (test_fold + 1) % num_folds
    return {
        "train": [example for example, fold in zip(examples, folds) if fold not in (test_fold, valid_fold)],
        "valid": [example for example, fold in zip(examples, folds) if fold == valid_fold],
        "test": [example for example, fold in zip(examples, folds) if fold == test_fold],
        "classes": SPLICE_CLASSES,
        "ambiguous": dict(ambiguous),
        "ambiguous_rows": ambiguous_rows(examples),
    }


SOURCES = [
    Source(
        name="cdiphtheriae_genome",
        task="dna",
        folder="cdiphtheriae_genome",
        files=(GENOME_FILE,),
        loader=load_prodigal_genome,
        citation="Corynebacterium diphtheriae NCTC11397 chromosome (NCBI RefSeq GCF_001457455.1, NZ_LN831026.1), "
                 "as shipped in the pyrodigal wheel's test data; labels from pyrodigal's GeneFinder "
                 "(Larralde 2022, JOSS 7:4296; Prodigal: Hyatt et al. 2010, BMC Bioinformatics 11:119).",
        licence="NCBI sequence data (no restriction); pyrodigal GPL-3.0",
        embedded=lambda: package_path("pyrodigal", "tests", "data", GENOME_FILE),
        description="embedded: 2,463,666-bp chromosome, per-base labels = Prodigal's 2,343 predicted genes",
    ),
    Source(
        name="genbank",
        task="dna",
        folder="genbank",
        files=(),
        loader=load_genbank,
        citation="Your own GenBank flat file(s); labels from their CDS (or exon) features.",
        licence="that of your file",
        description="user data: GenBank file or folder, per-base labels from CDS features (pass path=...)",
    ),
    Source(
        name="fasta_gff3",
        task="dna",
        folder="fasta_gff3",
        files=(),
        loader=load_fasta_gff3,
        citation="Your own FASTA + GFF3 annotation; labels from its CDS features.",
        licence="that of your files",
        description="user data: folder with a FASTA + a GFF3 file (or GFF3 with ##FASTA), labels from CDS",
    ),
    Source(
        name="uci_splice",
        task="dna",
        folder="uci_splice",
        files=("splice.csv",),
        loader=load_uci_splice,
        citation="UCI Molecular Biology (Splice-junction Gene Sequences), Towell, Noordewier & Shavlik 1992; "
                 "CSV copy from seacevedo/SpliceJunctionPrediction @ 99f4988.",
        licence="UCI ML repository (CC BY 4.0)",
        description="3,190 primate sequences of 60 nt: 767 EI / 768 IE / 1,655 N",
    ),
]
