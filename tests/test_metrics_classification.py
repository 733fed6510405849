"""Classification metrics against values computed by hand."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from seqlab.metrics import classification


def test_accuracy_counts_matches():
    assert classification.accuracy([0, 1, 2, 2, 1], [0, 1, 1, 2, 0]) == pytest.approx(3 / 5)


def test_binary_f1_by_hand():
    # positive class 1: tp = 2, fp = 1, fn = 1 -> precision 2/3, recall 2/3, F1 2/3
    truth = [1, 1, 1, 0, 0, 0]
    predicted = [1, 1, 0, 1, 0, 0]
    assert classification.f1(truth, predicted) == pytest.approx(2 / 3)


def test_macro_f1_weights_every_class_equally():
    # class 0: tp 8, fp 1, fn 0 -> F1 16/17; class 1: tp 0, fp 0, fn 1 -> F1 0
    truth = [0] * 8 + [1]
    predicted = [0] * 9
    assert classification.macro_f1(truth, predicted) == pytest.approx((16 / 17 + 0) / 2)
    assert classification.accuracy(truth, predicted) == pytest.approx(8 / 9)


def test_macro_f1_with_labels_counts_absent_class_as_zero():
    assert classification.macro_f1([0, 1], [0, 1], labels=[0, 1, 2]) == pytest.approx(2 / 3)


def test_matthews_correlation_by_hand():
    # tp 3, tn 2, fp 1, fn 1: (3*2 - 1*1) / sqrt(4 * 4 * 3 * 3) = 5 / 12
    truth = [1, 1, 1, 1, 0, 0, 0]
    predicted = [1, 1, 1, 0, 1, 0, 0]
    assert classification.matthews_correlation(truth, predicted) == pytest.approx(5 / 12)


def test_matthews_correlation_is_zero_for_majority_predictor():
    assert classification.matthews_correlation([1] * 9 + [0], [1] * 10) == 0.0


def test_confusion_matrix_rows_are_truth():
    matrix = classification.confusion_matrix([0, 0, 1, 2], [1, 0, 1, 1], num_classes=4)
    expected = np.zeros((4, 4), dtype=int)
    expected[0, 1] = expected[0, 0] = expected[1, 1] = expected[2, 1] = 1
    np.testing.assert_array_equal(matrix, expected)


@pytest.mark.parametrize(
    "truth, predicted, message",
    [
        ([0, 1], [0], "same length"),
        ([[0, 1]], [[0, 1]], "1-D"),
        ([], [], "empty"),
    ],
)
def test_bad_inputs_name_the_problem(truth, predicted, message):
    with pytest.raises(ValueError, match=message):
        classification.accuracy(truth, predicted)


def test_confusion_matrix_rejects_ids_out_of_range():
    with pytest.raises(ValueError, match="num_classes=2"):
        classification.confusion_matrix([0, 2], [0, 1], num_classes=2)


def test_confusion_matrix_figure_annotates_fractions_and_counts():
    figure = classification.confusion_matrix_figure([[3, 1], [0, 4]], ["negative", "positive"])
    texts = sorted(text.get_text() for text in figure.axes[0].texts)
    assert texts == ["0.00\n(0)", "0.25\n(1)", "0.75\n(3)", "1.00\n(4)"]
    raw = classification.confusion_matrix_figure([[3, 1], [0, 4]], ["a", "b"], normalize=False)
    assert sorted(text.get_text() for text in raw.axes[0].texts) == ["0", "1", "3", "4"]
