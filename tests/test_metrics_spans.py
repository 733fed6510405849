"""Tag parsing (seqlab.data.tags: spans from BIO and IOB1, tag ids) and the entity-level scorer (micro and
per-type P/R/F1), checked against seqeval."""


import numpy as np
import pytest
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
from seqeval.metrics.sequence_labeling import get_entities

from seqlab.data.tags import ids_to_tags, spans, tag_names_from, to_bio
from seqlab.metrics.spans import classify_errors, entity_scores

TYPES = ("PER", "LOC", "ORG", "MISC")
TAGS = ("O",) + tuple(f"{prefix}-{entity_type}" for entity_type in TYPES for prefix in "BI")

HAND_MADE = [
    # (true, predicted): exact, wrong type, wrong boundary, IOB1-style starts, adjacent entities.
    (["B-PER", "I-PER", "O", "B-LOC"], ["B-PER", "I-PER", "O", "B-ORG"]),
    (["I-ORG", "I-ORG", "B-ORG", "O"], ["B-ORG", "I-ORG", "B-ORG", "O"]),
    (["O", "I-MISC", "I-PER", "O"], ["O", "B-MISC", "B-PER", "I-PER"]),
    (["B-LOC", "B-LOC", "I-LOC"], ["B-LOC", "I-LOC", "I-LOC"]),
    (["O", "O", "O"], ["B-PER", "O", "I-PER"]),
    (["B-PER", "I-LOC", "I-LOC"], ["O", "O", "O"]),
]


def seqeval_entities(tags):
    entities = [(entity_type, start, end + 1) for entity_type, start, end in get_entities(list(tags))]
    return sorted(entities, key=lambda entity: entity[1])


def assert_matches_seqeval(true_sequences, predicted_sequences):
    scores = entity_scores(true_sequences, predicted_sequences)
    assert scores["precision"] == pytest.approx(precision_score(true_sequences, predicted_sequences))
    assert scores["recall"] == pytest.approx(recall_score(true_sequences, predicted_sequences))
    assert scores["f1"] == pytest.approx(f1_score(true_sequences, predicted_sequences))
    report = classification_report(true_sequences, predicted_sequences, output_dict=True, zero_division=0)
    for entity_type, expected in report.items():
        if entity_type.endswith(" avg"):
            continue
        ours = scores["per_type"][entity_type]
        assert ours["precision"] == pytest.approx(expected["precision"]), entity_type
        assert ours["recall"] == pytest.approx(expected["recall"]), entity_type
        assert ours["f1"] == pytest.approx(expected["f1-score"]), entity_type
        assert ours["support"] == expected["support"], entity_type
    return scores


def test_spans_read_iob1_and_bio_alike():
    iob1 = ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "O", "I-ORG", "I-MISC"]
    bio = to_bio(iob1)
    assert bio == ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "O", "B-ORG", "B-MISC"]
    expected = [("PER", 0, 2), ("LOC", 3, 4), ("LOC", 4, 5), ("ORG", 6, 7), ("MISC", 7, 8)]
    assert spans(iob1) == expected
    assert spans(bio) == expected
    assert to_bio(bio) == bio


@pytest.mark.parametrize("true_tags, predicted_tags", HAND_MADE)
def test_spans_match_seqeval_on_hand_made_cases(true_tags, predicted_tags):
    for tags in (true_tags, predicted_tags):
        assert spans(tags) == seqeval_entities(tags)


def test_scores_match_seqeval_on_hand_made_cases():
    true_sequences = [true for true, _ in HAND_MADE]
    predicted_sequences = [predicted for _, predicted in HAND_MADE]
    scores = assert_matches_seqeval(true_sequences, predicted_sequences)
    # Counted by hand, case by case: true 2+2+2+2+0+2, predicted 2+2+2+1+2+0, exact 1+2+1+0+0+0.
    assert (scores["true_entities"], scores["predicted_entities"], scores["correct_entities"]) == (10, 9, 4)
    assert scores["f1"] == pytest.approx(2 * 4 / (10 + 9))


def test_scores_match_seqeval_on_random_sequences():
    generator = np.random.default_rng(0)
    true_sequences, predicted_sequences = [], []
    for _ in range(300):
        length = int(generator.integers(1, 12))
        true_sequences.append([TAGS[index] for index in generator.integers(0, len(TAGS), length)])
        predicted_sequences.append([TAGS[index] for index in generator.integers(0, len(TAGS), length)])
    for tags in true_sequences[:50]:
        assert spans(tags) == seqeval_entities(tags)
    assert_matches_seqeval(true_sequences, predicted_sequences)


def test_perfect_and_empty_predictions():
    true_sequences = [["B-PER", "I-PER", "O"], ["O", "B-LOC"]]
    perfect = entity_scores(true_sequences, true_sequences)
    assert (perfect["precision"], perfect["recall"], perfect["f1"]) == (1.0, 1.0, 1.0)
    nothing = entity_scores(true_sequences, [["O"] * 3, ["O"] * 2])
    assert (nothing["precision"], nothing["recall"], nothing["f1"]) == (0.0, 0.0, 0.0)


def test_padding_is_never_scored():
    tag_names = ["<pad>"] + list(TAGS)
    identifier = {tag: index for index, tag in enumerate(tag_names)}
    true_ids = np.array([[identifier["B-PER"], identifier["I-PER"], 0, 0], [identifier["O"], 0, 0, 0]])
    # The model predicts entities over the padding too: they must not count as spurious.
    predicted_ids = np.array([[identifier["B-PER"], identifier["I-PER"], identifier["B-LOC"], identifier["B-ORG"]],
                              [identifier["O"], identifier["B-MISC"], identifier["I-MISC"], identifier["B-PER"]]])
    lengths = [2, 1]
    true_tags = ids_to_tags(true_ids, tag_names)
    predicted_tags = ids_to_tags(predicted_ids, tag_names, lengths=lengths)
    assert true_tags == [["B-PER", "I-PER"], ["O"]]
    assert predicted_tags == [["B-PER", "I-PER"], ["O"]]
    scores = entity_scores(true_tags, predicted_tags)
    assert (scores["predicted_entities"], scores["precision"], scores["f1"]) == (1, 1.0, 1.0)
    with pytest.raises(ValueError, match="padding_id=0"):
        ids_to_tags(true_ids, tag_names, lengths=[3, 1])
    # An arg-max over every class may pick padding at a real token: padding_tag says what it reads as.
    assert ids_to_tags(true_ids, tag_names, lengths=[3, 2], padding_tag="O") == [["B-PER", "I-PER", "O"], ["O", "O"]]


def test_tag_names_are_padding_then_every_training_tag_sorted():
    sentences = [(["EU", "rejects", "German"], ["B-ORG", "O", "B-MISC"]), (["Peter"], ["B-PER"])]
    assert tag_names_from(sentences) == ["<pad>", "B-MISC", "B-ORG", "B-PER", "O"]


def test_mismatched_inputs_are_refused():
    with pytest.raises(ValueError, match="same length"):
        entity_scores([["O", "O"]], [["O"]])
    with pytest.raises(ValueError, match="one to one"):
        entity_scores([["O"]], [])
    with pytest.raises(ValueError, match="tag='PERSON'"):
        spans(["PERSON"])


def test_classify_errors_sorts_every_kind():
    true_tags = ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O", "B-ORG", "O", "B-MISC", "O", "O"]
    predicted = ["B-ORG", "I-ORG", "O", "B-LOC", "O", "O", "O", "O", "B-PER", "I-PER", "B-PER"]
    kinds = [(kind, true, guess) for kind, true, guess in classify_errors(true_tags, predicted)]
    assert kinds == [
        ("wrong type", ("PER", 0, 2), ("ORG", 0, 2)),
        ("wrong boundary", ("LOC", 3, 5), ("LOC", 3, 4)),
        ("wrong type and boundary", ("MISC", 8, 9), ("PER", 8, 10)),
        ("spurious", None, ("PER", 10, 11)),
        ("missed", ("ORG", 6, 7), None),
    ]
    assert classify_errors(true_tags, true_tags) == []



def raw_iob1_sentences(path):
    """The NER column of a CoNLL-2003 file exactly as written (IOB1), read independently of seqlab."""
    sentences, current = [], []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("-DOCSTART-"):
            if current:
                sentences.append(current)
                current = []
            continue
        current.append(line.split()[-1])
    if current:
        sentences.append(current)
    return sentences


def test_scores_match_seqeval_on_real_conll_tags(shared_data):
    gold = raw_iob1_sentences(shared_data("conll2003", "eng.testa") / "eng.testa")
    assert len(gold) == 3250
    generator = np.random.default_rng(1)
    perturbed = [
        [TAGS[generator.integers(len(TAGS))] if generator.random() < 0.08 else tag for tag in sentence]
        for sentence in gold
    ]
    bio_gold = [to_bio(sentence) for sentence in gold]
    assert sum(len(spans(sentence)) for sentence in gold) == 5942  # entities in eng.testa
    scores = assert_matches_seqeval(gold, perturbed)
    assert 0.5 < scores["f1"] < 0.95
    # IOB1 and its BIO rewrite give the same spans, hence the same scores.
    assert entity_scores(bio_gold, perturbed) == scores
