"""Linear-chain CRF: log-likelihood against brute-force enumeration, padding, Viterbi, a training run."""

import itertools

import keras
import numpy as np
import pytest

from seqlab.crf import CRF, CRFLoss, viterbi


def brute_force(emissions, tags, transitions, start, end, padding_id=0):
    classes = [index for index in range(emissions.shape[1]) if index != padding_id]

    def score(sequence):
        total = start[sequence[0]] + end[sequence[-1]] + sum(emissions[t, y] for t, y in enumerate(sequence))
        return total + sum(transitions[a, b] for a, b in zip(sequence, sequence[1:]))

    scores = [score(sequence) for sequence in itertools.product(classes, repeat=len(tags))]
    log_partition = np.log(np.sum(np.exp(scores)))
    return score(tags) - log_partition, max(itertools.product(classes, repeat=len(tags)), key=score)


@pytest.fixture
def random_crf():
    generator = np.random.default_rng(0)
    crf = CRF(num_classes=4)
    crf.build((None, None, 4))
    crf.transitions.assign(generator.normal(size=(4, 4)).astype("float32"))
    crf.start.assign(generator.normal(size=4).astype("float32"))
    crf.end.assign(generator.normal(size=4).astype("float32"))
    return crf, generator


def test_log_likelihood_and_viterbi_match_brute_force(random_crf):
    crf, generator = random_crf
    transitions, start, end = (keras.ops.convert_to_numpy(weight) for weight in (crf.transitions, crf.start, crf.end))
    emissions = generator.normal(size=(3, 4, 4)).astype("float32")
    tags = np.array([[1, 2, 3, 1], [3, 3, 0, 0], [2, 0, 0, 0]])
    ours = keras.ops.convert_to_numpy(crf.log_likelihood(emissions, tags))
    for row, length in enumerate([4, 2, 1]):
        expected, best = brute_force(emissions[row, :length].astype("float64"), list(tags[row, :length]),
                                     transitions, start, end)
        assert ours[row] == pytest.approx(expected, abs=1e-4)
        assert crf.decode(emissions[row, :length]) == list(best)


def test_padding_does_not_change_the_likelihood(random_crf):
    crf, generator = random_crf
    emissions = generator.normal(size=(1, 3, 4)).astype("float32")
    padded = np.concatenate([emissions, generator.normal(size=(1, 4, 4)).astype("float32")], axis=1)
    alone = crf.log_likelihood(emissions, np.array([[1, 2, 3]]))
    with_padding = crf.log_likelihood(padded, np.array([[1, 2, 3, 0, 0, 0, 0]]))
    assert float(alone[0]) == pytest.approx(float(with_padding[0]), abs=1e-5)
    # A batch one step long: the forward recursion has no step to run.
    one_step = crf.log_likelihood(emissions[:, :1], np.array([[2]]))
    expected, _ = brute_force(emissions[0, :1].astype("float64"), [2], *(keras.ops.convert_to_numpy(weight)
                              for weight in (crf.transitions, crf.start, crf.end)))
    assert float(one_step[0]) == pytest.approx(expected, abs=1e-5)


def test_viterbi_respects_forbidden_transitions():
    emissions = np.log([[0.4, 0.6], [0.1, 0.9]])
    assert viterbi(emissions, np.zeros((2, 2))) == [1, 1]
    assert viterbi(emissions, np.array([[0.0, 0.0], [0.0, -np.inf]])) == [0, 1]


def test_a_crf_tagger_learns_a_transition_rule():
    # Tags O=1, B=2, I=3: token 3 is B, token 5 is O, token 4 is I inside an entity (after B or
    # I) and O outside. The emissions of a context-free embedding cannot know the previous tag;
    # the CRF's transitions (never O -> I) can.
    keras.utils.set_random_seed(0)
    generator = np.random.default_rng(1)
    tokens = generator.integers(3, 6, (256, 8))
    tags = np.ones_like(tokens)
    for row in range(len(tokens)):
        previous = 1
        for position, token in enumerate(tokens[row]):
            previous = {3: 2, 5: 1}.get(int(token), 3 if previous in (2, 3) else 1)
            tags[row, position] = previous
    lengths = np.where(np.arange(256) < 128, 6, 8)
    for row, length in enumerate(lengths):
        tokens[row, length:] = 0
        tags[row, length:] = 0
    inputs = keras.Input((None,), dtype="int32")
    emissions = keras.layers.Dense(4)(keras.layers.Embedding(8, 8, mask_zero=True)(inputs))
    crf = CRF(4, name="crf")
    model = keras.Model(inputs, crf(emissions))
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=CRFLoss(crf))
    history = model.fit(tokens, tags, epochs=20, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]
    predicted = model.predict_on_batch(tokens)
    correct = [crf.decode(predicted[row, :length]) == list(tags[row, :length]) for row, length in enumerate(lengths)]
    assert np.mean(correct) > 0.98
