"""Frame NLL (the TCN definition) against hand-computed values, and the sample-quality measures."""

import math

import numpy as np
import pytest

from seqlab.metrics import music


def test_frame_nll_matches_hand_computation_with_padding_masked():
    probabilities = np.full((2, 3, 88), 0.5)
    targets = np.zeros((2, 3, 88))
    # piece 0: two real frames; piece 1: one real frame, then two padded frames
    probabilities[0, 0, :] = 0.1
    targets[0, 0, 0] = 1                       # key 0 on, predicted 0.1; 87 keys off, predicted 0.1
    probabilities[0, 1, :] = 0.5               # every key 0.5, whatever the targets
    targets[0, 1, :4] = 1
    probabilities[1, 0, :] = 0.8
    targets[1, 0, :] = 1                       # all 88 keys on, predicted 0.8
    probabilities[1, 1:, :] = 1e-9             # padding: would cost a lot if it were counted
    targets[1, 1:, :] = 1
    mask = np.array([[True, True, False], [True, False, False]])
    frame_0 = -(math.log(0.1) + 87 * math.log(0.9))
    frame_1 = -88 * math.log(0.5)
    frame_2 = -88 * math.log(0.8)
    expected = (frame_0 + frame_1 + frame_2) / 3
    assert music.frame_nll(probabilities, targets, mask) == pytest.approx(expected, rel=1e-12)


def test_frame_nll_without_mask_counts_every_frame_of_a_single_piece():
    probabilities = np.array([[0.25] * 88, [0.75] * 88])
    targets = np.zeros((2, 88))
    targets[1] = 1
    expected = (-88 * math.log(0.75) - 88 * math.log(0.75)) / 2
    assert music.frame_nll(probabilities, targets) == pytest.approx(expected)


def test_frame_nll_clips_certain_mistakes_instead_of_returning_infinity():
    probabilities = np.zeros((1, 88))
    targets = np.zeros((1, 88))
    targets[0, 5] = 1
    value = music.frame_nll(probabilities, targets, epsilon=1e-7)
    assert value == pytest.approx(-math.log(1e-7) - 87 * math.log1p(-1e-7))


@pytest.mark.parametrize(
    "probabilities, targets, mask, message",
    [
        (np.zeros((2, 88)), np.zeros((3, 88)), None, "same"),
        (np.zeros((2, 88)), np.zeros((2, 88)), np.zeros(3, bool), "mask has shape"),
        (np.zeros((2, 88)), np.zeros((2, 88)), np.zeros(2, bool), "no frame"),
    ],
)
def test_frame_nll_rejects_bad_input(probabilities, targets, mask, message):
    with pytest.raises(ValueError, match=message):
        music.frame_nll(probabilities, targets, mask)


def _roll(*steps):
    roll = np.zeros((len(steps), 88), dtype=np.uint8)
    for index, pitches in enumerate(steps):
        roll[index, [pitch - 21 for pitch in pitches]] = 1
    return roll


def test_sample_quality_of_a_held_chord_shows_the_repetition():
    held = _roll(*[[60, 64, 67]] * 8)
    quality = music.sample_quality(held, music.pitch_class_histogram(held))
    assert quality["longest_repeat"] == 8
    assert quality["distinct_ngram_share"] == pytest.approx(1 / 5)
    assert quality["polyphony"] == 3.0
    assert quality["silent_share"] == 0.0
    assert quality["in_key_share"] == 1.0
    assert quality["pitch_class_distance"] == pytest.approx(0.0, abs=1e-12)


def test_sample_quality_of_a_scale_with_one_wrong_note():
    scale = _roll([60], [62], [64], [65], [67], [69], [71], [72], [], [61])  # C major, a rest, C sharp
    quality = music.sample_quality(scale, n=2)
    assert quality["frames"] == 10
    assert quality["longest_repeat"] == 1
    assert quality["distinct_ngram_share"] == 1.0
    assert quality["silent_share"] == pytest.approx(0.1)
    assert quality["polyphony"] == pytest.approx(0.9)
    assert quality["in_key_share"] == pytest.approx(8 / 9)
    assert "pitch_class_distance" not in quality


def test_pitch_class_distance_is_one_for_disjoint_and_nan_for_silence():
    only_c = music.pitch_class_histogram(_roll([60], [72]))
    assert music.pitch_class_distance(_roll([66]), only_c) == pytest.approx(1.0)
    assert math.isnan(music.pitch_class_distance(np.zeros((3, 88)), only_c))
    assert math.isnan(music.in_key_share(np.zeros((3, 88))))


def test_sample_quality_rejects_a_wrong_shape():
    with pytest.raises(ValueError, match=r"roll has shape \(3, 12\)"):
        music.sample_quality(np.zeros((3, 12)))
