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
# # A recurrent network from scratch: notation, forward propagation, backpropagation through time
#
# This notebook follows the course notes on one real English sentence (from Jane Austen's
# *Lady Susan*, embedded in seqlab):
#
# 1. **Notation**: the words x<t>, their number T_x, the targets y<t>, one-hot vectors over a
#    sorted vocabulary, and the x^(i)<t> indexing of a batch.
# 2. **Forward propagation**, written step by step from the equations
#    a<t> = tanh(W_a [a<t-1>, x<t>] + b_a) and y^<t> = softmax(W_y a<t> + b_y), checked against
#    seqlab's equation cell and against `keras.layers.SimpleRNN`.
# 3. **Backpropagation through time**: the loss is the sum over time of the per-step losses;
#    the gradients from `GradientTape` are checked against finite differences.

# %% tags=["parameters"]
dataset: str = "lady_susan"  # a word-level text source of seqlab.data (embedded by default)
data_path: str = ""  # folder or file of the source; empty: resolve by name
sentence_index: int = 3  # which training sentence of 6 to 12 words to follow through the notebook
units: int = 5  # size of the hidden state a<t>
gradient_entries: int = 4  # entries per weight matrix compared with finite differences
epsilon: float = 1e-5  # finite-difference step (the check runs in float64)
seed: int = 0  # seed for the weights and the checked entries
save_outputs: bool = False  # write the figure to seqlab.results.output_folder() (seqlab run: the run's folder)

# %%
import numpy as np
import pandas as pd
import keras
import tensorflow as tf
import matplotlib.pyplot as plt

import seqlab
from seqlab import data, probes
from seqlab.cells import EquationRNNCell, copy_weights_from_keras
from seqlab.data.vocab import Vocabulary

seqlab.training.start(seed);  # devices and seeds (the semicolon keeps the returned strategy out of the output)

# %% [markdown]
# ## 1. Notation on a real sentence
#
# The dataset is a list of sentences, each a list of words ending with `<eos>`. The
# vocabulary is sorted, with four reserved ids first (`<pad>` = 0, `<unk>` = 1, `<bos>` = 2,
# `<eos>` = 3), so it is the same whatever the order of the sentences.

# %%
# NBVAL_CHECK_OUTPUT
text = data.load(dataset, path=data_path or None)
vocabulary = Vocabulary.build(text["train"], level="word")
candidates = [sentence for sentence in text["train"] if 6 <= len(sentence) - 1 <= 12]
sentence = candidates[sentence_index]
words = sentence[:-1]
print(f"{len(text['train'])} training sentences, vocabulary of {len(vocabulary)} words (reserved ids included)")
print("sentence:", " ".join(words))

# %% [markdown]
# x<t> is the t-th word, T_x the number of words. For a language model the target at step t
# is the next word, y<t> = x<t+1>, and the last target is `<eos>`: T_y = T_x.

# %%
# NBVAL_CHECK_OUTPUT
x_ids = np.array(vocabulary.encode(words))
y_ids = np.array(vocabulary.encode(sentence[1:]))
T_x = len(x_ids)
notation = pd.DataFrame({
    "t": np.arange(1, T_x + 1),
    "x<t>": words,
    "index of x<t>": x_ids,
    "y<t> = x<t+1>": sentence[1:],
    "index of y<t>": y_ids,
})
print(f"T_x = {T_x}, T_y = {len(y_ids)}")
notation

# %% [markdown]
# Each word becomes a one-hot vector of the vocabulary's size: all zeros except a 1 at the
# word's index. A batch of m sentences is a tensor X of shape (m, T_x, vocabulary size), and
# x^(i)<t> = X[i, t] is the t-th word of the i-th example (padded with `<pad>` = id 0 to the
# longest sentence; padding steps are masked by the models).

# %%
# NBVAL_CHECK_OUTPUT
x_one_hot = np.eye(len(vocabulary), dtype="float32")[x_ids]
print("x<1> is one-hot:", x_one_hot.shape, "sum", x_one_hot[0].sum(), "non-zero at", np.flatnonzero(x_one_hot[0]))
batch = seqlab.data.batching.pad_sequences(vocabulary.encode_all([s[:-1] for s in candidates[:3]]))
print("X (ids) has shape (m, T_x) =", batch.shape)
print(f"x^(2)<3> = X[1, 2] = {batch[1, 2]} = {vocabulary.tokens[batch[1, 2]]!r}")

# %% [markdown]
# ## 2. Forward propagation, one step at a time
#
# The notes stack the previous state and the input, [a<t-1>, x<t>], and use one matrix W_a of
# shape (units + vocabulary size, units). We take the weights of a `keras.layers.SimpleRNN`,
# copy them into seqlab's `EquationRNNCell` (which keeps W_a in that stacked form), and run
# the equations by hand in numpy.

# %%
# NBVAL_CHECK_OUTPUT
vocabulary_size = len(vocabulary)
simple_rnn = keras.layers.SimpleRNN(units, return_sequences=True)
simple_rnn.build((1, T_x, vocabulary_size))
cell = EquationRNNCell(units)
cell.build((1, vocabulary_size))
copy_weights_from_keras(cell, simple_rnn.cell)
W_a, b_a = keras.ops.convert_to_numpy(cell.hidden_kernel), keras.ops.convert_to_numpy(cell.hidden_bias)
readout = keras.layers.Dense(vocabulary_size, activation="softmax")
readout.build((1, units))
W_y, b_y = (keras.ops.convert_to_numpy(weight) for weight in readout.weights)
print("W_a", W_a.shape, "b_a", b_a.shape, "W_y", W_y.shape, "b_y", b_y.shape)


# %%
def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


a = np.zeros(units, dtype="float32")  # a<0>
manual_states, manual_predictions = [], []
for t in range(T_x):
    a = np.tanh(np.concatenate([a, x_one_hot[t]]) @ W_a + b_a)  # a<t> = g(W_a [a<t-1>, x<t>] + b_a)
    manual_states.append(a)
    manual_predictions.append(softmax(a @ W_y + b_y))  # y^<t> = softmax(W_y a<t> + b_y)
manual_states = np.stack(manual_states)
manual_predictions = np.stack(manual_predictions)

equation_states = keras.ops.convert_to_numpy(keras.layers.RNN(cell, return_sequences=True)(x_one_hot[None]))[0]
keras_states = keras.ops.convert_to_numpy(simple_rnn(x_one_hot[None]))[0]
forward_difference = float(max(np.abs(manual_states - equation_states).max(), np.abs(manual_states - keras_states).max()))
print(f"largest |a<t>| difference, by hand vs EquationRNNCell vs SimpleRNN: {forward_difference:.1e}")
assert forward_difference < 1e-5

# %% [markdown]
# The hidden state carries information forward: each a<t> depends on every earlier word.

# %%
figure, axis = plt.subplots(figsize=(7, 2.6), dpi=80)
image = axis.imshow(manual_states.T, cmap="coolwarm", vmin=-1, vmax=1, aspect="auto")
axis.set_xticks(range(T_x), words, rotation=45, ha="right")
axis.set_ylabel("unit of a<t>")
axis.set_title("hidden state a<t> along the sentence (untrained weights)")
figure.colorbar(image, ax=axis)
figure.tight_layout()
if save_outputs:
    figure.savefig(seqlab.results.output_folder() / "curriculum_rnn_from_scratch_states.png", dpi=80)
plt.show()

# %% [markdown]
# ## 3. Backpropagation through time
#
# The loss of the sentence is the sum of the per-step cross-entropies,
# L = sum_t L<t>(y^<t>, y<t>) = - sum_t log y^<t>[y<t>] (`seqlab.losses.sequence_cross_entropy`,
# below for the float64 copy of the model). Gradients flow back from every L<t>
# through a<t>, a<t-1>, ..., a<1>: that is backpropagation through time. `GradientTape` does
# it for us; finite differences (L(w + e) - L(w - e)) / 2e check it entry by entry, in float64.

# %%
per_step_losses = -np.log(manual_predictions[np.arange(T_x), y_ids])
pd.DataFrame({"t": np.arange(1, T_x + 1), "x<t>": words, "target y<t>": sentence[1:],
              "L<t>": per_step_losses.round(4)})

# %%
cell64 = EquationRNNCell(units, dtype="float64")
recurrent64 = keras.layers.RNN(cell64, return_sequences=True, dtype="float64")
readout64 = keras.layers.Dense(vocabulary_size, activation="softmax", dtype="float64")
inputs64 = tf.constant(x_one_hot[None], dtype="float64")
readout64.build((1, units))
recurrent64.build(inputs64.shape)
for target, source in zip(cell64.weights + readout64.weights, cell.weights + readout.weights):
    target.assign(keras.ops.cast(source, "float64"))


def sentence_loss():
    predictions = readout64(recurrent64(inputs64))
    return seqlab.losses.sequence_cross_entropy(y_ids[None], predictions)[0]  # sum over t of L<t>


total_loss = float(sentence_loss())
print(f"L = sum of the {T_x} per-step losses = {total_loss:.4f} (by hand: {per_step_losses.sum():.4f})")
check = pd.DataFrame(probes.gradient_check(sentence_loss, cell64.weights + readout64.weights,
                                           entries=gradient_entries, epsilon=epsilon, seed=seed))
largest_relative_error = float(check["relative_error"].max())
check.round({"analytic": 6, "numeric": 6})

# %%
print(f"largest relative error between GradientTape and finite differences: {largest_relative_error:.1e}")

# %% [markdown]
# How much of the loss reaches each hidden state? dL/da<t> collects every path from a<t> to
# the loss (through all later steps). `seqlab.probes.state_gradients` measures it; the
# `vanishing_gradients` notebook follows it over long distances.

# %%
state_gradient = probes.state_gradients(
    recurrent64, inputs64,
    lambda states: keras.losses.sparse_categorical_crossentropy(y_ids[None], readout64(states)))
pd.DataFrame({"t": np.arange(1, T_x + 1), "x<t>": words,
              "||dL/da<t>||": np.linalg.norm(state_gradient[0], axis=-1).round(4)})

# %%
seqlab.results.record(
    task="rnn_from_scratch", dataset=dataset, cell="equation_rnn", units=units, seed=seed,
    sentence_length=T_x, vocabulary_size=vocabulary_size, sentence_loss=total_loss,
    forward_max_difference=forward_difference, gradient_max_relative_error=largest_relative_error,
)
