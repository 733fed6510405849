"""The music task module: data, the key-frequency baseline, the model runner and its NLL, training data,
the validation-NLL callback, sampling, the quality table, MIDI files and pictures."""

import math

import keras
import matplotlib
import numpy as np
import pytest

import seqlab

from seqlab.data.batching import pad_sequences
from seqlab.data.music import NUM_KEYS, PianoRollSplits, pitches_to_piano_roll
from seqlab.nade import NADE
from seqlab.tasks import music

matplotlib.use("Agg")


def _roll(*steps):
    return pitches_to_piano_roll(steps)


def _task(train, valid=None, test=None, *, steps_per_quarter=1):
    splits = {"train": train, "valid": valid if valid is not None else train, "test": test if test is not None else train}
    return music.Task("demo", PianoRollSplits(splits, steps_per_quarter=steps_per_quarter))


def _chorale(seed, frames=12):
    """A piece of ``frames`` frames, each one of three triads, chosen at random."""
    triads = [[60, 64, 67], [62, 65, 69], [59, 62, 67]]
    choice = np.random.default_rng(seed).integers(0, 3, size=frames)
    return _roll(*[triads[index] for index in choice])


class ConstantModel:
    """A stand-in for a Keras next-frame model: every key gets probability 0.25, every frame."""

    def __init__(self):
        self.batches = []

    def predict_on_batch(self, inputs):
        self.batches.append(inputs.shape)
        return np.full(inputs.shape, 0.25, dtype=np.float32)


# --------------------------------------------------------------------------- data and baseline


def test_prepare_loads_the_splits_with_the_piece_limit_and_the_time_step(shared_data):
    folder = shared_data("jsb_chorales", "JSB_Chorales.mat")
    data = music.prepare("jsb_chorales", path=folder, max_pieces=10)
    assert {split: len(pieces) for split, pieces in data.splits.items()} == {"train": 8, "valid": 1, "test": 1}
    assert data.dataset == "jsb_chorales" and data.steps_per_quarter == 1


def test_predicted_pieces_leave_out_pieces_without_a_frame_to_predict_and_reject_an_unknown_split():
    data = _task([_roll([60], [62]), _roll([60])])
    assert [piece.shape for piece in data.predicted_pieces("train")] == [(2, NUM_KEYS)]
    assert data.predicted_pieces("train")[0].dtype == np.float32
    with pytest.raises(ValueError, match="split='dev' is not allowed; allowed: train, valid, test."):
        data.predicted_pieces("dev")


def test_key_frequency_baseline_gives_each_key_its_training_share():
    data = _task([_roll([60], [64])], test=[_roll([60], [64], [67])])
    scores = music.baselines(data)
    # keys 60 and 64 on in 1 of the 2 training frames; the 86 others never (the clipping probability 1e-7)
    never = -math.log1p(-1e-7)                                                     # a never-seen key, off
    predicted_64 = 2 * math.log(2) + 86 * never                                    # 64 on, 60 off
    predicted_67 = 2 * math.log(2) - math.log(1e-7) + 85 * never                   # 67 on, 60 and 64 off
    assert scores == {"key_frequency_valid_nll": pytest.approx(predicted_64),
                      "key_frequency_test_nll": pytest.approx((predicted_64 + predicted_67) / 2)}


# --------------------------------------------------------------------------- predict and evaluate


def test_predict_runs_pieces_in_length_order_and_gives_them_back_in_their_order_without_padding():
    pieces = [np.ones((5, NUM_KEYS)), np.ones((2, NUM_KEYS)), np.ones((1, NUM_KEYS)), np.ones((4, NUM_KEYS)),
              np.ones((3, NUM_KEYS))]
    model = ConstantModel()
    probabilities = music.predict(model, _task(pieces), "test", batch_size=2)
    assert [len(piece) for piece in probabilities] == [4, 1, 3, 2]                 # the 1-frame piece left out
    assert model.batches == [(2, 2, NUM_KEYS), (2, 4, NUM_KEYS)]                    # lengths 2, 3 then 4, 5


def test_evaluate_counts_every_predicted_frame_of_every_piece_once():
    data = _task([_roll([60], [62], [64]), _roll([60, 64]), _roll([67], [])])     # 2 + 0 + 1 predicted frames
    model = ConstantModel()
    scores = music.evaluate(data, music.predict(model, data, "valid", batch_size=1), "valid")
    on_keys = 1 + 1 + 0                                                            # targets [62], [64], []
    expected = -(on_keys * math.log(0.25) + (3 * NUM_KEYS - on_keys) * math.log(0.75)) / 3
    assert scores == {"valid_nll": pytest.approx(expected, rel=1e-6)}
    assert sorted(model.batches) == [(1, 1, NUM_KEYS), (1, 2, NUM_KEYS)]


def test_evaluate_rejects_predictions_of_other_pieces_and_a_split_with_nothing_to_predict():
    data = _task([_roll([60], [62], [64])], test=[_roll([60])])
    with pytest.raises(ValueError, match=r"predictions has 1 pieces of \[1\] frames; .* the 1 pieces of \[2\]"):
        music.evaluate(data, [np.full((1, NUM_KEYS), 0.5)], "valid")
    with pytest.raises(ValueError, match="split='test' holds no piece with 2 frames or more"):
        music.evaluate(data, [], "test")


def test_a_nade_model_reads_the_true_next_frames_and_its_nll_is_exact():
    keras.utils.set_random_seed(0)
    pieces = [_chorale(1, frames=5), _chorale(2, frames=3)]
    data = _task(pieces)
    generator = music.build(data, output="nade", nade_units=8, cell="gru", units=4)
    nade = [layer for layer in generator.step.layers if isinstance(layer, NADE)][0]
    assert nade.units == 8
    log_likelihoods = []
    for piece in pieces:
        states = [np.zeros((1, 4), "float32")]
        for frame, next_frame in zip(piece[:-1], piece[1:]):
            biases, *states = [np.asarray(tensor) for tensor in
                               generator.step([frame[None, None].astype("float32"), *states])]
            log_likelihoods.append(nade.distribution(biases[0]).log_probability(next_frame))
    scores = music.evaluate(data, music.predict(generator.train, data, "test"), "test")
    assert scores["test_nll"] == pytest.approx(-np.mean(log_likelihoods), rel=1e-5)


# --------------------------------------------------------------------------- build and train


def test_build_gives_88_sigmoids_or_a_nade_whose_units_default_to_the_recurrent_units():
    data = _task([_chorale(0)])
    dense = music.build(data, cell="gru", units=6)
    assert dense.train.output_shape == (None, None, NUM_KEYS)
    assert dense.train.layers[-1].activation.__name__ == "sigmoid"
    nade = music.build(data, output="nade", nade_units=0, cell="gru", units=6)
    assert nade.step.output_shape[0] == (None, NUM_KEYS + 6)
    assert music.build(data, output="dense", nade_units=12, cell="gru", units=6).train.count_params() == \
        dense.train.count_params()                                                 # nade_units is for nade only


@pytest.mark.parametrize("output", ["dense", "nade"])
def test_training_dataset_weights_the_real_frames_and_feeds_a_nade_its_targets(output):
    data = _task([_chorale(0, frames=6), _chorale(1, frames=3), _roll([60])])
    generator = music.build(data, output=output, cell="gru", units=4)
    batches = list(music.training_dataset(data, generator.train, batch_size=4, seed=0))
    assert len(batches) == 1
    inputs, targets, weights = batches[0]
    if output == "nade":
        inputs, next_frames = inputs
        assert np.array_equal(next_frames, targets)
    pieces = data.predicted_pieces("train")
    order = np.argsort([len(piece) for piece in pieces])
    assert np.array_equal(inputs, pad_sequences([pieces[index][:-1] for index in order]))
    assert np.array_equal(targets, pad_sequences([pieces[index][1:] for index in order]))
    assert np.asarray(weights).tolist() == [[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]]


def test_record_nll_logs_the_validation_nll_of_every_epoch():
    keras.utils.set_random_seed(0)
    data = _task([_chorale(seed) for seed in range(4)], valid=[_chorale(9), _chorale(10, frames=7)])
    generator = music.build(data, cell="gru", units=4)
    generator.train.compile(optimizer="adam", loss="binary_crossentropy")
    history = generator.train.fit(music.training_dataset(data, generator.train, batch_size=2), epochs=2, shuffle=False,
                                  verbose=0, callbacks=[seqlab.training.EvaluateCallback(music, data, batch_size=2)])
    assert len(history.history["valid_nll"]) == 2
    after = music.evaluate(data, music.predict(generator.train, data, "valid"), "valid")["valid_nll"]
    assert history.history["valid_nll"][-1] == pytest.approx(after, rel=1e-6)
    with pytest.raises(ValueError, match="split='dev' is not allowed"):
        seqlab.training.EvaluateCallback(music, data, "dev")


# --------------------------------------------------------------------------- samples


def test_samples_are_written_as_midi_at_the_time_step_of_the_data(tmp_path):
    from music21 import converter

    keras.utils.set_random_seed(0)
    data = _task([_chorale(0)], steps_per_quarter=2)
    generator = music.build(data, cell="gru", units=4)
    samples, figure = music.sample_pieces(generator, data, temperatures=[0.0, 1.0], num_samples=2, folder=tmp_path,
                                          max_length=6, top_k=3, prime_steps=2, end_silence=0, seed=0)
    assert list(samples) == [(0.0, 0), (0.0, 1), (1.0, 0), (1.0, 1)]
    assert len(figure.axes) == 4
    assert all(frames.dtype == np.uint8 and frames.shape[1] == NUM_KEYS and len(frames) <= 6
               and frames.sum(axis=1).max(initial=0) <= 3 for frames in samples.values())
    path = tmp_path / "sample_temperature1_0.mid"
    piece = np.concatenate([data.splits["test"][0][:2], samples[1.0, 0]])
    notes = [(float(note.offset), float(note.quarterLength))
             for note in converter.parse(str(path)).stripTies().flatten().notes]
    assert max(offset + length for offset, length in notes) == pytest.approx(len(piece) / 2)  # eighth-note frames


def test_generate_is_repeatable_and_a_nade_generator_draws_key_by_key():
    keras.utils.set_random_seed(0)
    data = _task([_chorale(0)])
    generator = music.build(data, output="nade", cell="gru", units=4)
    first = music.generate(generator, data, temperature=1.0, sample_index=1, top_k=0, end_silence=0, max_length=5)
    again = music.generate(generator, data, temperature=1.0, sample_index=1, top_k=0, end_silence=0, max_length=5)
    assert first[0].shape == (0, NUM_KEYS)                                          # no prime frames
    assert np.array_equal(first[1], again[1])


def test_quality_table_and_the_recorded_sample_fields():
    data = _task([_chorale(0)], test=[_chorale(1), _chorale(2)])
    held = _roll(*[[60, 64, 67]] * 4)
    samples = {(0.5, 0): held, (0.5, 1): held[:0], (1.0, 0): _chorale(3, frames=8), (1.0, 1): held}
    table = music.sample_quality_table(data, samples, max_length=8)
    assert table["pieces"].tolist() == ["held-out real", "generated", "generated"]
    assert table["count"].tolist() == [2, 1, 2]                                    # the empty sample left out
    assert table.loc[1, "longest_repeat"] == 4
    fields = music.sample_fields(table)
    assert list(fields) == [f"sample_{name}" for name in music.SAMPLE_MEASURES]
    assert fields["sample_polyphony"] == pytest.approx(3.0)
    assert music.sample_fields(table[table["temperature"] != 1.0]) == {}
    assert len(music.draw_sample_quality(table).axes) == len(music.SAMPLE_MEASURES)


# --------------------------------------------------------------------------- MIDI files and pictures


@pytest.mark.parametrize("steps_per_quarter", [1, 2, 4])
def test_written_midi_notes_last_as_many_quarter_notes_as_their_frames(tmp_path, steps_per_quarter):
    from music21 import converter

    roll = _roll([60], [60], [64], [67], [67], [67], [67])
    path = music.write_midi(roll, tmp_path / "piece.mid", steps_per_quarter=steps_per_quarter)
    notes = [(note.pitch.midi, float(note.offset), float(note.quarterLength))
             for note in converter.parse(str(path)).stripTies().flatten().notes]
    frame = 1 / steps_per_quarter
    assert notes == [(60, 0.0, 2 * frame), (64, 2 * frame, frame), (67, 3 * frame, 4 * frame)]


def test_draw_piano_roll_spans_the_piece_in_quarter_notes_and_rejects_a_wrong_shape():
    axis = music.draw_piano_roll(_roll([60], [64], [67], []), title="four eighths", steps_per_quarter=2)
    assert axis.images[0].get_extent()[:2] == [-0.25, 1.75]
    assert axis.get_title() == "four eighths"
    with pytest.raises(ValueError, match=r"roll has shape \(3, 12\)"):
        music.draw_piano_roll(np.zeros((3, 12)))
