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

One module per concern:

- :mod:`~seqlab.data.dna.bases`: base ids, one-hot vectors, reverse complement, ambiguity codes;
- :mod:`~seqlab.data.dna.labels`: :class:`Gene` and per-base gene labels on both strands;
- :mod:`~seqlab.data.dna.regions`: records cut into regions, regions into training windows;
- :mod:`~seqlab.data.dna.genome`: the embedded genome labelled by Prodigal;
- :mod:`~seqlab.data.dna.genbank` and :mod:`~seqlab.data.dna.fasta_gff3`: a user's own annotation;
- :mod:`~seqlab.data.dna.splice` and :mod:`~seqlab.data.dna.statlog`: labelled short sequences;
- :mod:`~seqlab.data.dna.files`: plain or gzipped text files, files of a folder by suffix.

Every public name is importable from here (``from seqlab.data.dna import encode, Gene``), and
:data:`SOURCES` registers the six data sources.

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

from seqlab.data.dna.bases import (
    AMBIGUITY_CODES,
    AMBIGUITY_OPTIONS,
    BASES,
    N_ID,
    NUM_BASES,
    count_ambiguous,
    decode,
    encode,
    one_hot,
    reverse_complement,
)
from seqlab.data.dna.fasta_gff3 import FASTA_SUFFIXES, GFF_SUFFIXES, load_fasta_gff3, read_fasta, read_gff3
from seqlab.data.dna.genbank import GENBANK_SUFFIXES, load_genbank
from seqlab.data.dna.genome import GENOME_FILE, load_prodigal_genome, prodigal_genes
from seqlab.data.dna.labels import (
    CODING_LABELS,
    FRAME_LABELS,
    LABEL_SCHEMES,
    STRAND_SWAP,
    Gene,
    check_feature_types,
    collapse_labels,
    gene_labels,
    reverse_complement_labels,
)
from seqlab.data.dna.regions import DEFAULT_FRACTIONS, genome_dataset, split_regions, window_starts, windows
from seqlab.data.dna.splice import (
    LABELLED_SUFFIXES,
    SPLICE_CLASSES,
    ambiguous_rows,
    duplicate_counts,
    load_labelled_sequences,
    load_uci_splice,
    overlapping_rows,
    read_labelled_sequences,
    read_splice,
    sequence_key,
    splice_folds,
    split_overlaps,
)
from seqlab.data.dna.statlog import (
    STATLOG_BITS,
    STATLOG_FILE,
    STATLOG_TRAIN_ROWS,
    decode_statlog_bits,
    load_statlog_dna,
    read_statlog_dna,
)
from seqlab.data.sources import Source, package_path

__all__ = [
    "AMBIGUITY_CODES", "AMBIGUITY_OPTIONS", "BASES", "CODING_LABELS", "DEFAULT_FRACTIONS", "FASTA_SUFFIXES",
    "FRAME_LABELS", "GENBANK_SUFFIXES", "GENOME_FILE", "GFF_SUFFIXES", "Gene", "LABELLED_SUFFIXES", "LABEL_SCHEMES",
    "NUM_BASES", "N_ID", "SOURCES", "SPLICE_CLASSES", "STATLOG_BITS", "STATLOG_FILE", "STATLOG_TRAIN_ROWS",
    "STRAND_SWAP", "ambiguous_rows", "check_feature_types", "collapse_labels", "count_ambiguous", "decode",
    "decode_statlog_bits", "duplicate_counts", "encode", "gene_labels", "genome_dataset", "load_fasta_gff3",
    "load_genbank", "load_labelled_sequences", "load_prodigal_genome", "load_statlog_dna", "load_uci_splice",
    "one_hot", "overlapping_rows", "prodigal_genes", "read_fasta", "read_gff3", "read_labelled_sequences",
    "read_splice", "read_statlog_dna", "reverse_complement", "reverse_complement_labels", "sequence_key",
    "splice_folds", "split_overlaps", "split_regions", "window_starts", "windows",
]

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
