"""DNA sources: encoding, strands, labels from GenBank / GFF3 files written here, region split, UCI splice,
labelled short-sequence files, StatLog DNA."""

import collections
import warnings

import numpy as np
import pytest

from seqlab import data
from seqlab.data import dna
from seqlab.data.dna import Gene


def test_the_package_registers_every_dna_source_with_its_loader():
    loaders = {source.name: source.loader for source in dna.SOURCES}
    assert {name for name in data.available() if data.describe(name).task == "dna"} == set(loaders)
    assert loaders == {"cdiphtheriae_genome": dna.load_prodigal_genome, "genbank": dna.load_genbank,
                       "fasta_gff3": dna.load_fasta_gff3, "uci_splice": dna.load_uci_splice,
                       "labelled_sequences": dna.load_labelled_sequences, "statlog_dna": dna.load_statlog_dna}
    with pytest.raises(ValueError, match="labels='frame': only CDS features carry a reading frame"):
        dna.check_feature_types("frame", ("exon",))
    with pytest.raises(ValueError, match="labels='codons' is not allowed; allowed: frame, coding"):
        dna.check_feature_types("codons", ("CDS",))


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


def test_uci_splice_counts_folds_and_ambiguity(shared_data):
    path = shared_data("uci_splice", "splice.csv")
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


def test_uci_splice_group_folds_keep_identical_sequences_together(shared_data):
    path = shared_data("uci_splice", "splice.csv")
    plain = data.load("uci_splice", path=path)
    assert plain["duplicates"] == {"rows": 3190, "distinct_sequences": 3005, "repeated_sequences": 125,
                                   "rows_with_repeated_sequence": 310, "extra_copies": 185, "conflicting_labels": 1}
    assert plain["overlaps"]["test_in_train"] > 0  # the plain folds (and the published results) test on seen sequences
    every = plain["train"] + plain["valid"] + plain["test"]
    tested, sizes = collections.Counter(), []
    for fold in range(10):
        fold_data = data.load("uci_splice", path=path, test_fold=fold, group_identical=True)
        assert fold_data["overlaps"] == {"valid_in_train": 0, "test_in_train": 0, "test_in_valid": 0}
        tested.update((example["id"], example["sequence"]) for example in fold_data["test"])
        sizes.append(len(fold_data["test"]))
        shares = collections.Counter(example["label"] for example in fold_data["test"])
        assert abs(shares[2] / len(fold_data["test"]) - 1655 / 3190) < 0.02   # still stratified
    assert tested == collections.Counter((example["id"], example["sequence"]) for example in every)
    assert max(sizes) - min(sizes) <= 3


def write_labelled(path, rows, header=None):
    lines = ([header] if header else []) + [f"{label},  {name},\t\t{sequence}" for label, name, sequence in rows]
    path.write_text("\n".join(lines) + "\n")


def test_group_folds_keep_every_test_sequence_out_of_training(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for index in range(40):
        sequence = "".join(rng.choice(list("ACGT"), 12))
        label = "AB"[index % 2]
        copies = 1 + index % 3  # 40 sequences, 80 rows: one, two or three copies each
        rows += [(label, f"s{index}-{copy}", sequence.lower() if copy else sequence) for copy in range(copies)]
    rng.shuffle(rows)
    write_labelled(tmp_path / "toy.csv", rows)
    plain = [data.load("labelled_sequences", path=tmp_path, test_fold=fold, num_folds=5) for fold in range(5)]
    assert sum(fold["overlaps"]["test_in_train"] for fold in plain) > 0   # the plain folds leak on this file
    tested = collections.Counter()
    for fold in range(5):
        dataset = data.load("labelled_sequences", path=tmp_path, test_fold=fold, num_folds=5, group_identical=True)
        training = {example["sequence"].upper() for example in dataset["train"] + dataset["valid"]}
        assert not any(example["sequence"].upper() in training for example in dataset["test"])
        assert dataset["overlaps"] == {"valid_in_train": 0, "test_in_train": 0, "test_in_valid": 0}
        assert set(example["label"] for example in dataset["test"]) == {0, 1}
        tested.update(example["id"] for example in dataset["test"])
    assert tested == collections.Counter(name for _, name, _ in rows)  # each row tested exactly once
    assert dataset["duplicates"]["repeated_sequences"] == 26 and dataset["duplicates"]["extra_copies"] == 39


def test_labelled_sequence_file_with_its_own_classes(tmp_path):
    rows = [("+", "S10", "tactagcaatacgcttgcgttcggtggttaag"), ("-", "799", "ccacgcttgcgttcggtggttaagtatgtata"),
            ("+", "AMPC", "tgctatcctgacagttgtcacgctgattggtg"), ("-", "1154", "cgcttgcgttcggtggttaagtatgtataatg"),
            ("+", "AROH", "gtactagagaactagtgcattagcttattttt"), ("-", "1249", "ttgcgttcggtggttaagtatgtataatgcgc")]
    write_labelled(tmp_path / "promoters.data", rows)
    dataset = data.load("labelled_sequences", path=tmp_path / "promoters.data", num_folds=3)
    assert dataset["classes"] == ("+", "-")
    every = dataset["train"] + dataset["valid"] + dataset["test"]
    assert sorted((dataset["classes"][example["label"]], example["id"]) for example in every) == sorted(
        (label, name) for label, name, _ in rows)
    assert all(example["ids"].shape == (32,) for example in every) and dataset["sequence_length"] == 32
    assert [len(dataset[name]) for name in ("train", "valid", "test")] == [2, 2, 2]
    # a header line is skipped and the classes are read from the file, sorted
    write_labelled(tmp_path / "promoters.data", rows + [("weak", "W1", "acgt" * 8), ("weak", "W2", "tgca" * 8)], header="label, name, sequence")
    assert data.load("labelled_sequences", path=tmp_path, num_folds=2)["classes"] == ("+", "-", "weak")
    write_labelled(tmp_path / "promoters.data", [row for row in rows if row[0] == "+"])
    with pytest.raises(data.DataFormatError, match=r"promoters.data: a classification task needs at least two classes"):
        data.load("labelled_sequences", path=tmp_path, num_folds=2)
    (tmp_path / "other.csv").write_text("")
    with pytest.raises(data.DataNotFoundError, match="exactly one labelled-sequence file"):
        data.load("labelled_sequences", path=tmp_path)
    # the splice loader keeps its fixed classes
    write_labelled(tmp_path / "splice.csv", rows)
    with pytest.raises(data.DataFormatError, match=r"class '\+' is not one of EI, IE, N"):
        data.load("uci_splice", path=tmp_path)


def test_statlog_dna_split_and_classes(shared_data):
    path = shared_data("statlog_dna", "DNA.rda")
    dataset = data.load("statlog_dna", path=path)
    train, valid, test = dataset["train"], dataset["valid"], dataset["test"]
    assert len(train) + len(valid) == 2000 and len(test) == 1186
    assert 190 <= len(valid) <= 210
    every = train + valid + test
    assert len(every) == 3186 and dataset["classes"] == dna.SPLICE_CLASSES

    def counts(examples):
        return collections.Counter(dna.SPLICE_CLASSES[example["label"]] for example in examples)

    assert counts(every) == {"EI": 767, "IE": 765, "N": 1654}
    assert counts(train + valid) == {"EI": 464, "IE": 485, "N": 1051}   # StatLog's training set
    assert counts(test) == {"EI": 303, "IE": 280, "N": 603}             # and its test set
    assert abs(counts(valid)["N"] / len(valid) - 1051 / 2000) < 0.03     # stratified validation part
    assert [example["id"] for example in test] == [str(row) for row in range(2001, 3187)]
    assert dataset["overlaps"]["valid_in_train"] == 0                   # identical sequences on one side
    assert dataset["overlaps"]["test_in_train"] + dataset["overlaps"]["test_in_valid"] == 82
    assert all(example["ids"].shape == (60,) and set(example["sequence"]) <= set("ACGT") for example in every)
    everything = data.load("statlog_dna", path=path, valid_fraction=0)
    assert len(everything["train"]) == 2000 and everything["valid"] == []


def test_statlog_bits_decode_to_the_uci_sequences(shared_data):
    path = shared_data("statlog_dna", "DNA.rda")
    splice_path = shared_data("uci_splice", "splice.csv")
    statlog = dna.read_statlog_dna(path / "DNA.rda")
    uci, _ = dna.read_splice(splice_path / "splice.csv")
    labels = collections.defaultdict(set)
    for example in uci:
        labels[example["sequence"]].add(example["label"])
    # mlbench's A 100, C 010, G 001, T 000: all but the 11 rows whose N StatLog coded as G match a UCI row and class
    matched = sum(example["label"] in labels.get(example["sequence"], ()) for example in statlog)
    assert matched == 3175


def test_statlog_bad_bits_name_row_and_base(tmp_path):
    pandas = pytest.importorskip("pandas")
    pyreadr = pytest.importorskip("pyreadr")
    bits = {f"V{index}": ["0", "0"] for index in range(1, 181)}
    bits["V1"] = ["1", "0"]
    bits["V9"] = ["0", "1"]                      # row 2, base 3: 001, a G
    frame = pandas.DataFrame({name: pandas.Categorical(values) for name, values in bits.items()})
    frame["Class"] = pandas.Categorical(["ei", "n"])
    file = tmp_path / "DNA.rda"
    pyreadr.write_rdata(str(file), frame, df_name="DNA")
    examples = dna.read_statlog_dna(file)
    assert [example["sequence"][:4] for example in examples] == ["ATTT", "TTGT"]
    assert [example["label"] for example in examples] == [0, 2]
    with pytest.raises(data.DataFormatError, match="expected 3,186 rows"):
        dna.load_statlog_dna(tmp_path)
    frame["V8"] = pandas.Categorical(["0", "1"])  # row 2, base 3: bits 011
    pyreadr.write_rdata(str(file), frame, df_name="DNA")
    with pytest.raises(data.DataFormatError, match=r"DNA.rda: row 2: base 3 \(columns V7..V9\) has more than one bit"):
        dna.read_statlog_dna(file)


def genbank_text(name, sequence, feature_lines=(), contig=None):
    """A GenBank flat file of one record, written by hand (as users' files come)."""
    lines = [f"LOCUS       {name:<16} {len(sequence) if sequence else 5000:>11} bp    DNA     linear   "
             f"{'CON' if contig else 'BCT'} 01-JAN-2000",
             "DEFINITION  toy record.", f"ACCESSION   {name}", f"VERSION     {name}.1", "KEYWORDS    .",
             "SOURCE      .", "  ORGANISM  .", "            .", "FEATURES             Location/Qualifiers",
             *feature_lines]
    if contig:
        lines.append(f"CONTIG      {contig}")
    else:
        lines.append("ORIGIN")
        for begin in range(0, len(sequence), 60):
            chunk = sequence[begin:begin + 60].lower()
            lines.append(f"{begin + 1:>9} " + " ".join(chunk[at:at + 10] for at in range(0, len(chunk), 10)))
    return "\n".join(lines + ["//", ""])


def test_genbank_parts_on_other_entries_are_skipped_with_a_warning(tmp_path):
    sequence = "".join(np.random.default_rng(0).choice(list("ACGT"), 400))
    file = tmp_path / "remote.gbk"
    file.write_text(genbank_text("toy1", sequence, [
        "     CDS             join(X03488.1:320..465,1..301)",  # remote coordinates inside this record's length
        '                     /locus_tag="TOY_0001"',
        "     CDS             complement(340..375)",
        '                     /locus_tag="TOY_0002"',
    ]))
    with pytest.warns(UserWarning, match=r"remote.gbk: record 'toy1.1': CDS 'TOY_0001' .* joins parts of other entries "
                                         r"\(X03488.1\); they are skipped and the gene is built from its local parts"):
        dataset = data.load("genbank", path=file, fractions=(1.0, 0.0, 0.0))
    region = dataset["train"][0]
    assert region["genes"] == [Gene(0, 301, 1), Gene(339, 375, -1)]
    # the remote part holds 146 bases (48 codons + 2): local base 1 is the third base of a codon
    assert region["labels"][:301].tolist() == [(position + 2) % 3 + 1 for position in range(301)]
    assert region["labels"][301:339].tolist() == [0] * 38   # nothing labelled at the remote coordinates (320..)
    # a feature made only of remote parts is left out, with a warning
    file.write_text(genbank_text("toy1", sequence, ["     CDS             join(X03488.1:50..195,X03489.1:1..30)",
                                                    '                     /gene="abc"']))
    with pytest.warns(UserWarning, match=r"CDS 'abc' .* \(X03488.1, X03489.1\); .* left out \(it has no local part\)"):
        dataset = data.load("genbank", path=file, fractions=(1.0, 0.0, 0.0))
    assert dataset["train"][0]["labels"].sum() == 0 and dataset["train"][0]["genes"] == []
    # the record's own accession in a join is local
    file.write_text(genbank_text("toy1", sequence, ["     CDS             join(toy1.1:1..9,20..31)"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dataset = data.load("genbank", path=file, fractions=(1.0, 0.0, 0.0))
    assert dataset["train"][0]["genes"] == [Gene(0, 31, 1)]


def test_genbank_record_without_sequence_names_file_and_record(tmp_path):
    file = tmp_path / "contig.gbk"
    file.write_text(genbank_text("contig7", "", ["     source          1..5000"], contig="join(AB000001.1:1..5000)"))
    with pytest.raises(data.DataFormatError, match=r"contig.gbk: record 'contig7.1' holds no sequence .*CONTIG-only"):
        data.load("genbank", path=file)
