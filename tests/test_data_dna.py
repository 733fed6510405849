"""DNA sources: encoding, strands, labels from GenBank / GFF3 files written here, region split, UCI splice."""

import collections
import os
import pathlib

import numpy as np
import pytest

from seqlab import data
from seqlab.data import dna
from seqlab.data.dna import Gene

SHARED = pathlib.Path(os.environ["SEQLAB_DATA_DIR"]) if os.environ.get("SEQLAB_DATA_DIR") else None


def shared_splice():
    if SHARED is None:
        pytest.skip("SEQLAB_DATA_DIR is not set; the shared benchmark files are needed")
    path = SHARED / "uci_splice"
    if not (path / "splice.csv").is_file():
        pytest.skip(f"{path} lacks splice.csv")
    return path


def test_one_hot_and_reverse_complement():
    ids = dna.encode("ACGTNacgtU")
    assert ids.tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3, 3]
    vectors = dna.one_hot(ids)
    assert vectors.shape == (10, 5)
    assert vectors.sum(axis=1).tolist() == [1.0] * 10
    assert vectors.argmax(axis=1).tolist() == ids.tolist()
    assert dna.decode(dna.reverse_complement(dna.encode("AACCGTN"))) == "NACGGTT"
    random_ids = np.random.default_rng(0).integers(0, 5, size=(3, 40))
    assert np.array_equal(dna.reverse_complement(dna.reverse_complement(random_ids)), random_ids)
    assert dna.one_hot(np.array([-1])).sum() == 0.0


def test_bad_characters_and_ambiguity_codes():
    with pytest.raises(data.DataFormatError, match=r"'X' at position 5 \(1-based\)"):
        dna.encode("ACGTX")
    with pytest.raises(data.DataFormatError, match=r"ambiguity code 'R' at position 2"):
        dna.encode("ARGT", ambiguity="error")
    assert dna.encode("ARGT").tolist() == [0, 4, 2, 3]
    assert dna.count_ambiguous("ARGTNN") == {"R": 1, "N": 2}
    with pytest.raises(ValueError, match="ambiguity='maybe'"):
        dna.encode("ACGT", ambiguity="maybe")


def test_fasta_bad_character_names_file_and_line(tmp_path):
    fasta = tmp_path / "bad.fna"
    fasta.write_text(">chr1\nACGTACGT\nACG*T\n")
    with pytest.raises(data.DataFormatError, match=r"bad.fna:3: line: character '\*' at position 4"):
        dna.read_fasta(fasta)


def test_frame_labels_on_both_strands_and_reverse_complement():
    labels = dna.gene_labels(20, [Gene(1, 10, 1), Gene(12, 18, -1)])
    assert labels.tolist() == [0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 0, 0, 6, 5, 4, 6, 5, 4, 0, 0]
    flipped = dna.reverse_complement_labels(labels)
    # the reverse-strand gene of the forward sequence is a forward gene of the reverse complement
    assert flipped.tolist() == [0, 0, 1, 2, 3, 1, 2, 3, 0, 0, 6, 5, 4, 6, 5, 4, 6, 5, 4, 0]
    assert np.array_equal(dna.collapse_labels(flipped), dna.collapse_labels(labels)[::-1])


def test_windows_cover_every_base_on_both_strands():
    sequence = dna.encode("ACGTTGCAAC" * 5)
    labels = dna.gene_labels(50, [Gene(3, 45, 1)])
    ids, window_labels, weights = dna.windows([{"sequence": sequence, "labels": labels}], 20, 10)
    assert ids.shape == window_labels.shape == weights.shape == (8, 20)  # starts 0, 10, 20, 30 on each strand
    forward, reverse = ids[:4], ids[4:]
    assert np.array_equal(forward[1], sequence[10:30])
    assert np.array_equal(reverse[1], dna.reverse_complement(sequence[10:30]))
    assert np.array_equal(window_labels[5], dna.reverse_complement_labels(labels[10:30]))
    short, short_labels, short_weights = dna.windows([{"sequence": sequence[:7], "labels": labels[:7]}], 10)
    assert short[0].tolist()[7:] == [-1, -1, -1] and short_weights[0].sum() == 7 and short_weights[1].sum() == 7


def test_region_split_is_contiguous_without_overlap():
    dataset = data.load("cdiphtheriae_genome")
    regions = [region for split in ("train", "valid", "test") for region in dataset[split]]
    assert [region["record"] for region in regions] == ["NZ_LN831026.1"] * 3
    spans = [(region["start"], region["start"] + len(region["sequence"])) for region in regions]
    assert spans[0][0] == 0 and spans[-1][1] == 2_463_666
    assert all(end == next_start for (_, end), (next_start, _) in zip(spans, spans[1:]))
    assert abs(spans[2][0] / 2_463_666 - 0.8) < 1e-5
    for region in regions:
        assert all(0 <= gene.start < gene.end <= len(region["sequence"]) for gene in region["genes"])
    test = dataset["test"][0]
    assert 0.85 < dna.collapse_labels(test["labels"]).mean() < 0.88  # Prodigal calls ~87 % of the test region coding
    assert set(np.unique(test["labels"])) == set(range(7))
    assert dataset["label_names"] == dna.FRAME_LABELS
    assert "Prodigal" in dataset["description"]


def write_genbank(path):
    from Bio.Seq import Seq
    from Bio.SeqFeature import CompoundLocation, SeqFeature, SimpleLocation
    from Bio.SeqRecord import SeqRecord
    from Bio import SeqIO

    record = SeqRecord(Seq("ATGAAATAGCCCCTACTTCATTTTCAT" + "A" * 13), id="toy1", name="toy1",
                       annotations={"molecule_type": "DNA"})
    record.features = [
        SeqFeature(SimpleLocation(0, 9, strand=1), type="CDS"),
        # a spliced CDS on the reverse strand: exons 13..18 and 21..27 (0-based), 5' end on the right
        SeqFeature(CompoundLocation([SimpleLocation(21, 27, strand=-1), SimpleLocation(13, 18, strand=-1)]),
                   type="CDS", qualifiers={"codon_start": ["1"]}),
        SeqFeature(SimpleLocation(30, 36, strand=1), type="gene"),
    ]
    SeqIO.write([record], path, "genbank")


def test_genbank_cds_labels(tmp_path):
    file = tmp_path / "toy.gbk"
    write_genbank(file)
    dataset = data.load("genbank", path=file, fractions=(1.0, 0.0, 0.0))
    region = dataset["train"][0]
    expected = np.zeros(40, dtype=int)
    expected[0:9] = [1, 2, 3] * 3
    # reverse strand, spliced: 5' exon 21..27 (6 bases) then 13..18 (5 bases), codons counted across the join
    expected[21:27] = [6, 5, 4, 6, 5, 4]
    expected[13:18] = [5, 4, 6, 5, 4]
    assert region["labels"].tolist() == expected.tolist()
    assert region["genes"] == [Gene(0, 9, 1), Gene(13, 27, -1)]
    coding = data.load("genbank", path=file, labels="coding", fractions=(1.0, 0.0, 0.0))
    assert coding["train"][0]["labels"].tolist() == (expected > 0).astype(int).tolist()
    with pytest.raises(ValueError, match="only CDS features carry a reading frame"):
        data.load("genbank", path=file, feature_types=("CDS", "exon"))


def test_genbank_needs_a_path():
    with pytest.raises(data.DataNotFoundError, match="'genbank' was not found"):
        data.resolve("genbank", download=False)


def test_fasta_gff3_labels_with_phase(tmp_path):
    (tmp_path / "toy.fna").write_text(">chrA\n" + "ACGT" * 10 + "\n>chrB\nAAAAAAAAAA\n")
    (tmp_path / "toy.gff3").write_text(
        "##gff-version 3\n"
        "chrA\ttest\tgene\t1\t40\t.\t+\t.\tID=gene1\n"
        "chrA\ttest\tCDS\t3\t11\t.\t+\t0\tID=cds1;Parent=gene1\n"
        "chrA\ttest\tCDS\t20\t26\t.\t-\t1\tID=cds2\n"
        "chrA\ttest\tCDS\t30\t33\t.\t-\t0\tID=cds2\n"
    )
    dataset = data.load("fasta_gff3", path=tmp_path, fractions=(1.0, 0.0, 0.0))
    chr_a, chr_b = dataset["train"]
    expected = np.zeros(40, dtype=int)
    expected[2:11] = [1, 2, 3] * 3
    expected[19:26] = [6, 5, 4, 6, 5, 4, 6]  # phase 1: the 5' (right) base ends the previous codon
    expected[29:33] = [4, 6, 5, 4]
    assert chr_a["labels"].tolist() == expected.tolist()
    assert chr_a["genes"] == [Gene(2, 11, 1), Gene(19, 33, -1)]
    assert chr_b["labels"].tolist() == [0] * 10


def test_gff3_malformed_line_names_file_and_line(tmp_path):
    (tmp_path / "toy.fna").write_text(">chrA\nACGTACGTAC\n")
    (tmp_path / "toy.gff3").write_text("##gff-version 3\nchrA\ttest\tCDS\t3\tten\t.\t+\t0\tID=x\n")
    with pytest.raises(data.DataFormatError, match=r"toy.gff3:2: start='3' and end='ten' must be integers"):
        data.load("fasta_gff3", path=tmp_path)
    (tmp_path / "toy.gff3").write_text("chrA\ttest\tCDS\t3\t8\n")
    with pytest.raises(data.DataFormatError, match=r"toy.gff3:1: expected 9 tab-separated GFF3 columns, found 5"):
        data.load("fasta_gff3", path=tmp_path)


def test_uci_splice_counts_folds_and_ambiguity():
    path = shared_splice()
    dataset = data.load("uci_splice", path=path)
    splits = [dataset[name] for name in ("train", "valid", "test")]
    assert [len(split) for split in splits] == [2552, 319, 319]
    every = [example for split in splits for example in split]
    assert collections.Counter(dna.SPLICE_CLASSES[example["label"]] for example in every) == {
        "EI": 767, "IE": 768, "N": 1655}
    assert all(example["ids"].shape == (60,) for example in every)
    assert all(example["sequence"] == example["sequence"].strip() for example in every)
    assert dataset["ambiguous_rows"] == 15
    assert dataset["ambiguous"] == {"N": 56, "D": 2, "R": 1, "S": 1}
    # stratified: every split holds the three classes in about the file's proportions
    shares = collections.Counter(example["label"] for example in dataset["test"])
    assert abs(shares[2] / len(dataset["test"]) - 1655 / 3190) < 0.01
    # ten folds: each row is a test row exactly once (the file repeats some sequences, so
    # identical sequences can still fall into different folds, as in every published result)
    def key(example):
        return example["label"], example["id"], example["sequence"]

    tested = collections.Counter()
    for fold in range(10):
        fold_data = data.load("uci_splice", path=path, test_fold=fold)
        tested.update(key(example) for example in fold_data["test"])
    assert tested == collections.Counter(key(example) for example in every)
    with pytest.raises(data.DataFormatError, match=r"splice.csv:\d+: sequence .*: ambiguity code"):
        data.load("uci_splice", path=path, ambiguity="error")


def test_uci_splice_bad_rows(tmp_path):
    (tmp_path / "splice.csv").write_text("Class, Donor, Sequence\nEI,  X-1,   ACGT\nXX,  X-2,   ACGT\n")
    with pytest.raises(data.DataFormatError, match=r"splice.csv:3: class 'XX' is not one of EI, IE, N"):
        data.load("uci_splice", path=tmp_path)
    (tmp_path / "splice.csv").write_text("EI,  X-1,   ACGZ\n")
    with pytest.raises(data.DataFormatError, match=r"splice.csv:1: sequence X-1: character 'Z' at position 4"):
        data.load("uci_splice", path=tmp_path)
