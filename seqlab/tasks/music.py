"""Polyphonic music: next-frame models of piano rolls, their NLL per frame, and new pieces sampled from them.

The task-module protocol (docs/contracts.md, "Task modules"): :func:`prepare` loads the piano
rolls, :func:`baselines` scores the key-frequency model, :func:`build` makes the
``one_to_many`` generator, :func:`predict` gives each piece's next-frame probabilities and
:func:`evaluate` their NLL per frame (:func:`seqlab.metrics.music.frame_nll`, the TCN
definition). Training stays in the notebook, with :func:`training_dataset` and the
:class:`seqlab.training.EvaluateCallback` (the validation NLL, which early stopping monitors). Then what
the notebook shows: :func:`generate` and :func:`sample_pieces` (new pieces, as MIDI files and
piano-roll pictures), :func:`sample_quality_table` and :func:`draw_sample_quality` (samples
against held-out pieces), :func:`draw_piano_roll`, :func:`write_midi`.

A model reads frames ``0..T-2`` of a piece and predicts frames ``1..T-1``; pieces shorter
than two frames have nothing to predict and are left out of the training data, the
predictions and the scores.

>>> from seqlab.data.music import PianoRollSplits, pitches_to_piano_roll
>>> piece = pitches_to_piano_roll([[60, 64], [60], [62, 67], [60, 64]])
>>> data = Task("demo", PianoRollSplits({"train": [piece], "valid": [piece], "test": [piece]}, steps_per_quarter=1))
>>> data.describe()
train:   1 pieces,      4 frames, 1.75 keys per frame
valid:   1 pieces,      4 frames, 1.75 keys per frame
test :   1 pieces,      4 frames, 1.75 keys per frame
first training piece: (4, 88) uint8
>>> {name: round(value, 3) for name, value in baselines(data).items()}
{'key_frequency_valid_nll': 2.655, 'key_frequency_test_nll': 2.655}
"""

import dataclasses
import pathlib

import numpy as np

import seqlab
from seqlab import checks, nade, sampling
from seqlab.data.batching import in_length_order, make_dataset, pad_sequences
from seqlab.data.music import LOWEST_PITCH, NUM_KEYS, PianoRollSplits, check_piano_roll, piano_roll_to_score
from seqlab.data.splits import SPLITS
from seqlab.metrics.music import PUBLISHED_NLL, frame_nll, pitch_class_histogram, sample_quality

# The sample-quality measures the notebook plots against the temperature and records (at temperature 1).
SAMPLE_MEASURES = ("pitch_class_distance", "in_key_share", "longest_repeat", "distinct_ngram_share", "polyphony")


# --------------------------------------------------------------------------- the protocol


@dataclasses.dataclass
class Task:
    """The piano rolls of one music dataset, as :func:`prepare` loads them.

    Attributes:
        dataset: the source's name (``"bach_chorales"``, ``"jsb_chorales"``, ...), which picks
            the published anchors :func:`print_scores` shows.
        splits: :class:`seqlab.data.music.PianoRollSplits`: ``"train"``, ``"valid"``,
            ``"test"`` -> lists of ``uint8 (time_steps, 88)`` piano rolls, with their
            ``steps_per_quarter``.
    """

    dataset: str
    splits: PianoRollSplits

    @property
    def steps_per_quarter(self):
        """Time steps per quarter note of the pieces (and of pieces generated like them)."""
        return self.splits.steps_per_quarter

    def describe(self):
        """Print the pieces, frames and mean keys sounding per frame of every split, and the first piece's shape."""
        for split, pieces in self.splits.items():
            frames = sum(len(piece) for piece in pieces)
            print(f"{split:5s}: {len(pieces):3d} pieces, {frames:6d} frames, "
                  f"{np.mean([piece.sum(axis=1).mean() for piece in pieces]):.2f} keys per frame")
        print("first training piece:", self.splits["train"][0].shape, self.splits["train"][0].dtype)

    def predicted_pieces(self, split):
        """The pieces of ``split`` that have a frame to predict (two frames or more), as ``float32``."""
        checks.one_of("split", split, SPLITS)
        return [np.asarray(piece, dtype="float32") for piece in self.splits[split] if len(piece) >= 2]


def prepare(dataset, *, path=None, max_pieces=0):
    """Load a music source's piano rolls (:func:`seqlab.data.load`).

    Args:
        dataset: a music source (``seqlab data list``): ``bach_chorales`` (embedded),
            ``jsb_chorales``, ``jsb_chorales_json``, ``nottingham``, ``musedata``,
            ``piano_midi``, ``music_folder``.
        path: the file or folder of the data; ``None`` resolves the source by name.
        max_pieces: 0 loads every piece, else the first ``max_pieces`` (at least 10), split
            8:1:1 (:func:`seqlab.data.music.limit_pieces`).

    Returns:
        :class:`Task`.
    """
    return Task(dataset, seqlab.data.load(dataset, path=path, max_pieces=max_pieces))


def baselines(data):
    """The key-frequency baseline: every key on with its share of the training frames, independently of the
    time and of the other keys; its NLL per frame on the validation and test pieces (the frames a model
    predicts, so the numbers compare with :func:`evaluate`'s). A key never on in training gets the
    clipping probability of :func:`seqlab.metrics.music.frame_nll`.

    Returns:
        ``{"key_frequency_valid_nll": ..., "key_frequency_test_nll": ...}``.
    """
    frequency = np.concatenate(data.splits["train"]).mean(axis=0)
    fields = {}
    for split in ("valid", "test"):
        targets = _next_frames(data, split)
        fields[f"key_frequency_{split}_nll"] = frame_nll(np.broadcast_to(frequency, targets.shape), targets)
    return fields


def build(data, *, output="dense", nade_units=0, **architecture):
    """The next-frame generator: ``seqlab.build("one_to_many", ...)`` with 88 keys in and out.

    Args:
        data: the :class:`Task` (every music dataset has the same 88 keys).
        output: ``"dense"`` (88 independent sigmoids) or ``"nade"`` (RNN-NADE: the keys of a
            frame modelled together, :mod:`seqlab.nade`).
        nade_units: hidden units of the NADE (``output="nade"`` only); 0: the recurrent units.
        **architecture: the builder's other keywords (``cell``, ``units``, ``depth``,
            ``input_dropout``, ``output_dropout``, ...).

    Returns:
        ``Generator(train, step)``, uncompiled: ``train`` maps a piece to the next-frame
        probabilities at every step (with ``output="nade"`` it also reads the true next
        frames); ``step`` maps one frame and the states to the next frame's distribution.
    """
    return seqlab.build("one_to_many", input_dim=NUM_KEYS, num_classes=NUM_KEYS, output=output,
                        output_activation="sigmoid", nade_units=(nade_units or None) if output == "nade" else None,
                        **architecture)


def predict(model, data, split, *, batch_size=16):
    """Next-frame probabilities of a model for every piece of a split (frames ``1..T-1`` from ``0..T-2``).

    Pieces run in length order (:func:`seqlab.data.batching.in_length_order`), right-padded per
    batch; padding comes after the real frames, so it never changes a real prediction.

    Args:
        model: what :func:`build` returns (its ``train`` model is used) or that ``train`` model:
            ``(batch, time, 88)`` -> ``(batch, time, 88)``.
            A model with two inputs (``output="nade"``) gets ``[frames, next_frames]`` and gives
            the probability of each key given the true keys below it, so :func:`evaluate` of
            them is the exact NADE NLL.
        data: the :class:`Task`.
        split: ``"train"``, ``"valid"`` or ``"test"``.
        batch_size: pieces per forward pass.

    Returns:
        list of ``(T - 1, 88)`` arrays, one per piece of :meth:`Task.predicted_pieces`, in
        their order.
    """
    model = getattr(model, "train", model)
    reads_next_frames = _reads_next_frames(model)

    def predict_batch(pieces):
        inputs = pad_sequences([piece[:-1] for piece in pieces])
        if reads_next_frames:
            inputs = [inputs, pad_sequences([piece[1:] for piece in pieces])]
        outputs = np.asarray(model.predict_on_batch(inputs))
        return [outputs[row, :len(piece) - 1] for row, piece in enumerate(pieces)]

    return in_length_order(data.predicted_pieces(split), predict_batch, batch_size=batch_size)


def evaluate(data, predictions, split):
    """The NLL per frame (:func:`seqlab.metrics.music.frame_nll`: every predicted frame of every piece counts
    once) of :func:`predict`'s probabilities for ``split``.

    Returns:
        ``{"<split>_nll": ...}``.

    Raises:
        ValueError: the predictions are not one per piece of the split with a frame to predict.
    """
    targets = _next_frames(data, split)
    expected = [len(piece) - 1 for piece in data.predicted_pieces(split)]
    received = [len(prediction) for prediction in predictions]
    if received != expected:
        raise ValueError(f"predictions has {len(received)} pieces of {received} frames; predict(model, data, "
                         f"{split!r}) gives the {len(expected)} pieces of {expected} frames required.")
    return {f"{split}_nll": frame_nll(np.concatenate(predictions), targets)}


def print_scores(data, scores):
    """Print the validation and test NLL per frame beside the published test NLL on the dataset (if any)."""
    anchors = PUBLISHED_NLL.get(data.dataset)
    print(f"valid NLL {scores['valid_nll']:.3f}, test NLL {scores['test_nll']:.3f} per frame; published test NLL on "
          f"{data.dataset}: " + (", ".join(f"{name} {value}" for name, value in anchors.items()) if anchors
                                 else "none (not a benchmark split)"))


# --------------------------------------------------------------------------- training


def training_dataset(data, model, *, batch_size, seed=0):
    """The training pieces as a shuffled ``tf.data`` dataset of ``(frames 0..T-2, frames 1..T-1, weights)``.

    Pieces are batched by similar length and right-padded (:func:`seqlab.data.batching.make_dataset`); every
    real frame has weight 1 and every padded frame 0, so padding never enters the loss. For a model with two
    inputs (``output="nade"``) the next frames are also its second input (:func:`seqlab.nade.targets_as_inputs`).
    """
    pieces = data.predicted_pieces("train")
    dataset = make_dataset([piece[:-1] for piece in pieces], [piece[1:] for piece in pieces], batch_size,
                           shuffle=True, seed=seed,
                           sample_weights=[np.ones(len(piece) - 1, "float32") for piece in pieces])
    return nade.targets_as_inputs(dataset) if _reads_next_frames(model) else dataset


def draw_validation_nll(history):
    """Plot the validation NLL per frame of every epoch (the ``valid_nll`` that :class:`seqlab.training.EvaluateCallback` logs);
    returns the figure."""
    import matplotlib.pyplot as plt

    values = history.history["valid_nll"]
    figure, axis = plt.subplots(figsize=(6, 3))
    axis.plot(np.arange(1, len(values) + 1), values, label="validation NLL")
    axis.set_xlabel("epoch")
    axis.set_ylabel("NLL per frame")
    axis.legend()
    return figure


# --------------------------------------------------------------------------- generation


def generate(generator, data, *, temperature, sample_index=0, max_length=32, top_k=4, prime_steps=0, end_silence=4,
             seed=0):
    """One new piece from the step model, which carries the RNN state from frame to frame.

    With the dense output each key of the next frame is drawn independently
    (``distribution="bernoulli"``); with the NADE output the keys are drawn one after another
    from the lowest, each given the keys already drawn (``distribution="nade"``); see
    :func:`seqlab.sampling.draw`.

    Args:
        generator: ``Generator(train, step)`` of :func:`build`.
        data: the :class:`Task` (its test pieces prime the samples).
        temperature: sharpens (< 1) or flattens (> 1) each key's probability; 0 is greedy.
        sample_index: which sample: primed by test piece ``sample_index`` (cycling), drawn
            with the seed ``seed + sample_index``.
        max_length: the most frames generated.
        top_k: at most this many keys on per frame, the most probable ones (with the NADE
            output, no key is added once ``top_k`` are on); 0: no cap.
        prime_steps: frames of the test piece fed before sampling; 0 starts from a silent frame.
        end_silence: stop after this many silent frames in a row; 0 stops only at ``max_length``.
        seed: the first sample's seed.

    Returns:
        ``(prime, frames)``: the ``uint8`` prime frames fed (none when ``prime_steps`` is 0)
        and the generated frames, the closing silence dropped.
    """
    def ends_in_silence(generated):
        return end_silence > 0 and len(generated) >= end_silence and not np.any(generated[-end_silence:])

    prime_piece = data.splits["test"][sample_index % len(data.splits["test"])]
    prime = prime_piece[:prime_steps] if prime_steps else np.zeros((1, NUM_KEYS), "float32")
    frames = sampling.sample(sampling.model_step_function(generator.step), sampling.initial_states(generator.step),
                             prime, steps=max_length,
                             distribution="nade" if _reads_next_frames(generator.train) else "bernoulli",
                             temperature=temperature, top_k=top_k or None, seed=seed + sample_index,
                             stop=ends_in_silence)
    sounding = np.flatnonzero(frames.any(axis=1))
    frames = frames[:sounding[-1] + 1] if len(sounding) else frames[:0]
    return prime[:prime_steps].astype(np.uint8), frames.astype(np.uint8)


def sample_pieces(generator, data, *, temperatures, num_samples, folder, **generation):
    """:func:`generate` ``num_samples`` pieces at each temperature; write each (its prime first) as a MIDI
    file ``sample_temperature<t>_<index>.mid`` in ``folder`` (an empty piece is not written) and draw them
    all, one row per temperature.

    Args:
        generator, data: as for :func:`generate`.
        temperatures: the temperatures compared.
        num_samples: pieces per temperature (``sample_index`` 0, 1, ...).
        folder: where the MIDI files go.
        **generation: the other keywords of :func:`generate` (``max_length``, ``top_k``,
            ``prime_steps``, ``end_silence``, ``seed``).

    Returns:
        ``(samples, figure)``: ``{(temperature, sample_index): generated uint8 frames}`` (the
        prime excluded) and the matplotlib figure of the piano rolls.
    """
    import matplotlib.pyplot as plt

    folder = pathlib.Path(folder)
    samples = {}
    figure, axes = plt.subplots(len(temperatures), num_samples,
                                figsize=(4 * num_samples, 2.2 * len(temperatures)), squeeze=False)
    for row, temperature in enumerate(temperatures):
        for sample_index in range(num_samples):
            prime, frames = generate(generator, data, temperature=temperature, sample_index=sample_index,
                                     **generation)
            samples[temperature, sample_index] = frames
            piece = np.concatenate([prime, frames])
            if len(piece):
                write_midi(piece, folder / f"sample_temperature{temperature:g}_{sample_index}.mid",
                           steps_per_quarter=data.steps_per_quarter)
            draw_piano_roll(piece, axes[row, sample_index], steps_per_quarter=data.steps_per_quarter,
                            title=f"temperature {temperature:g}, sample {sample_index} ({len(frames)} frames)")
    figure.tight_layout()
    return samples, figure


# --------------------------------------------------------------------------- sample quality


def sample_quality_table(data, samples, *, max_length):
    """The mean :func:`seqlab.metrics.music.sample_quality` of the held-out test pieces (cut to
    ``max_length`` frames) and of the non-empty samples at each temperature, the pitch-class
    distance taken to the training pieces' histogram.

    Args:
        data: the :class:`Task`.
        samples: ``{(temperature, sample_index): frames}`` as :func:`sample_pieces` returns.
        max_length: the frames of each test piece measured (the samples' maximum length).

    Returns:
        ``pandas.DataFrame``: one row ``pieces="held-out real"``, then one ``"generated"`` row
        per temperature; columns ``pieces``, ``temperature``, ``count`` and the measures.
    """
    import pandas

    reference_histogram = pitch_class_histogram(data.splits["train"])
    rows = [{"pieces": "held-out real", "temperature": None, "count": len(data.splits["test"]),
             **pandas.DataFrame([sample_quality(piece[:max_length], reference_histogram)
                                 for piece in data.splits["test"]]).mean().to_dict()}]
    for temperature in dict.fromkeys(temperature for temperature, _ in samples):
        qualities = [sample_quality(frames, reference_histogram)
                     for (sampled_at, _), frames in samples.items() if sampled_at == temperature and len(frames)]
        rows.append({"pieces": "generated", "temperature": temperature, "count": len(qualities),
                     **pandas.DataFrame(qualities).mean().to_dict()})
    return pandas.DataFrame(rows)


def draw_sample_quality(quality_table):
    """Plot each of :data:`SAMPLE_MEASURES` of the generated pieces against the temperature, the held-out
    pieces' value as a dashed line; returns the figure."""
    import matplotlib.pyplot as plt

    generated = quality_table[quality_table["pieces"] == "generated"]
    figure, axes = plt.subplots(1, len(SAMPLE_MEASURES), figsize=(3 * len(SAMPLE_MEASURES), 2.6))
    for axis, measure in zip(axes, SAMPLE_MEASURES):
        axis.plot(generated["temperature"], generated[measure], "o-", label="generated")
        axis.axhline(quality_table[measure].iloc[0], color="tab:green", linestyle="--", label="held-out real")
        axis.set_xlabel("temperature")
        axis.set_title(measure, fontsize=9)
    axes[0].legend(fontsize=7)
    figure.tight_layout()
    return figure


def sample_fields(quality_table):
    """The row fields ``sample_<measure>`` of :data:`SAMPLE_MEASURES` at temperature 1 (none if no sample at
    temperature 1 sounded)."""
    at_one = quality_table[(quality_table["pieces"] == "generated") & (quality_table["temperature"] == 1.0)]
    return {f"sample_{name}": float(at_one[name].iloc[0]) for name in SAMPLE_MEASURES} if len(at_one) else {}


# --------------------------------------------------------------------------- pictures and MIDI files


def draw_piano_roll(roll, axis=None, *, title="", steps_per_quarter=1):
    """Draw a piano roll with matplotlib (time across, pitch up, only the pitch range used).

    Args:
        roll: array ``(time_steps, 88)``.
        axis: a matplotlib ``Axes`` (default: a new figure's).
        title: axis title.
        steps_per_quarter: time steps per quarter note (:attr:`Task.steps_per_quarter`), for
            the time axis (in quarter notes).

    Returns:
        the ``Axes``.
    """
    import matplotlib.pyplot as plt

    roll = check_piano_roll(roll)
    if axis is None:
        axis = plt.figure(figsize=(8, 2.5)).add_subplot()
    axis.set_xlabel("time (quarter notes)")
    axis.set_ylabel("MIDI pitch")
    axis.set_title(title)
    if not len(roll):
        return axis
    used = np.flatnonzero(roll.any(axis=0))
    low, high = (used.min(), used.max()) if len(used) else (39, 39)
    low, high = max(low - 2, 0), min(high + 2, NUM_KEYS - 1)
    axis.imshow(roll[:, low:high + 1].T, origin="lower", aspect="auto", cmap="Greys", interpolation="nearest",
                extent=(-0.5 / steps_per_quarter, (len(roll) - 0.5) / steps_per_quarter,
                        LOWEST_PITCH + low - 0.5, LOWEST_PITCH + high + 0.5))
    return axis


def write_midi(roll, path, *, steps_per_quarter=1, tempo=90):
    """Write a piano roll as a MIDI file (through :func:`seqlab.data.music.piano_roll_to_score`); returns the path.

    Args:
        roll: array ``(time_steps, 88)``; values > 0.5 count as on.
        path: the ``.mid`` file to write (its folder is created).
        steps_per_quarter: time steps per quarter note: that of the data the roll comes from
            (or was generated like), :attr:`Task.steps_per_quarter`; a wrong value plays the
            piece too fast or too slow.
        tempo: quarter notes per minute.

    >>> import tempfile
    >>> from seqlab.data.music import pitches_to_piano_roll, read_piano_roll
    >>> roll = pitches_to_piano_roll([[60, 64, 67], [60, 64, 67], [62, 65, 69]])
    >>> path = write_midi(roll, pathlib.Path(tempfile.mkdtemp()) / "sample.mid")
    >>> bool((read_piano_roll(path) == roll).all())
    True
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    piano_roll_to_score(roll, steps_per_quarter=steps_per_quarter, tempo=tempo).write("midi", fp=str(path))
    return path


# --------------------------------------------------------------------------- helpers


def _reads_next_frames(model):
    """Whether a ``train`` model also reads the true next frames (the NADE output's teacher forcing over keys)."""
    return len(getattr(model, "inputs", None) or []) == 2


def _next_frames(data, split):
    """Every predicted frame of a split, the pieces concatenated: ``(frames, 88)``."""
    targets = [piece[1:] for piece in data.predicted_pieces(split)]
    if not targets:
        raise ValueError(f"split={split!r} holds no piece with 2 frames or more; nothing to evaluate.")
    return np.concatenate(targets)
