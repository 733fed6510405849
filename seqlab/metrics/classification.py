"""Classification scores: accuracy, F1, Matthews correlation, confusion matrix and its figure.

Thin, checked wrappers over scikit-learn's metrics. Every function takes the true and the
predicted class ids (or names) as two equally long 1-D sequences; probabilities must be turned
into predictions first (``numpy.argmax(probabilities, axis=-1)``).

>>> truth = [0, 0, 1, 1, 2, 2]
>>> predicted = [0, 1, 1, 1, 2, 0]
>>> round(accuracy(truth, predicted), 4)
0.6667
>>> round(macro_f1(truth, predicted), 4)
0.6556
>>> confusion_matrix(truth, predicted).tolist()
[[1, 1, 0], [0, 2, 0], [1, 0, 1]]
"""

import numpy as np
from sklearn import metrics as sklearn_metrics

F1_AVERAGES = ("binary", "macro", "micro", "weighted")


def _checked(truth, predicted):
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    if truth.ndim != 1 or predicted.ndim != 1:
        raise ValueError(
            f"truth and predicted must be 1-D sequences of class ids; received shapes {truth.shape} and "
            f"{predicted.shape} (take numpy.argmax(probabilities, axis=-1) first)."
        )
    if len(truth) != len(predicted):
        raise ValueError(
            f"truth and predicted must have the same length; received {len(truth)} and {len(predicted)}."
        )
    if len(truth) == 0:
        raise ValueError("truth and predicted are empty; a score needs at least one example.")
    return truth, predicted


def accuracy(truth, predicted):
    """Fraction of examples whose predicted class is the true class.

    >>> accuracy([1, 0, 1, 1], [1, 1, 1, 1])
    0.75
    >>> accuracy([1, 0], [1])
    Traceback (most recent call last):
    ...
    ValueError: truth and predicted must have the same length; received 2 and 1.
    """
    truth, predicted = _checked(truth, predicted)
    return float(sklearn_metrics.accuracy_score(truth, predicted))


def f1(truth, predicted, *, average="binary", positive=1, labels=None):
    """F1 score: harmonic mean of precision and recall.

    Args:
        truth, predicted: class ids or names.
        average: ``"binary"`` (F1 of the class ``positive`` only), ``"macro"`` (unweighted mean
            over classes), ``"micro"`` (pooled counts; equals accuracy for single-label data) or
            ``"weighted"`` (mean weighted by class support).
        positive: the class scored when ``average="binary"``.
        labels: the classes averaged over (default: every class seen in either argument).
            Giving them makes a class that is never predicted nor present count as F1 0.

    A class with no predictions scores 0 instead of warning.

    >>> f1([1, 1, 0, 0], [1, 0, 0, 0])
    0.6666666666666666
    >>> f1([1, 1, 0, 0], [1, 0, 0, 0], positive=0)
    0.8
    >>> f1([1, 0], [1, 0], average="mean")
    Traceback (most recent call last):
    ...
    ValueError: average='mean' is not known; allowed: binary, macro, micro, weighted.
    """
    if average not in F1_AVERAGES:
        raise ValueError(f"average={average!r} is not known; allowed: {', '.join(F1_AVERAGES)}.")
    truth, predicted = _checked(truth, predicted)
    options = {"pos_label": positive} if average == "binary" else {}
    return float(
        sklearn_metrics.f1_score(truth, predicted, average=average, labels=labels, zero_division=0, **options)
    )


def macro_f1(truth, predicted, *, labels=None):
    """Unweighted mean of the per-class F1 scores (each class counts the same, however rare).

    >>> round(macro_f1([0, 0, 0, 1], [0, 0, 0, 0]), 4)
    0.4286
    """
    return f1(truth, predicted, average="macro", labels=labels)


def matthews_correlation(truth, predicted):
    """Matthews correlation coefficient, in [-1, 1]; 0 for a constant or random predictor.

    Unlike accuracy and the F1 of the majority class, it stays at 0 when a model predicts
    the majority class everywhere, so it is the honest score for unbalanced labels.

    >>> matthews_correlation([1, 1, 1, 0], [1, 1, 1, 1])
    0.0
    >>> matthews_correlation([1, 0, 1, 0], [1, 0, 1, 0])
    1.0
    """
    truth, predicted = _checked(truth, predicted)
    return float(sklearn_metrics.matthews_corrcoef(truth, predicted))


def confusion_matrix(truth, predicted, *, num_classes=None):
    """Counts of (true class, predicted class) pairs: rows are true classes, columns predictions.

    Args:
        truth, predicted: class ids in ``range(num_classes)``.
        num_classes: size of the square matrix (default: one more than the largest id seen),
            so classes absent from a small sample still get a row and a column.

    >>> confusion_matrix([0, 1, 1], [0, 1, 0], num_classes=3).tolist()
    [[1, 0, 0], [1, 1, 0], [0, 0, 0]]
    >>> confusion_matrix([0, 3], [0, 1], num_classes=3)
    Traceback (most recent call last):
    ...
    ValueError: class ids must lie in range(num_classes=3); received ids 0..3.
    """
    truth, predicted = _checked(truth, predicted)
    largest = int(max(truth.max(), predicted.max()))
    smallest = int(min(truth.min(), predicted.min()))
    if num_classes is None:
        num_classes = largest + 1
    if smallest < 0 or largest >= num_classes:
        raise ValueError(
            f"class ids must lie in range(num_classes={num_classes}); received ids {smallest}..{largest}."
        )
    return sklearn_metrics.confusion_matrix(truth, predicted, labels=list(range(num_classes)))


def confusion_matrix_figure(matrix, class_names, *, normalize=True, title="Confusion matrix", dpi=80):
    """Draw a confusion matrix as a labelled heat map and return the matplotlib figure.

    Args:
        matrix: square array of counts from :func:`confusion_matrix`.
        class_names: one name per row/column.
        normalize: colour and annotate each row as fractions of its true class (the counts
            stay in the annotation as ``fraction (count)``).
        title: the axes title.
        dpi: figure resolution (modest by default, to keep notebooks small).

    >>> figure = confusion_matrix_figure([[5, 1], [2, 7]], ["negative", "positive"])
    >>> [label.get_text() for label in figure.axes[0].get_xticklabels()]
    ['negative', 'positive']
    >>> confusion_matrix_figure([[5, 1], [2, 7]], ["negative"])
    Traceback (most recent call last):
    ...
    ValueError: class_names must name each of the 2 rows of matrix; received 1 names.
    """
    import matplotlib.pyplot as plt

    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square; received shape {matrix.shape}.")
    if len(class_names) != matrix.shape[0]:
        raise ValueError(
            f"class_names must name each of the {matrix.shape[0]} rows of matrix; received {len(class_names)} names."
        )
    totals = matrix.sum(axis=1, keepdims=True)
    fractions = np.divide(matrix, totals, out=np.zeros(matrix.shape, dtype=float), where=totals > 0)
    shown = fractions if normalize else matrix
    size = 1.2 + 0.9 * len(class_names)
    figure, axes = plt.subplots(figsize=(size + 1.2, size), dpi=dpi)
    image = axes.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    positions = range(len(class_names))
    axes.set_xticks(positions, labels=list(class_names), rotation=30, ha="right")
    axes.set_yticks(positions, labels=list(class_names))
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    axes.set_title(title)
    threshold = shown.max() / 2 if shown.size else 0
    for row in positions:
        for column in positions:
            text = f"{fractions[row, column]:.2f}\n({matrix[row, column]})" if normalize else f"{matrix[row, column]}"
            color = "white" if shown[row, column] > threshold else "black"
            axes.text(column, row, text, ha="center", va="center", color=color, fontsize=9)
    figure.tight_layout()
    return figure
