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

Short labelled sequences (many-to-one) come from three sources, all dicts of splits
``"train"``, ``"valid"``, ``"test"``, each a list of ``{"id", "sequence", "ids", "label"}``
(label an index into ``dataset["classes"]``), plus ``"duplicates"`` (how often identical
sequences repeat) and ``"overlaps"`` (rows of a split whose sequence also occurs in an
earlier split):

- ``uci_splice``: the UCI splice junctions (classes :data:`SPLICE_CLASSES`). The three splits
  come from one fixed-seed stratified 10-fold assignment: fold ``test_fold`` is the test
  split, the next fold the validation split, the other eight train; ``test_fold`` = 0..9
  gives 10-fold CV. ``group_identical=True`` keeps identical sequences in one fold.
- ``labelled_sequences``: any ``class, id, sequence`` file (e.g. UCI promoters), its classes
  read from the file, split like ``uci_splice``.
- ``statlog_dna``: the StatLog version of the splice data (mlbench's ``DNA.rda``), its fixed
  2,000 / 1,186 train / test split, with a validation part carved from the 2,000.

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
import functools
import gzip
import pathlib
import re
import warnings
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


def _is_local(part, record):
    """Whether a location part lies on ``record`` (no accession, or the record's own)."""
    if part.ref is None:
        return True
    own = {record.id, record.name, record.id.split(".")[0]}
    return part.ref in own or part.ref.split(".")[0] in own


def _feature_name(feature):
    """A readable name for a feature in messages: its locus tag, gene, protein id or location."""
    for key in ("locus_tag", "gene", "protein_id", "product"):
        if feature.qualifiers.get(key):
            return f"{feature.type} {feature.qualifiers[key][0]!r}"
    return f"{feature.type} at {feature.location}"


def _genbank_parts(feature, record, record_length):
    """The local :class:`Gene` parts (5' to 3') of a GenBank feature, with phases along the spliced CDS.

    Parts on other entries (``join(X03488.1:50..196,1..300)``) are left out, but their lengths
    still count towards the reading frame of the local parts that follow them.

    Returns:
        ``(parts, remote)``: the local parts and the accessions of the skipped remote parts.
    """
    codon_start = int(feature.qualifiers.get("codon_start", ["1"])[0])
    offset, parts, remote = 0, [], []
    for part in feature.location.parts:
        if not _is_local(part, record):
            remote.append(part.ref)
            offset += max(int(part.end) - int(part.start), 0)
            continue
        start, end = max(int(part.start), 0), min(int(part.end), record_length)
        if end <= start:
            continue
        strand = -1 if part.strand == -1 else 1
        parts.append(Gene(start, end, strand, phase=(codon_start - 1 - offset) % 3))
        offset += end - start
    return parts, remote


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

    A feature whose location joins parts of other entries (``join(X03488.1:50..196,1..300)``)
    keeps only its local parts, with the reading frame counted across the remote ones, and a
    warning names the record and the feature.

    Raises:
        DataFormatError: a file Biopython cannot parse, one with no record, a record without
            sequence (a CONTIG-only record), or a bad base; the file and record are named.
    """
    from Bio import SeqIO
    from Bio.Seq import UndefinedSequenceError

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
            try:
                text = str(record.seq)
            except UndefinedSequenceError:
                raise DataFormatError(
                    f"record {record.id!r} holds no sequence (no ORIGIN section"
                    f"{'; a CONTIG-only record that assembles other entries' if 'contig' in record.annotations else ''}"
                    "); download it with its sequence (NCBI: GenBank (full), rettype=gbwithparts)",
                    path=file,
                ) from None
            if not text:
                raise DataFormatError(f"record {record.id!r} holds no sequence (empty ORIGIN section)", path=file)
            ids = encode(text, ambiguity=ambiguity, path=file, name=record.id)
            ambiguous.update(count_ambiguous(text))
            genes, parts = [], []
            for feature in record.features:
                if feature.type not in feature_types:
                    continue
                feature_parts, remote = _genbank_parts(feature, record, len(ids))
                if remote:
                    warnings.warn(
                        f"{file.name}: record {record.id!r}: {_feature_name(feature)} ({feature.location}) joins parts "
                        f"of other entries ({', '.join(dict.fromkeys(remote))}); they are skipped and the gene is "
                        + ("built from its local parts." if feature_parts else "left out (it has no local part)."),
                        stacklevel=2,
                    )
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


# --------------------------------------------------------------------------- labelled short sequences


_HEADER_CLASS_NAMES = {"class", "classes", "label", "labels", "target", "y"}
_HEADER_SEQUENCE_NAMES = {"sequence", "sequences", "seq", "dna"}
LABELLED_SUFFIXES = (".csv", ".data", ".txt")


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
    :func:`seqlab.dna.stack_ids`).

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
        candidates = _files_with_suffix(path, LABELLED_SUFFIXES)
        if len(candidates) != 1:
            raise DataNotFoundError(f"folder {path} must hold exactly one labelled-sequence file "
                                    f"({', '.join(LABELLED_SUFFIXES)}); found {len(candidates)}: pass the file itself.")
        path = candidates[0]
    examples, classes, ambiguous = read_labelled_sequences(path, classes=classes, ambiguity=ambiguity)
    return _fold_dataset(examples, classes, ambiguous, test_fold=test_fold, num_folds=num_folds, seed=seed,
                         group_identical=group_identical,
                         description=f"{path.name}: {len(examples)} labelled sequences, classes "
                                     f"{', '.join(classes)}, fold {test_fold} of {num_folds}")


# --------------------------------------------------------------------------- StatLog DNA (mlbench)


STATLOG_FILE = "DNA.rda"
STATLOG_TRAIN_ROWS = 2000
STATLOG_BITS = {"A": (1, 0, 0), "C": (0, 1, 0), "G": (0, 0, 1), "T": (0, 0, 0)}
_STATLOG_LOOKUP = np.full(8, -1, dtype=np.int8)
for _base, (_first, _second, _third) in STATLOG_BITS.items():
    _STATLOG_LOOKUP[4 * _first + 2 * _second + _third] = BASES.index(_base)


def decode_statlog_bits(bits):
    """Base ids from the StatLog 3-bit indicators (``A 100, C 010, G 001, T 000``), ``(..., 60 * 3) -> (..., 60)``.

    Returns ``-1`` where a base's bits are none of the four patterns.

    >>> decode(decode_statlog_bits(np.array([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0])))
    'ACGT'
    """
    bits = np.asarray(bits).astype(np.int64)
    triples = bits.reshape(bits.shape[:-1] + (bits.shape[-1] // 3, 3))
    return _STATLOG_LOOKUP[triples @ np.array([4, 2, 1])]


def read_statlog_dna(path):
    """The 3,186 examples of mlbench's ``DNA.rda``, in file order, bases decoded from their bits.

    Returns:
        a list of ``{"id", "sequence", "ids", "label"}`` (``id`` the R row name, ``label`` an
        index into :data:`SPLICE_CLASSES`).

    Raises:
        DataFormatError: not an R data file, no ``DNA`` data frame, not 180 indicator
            columns plus ``Class``, a value other than 0/1, a base whose bits are none of the
            four patterns, or an unknown class (row and base named).
    """
    try:
        import pyreadr
    except ImportError as error:
        raise ImportError("reading the StatLog DNA file (an R .rda file) needs pyreadr: pip install pyreadr") from error
    path = pathlib.Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"file {path} does not exist.")
    try:
        frames = pyreadr.read_r(str(path))
    except Exception as error:  # pyreadr raises its own LibrdataError / PyreadrError types
        raise DataFormatError(f"not a readable R data file: {error}", path=path) from error
    if "DNA" in frames:
        frame = frames["DNA"]
    elif len(frames) == 1:
        frame = next(iter(frames.values()))
    else:
        raise DataFormatError(f"no data frame named 'DNA'; the file holds {', '.join(frames) or 'none'}", path=path)
    columns = [f"V{index}" for index in range(1, 181)]
    missing = [name for name in (*columns, "Class") if name not in frame.columns]
    if missing:
        raise DataFormatError(f"expected columns V1..V180 and Class (mlbench's DNA); missing {', '.join(missing[:5])}"
                              f"{' ...' if len(missing) > 5 else ''}", path=path)
    values = frame[columns].astype(str).to_numpy()
    bad = np.argwhere((values != "0") & (values != "1"))
    if bad.size:
        row, column = bad[0]
        raise DataFormatError(f"row {frame.index[row]}: column {columns[column]} holds {values[row, column]!r}, "
                              "not 0 or 1", path=path)
    ids = decode_statlog_bits((values == "1").astype(np.int8))
    bad = np.argwhere(ids < 0)
    if bad.size:
        row, base = bad[0]
        raise DataFormatError(f"row {frame.index[row]}: base {base + 1} (columns V{3 * base + 1}..V{3 * base + 3}) has "
                              "more than one bit set; allowed: A 100, C 010, G 001, T 000", path=path)
    examples = []
    for row, (name, label) in enumerate(zip(frame.index, frame["Class"].astype(str))):
        if label.upper() not in SPLICE_CLASSES:
            raise DataFormatError(f"row {name}: class {label!r} is not one of ei, ie, n", path=path)
        examples.append({"id": str(name), "sequence": decode(ids[row]), "ids": ids[row],
                         "label": SPLICE_CLASSES.index(label.upper())})
    return examples


def load_statlog_dna(path, *, valid_fraction=0.1, seed=0):
    """The StatLog splice-junction data (mlbench's ``DNA.rda``): the StatLog train / test split.

    **Row order.** mlbench's help page (``man/DNA.Rd``) describes the data but does not say
    which rows were StatLog's training and test sets, and its rows are not in the order of
    the UCI file (they are shuffled). The StatLog split is 2,000 training and 1,186 test
    examples; the first 2,000 rows of ``DNA.rda`` hold 464 ei / 485 ie / 1,051 n and the last
    1,186 hold 303 ei / 280 ie / 603 n, the class counts given for StatLog's training and test
    sets (quoted in issue 18; not checked here against the StatLog book). A random 2,000 /
    1,186 split matches all three counts with probability 0.04 %, so the first 2,000 rows are
    taken as the training set and the last 1,186 as the test set (StatLog's two files
    concatenated in order).

    **Bases.** Each base is 3 indicator bits, ``A 100, C 010, G 001, T 000`` (mlbench's and
    StatLog's documentation). Checked against the UCI file: decoded this way, 3,175 of the
    3,186 rows are an exact UCI sequence with the same class (no other assignment of the four
    patterns matches more than a few rows). The other 11 are UCI rows holding ``N``, which
    StatLog encoded as ``001``, the code of G: in those rows some G are really unknown bases,
    and nothing in the file tells which (mlbench's "4 examples with ambiguities were removed"
    covers only the rows with other codes). The bases are decoded to ids 0..3 so the splice
    models and features (:func:`seqlab.dna.splice_features`) apply unchanged; the one-hot of
    the ids carries exactly the information of the 180 bits.

    **Duplicates.** 82 of the 1,186 test rows have an identical sequence among the 2,000
    training rows (``dataset["overlaps"]``); StatLog's split keeps them and so does this loader.

    Args:
        path: ``DNA.rda`` or the folder holding it.
        valid_fraction: share of the 2,000 training rows held out for validation (model
            selection): one fold of a seeded stratified group K-fold over the training rows
            (``round(1 / valid_fraction)`` folds; identical sequences stay on one side). ``0``
            keeps all 2,000 rows for training.
        seed: seed of the validation draw.

    Returns:
        ``{"train", "valid", "test", "classes", "duplicates", "overlaps", "ambiguous",
        "ambiguous_rows", "sequence_length", "description"}``; ``train`` + ``valid`` are
        StatLog's 2,000 training rows, ``test`` its 1,186 test rows. ``ambiguous`` and
        ``ambiguous_rows`` are ``None``: the bit encoding cannot show ambiguity codes.
    """
    if not 0 <= valid_fraction <= 0.5:
        raise ValueError(f"valid_fraction={valid_fraction!r} must be between 0 and 0.5.")
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / STATLOG_FILE
    examples = read_statlog_dna(path)
    if len(examples) <= STATLOG_TRAIN_ROWS:
        raise DataFormatError(f"expected 3,186 rows (2,000 StatLog training + 1,186 test), found {len(examples)}",
                              path=path)
    training, test = examples[:STATLOG_TRAIN_ROWS], examples[STATLOG_TRAIN_ROWS:]
    if valid_fraction > 0:
        folds = splice_folds([example["label"] for example in training], int(round(1 / valid_fraction)), seed,
                             groups=[sequence_key(example) for example in training])
        train = [example for example, fold in zip(training, folds) if fold != 0]
        valid = [example for example, fold in zip(training, folds) if fold == 0]
    else:
        train, valid = training, []
    dataset = {
        "train": train,
        "valid": valid,
        "test": test,
        "classes": SPLICE_CLASSES,
        "ambiguous": None,
        "ambiguous_rows": None,
        "duplicates": duplicate_counts(examples),
        "sequence_length": 60,
        "description": f"{path.name}: StatLog DNA (mlbench), rows 1-2,000 train ({len(train)} train + {len(valid)} "
                       f"validation), rows 2,001-{len(examples):,} test",
    }
    dataset["overlaps"] = split_overlaps(dataset)
    return dataset


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
    Source(
        name="labelled_sequences",
        task="dna",
        folder="labelled_sequences",
        files=(),
        loader=load_labelled_sequences,
        citation="Your own labelled short sequences: 'class, id, sequence' lines (the layout of the UCI "
                 "splice.data and promoters.data files).",
        licence="that of your file",
        description="user data: a 'class, id, sequence' file, classes read from it (pass path=...)",
    ),
    Source(
        name="statlog_dna",
        task="dna",
        folder="statlog_dna",
        files=(STATLOG_FILE,),
        loader=load_statlog_dna,
        citation="StatLog project: Michie, Spiegelhalter & Taylor (eds.) 1994, Machine Learning, Neural and "
                 "Statistical Classification (DNA data prepared by R. King from the UCI primate splice-junction "
                 "sequences of Towell, Noordewier & Shavlik); R file from the mlbench package (Leisch & "
                 "Dimitriadou), Debian r-cran-mlbench 2.1-3-1, data/DNA.rda.",
        licence="GPL-2 (as packaged by mlbench)",
        description="3,186 splice sequences of 60 nt (StatLog split 2,000 train / 1,186 test): ei 767 / ie 765 / n 1,654",
    ),
]
