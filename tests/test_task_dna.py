"""The two DNA task modules: per-base windows, whole-region prediction, thresholds and gene scores, the training
windows drawn afresh every epoch; splice features, scores and input gradients; both notebooks on tiny files."""

import json
import pathlib

import keras
import matplotlib
import numpy as np
import pytest

import seqlab
from seqlab import results
from seqlab.data.dna import FRAME_LABELS, Gene, encode, gene_labels, reverse_complement, reverse_complement_labels
from seqlab.tasks import dna_per_base, dna_splice

matplotlib.use("Agg")
ROOT = pathlib.Path(__file__).resolve().parents[1]


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
    probabilities = dna_per_base.predict_region(FrameOracle(sequence, labels), sequence, window=30, stride=10)
    assert probabilities.shape == (90, 7)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert dna_per_base.frame_predictions(probabilities).tolist() == labels.tolist()


def test_window_features_clock_is_relative_to_the_window():
    features = dna_per_base.window_features(encode("ACGTACG")[None], clock=True)
    assert features.shape == (1, 7, 8)
    assert features[0, :, 5:].argmax(-1).tolist() == [0, 1, 2, 0, 1, 2, 0]
    assert np.array_equal(features[..., :5].argmax(-1)[0], encode("ACGTACG"))


def toy_task(*, examples_per_epoch=24, seed=0, regions=None):
    """A per-base Task over random windows (and, when given, scored regions), built without a genome file."""
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 4, (40, 12)).astype(np.int8)
    labels = rng.integers(0, 7, (40, 12)).astype(np.int8)
    weights = np.ones((40, 12), np.float32)
    weights[:, -2:] = 0.0
    validation = (dna_per_base.window_features(ids[:6], clock=True), labels[:6], weights[:6])
    genome = {"label_names": FRAME_LABELS, "train": regions or [], "valid": regions or [], "test": regions or []}
    scored = {"valid": regions or [], "test": regions or []}
    return dna_per_base.Task("toy", genome, True, 12, (ids, labels, weights), validation, scored, examples_per_epoch,
                             30, 3, 10, np.random.default_rng(seed))


def toy_tagger(task):
    seqlab.training.seed_everything(0)
    model = dna_per_base.build(task, cell="gru", units=4, bidirectional=True)
    model.compile(optimizer=keras.optimizers.Adam(0.05, clipnorm=1.0), loss="sparse_categorical_crossentropy",
                  weighted_metrics=["accuracy"])
    return model


def test_training_windows_train_exactly_like_one_fit_call_per_epoch_on_fresh_arrays():
    """The loop the DNA notebook had before its training moved to Keras callbacks, and one fit on TrainingWindows:
    the same windows drawn in the same order, the same batches, the same best weights restored."""
    epochs, batch_size = 4, 10  # 24 windows per epoch: two full batches and one of 4
    old_task, new_task = toy_task(), toy_task()
    model = toy_tagger(old_task)
    ids, labels, weights = old_task.train_windows
    best_loss, best_weights, losses = np.inf, None, []
    for epoch in range(epochs):
        pick = old_task.rng.choice(len(ids), 24, replace=False)
        history = model.fit(dna_per_base.window_features(ids[pick], clock=True), labels[pick],
                            sample_weight=weights[pick], batch_size=batch_size, epochs=epoch + 1, initial_epoch=epoch,
                            validation_data=old_task.validation_windows, verbose=0)
        losses.append(history.history["val_loss"][-1])
        if losses[-1] < best_loss:
            best_loss, best_weights = losses[-1], model.get_weights()
    model.set_weights(best_weights)

    tagger = toy_tagger(new_task)
    best = keras.callbacks.EarlyStopping(monitor="val_loss", patience=epochs, restore_best_weights=True)
    history = tagger.fit(dna_per_base.TrainingWindows(new_task, batch_size), epochs=epochs, shuffle=False,
                         validation_data=new_task.validation_windows, validation_batch_size=batch_size,
                         callbacks=[best], verbose=0)
    assert history.history["val_loss"] == losses
    assert best.best_epoch == int(np.argmin(losses)) < epochs - 1   # the restored weights are not the last ones
    assert all(np.array_equal(old, new) for old, new in zip(model.get_weights(), tagger.get_weights()))
    assert new_task.rng.bit_generator.state == old_task.rng.bit_generator.state  # one draw per epoch, no more


def test_training_windows_draw_every_window_once_per_epoch():
    task = toy_task(examples_per_epoch=100)   # more than the 40 windows: all of them, in a new order
    windows = dna_per_base.TrainingWindows(task, 16)
    assert len(windows) == 3
    first = np.concatenate([windows[index][0] for index in range(3)])
    windows.on_epoch_begin()   # the first epoch keeps the draw Keras has looked at
    assert np.array_equal(np.concatenate([windows[index][0] for index in range(3)]), first)
    windows.on_epoch_begin()
    second = np.concatenate([windows[index][0] for index in range(3)])
    assert first.shape == second.shape == (40, 12, 8) and not np.array_equal(first, second)
    assert sorted(map(bytes, first)) == sorted(map(bytes, second))
    with pytest.raises(ValueError, match="batch_size=0 is not allowed"):
        dna_per_base.TrainingWindows(task, 0)


def test_evaluate_chooses_the_threshold_on_validation_and_scores_the_test_genes():
    rng = np.random.default_rng(1)
    sequence = rng.integers(0, 4, 120).astype(np.int8)
    genes = [Gene(6, 36, 1), Gene(60, 99, -1)]
    region = {"record": "toy", "start": 0, "sequence": sequence, "labels": gene_labels(120, genes), "genes": genes}
    task = toy_task(regions=[region])
    oracle = FrameOracle(sequence, region["labels"])
    valid = dna_per_base.evaluate(task, dna_per_base.predict(oracle, task, "valid"), "valid")
    assert valid == {"coding_threshold": 0.05, "valid_mcc": 1.0}   # a perfect tagger: the first threshold is best
    test = dna_per_base.evaluate(task, dna_per_base.predict(oracle, task, "test"), "test", threshold=0.5)
    assert test["test_mcc"] == 1.0 and test["test_gene_recovery"] == 1.0 and test["test_bases_scored"] == 120
    with pytest.raises(ValueError, match="needs threshold"):
        dna_per_base.evaluate(task, dna_per_base.predict(oracle, task, "test"), "test")
    with pytest.raises(ValueError, match="split='train' is not allowed"):
        dna_per_base.predict(oracle, task, "train")
    fields = dna_per_base.baselines(task)
    assert fields["majority_test_accuracy"] == pytest.approx(np.mean(region["labels"] > 0))
    assert fields["majority_test_mcc"] == 0.0 and set(fields) >= {"kmer_test_mcc", "kmer_test_gene_recovery"}


def test_input_gradients_point_at_the_position_the_model_reads():
    inputs = keras.Input((6, 5))
    picked = keras.layers.Lambda(lambda x: x[:, 2, :])(inputs)  # the model reads position 2 only
    outputs = keras.layers.Dense(3, activation="softmax")(picked)
    model = keras.Model(inputs, outputs)
    one_hot = np.eye(5, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (4, 6))]
    saliency = dna_splice.input_gradients(model, one_hot, class_index=np.array([0, 1, 2, 0]))
    assert saliency.shape == (4, 6)
    assert np.all(saliency[:, [0, 1, 3, 4, 5]] == 0.0)
    assert np.all(np.abs(saliency[:, 2]) > 0.0)
    predicted = dna_splice.input_gradients(model, one_hot, batch_size=3)
    assert predicted.shape == (4, 6)


def test_splice_features_mark_the_junction_and_saliency_ignores_them():
    ids = np.random.default_rng(0).integers(0, 4, size=(3, 60)).astype(np.int8)
    features = dna_splice.splice_features(ids, position=True)
    assert features.shape == (3, 60, 7)
    assert np.array_equal(features[..., :5], dna_splice.splice_features(ids))          # bases unchanged
    assert np.argmax(features[0, :, 6]) in (29, 30) and features[0, 0, 6] < 1e-3  # the bump peaks at the junction
    assert np.all(np.diff(features[0, :, 5]) > 0)                              # the distance grows along the sequence
    inputs = keras.Input((60, 7))
    position_only = keras.layers.Lambda(lambda x: x[..., 5:])(inputs)   # a model that reads the position channels only
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(position_only)))
    saliency = dna_splice.input_gradients(model, features, class_index=0)
    assert saliency.shape == (3, 60) and np.allclose(saliency, 0.0)


def test_splice_scores_are_accuracy_and_per_class_errors():
    splits = {split: [{"ids": encode("ACGT"), "label": label} for label in (0, 1, 2, 2)]
              for split in ("train", "valid", "test")}
    task = dna_splice.Task({**splits, "classes": ("EI", "IE", "N")},
                           {split: (dna_splice.splice_features(dna_splice.stack_ids(examples)),
                                    np.array([example["label"] for example in examples]))
                            for split, examples in splits.items()})
    probabilities = np.eye(3)[[0, 2, 2, 1]]   # IE mistaken for N, one N for IE
    assert dna_splice.evaluate(task, probabilities, "test") == {
        "test_accuracy": 0.5, "test_error_EI": 0.0, "test_error_IE": 1.0, "test_error_N": 0.5}
    assert dna_splice.baselines(task) == {"majority_valid_accuracy": 0.5, "majority_test_accuracy": 0.5}
    assert task.input_dim == 5 and task.classes == ["EI", "IE", "N"]
    with pytest.raises(ValueError, match="probabilities has 3 rows"):
        dna_splice.evaluate(task, probabilities[:3], "test")


def test_choose_threshold_uses_every_record_and_warns_without_coding_bases():
    rng = np.random.default_rng(0)
    # record 1's validation region is all coding; record 2's holds both classes
    first_probabilities, first_labels = rng.uniform(0.6, 0.9, 200), np.full(200, 2)
    second_labels = np.repeat([0, 1, 0, 4], 50)
    second_probabilities = np.where(second_labels > 0, rng.uniform(0.55, 0.9, 200), rng.uniform(0.3, 0.5, 200))
    with pytest.warns(UserWarning, match="holds no non-coding base"):
        # the first record alone: nothing to choose
        assert dna_per_base.choose_threshold(first_probabilities, first_labels)[0] == 0.5
    threshold, mcc = dna_per_base.choose_threshold([first_probabilities, second_probabilities],
                                                   [first_labels, second_labels])
    assert 0.5 <= threshold < 0.55 and mcc == 1.0
    with pytest.warns(UserWarning, match=r"validation data \(200 bases in 1 region\(s\)\) holds no coding base"):
        threshold, mcc = dna_per_base.choose_threshold([second_probabilities], [np.zeros(200, int)])
    assert threshold == 0.5 and np.isnan(mcc)
    with pytest.raises(ValueError, match="region 1: coding_probabilities has 3 values but labels has 2"):
        dna_per_base.choose_threshold([np.zeros(2), np.zeros(3)], [np.zeros(2), np.zeros(2)])


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


def test_take_bases_shares_the_budget_among_records(tmp_path):
    genbank = tmp_path / "annotated.gbk"
    write_annotated_genbank(genbank)
    genome = seqlab.data.load("genbank", path=genbank)
    assert [region["record"] for region in genome["valid"]] == ["toy0", "toy1"]
    taken = dna_per_base.take_bases(genome["valid"], 500)
    assert [(region["record"], len(region["sequence"]), len(region["labels"])) for region in taken] == [
        ("toy0", 250, 250), ("toy1", 250, 250)]
    assert dna_per_base.take_bases(genome["valid"], 0) == genome["valid"]
    whole = dna_per_base.take_bases(genome["test"], 10_000)   # more than there is: every region whole
    assert [len(region["sequence"]) for region in whole] == [600, 600]
    assert all(gene.end <= 250 for region in taken for gene in region["genes"])


def test_stack_ids_pads_sequences_of_different_lengths():
    stacked = dna_splice.stack_ids([{"ids": encode("ACGTA")}, {"ids": encode("GG")}])
    assert stacked.tolist() == [[0, 1, 2, 3, 0], [2, 2, -1, -1, -1]]
    assert dna_splice.splice_features(stacked)[1, 2:].sum() == 0.0   # padding one-hot encodes to zeros


def run_notebook(name, parameters, tmp_path):
    papermill = pytest.importorskip("papermill")
    output = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "experiments" / f"{name}.ipynb"), str(output),
        cwd=str(ROOT / "notebooks" / "experiments"), kernel_name="python3", progress_bar=False, parameters=parameters)
    rows = results.rows_in(json.loads(output.read_text()))
    assert len(rows) == 1
    return rows[0]


def test_per_base_notebook_runs_on_a_genbank_file(tmp_path):
    genbank = tmp_path / "annotated.gbk"
    write_annotated_genbank(genbank)
    row = run_notebook("dna_per_base", {
        "dataset": "genbank", "data_path": str(genbank), "max_examples": 16, "window": 60, "stride": 30,
        "test_bases": 1500, "units": 4, "depth": 1, "kmer_size": 3, "kmer_window": 30}, tmp_path)
    assert row["task"] == "per_base" and row["architecture"] == "many_to_many" and row["dataset"] == "genbank"
    assert row["test_bases_scored"] == 1200  # the last 20 % of each 3,000-base record
    assert 0.0 <= row["test_accuracy"] <= 1.0 and -1.0 <= row["test_mcc"] <= 1.0 and row["best_epoch"] == 1


def test_splice_notebook_runs_on_a_small_splice_file(tmp_path):
    rng = np.random.default_rng(0)
    lines = [f"{label}, ROW-{index}, {''.join(rng.choice(list('ACGT'), 60))}"
             for index, label in enumerate(["EI", "IE", "N"] * 30)]
    (tmp_path / "splice.data").write_text("\n".join(lines) + "\n")
    row = run_notebook("dna_splice", {"splice_path": str(tmp_path / "splice.data"), "units": 4, "depth": 1,
                                      "splice_epochs": 1, "folds": 2}, tmp_path)
    assert row["task"] == "splice" and row["architecture"] == "many_to_one" and row["splice_epochs_run"] == 1.0
    assert {"test_accuracy", "valid_accuracy", "test_error_EI", "test_error_IE", "test_error_N"} <= set(row)
