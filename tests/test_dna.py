"""DNA task helpers: window features with the codon clock, whole-region prediction, input gradients."""

import numpy as np
import pytest

from seqlab import dna, results
from seqlab.data.dna import Gene, encode, gene_labels, reverse_complement, reverse_complement_labels


class FrameOracle:
    """A fake tagger that knows the frame labels of one sequence and reports them as probabilities.

    It reads the windows it is given (forward or reverse complement) back to their positions,
    so predict_region must put the reverse-strand predictions back in place for the test to pass.
    """

    def __init__(self, sequence, labels):
        self.forward = (sequence.tobytes(), labels)
        self.reverse = (reverse_complement(sequence).tobytes(), reverse_complement_labels(labels))

    def predict(self, inputs, batch_size=None, verbose=0):
        ids = inputs[..., :5].argmax(-1).astype(np.int8)
        output = np.zeros(ids.shape + (7,), np.float32)
        for row, window in enumerate(ids):
            for text, labels in (self.forward, self.reverse):
                start = text.find(window.tobytes())
                if start >= 0:
                    output[row, np.arange(ids.shape[1]), labels[start:start + ids.shape[1]]] = 1.0
                    break
        return output


def test_predict_region_puts_both_strands_back_in_place():
    rng = np.random.default_rng(0)
    sequence = rng.integers(0, 4, 90).astype(np.int8)
    labels = gene_labels(90, [Gene(6, 36, 1), Gene(45, 84, -1)])
    probabilities = dna.predict_region(FrameOracle(sequence, labels), sequence, window=30, stride=10)
    assert probabilities.shape == (90, 7)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert dna.frame_predictions(probabilities).tolist() == labels.tolist()


def test_window_features_clock_is_relative_to_the_window():
    features = dna.window_features(encode("ACGTACG")[None], clock=True)
    assert features.shape == (1, 7, 8)
    assert features[0, :, 5:].argmax(-1).tolist() == [0, 1, 2, 0, 1, 2, 0]
    assert np.array_equal(features[..., :5].argmax(-1)[0], encode("ACGTACG"))


def test_input_gradients_point_at_the_position_the_model_reads():
    keras = pytest.importorskip("keras")
    inputs = keras.Input((6, 5))
    picked = keras.layers.Lambda(lambda x: x[:, 2, :])(inputs)  # the model reads position 2 only
    outputs = keras.layers.Dense(3, activation="softmax")(picked)
    model = keras.Model(inputs, outputs)
    one_hot = np.eye(5, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (4, 6))]
    saliency = dna.input_gradients(model, one_hot, class_index=np.array([0, 1, 2, 0]))
    assert saliency.shape == (4, 6)
    assert np.all(saliency[:, [0, 1, 3, 4, 5]] == 0.0)
    assert np.all(np.abs(saliency[:, 2]) > 0.0)
    predicted = dna.input_gradients(model, one_hot, batch_size=3)
    assert predicted.shape == (4, 6)


def write_annotated_genbank(path, seed=0):
    """Two records of random DNA with CDS features on both strands, written with Biopython."""
    from Bio import SeqIO
    from Bio.Seq import Seq
    from Bio.SeqFeature import SeqFeature, SimpleLocation
    from Bio.SeqRecord import SeqRecord

    rng = np.random.default_rng(seed)
    records = []
    for number in range(2):
        length = 3000
        sequence = "".join(rng.choice(list("ACGT"), length))
        features = [SeqFeature(SimpleLocation(start, start + 297, strand=1 if start % 2 else -1), type="CDS")
                    for start in range(101, length - 400, 450)]
        record = SeqRecord(Seq(sequence), id=f"toy{number}", name=f"toy{number}", annotations={"molecule_type": "DNA"})
        record.features = features
        records.append(record)
    SeqIO.write(records, path, "genbank")


def test_notebook_runs_on_a_genbank_file(tmp_path):
    papermill = pytest.importorskip("papermill")
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    genbank = tmp_path / "annotated.gbk"
    write_annotated_genbank(genbank)
    output = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(root / "notebooks" / "experiments" / "dna_labelling.ipynb"), str(output), cwd=str(root / "notebooks" / "experiments"),
        kernel_name="python3", progress_bar=False,
        parameters={"dataset": "genbank", "data_path": str(genbank), "max_examples": 16, "window": 60,
                    "stride": 30, "test_bases": 1500, "units": 4, "depth": 1, "kmer_size": 3, "kmer_window": 30})
    import json

    rows = results.rows_in(json.loads(output.read_text()))
    assert len(rows) == 1
    row = rows[0]
    # since e5974e4 the row keeps the task parameter (here absent: plain papermill, default per_base) untouched
    assert row["architecture"] == "many_to_many" and row["dataset"] == "genbank"
    assert row["test_bases_scored"] == 1200  # the last 20 % of each 3,000-base record
    assert 0.0 <= row["test_accuracy"] <= 1.0 and -1.0 <= row["test_mcc"] <= 1.0


def test_splice_features_mark_the_junction_and_saliency_ignores_them():
    ids = np.random.default_rng(0).integers(0, 4, size=(3, 60)).astype(np.int8)
    features = dna.splice_features(ids, position=True)
    assert features.shape == (3, 60, 7)
    assert np.array_equal(features[..., :5], dna.splice_features(ids))          # bases unchanged
    assert np.argmax(features[0, :, 6]) in (29, 30) and features[0, 0, 6] < 1e-3  # the bump peaks at the junction
    assert np.all(np.diff(features[0, :, 5]) > 0)                                 # the distance grows along the sequence
    import keras

    inputs = keras.Input((60, 7))
    position_only = keras.layers.Lambda(lambda x: x[..., 5:])(inputs)   # a model that reads the position channels only
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(position_only)))
    saliency = dna.input_gradients(model, features, class_index=0)
    assert saliency.shape == (3, 60) and np.allclose(saliency, 0.0)


def test_choose_threshold_uses_every_record_and_warns_without_coding_bases():
    rng = np.random.default_rng(0)
    # record 1's validation region is all coding; record 2's holds both classes
    first_probabilities, first_labels = rng.uniform(0.6, 0.9, 200), np.full(200, 2)
    second_labels = np.repeat([0, 1, 0, 4], 50)
    second_probabilities = np.where(second_labels > 0, rng.uniform(0.55, 0.9, 200), rng.uniform(0.3, 0.5, 200))
    with pytest.warns(UserWarning, match="holds no non-coding base"):
        assert dna.choose_threshold(first_probabilities, first_labels)[0] == 0.5   # the first record alone: nothing to choose
    threshold, mcc = dna.choose_threshold([first_probabilities, second_probabilities], [first_labels, second_labels])
    assert 0.5 <= threshold < 0.55 and mcc == 1.0
    with pytest.warns(UserWarning, match=r"validation data \(200 bases in 1 region\(s\)\) holds no coding base"):
        threshold, mcc = dna.choose_threshold([second_probabilities], [np.zeros(200, int)])
    assert threshold == 0.5 and np.isnan(mcc)
    with pytest.raises(ValueError, match="region 1: coding_probabilities has 3 values but labels has 2"):
        dna.choose_threshold([np.zeros(2), np.zeros(3)], [np.zeros(2), np.zeros(2)])


def test_take_bases_shares_the_budget_among_records(tmp_path):
    genbank = tmp_path / "annotated.gbk"
    write_annotated_genbank(genbank)
    from seqlab import data

    genome = data.load("genbank", path=genbank)
    assert [region["record"] for region in genome["valid"]] == ["toy0", "toy1"]
    taken = dna.take_bases(genome["valid"], 500)
    assert [(region["record"], len(region["sequence"]), len(region["labels"])) for region in taken] == [
        ("toy0", 250, 250), ("toy1", 250, 250)]
    assert dna.take_bases(genome["valid"], 0) == genome["valid"]
    whole = dna.take_bases(genome["test"], 10_000)   # more than there is: every region whole
    assert [len(region["sequence"]) for region in whole] == [600, 600]
    assert all(gene.end <= 250 for region in taken for gene in region["genes"])


def test_stack_ids_pads_sequences_of_different_lengths():
    stacked = dna.stack_ids([{"ids": encode("ACGTA")}, {"ids": encode("GG")}])
    assert stacked.tolist() == [[0, 1, 2, 3, 0], [2, 2, -1, -1, -1]]
    assert dna.splice_features(stacked)[1, 2:].sum() == 0.0   # padding one-hot encodes to zeros


def test_kmer_baseline_on_a_region_shorter_than_its_window():
    from seqlab.metrics.dna import KmerClassifier

    rng = np.random.default_rng(0)
    ids = rng.integers(0, 4, 3000)
    labels = (np.arange(3000) // 500) % 2
    model = KmerClassifier(k=3, window=96).fit([ids], [labels])
    assert len(model.score(ids[:50])) == 50          # "true_labels has 563 values but predicted_labels has 666"
    assert len(model.predict(ids[:50])) == 50
    fitted = KmerClassifier(k=3, window=96).fit([ids[:50], ids], [labels[:50], labels])  # short training regions too
    assert len(fitted.predict(ids[:10])) == 10
