"""Classic baselines: NBSVM against a hand-computed case, majority class, n-gram LR, NER memorisation, MR 10-fold."""

import math

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from seqlab import baselines, data


def examples(pairs):
    return [{"text": text, "label": label} for text, label in pairs]


# Four documents; binary features in the column order bad, film, good, plot ("bad" twice counts once).
DOCUMENTS = [("good film", "positive"), ("good plot", "positive"), ("bad film", "negative"), ("bad plot bad", "negative")]
FEATURES = np.array([[0, 1, 1, 0], [0, 0, 1, 1], [1, 1, 0, 0], [1, 0, 0, 1]])
LABELS = np.array([label for _, label in DOCUMENTS])


def test_log_count_ratio_by_hand():
    # p = 1 + [0, 1, 2, 1] = [1, 2, 3, 2], |p|_1 = 8; q = 1 + [2, 1, 0, 1] = [3, 2, 1, 2], |q|_1 = 8
    # r = log((p / 8) / (q / 8)) = [log 1/3, 0, log 3, 0]
    r = baselines.log_count_ratio(FEATURES, LABELS == "positive", alpha=1.0)
    np.testing.assert_allclose(r, [-math.log(3), 0.0, math.log(3), 0.0], atol=1e-12)
    # alpha = 2: p = [2, 3, 4, 3] / 12, q = [4, 3, 2, 3] / 12
    r = baselines.log_count_ratio(FEATURES, LABELS == "positive", alpha=2.0)
    np.testing.assert_allclose(r, [math.log(2 / 4), 0.0, math.log(4 / 2), 0.0], atol=1e-12)


def test_nbsvm_scales_features_and_interpolates_weights_by_hand():
    model = baselines.NBSVMClassifier(C=1.0, beta=0.25).fit(FEATURES, LABELS)
    assert model.classes_.tolist() == ["negative", "positive"]
    r = np.array([-math.log(3), 0.0, math.log(3), 0.0])
    np.testing.assert_allclose(model.ratios_, [r], atol=1e-12)
    (scaled,) = model.scale(FEATURES)
    np.testing.assert_allclose(scaled.toarray(), [[0, 0, math.log(3), 0], [0, 0, math.log(3), 0],
                                                  [-math.log(3), 0, 0, 0], [-math.log(3), 0, 0, 0]], atol=1e-12)
    # the SVM is an ordinary linear SVM on the scaled features ...
    svm = LinearSVC(C=1.0, max_iter=10_000).fit(FEATURES * r, LABELS == "positive")
    np.testing.assert_allclose(model.svm_coef_, svm.coef_, atol=1e-4)
    np.testing.assert_allclose(model.intercept_, svm.intercept_, atol=1e-4)
    # ... and w' = (1 - beta) * mean(|w|) + beta * w
    w = svm.coef_[0]
    expected = 0.75 * np.abs(w).mean() + 0.25 * w
    np.testing.assert_allclose(model.coef_, [expected], atol=1e-4)
    np.testing.assert_allclose(model.decision_function(FEATURES), (FEATURES * r) @ expected + svm.intercept_[0],
                               atol=1e-4)
    assert model.predict(FEATURES).tolist() == LABELS.tolist()
    plain = baselines.NBSVMClassifier(beta=1.0).fit(FEATURES, LABELS)
    np.testing.assert_allclose(plain.coef_, plain.svm_coef_)


def test_nbsvm_on_text_uses_uni_and_bigrams():
    train = examples(DOCUMENTS)
    test = examples([("a good , good film", "positive"), ("bad", "negative"), ("plot bad", "negative")])
    scores = baselines.nbsvm(train, test, valid=examples([("good", "positive")]))
    assert set(scores) == {"test_accuracy", "test_macro_f1", "valid_accuracy", "train_seconds"}
    assert scores["test_accuracy"] == 1.0 and scores["test_macro_f1"] == 1.0 and scores["valid_accuracy"] == 1.0
    assert "valid_accuracy" not in baselines.nbsvm(train, test)


def test_nbsvm_multi_class_is_one_vs_rest():
    pairs = [("great great film", "positive"), ("great fun", "positive"), ("awful film", "negative"),
             ("awful awful plot", "negative"), ("a film about a plot", "neutral"), ("a plot", "neutral")]
    # binary features in the column order a, about, awful, film, fun, great, plot
    features = np.array([[0, 0, 0, 1, 0, 1, 0], [0, 0, 0, 0, 1, 1, 0], [0, 0, 1, 1, 0, 0, 0],
                         [0, 0, 1, 0, 0, 0, 1], [1, 1, 0, 1, 0, 0, 1], [1, 0, 0, 0, 0, 0, 1]])
    labels = np.array([label for _, label in pairs])
    model = baselines.NBSVMClassifier().fit(features, labels)
    assert model.classes_.tolist() == ["negative", "neutral", "positive"]
    assert model.ratios_.shape == model.coef_.shape == (3, 7) and model.intercept_.shape == (3,)
    # neutral against the rest: p = 1 + [2, 1, 0, 1, 0, 0, 2] (sum 13), q = 1 + [0, 0, 2, 2, 1, 2, 1] (sum 15)
    np.testing.assert_allclose(model.ratios_[1], np.log((np.array([3, 2, 1, 2, 1, 1, 3]) / 13)
                                                        / (np.array([1, 1, 3, 3, 2, 3, 2]) / 15)))
    assert model.predict(features).tolist() == labels.tolist()
    for row, target in enumerate(model.classes_):
        np.testing.assert_allclose(model.ratios_[row], baselines.log_count_ratio(features, labels == target))
    assert model.decision_function(features).shape == (6, 3)
    scores = baselines.nbsvm(examples(pairs), examples([("great fun film", "positive"), ("awful", "negative"),
                                                        ("a plot", "neutral")]))
    assert scores["test_accuracy"] == 1.0


def test_nbsvm_checks_its_arguments():
    with pytest.raises(ValueError, match=r"beta=1.5 must be in \[0, 1\]"):
        baselines.NBSVMClassifier(beta=1.5)
    with pytest.raises(ValueError, match=r"C=0 must be > 0"):
        baselines.NBSVMClassifier(C=0)
    with pytest.raises(ValueError, match=r"one class \(\['positive'\]\)"):
        baselines.NBSVMClassifier().fit(FEATURES[:2], LABELS[:2])
    with pytest.raises(ValueError, match=r"alpha=0 must be > 0"):
        baselines.log_count_ratio(FEATURES, LABELS == "positive", alpha=0)
    with pytest.raises(ValueError, match=r"ngram_range=\(2, 1\)"):
        baselines.nbsvm(examples(DOCUMENTS), examples(DOCUMENTS), ngram_range=(2, 1))
    with pytest.raises(ValueError, match=r"train must be a list of \{'text': str, 'label': ...\} examples"):
        baselines.nbsvm(["good film"], examples(DOCUMENTS))
    with pytest.raises(ValueError, match=r"test is empty"):
        baselines.nbsvm(examples(DOCUMENTS), [])


def test_majority_class_takes_labels_or_examples():
    scores = baselines.majority_class(["b", "a", "b", "a", "c"], ["a", "b", "c", "a"], valid=["a"])
    assert scores == {"test_accuracy": 0.5, "test_macro_f1": pytest.approx((2 / 3) / 3), "valid_accuracy": 1.0}
    from_examples = baselines.majority_class(examples(DOCUMENTS[:3]), examples(DOCUMENTS))
    assert from_examples == {"test_accuracy": 0.5, "test_macro_f1": pytest.approx((2 / 3) / 2)}


def test_ngram_logistic_regression_fits_tfidf_or_binary_features():
    train = examples(DOCUMENTS)
    test = examples([("good", "positive"), ("bad plot", "negative")])
    for tfidf in (True, False):
        scores = baselines.ngram_logistic_regression(train, test, valid=test, C=10.0, tfidf=tfidf)
        assert scores["test_accuracy"] == scores["valid_accuracy"] == 1.0
        assert set(scores) == {"test_accuracy", "test_macro_f1", "valid_accuracy", "train_seconds"}


def test_ner_memorisation_by_hand():
    train = [
        (["Washington", "visited", "Washington"], ["B-PER", "O", "B-LOC"]),
        (["Washington", "D.C.", "is", "rainy"], ["B-LOC", "I-LOC", "O", "O"]),
        (["New", "York", "Times"], ["B-ORG", "I-ORG", "I-ORG"]),
        (["New", "York"], ["B-LOC", "I-LOC"]),
        (["New", "Delhi"], ["B-LOC", "I-LOC"]),
    ]
    memory = baselines.most_frequent_tags(train)
    # Washington: B-LOC 2, B-PER 1; New: B-LOC 2, B-ORG 1; York: I-LOC 1, I-ORG 1 -> tie, sorted first: I-LOC
    assert memory["Washington"] == "B-LOC" and memory["New"] == "B-LOC" and memory["York"] == "I-LOC"
    test = [
        (["Washington", "met", "Smith", "in", "New", "York"], ["B-PER", "O", "B-PER", "O", "B-LOC", "I-LOC"]),
        (["The", "Times", "and", "Washington", "D.C."], ["O", "B-ORG", "O", "B-LOC", "I-LOC"]),
    ]
    # predicted: [B-LOC, O, O, O, B-LOC, I-LOC] and [O, I-ORG, O, B-LOC, I-LOC]
    # predicted entities: LOC(0,1) wrong, LOC(4,6) right; ORG(1,2) right, LOC(3,5) right -> 3 of 4 correct
    # true entities: PER(0,1), PER(2,3), LOC(4,6); ORG(1,2), LOC(3,5) -> 3 of 5 found
    scores = baselines.ner_memorisation(train, test, valid=test[1:])
    assert scores["test_precision"] == pytest.approx(3 / 4)
    assert scores["test_recall"] == pytest.approx(3 / 5)
    assert scores["test_f1"] == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert scores["valid_f1"] == scores["valid_precision"] == scores["valid_recall"] == 1.0
    assert set(baselines.ner_memorisation(train, test)) == {"test_f1", "test_precision", "test_recall"}
    with pytest.raises(ValueError, match=r"a sentence has 2 tokens but 1 tags"):
        baselines.ner_memorisation([(["a", "b"], ["O"])], test)


def test_mr_ten_fold_nbsvm_is_near_the_measured_and_published_numbers(shared_data):
    """NBSVM-bi on the project's MR folds, trained on the nine other folds (train + valid), C=1, beta=0.25.

    Measured with this code: 79.08 +- 1.22 (mean +- std over the 10 folds); the GUIDE's earlier
    measurement 79.83 +- 0.74, the paper 79.4. About 15 s on 2 busy cores.
    """
    folder = shared_data("rt_polarity", "rt-polarity.pos", "rt-polarity.neg")
    accuracies, majority = [], []
    for fold in range(10):
        dataset = data.load("mr", path=folder, fold=fold)
        accuracies.append(baselines.nbsvm(dataset["train"] + dataset["valid"], dataset["test"])["test_accuracy"])
        majority.append(baselines.majority_class(dataset["train"], dataset["test"])["test_accuracy"])
    mean = 100 * np.mean(accuracies)
    assert 78.5 <= mean <= 80.5, f"MR 10-fold NBSVM-bi {mean:.2f} (published 79.4, GUIDE 79.83 +- 0.74)"
    assert 100 * np.std(accuracies) < 2.5
    assert abs(100 * np.mean(majority) - 50.0) < 0.5
