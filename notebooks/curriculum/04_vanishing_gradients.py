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
# # Vanishing and exploding gradients, measured
#
# The notes' example: "The **cat**, which already ate ..., **was** full" against "The **cats**,
# which ..., **were** full". To choose the verb the network must carry the subject's number
# across every word in between, and the training signal must travel back just as far. Here
# that example becomes a measurable probe (`seqlab.probes.agreement_data`): the distance
# between subject and verb is a parameter, and the words in between are prepositional
# phrases whose nouns are *attractors* ("the cat near the dogs ... was"), so the nearest noun
# is no guide. The data is synthetic on purpose: only then is the distance exact.
#
# We measure
# 1. ||dL/da<t>|| against t for SimpleRNN, GRU and LSTM: how much of the loss reaches the
#    hidden state at step t (`seqlab.probes.state_gradient_norms`, backpropagation through time);
# 2. test accuracy against distance for each cell;
# 3. exploding gradients with a large recurrent initialisation;
# 4. gradient clipping, by norm and by value, on the loss curve.

# %% tags=["parameters"]
cells: str = "rnn,gru,lstm"  # comma-separated cell names (seqlab.cells.available())
distances: str = "4,16"  # comma-separated subject-verb distances; one model per cell and distance
probe_distance: int = 16  # distance of the sentences used for the gradient plot
units: int = 16  # recurrent units
embedding_dim: int = 8  # word embedding size
num_train: int = 400  # training sentences per distance
num_test: int = 400  # test sentences per distance
attractor_probability: float = 0.5  # chance that a noun between subject and verb has the other number
epochs: int = 3  # epochs per model
batch_size: int = 32  # examples per batch
learning_rate: float = 0.01  # Adam learning rate for the agreement models
recurrent_gains: str = "0.5,1,2,4"  # orthogonal recurrent-initialiser gains for the exploding-gradient plot
clip_gain: float = 4.0  # recurrent gain of the SimpleRNN trained with and without clipping
clip_learning_rate: float = 0.5  # SGD learning rate for the clipping comparison (large on purpose)
clip_norm: float = 1.0  # clipnorm: rescale each gradient tensor to at most this L2 norm
clip_value: float = 0.1  # clipvalue: clip each gradient entry to [-clip_value, clip_value]
clip_epochs: int = 2  # epochs of the clipping comparison
seed: int = 0  # seed for data, weights and shuffling
save_outputs: bool = False  # write the figures to seqlab.results.output_folder() (seqlab run: the run's folder)

# %%
import time

import numpy as np
import pandas as pd
import keras
import matplotlib.pyplot as plt

import seqlab
from seqlab import probes
from seqlab.data.vocab import Vocabulary

seqlab.training.start(seed)
cell_names = [name.strip() for name in cells.split(",") if name.strip()]
distance_list = sorted(int(value) for value in distances.split(","))
gain_list = [float(value) for value in recurrent_gains.split(",")]
for name in cell_names:
    seqlab.cells.check_cell(name)

# %% [markdown]
# ## Data: number agreement at a chosen distance
#
# The vocabulary is the fixed, sorted word list of the generator. Each input is
# `the <subject> <distance words>`; the label is 0 for "was" (singular subject) and 1 for
# "were" (plural subject).

# %%
# NBVAL_CHECK_OUTPUT
vocabulary = Vocabulary(probes.agreement_words())
print(f"vocabulary: {len(vocabulary)} ids ({len(vocabulary) - 4} words + 4 reserved)")
for example in probes.agreement_data(4, distance=7, attractor_probability=attractor_probability, seed=seed):
    print(f"{' '.join(example['tokens']):55s} -> {probes.AGREEMENT_VERBS[example['label']]}")


# %%
def agreement_arrays(count, distance, data_seed):
    examples = probes.agreement_data(count, distance=distance, attractor_probability=attractor_probability,
                                     seed=data_seed)
    return (np.array([vocabulary.encode(example["tokens"]) for example in examples], dtype="int32"),
            np.array([example["label"] for example in examples], dtype="int32"))


def build_classifier(cell, **cell_options):
    return seqlab.build("many_to_one", cell=cell, units=units, vocab_size=len(vocabulary),
                        embedding_dim=embedding_dim, num_classes=2, **cell_options)


probe_inputs, probe_targets = agreement_arrays(200, probe_distance, seed + 10_000)
print("probe batch:", probe_inputs.shape)

# %% [markdown]
# ## 1. How far back does the loss reach? ||dL/da<t>|| against t
#
# For a fresh (untrained) model of each cell we compute, for every step t, the norm of the
# gradient of the loss with respect to the hidden state a<t>, averaged over 200 sentences.
# Step t = 2 is the subject; the verb is predicted after the last step.

# %%
initial_norms = {}
for cell in cell_names:
    seqlab.training.seed_everything(seed)
    initial_norms[cell] = probes.state_gradient_norms(build_classifier(cell), probe_inputs, probe_targets)
steps = np.arange(1, probe_inputs.shape[1] + 1)
figure, axis = plt.subplots(figsize=(6, 3.2), dpi=80)
for cell, norms in initial_norms.items():
    axis.semilogy(steps, norms, marker=".", label=cell)
axis.axvline(2, color="grey", linestyle=":", label="subject")
axis.set_xlabel("step t")
axis.set_ylabel("||dL/da<t>||")
axis.set_title(f"gradient reaching each step at initialisation (distance {probe_distance})")
axis.legend()
figure.tight_layout()
if save_outputs:
    figure.savefig(seqlab.results.output_folder() / "curriculum_vanishing_gradient_norms.png", dpi=80)
plt.show()
subject_share = {cell: float(norms[1] / norms[-1]) for cell, norms in initial_norms.items()}
pd.DataFrame({"cell": list(subject_share), "||dL/da<subject>|| / ||dL/da<T>||": list(subject_share.values())})

# %% [markdown]
# ## 2. Accuracy against distance, per cell
#
# One model per cell and distance, trained on sentences of that distance only, evaluated on
# fresh sentences of the same distance (chance = 50 %).

# %%
rows = []
trained = {}
for distance in distance_list:
    train_inputs, train_targets = agreement_arrays(num_train, distance, seed + distance)
    test_inputs, test_targets = agreement_arrays(num_test, distance, seed + 1_000 + distance)
    for cell in cell_names:
        seqlab.training.seed_everything(seed)
        model = build_classifier(cell)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        started = time.perf_counter()
        history = model.fit(train_inputs, train_targets, epochs=epochs, batch_size=batch_size, verbose=0)
        seconds = time.perf_counter() - started
        test_loss, test_accuracy = model.evaluate(test_inputs, test_targets, verbose=0)
        trained[cell, distance] = model
        rows.append({"cell": cell, "distance": distance, "train_accuracy": history.history["accuracy"][-1],
                     "test_accuracy": test_accuracy, "train_seconds": seconds})
accuracy = pd.DataFrame(rows)
accuracy.pivot(index="distance", columns="cell", values="test_accuracy").round(3)

# %%
figure, axis = plt.subplots(figsize=(5, 3), dpi=80)
for cell in cell_names:
    part = accuracy[accuracy["cell"] == cell]
    axis.plot(part["distance"], part["test_accuracy"], marker="o", label=cell)
axis.axhline(0.5, color="grey", linestyle=":", label="chance")
axis.set_xlabel("words between subject and verb")
axis.set_ylabel("test accuracy")
axis.set_ylim(0.4, 1.02)
axis.legend()
figure.tight_layout()
if save_outputs:
    figure.savefig(seqlab.results.output_folder() / "curriculum_vanishing_accuracy.png", dpi=80)
plt.show()

# %% [markdown]
# **Reading the two measurements together.** The textbook story ("a SimpleRNN forgets, gated
# cells remember") is about a SimpleRNN whose backward signal shrinks at every step. Keras'
# SimpleRNN starts with an *orthogonal* recurrent matrix (gain 1 in section 3), which keeps the
# size of the backward signal while tanh is near its linear range (the remedy of Saxe et al.
# 2014 and Le et al. 2015), so at initialisation its gradient reaches the subject almost
# intact. A fresh GRU instead keeps only about half of its old state per step (update gate
# sigmoid(0) = 0.5) and a fresh LSTM about 0.73 (forget gate sigmoid(1), Keras'
# `unit_forget_bias`): their gradient at the subject starts many orders of magnitude smaller,
# and they must first learn to open their gates. With few epochs that may not have happened
# yet; `experiments/curriculum_vanishing.yaml` trains longer and over longer distances, where
# the saturating SimpleRNN is expected to lose its advantage. Section 3 shows that a SimpleRNN
# with a smaller recurrent gain does lose its gradient geometrically.

# %% [markdown]
# ## 3. Exploding gradients: a large recurrent initialisation
#
# A SimpleRNN whose recurrent matrix is orthogonal times a gain g multiplies the backward
# signal by about g at each step while tanh stays in its linear range: g < 1 makes the
# gradient vanish geometrically, g = 1 (Keras' default) keeps it, g > 1 makes it explode.

# %%
exploding = {}
for gain in gain_list:
    seqlab.training.seed_everything(seed)
    model = build_classifier("rnn", recurrent_initializer=keras.initializers.Orthogonal(gain=gain))
    exploding[gain] = probes.state_gradient_norms(model, probe_inputs, probe_targets)
figure, axis = plt.subplots(figsize=(6, 3.2), dpi=80)
for gain, norms in exploding.items():
    axis.semilogy(steps, norms, marker=".", label=f"gain {gain:g}")
axis.set_xlabel("step t")
axis.set_ylabel("||dL/da<t>||")
axis.set_title("SimpleRNN at initialisation, recurrent matrix = gain x orthogonal")
axis.legend()
figure.tight_layout()
if save_outputs:
    figure.savefig(seqlab.results.output_folder() / "curriculum_exploding_gradient_norms.png", dpi=80)
plt.show()
pd.DataFrame({"gain": gain_list, "||dL/da<1>||": [norms[0] for norms in exploding.values()],
              "||dL/da<T>||": [norms[-1] for norms in exploding.values()]})


# %% [markdown]
# ## 4. Gradient clipping on the loss curve
#
# The same exploding SimpleRNN (gain `clip_gain`), trained with plain SGD at a large learning
# rate: without clipping, with `clipnorm` (each gradient tensor rescaled to norm at most
# `clip_norm`) and with `clipvalue` (each entry clipped to +-`clip_value`). The curves show the
# running mean of the training loss after every batch.

# %%
class BatchLosses(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(logs["loss"])


clip_inputs, clip_targets = agreement_arrays(num_train, probe_distance, seed + 20_000)
clipping = {"no clipping": {}, f"clipnorm={clip_norm:g}": {"clipnorm": clip_norm},
            f"clipvalue={clip_value:g}": {"clipvalue": clip_value}}
curves = {}
for label, options in clipping.items():
    seqlab.training.seed_everything(seed)
    model = build_classifier("rnn", recurrent_initializer=keras.initializers.Orthogonal(gain=clip_gain))
    model.compile(optimizer=keras.optimizers.SGD(clip_learning_rate, **options), loss="sparse_categorical_crossentropy")
    recorder = BatchLosses()
    model.fit(clip_inputs, clip_targets, epochs=clip_epochs, batch_size=batch_size, verbose=0, callbacks=[recorder])
    curves[label] = np.array(recorder.losses)
figure, axis = plt.subplots(figsize=(6, 3.2), dpi=80)
for label, losses in curves.items():
    axis.plot(np.arange(1, len(losses) + 1), losses, label=label)
axis.set_xlabel("batch")
axis.set_ylabel("training loss (running mean per epoch)")
axis.set_title(f"SimpleRNN, gain {clip_gain:g}, SGD {clip_learning_rate:g}")
axis.legend()
figure.tight_layout()
if save_outputs:
    figure.savefig(seqlab.results.output_folder() / "curriculum_gradient_clipping.png", dpi=80)
plt.show()
final_losses = {label: float(losses[-1]) for label, losses in curves.items()}
pd.DataFrame({"training": list(final_losses), "final loss": list(final_losses.values())})

# %% [markdown]
# ## Results row

# %%
longest = distance_list[-1]
metrics = {f"test_accuracy_{cell}": float(accuracy.query("cell == @cell and distance == @longest")["test_accuracy"].iloc[0])
           for cell in cell_names}
metrics.update({f"subject_gradient_share_{cell}": share for cell, share in subject_share.items()})
metrics.update({
    "final_loss_no_clipping": final_losses["no clipping"],
    "final_loss_clipnorm": final_losses[f"clipnorm={clip_norm:g}"],
    "final_loss_clipvalue": final_losses[f"clipvalue={clip_value:g}"],
})
seqlab.results.record(
    task="vanishing_gradients", architecture="many_to_one", cells=cells, distances=distances,
    longest_distance=longest, probe_distance=probe_distance, units=units, epochs=epochs, seed=seed,
    train_seconds=float(accuracy["train_seconds"].sum()), **metrics,
)
