"""Entity-level scores for tag sequences: exact-match P/R/F1 and the kinds of entity errors.

Entities are read from BIO or IOB1 tags by :func:`seqlab.data.tags.spans` (tag parsing is data,
:mod:`seqlab.data.tags`). A predicted entity counts as correct only when its type, first and
last token all match a true entity (exact match, as conlleval). Micro scores pool every entity
of every sentence.

>>> scores = entity_scores([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "I-PER", "O", "B-ORG"]])
>>> round(scores["f1"], 3), scores["per_type"]["PER"]["f1"], scores["per_type"]["LOC"]["recall"]
(0.5, 1.0, 0.0)
"""

from collections import Counter

from seqlab.data.tags import spans


def _check_pairs(true_sequences, predicted_sequences):
    if len(true_sequences) != len(predicted_sequences):
        raise ValueError(
            f"predicted_sequences has {len(predicted_sequences)} sequences but true_sequences has "
            f"{len(true_sequences)}; they must match one to one."
        )
    for index, (true_tags, predicted_tags) in enumerate(zip(true_sequences, predicted_sequences)):
        if len(true_tags) != len(predicted_tags):
            raise ValueError(
                f"sequence {index}: predicted_sequences has {len(predicted_tags)} tags but true_sequences "
                f"has {len(true_tags)}; each pair must have the same length (trim padding first)."
            )


def _precision_recall_f1(correct, predicted, true):
    precision = correct / predicted if predicted else 0.0
    recall = correct / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def entity_scores(true_sequences, predicted_sequences):
    """Exact-match entity precision, recall and F1, micro-averaged and per type.

    Args:
        true_sequences: list of tag sequences (BIO or IOB1), one per sentence.
        predicted_sequences: list of predicted tag sequences, same lengths.

    Returns:
        A dict with ``precision``, ``recall``, ``f1`` (micro, fractions in [0, 1]),
        ``true_entities``, ``predicted_entities``, ``correct_entities`` and ``per_type``:
        ``{type: {"precision", "recall", "f1", "support"}}`` sorted by type, where
        ``support`` is the number of true entities of that type.

    >>> scores = entity_scores([["B-PER", "O"], ["I-ORG", "I-ORG"]], [["B-PER", "O"], ["B-ORG", "O"]])
    >>> scores["correct_entities"], scores["predicted_entities"], scores["true_entities"]
    (1, 2, 2)
    >>> scores["per_type"]["ORG"]
    {'precision': 0.0, 'recall': 0.0, 'f1': 0.0, 'support': 1}
    """
    _check_pairs(true_sequences, predicted_sequences)
    true_counts, predicted_counts, correct_counts = Counter(), Counter(), Counter()
    for true_tags, predicted_tags in zip(true_sequences, predicted_sequences):
        true_entities = set(spans(true_tags))
        predicted_entities = set(spans(predicted_tags))
        true_counts.update(entity[0] for entity in true_entities)
        predicted_counts.update(entity[0] for entity in predicted_entities)
        correct_counts.update(entity[0] for entity in true_entities & predicted_entities)
    correct, predicted, true = (sum(counts.values()) for counts in (correct_counts, predicted_counts, true_counts))
    precision, recall, f1 = _precision_recall_f1(correct, predicted, true)
    per_type = {}
    for entity_type in sorted(set(true_counts) | set(predicted_counts)):
        type_precision, type_recall, type_f1 = _precision_recall_f1(
            correct_counts[entity_type], predicted_counts[entity_type], true_counts[entity_type]
        )
        per_type[entity_type] = {
            "precision": type_precision,
            "recall": type_recall,
            "f1": type_f1,
            "support": true_counts[entity_type],
        }
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_entities": true,
        "predicted_entities": predicted,
        "correct_entities": correct,
        "per_type": per_type,
    }


ERROR_KINDS = ("wrong type", "wrong boundary", "wrong type and boundary", "missed", "spurious")


def classify_errors(true_tags, predicted_tags):
    """Sort the entity errors of one sentence into kinds.

    Every predicted entity that is not an exact match is ``"wrong type"`` (same tokens,
    other type), ``"wrong boundary"`` (overlaps a true entity of its type),
    ``"wrong type and boundary"`` (overlaps only true entities of other types) or
    ``"spurious"`` (overlaps no true entity). Every true entity that no prediction matches
    or overlaps is ``"missed"``.

    Returns:
        A list of ``(kind, true_entity, predicted_entity)``; the entities are
        ``(type, start, end)`` tuples or ``None``.

    >>> classify_errors(["B-PER", "I-PER", "O", "B-LOC", "O"], ["B-ORG", "I-ORG", "O", "O", "B-MISC"])
    [('wrong type', ('PER', 0, 2), ('ORG', 0, 2)), ('spurious', None, ('MISC', 4, 5)), ('missed', ('LOC', 3, 4), None)]
    """
    true_entities, predicted_entities = spans(true_tags), spans(predicted_tags)
    exact = set(true_entities) & set(predicted_entities)
    errors, touched = [], set()
    for predicted in predicted_entities:
        if predicted in exact:
            continue
        overlapping = [
            true for true in true_entities if true not in exact and true[1] < predicted[2] and predicted[1] < true[2]
        ]
        touched.update(overlapping)
        same_span = [true for true in overlapping if true[1:] == predicted[1:]]
        same_type = [true for true in overlapping if true[0] == predicted[0]]
        if same_span:
            errors.append(("wrong type", same_span[0], predicted))
        elif same_type:
            errors.append(("wrong boundary", same_type[0], predicted))
        elif overlapping:
            errors.append(("wrong type and boundary", overlapping[0], predicted))
        else:
            errors.append(("spurious", None, predicted))
    errors.extend(("missed", true, None) for true in true_entities if true not in exact and true not in touched)
    return errors
