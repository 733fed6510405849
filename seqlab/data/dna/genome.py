"""The embedded genome: the *C. diphtheriae* chromosome shipped in the pyrodigal wheel, labelled by Prodigal."""

import pathlib

from seqlab import checks
from seqlab.data.dna.bases import decode
from seqlab.data.dna.fasta_gff3 import read_fasta
from seqlab.data.dna.labels import LABEL_SCHEMES, Gene
from seqlab.data.dna.regions import DEFAULT_FRACTIONS, genome_dataset

GENOME_FILE = "GCF_001457455.1_NCTC11397_genomic.fna.gz"


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
        ambiguity: ``"n"`` or ``"error"`` (see :func:`seqlab.data.dna.encode`).
    """
    checks.one_of("labels", labels, LABEL_SCHEMES)
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / GENOME_FILE
    fasta, ambiguous = read_fasta(path, ambiguity=ambiguity)
    records = []
    for name, ids in fasta:
        genes = prodigal_genes(ids)
        records.append({"name": name, "sequence": ids, "genes": genes, "parts": genes})
    return genome_dataset(
        records, labels=labels, fractions=fractions, ambiguous=ambiguous,
        description=f"{path.name}: labels are pyrodigal (Prodigal) gene predictions, not verified genes",
    )
