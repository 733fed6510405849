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
import pandas
from IPython.display import display

import seqlab
from seqlab import nade
from seqlab.data import music as music_data
from seqlab.data.batching import make_dataset
from seqlab.metrics import music as music_metrics

device = seqlab.training.configure_devices()
distribution = seqlab.distribute.select(strategy, cpu_replicas=cpu_replicas)
batch_size = seqlab.distribute.even_batch_size(distribution, batch_size)  # a multiple of the replicas
seed = seqlab.training.seed_everything(seed)

# %% [markdown]
# ## Data
#
# Each split is a list of pieces, each a `uint8` array `(frames, 88)`; column 0 is MIDI pitch 21
# (A0). The model reads frames `0..T-2` and predicts frames `1..T-1`.

# %%
splits = seqlab.data.load(dataset, path=data_path or None, max_pieces=max_pieces)

# %%
# NBVAL_CHECK_OUTPUT
for split, pieces in splits.items():
    frames = sum(len(piece) for piece in pieces)
    print(f"{split:5s}: {len(pieces):3d} pieces, {frames:6d} frames, "
          f"{np.mean([piece.sum(axis=1).mean() for piece in pieces]):.2f} keys per frame")
print("first training piece:", splits["train"][0].shape, splits["train"][0].dtype)

# %%
music_data.draw_piano_roll(splits["train"][0], title="a training piece")
plt.show()

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
    generator = seqlab.build("one_to_many", input_dim=music_data.NUM_KEYS, num_classes=music_data.NUM_KEYS,
                             output=output, output_activation="sigmoid", cell=cell, units=units, depth=depth,
                             input_dropout=input_dropout, output_dropout=output_dropout,
                             **({"nade_units": nade_units or units} if output == "nade" else {}))
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
def next_frame_data(pieces, shuffle):
    pieces = [piece.astype("float32") for piece in pieces if len(piece) >= 2]
    dataset = make_dataset([piece[:-1] for piece in pieces], [piece[1:] for piece in pieces], batch_size,
                           shuffle=shuffle, seed=seed,
                           sample_weights=[np.ones(len(piece) - 1, "float32") for piece in pieces])
    return nade.targets_as_inputs(dataset) if output == "nade" else dataset


def record_valid_nll(epoch, logs):
    logs["valid_nll"] = music_metrics.model_frame_nll(generator.train, splits["valid"], batch_size=batch_size)


with distribution.scope():
    generator.train.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=clipnorm),
                            loss="binary_crossentropy")
early_stopping = keras.callbacks.EarlyStopping(monitor="valid_nll", mode="min", patience=patience,
                                               restore_best_weights=True)
stopwatch = seqlab.training.Stopwatch()
history = generator.train.fit(
    next_frame_data(splits["train"], shuffle=True), epochs=epochs, shuffle=False, verbose=2,  # the dataset shuffles
    callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=record_valid_nll), early_stopping, stopwatch],
)
train_seconds = stopwatch.seconds
best_epoch = int(np.argmin(history.history["valid_nll"])) + 1
print(f"trained {len(history.history['loss'])} epochs in {train_seconds:.1f} s; best validation epoch {best_epoch}")

# %%
figure, axis = plt.subplots(figsize=(6, 3))
axis.plot(np.arange(1, len(history.history["valid_nll"]) + 1), history.history["valid_nll"], label="validation NLL")
axis.set_xlabel("epoch")
axis.set_ylabel("NLL per frame")
axis.legend()
plt.show()

# %% [markdown]
# ## Evaluate
#
# The NLL per frame, with the best weights, on the validation and the test pieces.

# %%
valid_nll = music_metrics.model_frame_nll(generator.train, splits["valid"], batch_size=batch_size)
test_nll = music_metrics.model_frame_nll(generator.train, splits["test"], batch_size=batch_size)
anchors = music_metrics.PUBLISHED_NLL.get(dataset)
print(f"valid NLL {valid_nll:.3f}, test NLL {test_nll:.3f} per frame; published test NLL on {dataset}: "
      + (", ".join(f"{name} {value}" for name, value in anchors.items()) if anchors else "none (not a benchmark split)"))

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
# `end_silence` silent frames or `max_length` frames.

# %%
step_function = seqlab.sampling.model_step_function(generator.step)
output_folder = (seqlab.results.output_folder() if save_outputs
                 else pathlib.Path(tempfile.mkdtemp(prefix="music_samples_")))


def ends_in_silence(generated):
    return end_silence > 0 and len(generated) >= end_silence and not np.any(generated[-end_silence:])


def generate(temperature, sample_index):
    prime_piece = splits["test"][sample_index % len(splits["test"])]
    prime = prime_piece[:prime_steps] if prime_steps else np.zeros((1, music_data.NUM_KEYS), "float32")
    states = seqlab.sampling.initial_states(generator.step)
    frames = seqlab.sampling.sample(step_function, states, prime, steps=max_length,
                                    distribution="nade" if output == "nade" else "bernoulli",
                                    temperature=temperature, top_k=top_k or None, seed=seed + sample_index,
                                    stop=ends_in_silence)
    sounding = np.flatnonzero(frames.any(axis=1))
    frames = frames[:sounding[-1] + 1] if len(sounding) else frames[:0]  # drop the closing silence
    return prime[:prime_steps].astype(np.uint8), frames.astype(np.uint8)


samples = {}
figure, axes = plt.subplots(len(temperatures), num_samples, figsize=(4 * num_samples, 2.2 * len(temperatures)),
                            squeeze=False)
for row, temperature in enumerate(temperatures):
    for sample_index in range(num_samples):
        prime, frames = generate(temperature, sample_index)
        samples[temperature, sample_index] = frames
        piece = np.concatenate([prime, frames])
        if len(piece):
            music_data.write_midi(piece, output_folder / f"sample_temperature{temperature:g}_{sample_index}.mid")
        music_data.draw_piano_roll(piece, axes[row, sample_index],
                                   title=f"temperature {temperature:g}, sample {sample_index} ({len(frames)} frames)")
figure.tight_layout()
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
reference_histogram = music_metrics.pitch_class_histogram(splits["train"])
rows = [{"pieces": "held-out real", "temperature": None, "count": len(splits["test"]),
         **pandas.DataFrame([music_metrics.sample_quality(piece[:max_length], reference_histogram)
                             for piece in splits["test"]]).mean().to_dict()}]
for temperature in temperatures:
    qualities = [music_metrics.sample_quality(samples[temperature, index], reference_histogram)
                 for index in range(num_samples) if len(samples[temperature, index])]
    rows.append({"pieces": "generated", "temperature": temperature, "count": len(qualities),
                 **pandas.DataFrame(qualities).mean().to_dict()})
quality_table = pandas.DataFrame(rows)
display(quality_table.round(3))
if save_outputs:
    quality_table.round(4).to_csv(output_folder / "sample_quality.csv", index=False)
    (output_folder / "sample_quality.md").write_text(quality_table.round(3).to_markdown(index=False) + "\n")

# %%
measures = ["pitch_class_distance", "in_key_share", "longest_repeat", "distinct_ngram_share", "polyphony"]
generated = quality_table[quality_table["pieces"] == "generated"]
figure, axes = plt.subplots(1, len(measures), figsize=(3 * len(measures), 2.6))
for axis, measure in zip(axes, measures):
    axis.plot(generated["temperature"], generated[measure], "o-", label="generated")
    axis.axhline(quality_table[measure].iloc[0], color="tab:green", linestyle="--", label="held-out real")
    axis.set_xlabel("temperature")
    axis.set_title(measure, fontsize=9)
axes[0].legend(fontsize=7)
figure.tight_layout()
if save_outputs:
    figure.savefig(output_folder / "quality_vs_temperature.png", dpi=80)
plt.show()

# %% [markdown]
# ## Record

# %%
at_one = quality_table[(quality_table["pieces"] == "generated") & (quality_table["temperature"] == 1.0)]
sample_fields = {f"sample_{name}": float(at_one[name].iloc[0]) for name in measures} if len(at_one) else {}
row = seqlab.results.record(task="music", dataset=dataset, architecture="one_to_many", cell=cell, units=units,
                            depth=depth, bidirectional=False, seed=seed, replicas=distribution.num_replicas_in_sync,
                            train_seconds=train_seconds,
                            test_nll=test_nll, valid_nll=valid_nll, best_epoch=best_epoch,
                            epochs_run=len(history.history["loss"]), **sample_fields)
