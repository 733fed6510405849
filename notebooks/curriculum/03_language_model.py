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
# # Language models: characters and words, sampling novel sequences
#
# A language model gives the probability of a sequence one token at a time,
# P(y<1>, ..., y<T>) = prod_t P(y<t> | y<1>, ..., y<t-1>): it is trained to predict each next
# token, with `<eos>` marking the end and `<unk>` standing for words outside the vocabulary.
#
# 1. A **character-level** model of names (the embedded US census first names by default; the
#    course's dinosaur names with `dataset="dinos"` and `data_path="../../../shared/data/char_lm"`
#    or `SEQLAB_DATA_DIR`), sampled from the one-step model with temperature and top-k.
# 2. A **word-level** and a character-level model of the same English prose (Jane Austen's
#    *Lady Susan*, embedded), compared side by side: vocabulary, unknown words, speed,
#    held-out loss per character and perplexity.

# %% tags=["parameters"]
dataset: str = "census_names"  # character-level names source: census_names (embedded), dinos, names
data_path: str = ""  # folder or file of the source; empty: resolve by name
max_examples: int = 2000  # names kept, 0 for all
prose_dataset: str = "lady_susan"  # English prose for the char-vs-word comparison
prose_max_examples: int = 300  # prose sentences kept, 0 for all
min_word_frequency: int = 2  # rarer training words become <unk> in the word-level model
cell: str = "lstm"  # recurrent cell (seqlab.cells.available())
units: int = 64  # recurrent units per layer
depth: int = 1  # stacked recurrent layers
embedding_dim: int = 32  # token embedding size
epochs: int = 2  # training epochs per model
batch_size: int = 32  # sequences per batch
learning_rate: float = 0.005  # Adam learning rate
clipnorm: float = 5.0  # gradient clipping by norm (char-rnn and the course use 5)
temperatures: str = "0.5,1.0,1.5"  # sampling temperatures to compare, 0 for greedy
top_k: int = 0  # keep only the k most probable tokens when sampling, 0 for all
num_samples: int = 6  # samples per temperature
seed: int = 0  # seed for splits, weights and sampling
save_outputs: bool = False  # write the comparison table to seqlab.results.output_folder() (seqlab run: the run's folder)

# %%
import keras
import numpy as np
import pandas as pd

import seqlab
from seqlab.tasks import language_model

seqlab.training.start(seed)
temperature_list = [float(value) for value in temperatures.split(",")]

# %% [markdown]
# ## Shared pieces
#
# Every example is a token list ending with `<eos>`. The model reads `<bos>, y<1>, ...,
# y<T-1>` and is trained to output `y<1>, ..., y<T>, <eos>` (teacher forcing). Padding
# (id 0) is masked, so the held-out loss below is an exact sum over real tokens. Every model
# of this notebook trains the same way, from the same seed.

# %%
def train(data):
    seqlab.training.seed_everything(seed)
    generator = language_model.build(data, cell=cell, units=units, depth=depth, embedding_dim=embedding_dim)
    generator.train.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=clipnorm),
                            loss="sparse_categorical_crossentropy")
    inputs, targets = language_model.next_token_arrays(data, "train")
    stopwatch = seqlab.training.Stopwatch()
    generator.train.fit(inputs, targets, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[stopwatch])
    return generator, stopwatch.seconds


# %% [markdown]
# ## 1. A character-level model of names

# %%
# NBVAL_CHECK_OUTPUT
names = language_model.prepare(dataset, path=data_path or None, level="character", max_examples=max_examples,
                               seed=seed)
names.describe()

# %%
name_model, name_seconds = train(names)
name_scores = language_model.evaluate(names, language_model.predict(name_model.train, names, "test"), "test")
name_baselines = language_model.baselines(names)
name_loss = name_scores["test_loss_per_character"]
print(f"held-out loss per character: {name_loss:.3f} nats ({name_loss / np.log(2):.3f} bits); "
      f"uniform guess: {name_baselines['uniform_test_loss_per_token']:.3f}, "
      f"unigram frequencies: {name_baselines['unigram_test_loss_per_token']:.3f}; trained in {name_seconds:.1f} s")

# %% [markdown]
# ### Sampling novel names
#
# The one-step model (`step`) shares every layer with the training model and carries the
# LSTM state from character to character, so each new character costs one step. The
# temperature T reshapes the distribution, p^(1/T): low T picks safe, frequent patterns,
# high T takes risks; top-k keeps only the k most probable characters.

# %%
samples = language_model.sample_table(name_model, names, temperatures=temperature_list, count=num_samples,
                                      max_length=20, top_k=top_k, seed=seed)
novel_share = 1.0 - samples["in training set"].mean()
samples.groupby("temperature")["sample"].apply(", ".join).to_frame()

# %%
print(f"share of samples not in the training set: {novel_share:.2f}")

# %% [markdown]
# ## 2. Characters against words on the same English text
#
# Both levels split the same sentences with the same seed, so their test sets hold the same
# text: the per-character loss divides each model's total loss by the same character count
# (every character plus one end-of-sentence mark per sentence).

# %%
# NBVAL_CHECK_OUTPUT
prose = {level: language_model.prepare(prose_dataset, level=level, max_examples=prose_max_examples, seed=seed,
                                       min_frequency=min_word_frequency if level == "word" else 1)
         for level in ("word", "character")}
for data in prose.values():
    data.describe()
test_characters = prose["character"].token_count("test")
assert len(prose["character"].splits["test"]) == len(prose["word"].splits["test"])

# %%
comparison = []
prose_samples = {}
for level in ("character", "word"):
    data = prose[level]
    model, seconds = train(data)
    scores = language_model.evaluate(data, language_model.predict(model.train, data, "test"), "test",
                                     characters=test_characters)
    prose_samples[level] = language_model.sample_texts(model, data, temperature=0.8, count=3,
                                                       max_length=150 if level == "character" else 30,
                                                       top_k=top_k, seed=seed)
    comparison.append({
        "level": level, "vocabulary size": len(data.vocabulary),
        "unknown tokens in test": language_model.unknown_rate(data, "test"),
        "tokens per sentence": float(np.mean([len(tokens) for tokens in data.splits["test"]])),
        "train seconds": seconds, "thousand tokens per second": data.token_count("train") * epochs / seconds / 1000,
        "test loss per token": scores["test_loss_per_token"], "test perplexity per token": scores["test_perplexity"],
        "test loss per character": scores["test_loss_per_character"],
    })
comparison = pd.DataFrame(comparison).set_index("level")
if save_outputs:
    comparison.to_markdown(seqlab.results.output_folder() / "language_model_char_vs_word.md")
comparison.round(3).T

# %%
for level, sentences in prose_samples.items():
    print(f"{level}-level samples (temperature 0.8):")
    for sentence in sentences:
        print("   ", sentence)

# %% [markdown]
# What the table shows: the character model has a tiny vocabulary and never meets an unknown
# token, but needs several times more steps per sentence, so each step must carry
# information further back to capture words and grammar. The word model sees whole words at
# once (long-range structure in few steps) but pays with a large output layer and with
# `<unk>` for every rare word. "Loss per character" puts both on one scale: the word model's
# total loss divided by the number of characters of the same text. It flatters the word
# model: predicting `<unk>` is cheap, but `<unk>` does not spell the rare word (the share of
# unknown test tokens is in the table), whereas the character model pays for every letter.

# %%
word_row, character_row = comparison.loc["word"], comparison.loc["character"]
seqlab.results.record(
    task="language_model", dataset=dataset, prose_dataset=prose_dataset, architecture="one_to_many", cell=cell,
    units=units, depth=depth, epochs=epochs, seed=seed, train_seconds=float(name_seconds + comparison["train seconds"].sum()),
    test_loss_per_character=float(name_loss), novel_sample_share=float(novel_share),
    test_word_perplexity=float(word_row["test perplexity per token"]),
    test_prose_word_loss_per_character=float(word_row["test loss per character"]),
    test_prose_character_loss_per_character=float(character_row["test loss per character"]),
    test_word_unknown_rate=float(word_row["unknown tokens in test"]),
)
