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
import time

import numpy as np
import pandas as pd
import keras

import seqlab
from seqlab import data
from seqlab.data.batching import pad_sequences
from seqlab.data.vocab import BOS_ID, EOS_ID, PAD_ID, UNK_ID, Vocabulary

seqlab.training.configure_devices()
seqlab.training.seed_everything(seed)
temperature_list = [float(value) for value in temperatures.split(",")]

# %% [markdown]
# ## Shared pieces
#
# Every example is a token list ending with `<eos>`. The model reads `<bos>, y<1>, ...,
# y<T-1>` and is trained to output `y<1>, ..., y<T>, <eos>` (teacher forcing). Padding
# (id 0) is masked, so the held-out loss below is an exact sum over real tokens.

# %%
def next_token_arrays(vocabulary, examples):
    ids = [vocabulary.encode(tokens) for tokens in examples]
    return pad_sequences([[BOS_ID] + sequence[:-1] for sequence in ids]), pad_sequences(ids)


def train_language_model(vocabulary, examples):
    seqlab.training.seed_everything(seed)
    generator = seqlab.build("one_to_many", cell=cell, units=units, depth=depth, vocab_size=len(vocabulary),
                             embedding_dim=embedding_dim)
    generator.train.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=clipnorm),
                            loss="sparse_categorical_crossentropy")
    inputs, targets = next_token_arrays(vocabulary, examples)
    stopwatch = seqlab.training.Stopwatch()
    generator.train.fit(inputs, targets, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[stopwatch])
    return generator, stopwatch.seconds, int((targets != PAD_ID).sum()) * epochs


def held_out_nll(generator, vocabulary, examples):
    """Total negative log-likelihood (nats) and number of predicted tokens on held-out examples."""
    inputs, targets = next_token_arrays(vocabulary, examples)
    probabilities = generator.train.predict(inputs, batch_size=256, verbose=0)
    picked = np.take_along_axis(probabilities, targets[..., None], axis=-1)[..., 0]
    real = targets != PAD_ID
    return float(-np.log(np.clip(picked[real], 1e-12, None)).sum()), int(real.sum())


def draw_samples(generator, vocabulary, temperature, count, max_length):
    step = seqlab.sampling.model_step_function(generator.step)
    return [vocabulary.to_text(seqlab.sampling.sample(
        step, seqlab.sampling.initial_states(generator.step), [BOS_ID], steps=max_length, temperature=temperature,
        top_k=top_k or None, seed=seed + index, end_id=EOS_ID)) for index in range(count)]


# %% [markdown]
# ## 1. A character-level model of names

# %%
# NBVAL_CHECK_OUTPUT
names = data.load(dataset, path=data_path or None, seed=seed, max_examples=max_examples)
characters = Vocabulary.build(names["train"], level="character")
print(f"{dataset}: {len(names['train'])} / {len(names['valid'])} / {len(names['test'])} names (train / valid / test)")
print(f"{len(characters)} symbols: {''.join(characters.tokens[4:])!r} + <pad> <unk> <bos> <eos>")

# %%
name_model, name_seconds, name_tokens = train_language_model(characters, names["train"])
nll, count = held_out_nll(name_model, characters, names["test"])
name_loss = nll / count
print(f"held-out loss per character: {name_loss:.3f} nats ({name_loss / np.log(2):.3f} bits); "
      f"uniform guess: {np.log(len(characters) - 3):.3f}; trained in {name_seconds:.1f} s")

# %% [markdown]
# ### Sampling novel names
#
# The one-step model (`step`) shares every layer with the training model and carries the
# LSTM state from character to character, so each new character costs one step. The
# temperature T reshapes the distribution, p^(1/T): low T picks safe, frequent patterns,
# high T takes risks; top-k keeps only the k most probable characters.

# %%
known = {"".join(tokens[:-1]) for tokens in names["train"]}
rows = []
for temperature in temperature_list:
    for sample in draw_samples(name_model, characters, temperature, num_samples, 20):
        rows.append({"temperature": temperature, "sample": sample, "in training set": sample in known})
samples = pd.DataFrame(rows)
novel_share = 1.0 - samples["in training set"].mean()
samples.groupby("temperature")["sample"].apply(", ".join).to_frame()

# %%
print(f"share of samples not in the training set: {novel_share:.2f}")

# %% [markdown]
# ## 2. Characters against words on the same English text

# %%
# NBVAL_CHECK_OUTPUT
prose_words = data.load(prose_dataset, level="word", seed=seed, max_examples=prose_max_examples)
prose_characters = data.load(prose_dataset, level="character", seed=seed, max_examples=prose_max_examples)
word_vocabulary = Vocabulary.build(prose_words["train"], level="word", min_frequency=min_word_frequency)
character_vocabulary = Vocabulary.build(prose_characters["train"], level="character")
print(f"{len(prose_words['train'])} training sentences; vocabulary: {len(word_vocabulary)} words "
      f"(seen >= {min_word_frequency} times), {len(character_vocabulary)} characters")


# %%
def unknown_rate(vocabulary, examples):
    ids = np.concatenate([vocabulary.encode(tokens) for tokens in examples])
    return float((ids == UNK_ID).mean())


# Both levels split the same sentences with the same seed, so their test sets hold the same
# text: the per-character loss divides each model's total loss by the same character count
# (every character plus one end-of-sentence mark per sentence).
test_characters = sum(len(tokens) for tokens in prose_characters["test"])
assert len(prose_characters["test"]) == len(prose_words["test"])


comparison = []
prose_samples = {}
for level, examples, vocabulary in (("character", prose_characters, character_vocabulary),
                                    ("word", prose_words, word_vocabulary)):
    model, seconds, trained_tokens = train_language_model(vocabulary, examples["train"])
    nll, count = held_out_nll(model, vocabulary, examples["test"])
    prose_samples[level] = draw_samples(model, vocabulary, 0.8, 3, 150 if level == "character" else 30)
    comparison.append({
        "level": level, "vocabulary size": len(vocabulary),
        "unknown tokens in test": unknown_rate(vocabulary, examples["test"]),
        "tokens per sentence": float(np.mean([len(tokens) for tokens in examples["test"]])),
        "train seconds": seconds, "thousand tokens per second": trained_tokens / seconds / 1000,
        "test loss per token": nll / count, "test perplexity per token": float(np.exp(nll / count)),
        "test loss per character": nll / test_characters,
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
