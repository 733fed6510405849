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
# # DNA splice junctions: a many-to-one classifier
#
# A recurrent classifier over one-hot DNA (A, C, G, T, N) reads the UCI primate splice-junction
# sequences (60 nt; classes EI = exon-intron donor, IE = intron-exon acceptor, N = neither).
# One stratified fold assignment with a fixed seed: fold `k` is the test split, fold `k+1` the
# validation split (early stopping), the other eight train. `fold=0, folds=1` runs the fixed
# split, `fold=0, folds=10` the full 10-fold cross-validation; a grid can also run one fold per
# run (`fold` swept, `folds=1`) and average the rows. Published anchor (splice.names, KBANN):
# error 4.62 % (N), 7.56 % (EI), 8.47 % (IE).
#
# The junction sits between the two central bases of every sequence, and the motifs only count
# there. A max-pooled recurrent classifier forgets *where* it saw a feature, so `position=True`
# adds two input channels (`dna_splice.splice_features`): the distance to the junction and a
# bump that is 1 at the junction (results/dna_splice_best.md compares the 10-fold accuracy with
# and without them).
#
# The per-base gene tagger is the other DNA notebook, `dna_per_base.ipynb`.

# %% tags=["parameters"]
cell: str = "lstm"  # recurrent cell: lstm, gru, rnn, or an equation_* cell
units: int = 32  # recurrent units per layer and direction
depth: int = 2  # stacked recurrent layers
bidirectional: bool = True  # read both directions
dropout: float = 0.0  # dropout on the inputs of every recurrent layer and before the output
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
seed: int = 0  # seed of the weights and the batch order (fold k: seed + k)
save_outputs: bool = False  # save the figure to seqlab.results.output_folder() (seqlab run: the run's folder)
strategy: str = "none"  # devices training together: none (one) or mirrored (every GPU, or cpu_replicas logical CPUs)
cpu_replicas: int = 1  # with strategy mirrored and no GPU: logical CPU devices to mirror over (1: the whole CPU)

# %%
import keras
import matplotlib.pyplot as plt

import seqlab
from seqlab.tasks import dna_splice

distribution = seqlab.training.start(seed, strategy=strategy, cpu_replicas=cpu_replicas)
splice_batch_size = seqlab.distribute.even_batch_size(distribution, splice_batch_size)  # a multiple of the replicas

# %% [markdown]
# ## Data
#
# The first test fold's splits (the UCI data needs `SEQLAB_DATA_DIR` or `splice_path`), and the
# majority class on them.

# %%
# NBVAL_CHECK_OUTPUT
data = dna_splice.prepare("uci_splice", path=splice_path or None, test_fold=fold, position=position)
data.describe()
print({name: round(value, 4) for name, value in dna_splice.baselines(data).items()})

# %% [markdown]
# ## Train and evaluate every fold
#
# One classifier per fold, seeded with `seed + fold`: early stopping on the validation accuracy
# (the best epoch restored) and, with `reduce_patience`, the learning rate halved when the
# validation loss stalls.

# %%
stopwatch, fold_scores = seqlab.training.Stopwatch(), []
for test_fold in range(fold, fold + folds):
    seqlab.training.seed_everything(seed + test_fold)
    data = dna_splice.prepare("uci_splice", path=splice_path or None, test_fold=test_fold, position=position)
    with distribution.scope():
        classifier = dna_splice.build(data, cell=cell, units=units, depth=depth, bidirectional=bidirectional,
                                      dropout=dropout, summary=summary)
        classifier.compile(optimizer=keras.optimizers.Adam(splice_learning_rate),
                           loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    callbacks = [stopwatch, keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=patience,
                                                          restore_best_weights=True)]
    if reduce_patience:
        callbacks.append(keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=reduce_patience))
    history = classifier.fit(*data.arrays["train"], validation_data=data.arrays["valid"], epochs=splice_epochs,
                             batch_size=splice_batch_size, callbacks=callbacks, verbose=0)
    fold_scores.append({"splice_epochs_run": len(history.epoch), "valid_accuracy": max(history.history["val_accuracy"]),
                        **dna_splice.evaluate(data, dna_splice.predict(classifier, data, "test"), "test")})
    dna_splice.print_scores(data, fold_scores[-1], title=f"fold {test_fold}, {len(history.epoch)} epochs")
scores = dna_splice.mean_scores(fold_scores)
dna_splice.print_scores(data, scores, title=f"mean over {folds} fold(s), {stopwatch.seconds:.1f} s")

# %% [markdown]
# ## What the classifier looks at
#
# The mean input gradient (gradient x input, summed over the four bases) per position, for the
# test sequences of each class of the last fold, differentiating the probability of their true
# class. Position 0 is the first intron base for EI (donor, consensus **GT** at 0-1) and the
# first exon base for IE (acceptor, consensus **AG** at -2..-1).

# %%
figure = dna_splice.draw_saliency(classifier, data)
plt.show()
if save_outputs:
    name = f"dna_splice_saliency_{cell}{'_position' if position else ''}_fold{fold}_seed{seed}"
    figure.savefig(seqlab.results.output_folder() / f"{name}.png", dpi=100, bbox_inches="tight")

# %% [markdown]
# ## Results row

# %%
recorded = seqlab.results.record(
    task="splice", architecture="many_to_one", cell=cell, units=units, depth=depth, bidirectional=bidirectional,
    dropout=dropout, seed=seed, replicas=distribution.num_replicas_in_sync, train_seconds=round(stopwatch.seconds, 2),
    splice_train_seconds=round(stopwatch.seconds, 2), fold=fold, folds=folds, summary=summary, position=position,
    **scores)
