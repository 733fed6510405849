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
# # DNA per-base labelling: genes in a bacterial chromosome
#
# A bidirectional recurrent tagger (many-to-many, Tx = Ty) over one-hot DNA (A, C, G, T, N)
# labels every base of a bacterial chromosome as non-coding or as codon position 1/2/3 of a gene
# on the forward or the reverse strand. The default data is the *Corynebacterium diphtheriae*
# chromosome shipped in the `pyrodigal` wheel, and **its labels are the predictions of the
# Prodigal gene finder** (run offline by pyrodigal), not experimentally verified genes: the
# network learns to reproduce a classical gene finder. `dataset="genbank"` with `data_path`
# pointing to your own GenBank file (or `dataset="fasta_gff3"` with a folder holding FASTA +
# GFF3) labels bases from the file's CDS features instead. The chromosome is split into
# contiguous regions (first 70 % train, next 10 % validation, last 20 % test), never into random
# windows, which would leak. Scores collapse the frames to coding / non-coding. About 87 % of the
# test region is coding, so the majority class scores coding F1 0.93 but MCC 0 and non-coding
# F1 0: those two are the measures of skill.
#
# The splice-junction classifier is the other DNA notebook, `dna_splice.ipynb`.

# %% tags=["parameters"]
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
bidirectional: bool = True  # read both directions
dropout: float = 0.0  # dropout on the inputs of every recurrent layer and before the output
epochs: int = 1  # per-base training epochs (of max_examples windows)
batch_size: int = 64  # per-base windows per batch
learning_rate: float = 0.005  # per-base Adam learning rate
kmer_size: int = 6  # k of the k-mer log-odds baseline (6: hexamers)
kmer_window: int = 96  # bases averaged by the k-mer baseline
tolerance: int = 30  # gene recovery: bases allowed between true and predicted gene ends
seed: int = 0  # seed of weights, window draws and batch order
save_outputs: bool = False  # save the figure to seqlab.results.output_folder() (seqlab run: the run's folder)
strategy: str = "none"  # devices training together: none (one) or mirrored (every GPU, or cpu_replicas logical CPUs)
cpu_replicas: int = 1  # with strategy mirrored and no GPU: logical CPU devices to mirror over (1: the whole CPU)

# %%
import keras
import matplotlib.pyplot as plt

import seqlab
from seqlab.tasks import dna_per_base

distribution = seqlab.training.start(seed, strategy=strategy, cpu_replicas=cpu_replicas)
batch_size = seqlab.distribute.even_batch_size(distribution, batch_size)  # a multiple of the replicas

# %% [markdown]
# ## Data
#
# Each split is a list of contiguous regions with int8 base ids, per-base labels and the genes
# that lie wholly inside the region. Training windows overlap and come from both strands (the
# reverse complement swaps forward and reverse codon labels). A fixed draw of validation windows
# picks the best epoch; the first `test_bases` bases of the validation region choose the
# P(coding) threshold and as many of the test regions are scored.

# %%
# NBVAL_CHECK_OUTPUT
data = dna_per_base.prepare(dataset, path=data_path or None, labels=labels, clock=clock, window=window, stride=stride,
                            max_examples=max_examples, test_bases=test_bases, tolerance=tolerance, kmer_size=kmer_size,
                            kmer_window=kmer_window, seed=seed)
data.describe()

# %% [markdown]
# ## Model
#
# A stack of bidirectional recurrent layers with a softmax per base. With `clock=True` three
# input channels carry the position in the window modulo 3: they say nothing about where genes
# are, but give the network a period-3 reference, so inside a gene the codon position is the
# clock plus a constant shift that the network infers from codon statistics, instead of having
# to learn to count to three.

# %%
# NBVAL_CHECK_OUTPUT
with distribution.scope():  # strategy="mirrored": one copy per device, gradients summed
    tagger = dna_per_base.build(data, cell=cell, units=units, depth=depth, bidirectional=bidirectional,
                                dropout=dropout)
    tagger.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
                   loss="sparse_categorical_crossentropy", weighted_metrics=["accuracy"])
print(tagger.name, "input_dim:", data.input_dim, "parameters:", tagger.count_params())

# %% [markdown]
# ## Train
#
# Every epoch draws `max_examples` new training windows (`dna_per_base.TrainingWindows`); the
# weights with the best validation loss are kept (early stopping whose patience is every epoch,
# so it only restores the best epoch).

# %%
stopwatch = seqlab.training.Stopwatch()
best = keras.callbacks.EarlyStopping(monitor="val_loss", patience=epochs, restore_best_weights=True)
history = tagger.fit(dna_per_base.TrainingWindows(data, batch_size), epochs=epochs, shuffle=False,
                     validation_data=data.validation_windows, validation_batch_size=batch_size,
                     callbacks=[stopwatch, best], verbose=2)
best_epoch = best.best_epoch + 1
print(f"trained {len(history.epoch)} epochs in {stopwatch.seconds:.1f} s; best epoch {best_epoch}")

# %% [markdown]
# ## Evaluate on the test region
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
valid_scores = dna_per_base.evaluate(data, dna_per_base.predict(tagger, data, "valid"), "valid")
probabilities = dna_per_base.predict(tagger, data, "test")
test_scores = dna_per_base.evaluate(data, probabilities, "test", threshold=valid_scores["coding_threshold"])
baseline_scores = dna_per_base.baselines(data)
dna_per_base.print_scores(data, {**baseline_scores, **valid_scores, **test_scores},
                          model_name=f"{'Bi' if bidirectional else ''}{cell.upper()} tagger")

# %% [markdown]
# ## Inference: coding probability along the test region
#
# The network's P(coding) for the first bases of the test region, against Prodigal's genes
# (forward strand above the axis, reverse strand below) and the k-mer baseline's calls.

# %%
figure = dna_per_base.draw_coding_probability(data, probabilities)
plt.show()
if save_outputs:
    name = f"dna_per_base_{dataset}_{cell}_depth{depth}_{'bidirectional' if bidirectional else 'forward'}"
    figure.savefig(seqlab.results.output_folder() / f"{name}_seed{seed}.png", dpi=100, bbox_inches="tight")

# %% [markdown]
# ## Results row

# %%
recorded = seqlab.results.record(
    task="per_base", architecture="many_to_many", dataset=dataset, labels=labels, clock=clock, window=window,
    cell=cell, units=units, depth=depth, bidirectional=bidirectional, dropout=dropout, seed=seed,
    replicas=distribution.num_replicas_in_sync, train_seconds=round(stopwatch.seconds, 2),
    per_base_train_seconds=round(stopwatch.seconds, 2), best_epoch=best_epoch, **valid_scores, **test_scores,
    kmer_test_mcc=baseline_scores["kmer_test_mcc"], kmer_test_noncoding_f1=baseline_scores["kmer_test_noncoding_f1"],
    majority_test_accuracy=baseline_scores["majority_test_accuracy"])
