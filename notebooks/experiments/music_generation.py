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
# # Polyphonic music: a next-frame RNN, and new chorales sampled from it
#
# A piece is a piano roll: one frame per quarter note, 88 keys, 1 where a key sounds. The
# model reads frames 1..t and gives the probability of frame t+1: the course's one-to-many
# model, trained with teacher forcing on whole pieces. Two outputs:
#
# - `output="dense"`: 88 independent sigmoids, one per key. The keys of a chord are then
#   independent draws: the model cannot say which keys sound *together*.
# - `output="nade"`: RNN-NADE (Boulanger-Lewandowski et al. 2012): the RNN state sets the biases
#   of a NADE (Larochelle & Murray 2011) that models the 88 keys of the next frame one after
#   another, each given the keys below it, so chords are learned. Its likelihood is exact, so
#   the NLL is comparable with the sigmoid output's.
#
# - **Benchmark**: the negative log-likelihood per frame (the TCN repository's definition: the
#   sum over the 88 keys of the binary cross-entropy, averaged over every predicted frame of
#   every test piece). Anchors on JSB Chorales (`dataset="jsb_chorales"`): LSTM 8.45, GRU 8.43,
#   tanh RNN 8.91, TCN 8.10 (Bai et al. 2018, Table 1), RNN-NADE 5.56 (Boulanger-Lewandowski
#   et al. 2012); the notebook prints the anchors of the dataset that ran. Lower is better.
# - **Generation**: the one-step model carries the RNN state from frame to frame (the history is
#   never re-read), sampling each key with a temperature, at most `top_k` keys per frame, a seed,
#   a maximum length and an end condition (a run of silent frames). Each sample becomes a MIDI
#   file and a piano-roll picture.
# - **Sample quality**: the loss does not say whether samples sound like chorales (a known
#   failure is a held or repeated chord), so the samples are measured against held-out real
#   pieces, at several temperatures.
#
# Default data: the Bach chorales that ship with `music21` (no download).

# %% tags=["parameters"]
dataset: str = "bach_chorales"  # music source: bach_chorales (embedded), jsb_chorales, jsb_chorales_json, nottingham, musedata, piano_midi, music_folder
data_path: str = ""  # file or folder of the data; empty: resolve the source by name
max_pieces: int = 30  # pieces loaded, all splits together, split 8:1:1; 0 loads all, else at least 10
cell: str = "lstm"  # recurrent cell: lstm, gru, rnn, or an equation_* cell
units: int = 64  # recurrent units per layer
depth: int = 1  # stacked recurrent layers
output: str = "dense"  # next-frame output: dense (88 independent sigmoids) or nade (keys modelled together)
nade_units: int = 0  # NADE hidden units, for the nade output; 0: the same as units
input_dropout: float = 0.3  # dropout on the inputs of every recurrent layer
output_dropout: float = 0.3  # dropout between the last recurrent layer and the output
epochs: int = 8  # maximum training epochs
patience: int = 20  # early stopping: epochs without a better validation NLL (best weights kept)
batch_size: int = 8  # whole pieces per batch (right-padded; padded frames get weight 0)
learning_rate: float = 0.003  # Adam learning rate
clipnorm: float = 1.0  # clip each gradient to this norm (Adam clipnorm)
seed: int = 0  # seed of weights, dropout, batch order and sampling
temperatures: list = [0.5, 1.0, 1.5]  # sampling temperatures compared; 0 is greedy
num_samples: int = 2  # pieces generated per temperature (sampling seeds seed, seed + 1, ...)
max_length: int = 32  # maximum generated frames (quarter notes)
top_k: int = 4  # at most this many keys on per frame, the most probable ones; 0 for no cap
prime_steps: int = 0  # frames of a held-out piece fed before sampling; 0 starts from a silent frame
end_silence: int = 4  # stop a sample after this many silent frames in a row; 0 stops only at max_length
save_outputs: bool = False  # write MIDI files, figures and the quality table to seqlab.results.output_folder()
strategy: str = "none"  # devices training together: none (one) or mirrored (every GPU, or cpu_replicas logical CPUs)
cpu_replicas: int = 1  # with strategy mirrored and no GPU: logical CPU devices to mirror over (1: the whole CPU)

# %%
import pathlib
import tempfile

import keras
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import seqlab
from seqlab.tasks import music

distribution = seqlab.training.start(seed, strategy=strategy, cpu_replicas=cpu_replicas)
batch_size = seqlab.distribute.even_batch_size(distribution, batch_size)  # a multiple of the replicas

# %% [markdown]
# ## Data
#
# Each split is a list of pieces, each a `uint8` array `(frames, 88)`; column 0 is MIDI pitch 21
# (A0). The model reads frames `0..T-2` and predicts frames `1..T-1`.

# %%
data = music.prepare(dataset, path=data_path or None, max_pieces=max_pieces)

# %%
# NBVAL_CHECK_OUTPUT
data.describe()

# %%
music.draw_piano_roll(data.splits["train"][0], title="a training piece", steps_per_quarter=data.steps_per_quarter)
plt.show()

# %% [markdown]
# ## Baseline
#
# The key-frequency model: every key on with its share of the training frames, whatever came
# before and whatever else sounds. A next-frame model has to beat it to have learned anything
# about time.

# %%
baseline_scores = music.baselines(data)
print(", ".join(f"{name} {value:.3f}" for name, value in baseline_scores.items()))

# %% [markdown]
# ## Model
#
# `seqlab.build("one_to_many", ...)` returns two models sharing every layer: `train` maps a
# whole piece to the next-frame probabilities at every step; `step` maps one frame and the
# recurrent states to the next frame's distribution and the new states (for generation). With
# `output="nade"`, `train` also reads the true next frames (each key's probability is given the
# true keys below it: teacher forcing over pitch), and `step` returns the NADE's biases.

# %%
# NBVAL_CHECK_OUTPUT
with distribution.scope():  # strategy="mirrored": one copy per device, gradients summed
    generator = music.build(data, output=output, nade_units=nade_units, cell=cell, units=units, depth=depth,
                            input_dropout=input_dropout, output_dropout=output_dropout)
print(f"{cell} x {depth}, {units} units, {output} output: {generator.train.count_params():,} parameters")
print("step model inputs:", [tuple(tensor.shape) for tensor in generator.step.inputs])

# %% [markdown]
# ## Train
#
# Whole pieces, batched by similar length and right-padded; every real frame has sample weight
# 1 and every padded frame 0, so padding never enters the loss (no input mask is needed:
# padding comes after the real frames and a causal RNN never reads ahead; a mask on all-zero
# frames would also hide the real rests). Adam with gradient clipping; after every epoch the
# validation NLL (the benchmark metric) is computed, and early stopping keeps the best weights.

# %%
with distribution.scope():
    generator.train.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=clipnorm),
                            loss="binary_crossentropy")
early_stopping = keras.callbacks.EarlyStopping(monitor="valid_nll", mode="min", patience=patience,
                                               restore_best_weights=True)
stopwatch = seqlab.training.Stopwatch()
history = generator.train.fit(
    music.training_dataset(data, generator.train, batch_size=batch_size, seed=seed), epochs=epochs, shuffle=False,
    verbose=2,  # the dataset shuffles
    callbacks=[seqlab.training.EvaluateCallback(music, data, "valid", batch_size=batch_size), early_stopping, stopwatch],
)
train_seconds = stopwatch.seconds
best_epoch = int(np.argmin(history.history["valid_nll"])) + 1
print(f"trained {len(history.history['loss'])} epochs in {train_seconds:.1f} s; best validation epoch {best_epoch}")

# %%
music.draw_validation_nll(history)
plt.show()

# %% [markdown]
# ## Evaluate
#
# The NLL per frame, with the best weights, on the validation and the test pieces.

# %%
scores = {**music.evaluate(data, music.predict(generator.train, data, "valid", batch_size=batch_size), "valid"),
          **music.evaluate(data, music.predict(generator.train, data, "test", batch_size=batch_size), "test")}
music.print_scores(data, scores)

# %% [markdown]
# ## Generate
#
# `seqlab.sampling.sample` calls the step model once per frame and carries its states. With the
# dense output each key of the next frame is drawn independently (`distribution="bernoulli"`)
# from its probability sharpened or flattened by the temperature, with at most `top_k` keys on
# (the most probable ones). With the NADE output (`distribution="nade"`) the keys are drawn one
# after another from the lowest, each given the keys already drawn, so a chord is drawn as a
# whole (`top_k` then stops adding keys once `top_k` are on; 0: no cap). A sample starts from a
# silent frame or from the first `prime_steps` frames of a held-out piece, and ends after
# `end_silence` silent frames or `max_length` frames. MIDI files and pictures use the data's
# time step (`steps_per_quarter`), so a sample plays at the speed of the pieces it learned from.

# %%
output_folder = (seqlab.results.output_folder() if save_outputs
                 else pathlib.Path(tempfile.mkdtemp(prefix="music_samples_")))
samples, figure = music.sample_pieces(generator, data, temperatures=temperatures, num_samples=num_samples,
                                      folder=output_folder, max_length=max_length, top_k=top_k,
                                      prime_steps=prime_steps, end_silence=end_silence, seed=seed)
if save_outputs:
    figure.savefig(output_folder / "samples_piano_roll.png", dpi=80)
plt.show()
print("MIDI files:", sorted(path.name for path in output_folder.glob("*.mid")))

# %% [markdown]
# ## Sample quality
#
# Each measure on each generated piece (the prime excluded) and on the held-out test pieces cut
# to `max_length` frames, averaged: pitch-class histogram distance to the training data
# (Jensen-Shannon, 0 = the same), share of sounding notes in the piece's key (music21's key
# analysis), longest run of one repeated frame, share of distinct 4-frame n-grams (low =
# loops), polyphony (keys per frame) and share of silent frames. Higher temperatures make the
# samples more varied and less tonal; low ones hold and repeat chords.

# %%
quality_table = music.sample_quality_table(data, samples, max_length=max_length)
display(quality_table.round(3))
if save_outputs:
    quality_table.round(4).to_csv(output_folder / "sample_quality.csv", index=False)
    (output_folder / "sample_quality.md").write_text(quality_table.round(3).to_markdown(index=False) + "\n")

# %%
figure = music.draw_sample_quality(quality_table)
if save_outputs:
    figure.savefig(output_folder / "quality_vs_temperature.png", dpi=80)
plt.show()

# %% [markdown]
# ## Record

# %%
row = seqlab.results.record(task="music", dataset=dataset, architecture="one_to_many", cell=cell, units=units,
                            depth=depth, bidirectional=False, seed=seed, replicas=distribution.num_replicas_in_sync,
                            train_seconds=train_seconds, **scores, best_epoch=best_epoch,
                            epochs_run=len(history.history["loss"]), **baseline_scores,
                            **music.sample_fields(quality_table))
