"""GenBank flat files: per-base labels from their CDS (or exon) features, the ``genbank`` source."""

import collections
import pathlib
import warnings

from seqlab.data.dna.bases import count_ambiguous, encode
from seqlab.data.dna.files import files_with_suffix, open_text
from seqlab.data.dna.labels import Gene, check_feature_types
from seqlab.data.dna.regions import DEFAULT_FRACTIONS, genome_dataset
from seqlab.data.sources import DataFormatError, DataNotFoundError

GENBANK_SUFFIXES = (".gb", ".gbk", ".genbank", ".gbff")


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
        fractions, ambiguity: as in :func:`seqlab.data.dna.load_prodigal_genome`.

    A feature whose location joins parts of other entries (``join(X03488.1:50..196,1..300)``)
    keeps only its local parts, with the reading frame counted across the remote ones, and a
    warning names the record and the feature.

    Raises:
        DataFormatError: a file Biopython cannot parse, one with no record, a record without
            sequence (a CONTIG-only record), or a bad base; the file and record are named.
    """
    from Bio import SeqIO
    from Bio.Seq import UndefinedSequenceError

    check_feature_types(labels, feature_types)
    path = pathlib.Path(path)
    files = files_with_suffix(path, GENBANK_SUFFIXES) if path.is_dir() else [path]
    if not files:
        raise DataNotFoundError(f"folder {path} holds no GenBank file ({', '.join(GENBANK_SUFFIXES)}).")
    records, ambiguous = [], collections.Counter()
    for file in files:
        with open_text(file) as handle:
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
    return genome_dataset(
        records, labels=labels, fractions=fractions, ambiguous=ambiguous,
        description=f"{path.name}: labels from the {'/'.join(feature_types)} features of the GenBank file(s)",
    )
