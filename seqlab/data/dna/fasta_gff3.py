"""FASTA and GFF3 files: sequences, CDS features, and the ``fasta_gff3`` source (a user's own annotation)."""

import collections
import pathlib
import re

import numpy as np

from seqlab.data.dna.bases import count_ambiguous, encode
from seqlab.data.dna.files import files_with_suffix, open_text
from seqlab.data.dna.labels import Gene, check_feature_types
from seqlab.data.dna.regions import DEFAULT_FRACTIONS, genome_dataset
from seqlab.data.sources import DataFormatError, DataNotFoundError, read_lines

FASTA_SUFFIXES = (".fna", ".fa", ".fasta", ".fas", ".fsa", ".ffn")
GFF_SUFFIXES = (".gff3", ".gff")


def read_fasta(path, *, ambiguity="n"):
    """Records of a FASTA file (plain or ``.gz``) as ``[(name, ids)]`` plus ambiguity counts.

    Raises:
        DataFormatError: no ``>`` header before the first sequence line, a bad character
            (file, line and column), or no record at all.
    """
    records, ambiguous = [], collections.Counter()
    name, chunks = None, []
    with open_text(path) as handle:
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
    if str(path).endswith(".gz"):
        with open_text(path) as handle:
            lines = handle.read().splitlines()
    else:
        lines = read_lines(path, strip=False)
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
        labels, feature_types, fractions, ambiguity: as in :func:`seqlab.data.dna.load_genbank`; the frame of
            each CDS line comes from its GFF3 ``phase`` column.

    Raises:
        DataNotFoundError: the folder lacks a FASTA or GFF3 file.
        DataFormatError: malformed lines (file and line), or a feature on a sequence the FASTA
            file does not hold, or beyond its end.
    """
    check_feature_types(labels, feature_types)
    path = pathlib.Path(path)
    if path.is_dir():
        gff_files, fasta_files = files_with_suffix(path, GFF_SUFFIXES), files_with_suffix(path, FASTA_SUFFIXES)
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
    return genome_dataset(
        records, labels=labels, fractions=fractions, ambiguous=ambiguous,
        description=f"{gff_file.name}: labels from the {'/'.join(feature_types)} features of the GFF3 file",
    )
