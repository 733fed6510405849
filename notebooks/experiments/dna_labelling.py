# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # DNA labelling: per-base gene labels and splice junctions
#
# Two recurrent models over one-hot DNA (A, C, G, T, N):
#
# - **Per-base labelling** (many-to-many, Tx = Ty): a bidirectional tagger labels every base of
#   a bacterial chromosome as non-coding or as codon position 1/2/3 of a gene on the forward or
#   the reverse strand. The default data is the *Corynebacterium diphtheriae* chromosome shipped
#   in the `pyrodigal` wheel, and **its labels are the predictions of the Prodigal gene finder**
#   (run offline by pyrodigal), not experimentally verified genes: the network learns to reproduce
#   a classical gene finder. `dataset="genbank"` with `data_path` pointing to your own GenBank
#   file (or `dataset="fasta_gff3"` with a folder holding FASTA + GFF3) labels bases from the
#   file's CDS features instead. The chromosome is split into contiguous regions (first 70 %
#   train, next 10 % validation, last 20 % test), never into random windows, which would leak.
#   Scores collapse the frames to coding / non-coding. About 87 % of the test region is coding,
#   so the majority class scores coding F1 0.93 but MCC 0 and non-coding F1 0: those two are the
#   measures of skill.
# - **Splice junctions** (many-to-one): the UCI primate splice-junction sequences (60 nt; classes
#   EI = exon-intron donor, IE = intron-exon acceptor, N = neither), a fixed stratified split
#   and 10-fold cross-validation. Published anchor (splice.names, KBANN): error 4.62 % (N),
#   7.56 % (EI), 8.47 % (IE).
#
# `task` picks `"per_base"`, `"splice"` or `"both"`.

# %% tags=["parameters"]
task: str = "per_base"  # which part to run: per_base, splice (needs the uci_splice data) or both
dataset: str = "cdiphtheriae_genome"  # per-base data: cdiphtheriae_genome (embedded), genbank or fasta_gff3
data_path: str = ""  # file or folder of the per-base data (empty: resolve by name)
labels: str = "frame"  # per-base training labels: frame (non-coding + 3 codon positions x 2 strands) or coding
clock: bool = True  # add a codon clock (window position modulo 3) to the one-hot bases
window: int = 120  # bases per training window
stride: int = 60  # bases between training windows (overlap: window minus stride)
max_examples: int = 256  # training windows drawn afresh each epoch, both strands (0: all)
test_bases: int = 20000  # bases of the test region scored (0: all of it)
cell: str = "lstm"  # recurrent cell: lstm, gru, rnn, or an equation_* cell
units: int = 32  # recurrent units per layer and direction
depth: int = 2  # stacked recurrent layers
bidirectional: bool = True  # read both directions (many_to_many and many_to_one)
dropout: float = 0.0  # dropout on the inputs of every recurrent layer and before the output
epochs: int = 1  # per-base training epochs (of max_examples windows)
batch_size: int = 64  # per-base windows per batch
learning_rate: float = 0.005  # per-base Adam learning rate
kmer_size: int = 6  # k of the k-mer log-odds baseline (6: hexamers)
kmer_window: int = 96  # bases averaged by the k-mer baseline
tolerance: int = 30  # gene recovery: bases allowed between true and predicted gene ends
splice_path: str = ""  # folder or file of splice.csv (empty: resolve uci_splice by name)
fold: int = 0  # first splice test fold (0: the fixed split)
folds: int = 1  # splice folds trained and tested from fold on (10 from fold 0: full 10-fold CV)
summary: str = "max"  # splice sequence summary: last, mean or max
position: bool = True  # splice: add two channels that say how far each base is from the central junction
splice_epochs: int = 2  # maximum splice training epochs per fold
splice_batch_size: int = 64  # splice sequences per batch
splice_learning_rate: float = 0.005  # splice Adam learning rate
patience: int = 10  # splice early stopping: epochs without a better validation accuracy
reduce_patience: int = 3  # splice: halve the learning rate after this many epochs without a better val loss (0: never)
seed: int = 0  # seed of weights, window draws and batch order
save_outputs: bool = False  # save the figures to seqlab.results.output_folder() (seqlab run: the run's folder)
strategy: str = "none"  # devices training together: none (one) or mirrored (every GPU, or cpu_replicas logical CPUs)
cpu_replicas: int = 1  # with strategy mirrored and no GPU: logical CPU devices to mirror over (1: the whole CPU)

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import seqlab
from seqlab import dna as helpers
from seqlab.data import dna as dna_data
from seqlab.metrics import dna as dna_metrics

seqlab.training.configure_devices()
distribution = seqlab.distribute.select(strategy, cpu_replicas=cpu_replicas)
batch_size = seqlab.distribute.even_batch_size(distribution, batch_size)  # a multiple of the replicas
splice_batch_size = seqlab.distribute.even_batch_size(distribution, splice_batch_size)
seed = seqlab.training.seed_everything(seed)
if task not in ("per_base", "splice", "both"):
    raise ValueError(f"task={task!r} is not allowed; allowed: 'per_base', 'splice', 'both'.")
run_per_base, run_splice = task in ("per_base", "both"), task in ("splice", "both")
row = {}

# %% [markdown]
# ## Per-base labelling
#
# ### Data
#
# Each split is a list of contiguous regions with int8 base ids, per-base labels and the genes
# that lie wholly inside the region. Training windows overlap and come from both strands (the
# reverse complement swaps forward and reverse codon labels).

# %%
# NBVAL_CHECK_OUTPUT
if run_per_base:
    genome = seqlab.data.load(dataset, path=data_path or None, labels=labels)
    label_names = genome["label_names"]
    print(genome["description"])
    for name in ("train", "valid", "test"):
        bases = sum(len(region["sequence"]) for region in genome[name])
        genes = sum(len(region["genes"]) for region in genome[name])
        coding = np.mean(np.concatenate([dna_data.collapse_labels(region["labels"]) for region in genome[name]]))
        print(f"{name}: {len(genome[name])} region(s), {bases:,} bases, {genes} whole genes, {coding:.1%} coding")
    print("ambiguity codes mapped to N:", genome["ambiguous"] or "none")
    train_ids, train_labels, train_weights = dna_data.windows(genome["train"], window, stride)
    valid_ids, valid_labels, valid_weights = dna_data.windows(genome["valid"], window, stride)
    print("training windows (both strands):", train_ids.shape, "labels:", label_names)

# %% [markdown]
# ### Model
#
# A stack of bidirectional recurrent layers with a softmax per base. With `clock=True` three
# input channels carry the position in the window modulo 3: they say nothing about where genes
# are, but give the network a period-3 reference, so inside a gene the codon position is the
# clock plus a constant shift that the network infers from codon statistics, instead of having
# to learn to count to three.

# %%
# NBVAL_CHECK_OUTPUT
if run_per_base:
    input_dim = dna_data.NUM_BASES + (3 if clock else 0)
    with distribution.scope():  # strategy="mirrored": one copy per device, gradients summed
        tagger = seqlab.build("many_to_many", input_dim=input_dim, num_classes=len(label_names), cell=cell,
                              units=units, depth=depth, bidirectional=bidirectional, dropout=dropout)
        tagger.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
                       loss="sparse_categorical_crossentropy", weighted_metrics=["accuracy"])
    print(tagger.name, "input_dim:", input_dim, "parameters:", tagger.count_params())

# %% [markdown]
# ### Train
#
# Every epoch draws `max_examples` new training windows; the weights with the best validation
# loss (on a fixed draw of validation windows) are kept.

# %%
if run_per_base:
    rng = np.random.default_rng(seed)
    count = max_examples or len(train_ids)
    valid_pick = rng.choice(len(valid_ids), min(len(valid_ids), max(count // 4, 1)), replace=False)
    valid_inputs = helpers.window_features(valid_ids[valid_pick], clock=clock)
    stopwatch = seqlab.training.Stopwatch()
    best_loss, best_weights, best_epoch, per_base_history = np.inf, None, 0, []
    for epoch in range(epochs):
        pick = rng.choice(len(train_ids), min(len(train_ids), count), replace=False)
        history = tagger.fit(helpers.window_features(train_ids[pick], clock=clock), train_labels[pick],
                             sample_weight=train_weights[pick], batch_size=batch_size, epochs=epoch + 1,
                             initial_epoch=epoch, callbacks=[stopwatch], verbose=0,
                             validation_data=(valid_inputs, valid_labels[valid_pick], valid_weights[valid_pick]))
        logs = {key: values[-1] for key, values in history.history.items()}
        per_base_history.append(logs)
        if logs["val_loss"] < best_loss:
            best_loss, best_weights, best_epoch = logs["val_loss"], tagger.get_weights(), epoch + 1
        print(f"epoch {epoch + 1}: loss {logs['loss']:.4f} val_loss {logs['val_loss']:.4f} "
              f"val_accuracy {logs['val_accuracy']:.4f} ({stopwatch.seconds:.0f} s)")
    tagger.set_weights(best_weights)
    per_base_seconds = stopwatch.seconds
    print(f"trained {epochs} epochs of {len(pick)} windows in {per_base_seconds:.1f} s; best epoch {best_epoch}")

# %% [markdown]
# ### Evaluate on the test region
#
# The tagger runs over the test region in overlapping windows on both strands; each window's
# centre counts more than its edges. A base is coding when P(coding) exceeds a threshold chosen
# on the validation region (the one with the best MCC there), and its frame is the likeliest of
# the six codon classes. Gene recovery counts the test genes for which a run
# of the gene's own frame and strand starts within `tolerance` bases of the gene's start, one
# ends within `tolerance` bases of its stop, and at least 90 % of its bases carry that frame.
# The same measure on the true labels is the ceiling (where genes overlap, the later gene's
# labels win, so the other one loses an end).

# %%
if run_per_base:
    remaining, test_regions = test_bases or np.inf, []
    for region in genome["test"]:
        if remaining <= 0:
            break
        length = int(min(len(region["sequence"]), remaining))
        test_regions.append({**region, "sequence": region["sequence"][:length], "labels": region["labels"][:length],
                             "genes": [gene for gene in region["genes"] if gene.end <= length]})
        remaining -= length
    test_truth = np.concatenate([region["labels"] for region in test_regions])
    valid_region = genome["valid"][0]
    valid_length = min(len(valid_region["sequence"]), test_bases or len(valid_region["sequence"]))
    valid_coding = 1.0 - helpers.predict_region(tagger, valid_region["sequence"][:valid_length], window=window,
                                                clock=clock, batch_size=256)[:, 0]
    candidates = np.linspace(0.05, 0.95, 91)
    valid_mcc = dna_metrics.mcc_by_threshold(valid_coding, dna_data.collapse_labels(valid_region["labels"][:valid_length]),
                                             candidates)
    coding_threshold = float(candidates[int(np.argmax(valid_mcc))])
    probabilities = [helpers.predict_region(tagger, region["sequence"], window=window, clock=clock,
                                            batch_size=256) for region in test_regions]
    predictions = [helpers.frame_predictions(values, coding_threshold) for values in probabilities]
    kmer_model = dna_metrics.KmerClassifier(k=kmer_size, window=kmer_window).fit(
        [region["sequence"] for region in genome["train"]], [region["labels"] for region in genome["train"]])
    kmer_predictions = [kmer_model.predict(region["sequence"]) for region in test_regions]

    def recovery(per_region_labels):
        genes = sum(len(region["genes"]) for region in test_regions)
        found = sum(dna_metrics.gene_recovery(region["genes"], values, tolerance=tolerance) * len(region["genes"])
                    for region, values in zip(test_regions, per_region_labels) if region["genes"])
        return found / genes if genes else float("nan")

    scores = {
        "majority": dna_metrics.majority_baseline(np.concatenate([r["labels"] for r in genome["train"]]), test_truth),
        "k-mer log-odds": dna_metrics.per_base_scores(test_truth, np.concatenate(kmer_predictions)),
        f"{'Bi' if bidirectional else ''}{cell.upper()} tagger": dna_metrics.per_base_scores(
            test_truth, np.concatenate(predictions)),
    }
    recoveries = {"majority": 0.0, "k-mer log-odds": recovery(kmer_predictions),
                  f"{'Bi' if bidirectional else ''}{cell.upper()} tagger": recovery(predictions)}
    print(f"P(coding) threshold chosen on {valid_length:,} validation bases: {coding_threshold:.2f} "
          f"(validation MCC {valid_mcc.max():.3f})")
    print(f"test bases scored: {len(test_truth):,}; genes: {sum(len(r['genes']) for r in test_regions)}; "
          f"recovery ceiling (true labels): {recovery([r['labels'] for r in test_regions]):.3f}")
    print(f"{'model':<18} {'accuracy':>9} {'MCC':>7} {'coding F1':>10} {'non-coding F1':>14} {'genes':>7}")
    for name, values in scores.items():
        print(f"{name:<18} {values['accuracy']:>9.4f} {values['mcc']:>7.4f} {values['coding_f1']:>10.4f} "
              f"{values['noncoding_f1']:>14.4f} {recoveries[name]:>7.3f}")
    tagger_scores = list(scores.values())[-1]
    row.update(dataset=dataset, labels=labels, clock=clock, window=window, test_bases_scored=len(test_truth),
               per_base_train_seconds=round(per_base_seconds, 2), best_epoch=best_epoch,
               coding_threshold=coding_threshold, valid_mcc=float(valid_mcc.max()),
               test_accuracy=tagger_scores["accuracy"], test_mcc=tagger_scores["mcc"],
               test_coding_f1=tagger_scores["coding_f1"], test_noncoding_f1=tagger_scores["noncoding_f1"],
               test_gene_recovery=recoveries[list(recoveries)[-1]],
               kmer_test_mcc=scores["k-mer log-odds"]["mcc"],
               kmer_test_noncoding_f1=scores["k-mer log-odds"]["noncoding_f1"],
               majority_test_accuracy=scores["majority"]["accuracy"])

# %% [markdown]
# ### Inference: coding probability along the test region
#
# The network's P(coding) for the first bases of the test region, against Prodigal's genes
# (forward strand above the axis, reverse strand below) and the k-mer baseline's calls.

# %%
if run_per_base:
    shown = min(6000, len(test_regions[0]["sequence"]))
    figure, axis = plt.subplots(figsize=(11, 3.2), dpi=80)
    axis.plot(1.0 - probabilities[0][:shown, 0], color="tab:blue", linewidth=0.8, label="tagger P(coding)")
    axis.fill_between(np.arange(shown), 0, kmer_predictions[0][:shown] * 0.12, step="post", color="tab:orange",
                      alpha=0.5, label="k-mer baseline: coding")
    for gene in test_regions[0]["genes"]:
        if gene.start < shown:
            level = 1.08 if gene.strand > 0 else -0.08
            axis.plot([gene.start, min(gene.end, shown)], [level, level], color="black", linewidth=4,
                      solid_capstyle="butt")
    axis.set(xlim=(0, shown), ylim=(-0.15, 1.15), xlabel=f"base in the test region of {test_regions[0]['record']}",
             ylabel="P(coding)", title="Per-base coding probability; black bars: true genes (+ above, - below)")
    axis.legend(loc="center right", fontsize=8)
    plt.show()
    if save_outputs:
        name = f"dna_per_base_{dataset}_{cell}_depth{depth}_{'bidirectional' if bidirectional else 'forward'}"
        figure.savefig(seqlab.results.output_folder() / f"{name}_seed{seed}.png", dpi=100, bbox_inches="tight")

# %% [markdown]
# ## Splice-junction classification
#
# One stratified fold assignment with a fixed seed: fold `k` is the test split, fold `k+1` the
# validation split (early stopping), the other eight train. `fold=0, folds=1` runs the fixed
# split, `fold=0, folds=10` the full 10-fold cross-validation; a grid can also run one fold per
# run (`fold` swept, `folds=1`) and average the rows.
#
# The junction sits between the two central bases of every sequence, and the motifs only count
# there. A max-pooled recurrent classifier forgets *where* it saw a feature, so `position=True`
# adds two input channels (`seqlab.dna.splice_features`): the distance to the junction and a bump
# that is 1 at the junction (results/dna_splice_best.md compares the 10-fold accuracy with and
# without them).

# %%
# NBVAL_CHECK_OUTPUT
if run_splice:
    splice = seqlab.data.load("uci_splice", path=splice_path or None, test_fold=0)
    class_names = list(splice["classes"])
    print({name: len(splice[name]) for name in ("train", "valid", "test")}, "classes:", class_names)
    print("ambiguity codes mapped to N:", splice["ambiguous"], "in", splice["ambiguous_rows"], "rows")


# %%
def splice_arrays(examples):
    return (helpers.splice_features(np.stack([example["ids"] for example in examples]), position=position),
            np.array([example["label"] for example in examples]))


if run_splice:
    stopwatch, fold_results = seqlab.training.Stopwatch(), []
    for test_fold in range(fold, fold + folds):
        seqlab.training.seed_everything(seed + test_fold)
        fold_data = seqlab.data.load("uci_splice", path=splice_path or None, test_fold=test_fold)
        (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = (
            splice_arrays(fold_data[name]) for name in ("train", "valid", "test"))
        with distribution.scope():
            classifier = seqlab.build("many_to_one", input_dim=x_train.shape[-1], num_classes=len(class_names),
                                      cell=cell, units=units, depth=depth, bidirectional=bidirectional,
                                      dropout=dropout, summary=summary)
            classifier.compile(optimizer=keras.optimizers.Adam(splice_learning_rate),
                               loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        callbacks = [stopwatch, keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=patience,
                                                              restore_best_weights=True)]
        if reduce_patience:
            callbacks.append(keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=reduce_patience))
        history = classifier.fit(x_train, y_train, validation_data=(x_valid, y_valid), epochs=splice_epochs,
                                 batch_size=splice_batch_size, callbacks=callbacks, verbose=0)
        predicted = classifier.predict(x_test, verbose=0).argmax(-1)
        errors = {name: float(np.mean(predicted[y_test == index] != index)) for index, name in enumerate(class_names)}
        fold_results.append({"fold": test_fold, "epochs": len(history.history["loss"]),
                             "valid_accuracy": max(history.history["val_accuracy"]),
                             "test_accuracy": float(np.mean(predicted == y_test)), **errors})
        print(f"fold {test_fold}: {fold_results[-1]['epochs']} epochs, test accuracy {fold_results[-1]['test_accuracy']:.4f},"
              f" errors " + ", ".join(f"{name} {value:.3f}" for name, value in errors.items()))
    splice_seconds = stopwatch.seconds
    mean = {key: float(np.mean([result[key] for result in fold_results])) for key in fold_results[0] if key != "fold"}
    print(f"mean over {folds} fold(s): accuracy {mean['test_accuracy']:.4f}; error " +
          ", ".join(f"{name} {100 * mean[name]:.2f} %" for name in class_names) +
          f"; KBANN: N 4.62 %, EI 7.56 %, IE 8.47 %; {splice_seconds:.1f} s")

# %% [markdown]
# ### What the classifier looks at
#
# The mean input gradient (gradient x input, summed over the four bases) per position, for the
# test sequences of each class, differentiating the probability of their true class. Position
# 0 is the first intron base for EI (donor, consensus **GT** at 0-1) and the first exon base for
# IE (acceptor, consensus **AG** at -2..-1).

# %%
if run_splice:
    saliency = helpers.input_gradients(classifier, x_test, class_index=y_test)
    positions = np.arange(x_test.shape[1]) - 30
    figure, axis = plt.subplots(figsize=(10, 3.2), dpi=80)
    for index, name in enumerate(class_names):
        axis.plot(positions, saliency[y_test == index].mean(axis=0), marker=".", label=name)
    top = axis.get_ylim()[1]
    for motif_start, text, color, height in ((0, "GT (EI)", "tab:blue", 0.92), (-2, "AG (IE)", "tab:orange", 0.78)):
        axis.axvspan(motif_start - 0.5, motif_start + 1.5, color=color, alpha=0.15)
        axis.text(motif_start + 0.5, top * height, text, ha="center", fontsize=8, color=color)
    axis.set(xlabel="position relative to the junction", ylabel="mean gradient x input",
             title="Splice classifier saliency per position (test sequences, true class)")
    axis.legend()
    plt.show()
    if save_outputs:
        name = f"dna_splice_saliency_{cell}{'_position' if position else ''}_fold{fold}_seed{seed}"
        figure.savefig(seqlab.results.output_folder() / f"{name}.png", dpi=100, bbox_inches="tight")
    row.update(splice_train_seconds=round(splice_seconds, 2), fold=fold, folds=folds, summary=summary, position=position,
               splice_epochs_run=mean["epochs"])
    prefix = "splice_" if run_per_base else ""
    row.update({f"{prefix}test_accuracy": mean["test_accuracy"], f"{prefix}valid_accuracy": mean["valid_accuracy"],
                **{f"{prefix}test_error_{name}": mean[name] for name in class_names}})

# %% [markdown]
# ## Results row

# %%
recorded = seqlab.results.record(
    architecture={"per_base": "many_to_many", "splice": "many_to_one", "both": "many_to_many+many_to_one"}[task],
    cell=cell, units=units, depth=depth, bidirectional=bidirectional, dropout=dropout, seed=seed,
    replicas=distribution.num_replicas_in_sync, train_seconds=round(row.get("per_base_train_seconds", 0.0) + row.get("splice_train_seconds", 0.0), 2), **row)
