"""Tag sequences of tagging data: parsing BIO / IOB1 tags, reading their entities, tag ids and names.

A tag is ``O`` (outside any entity) or ``<prefix>-<type>`` with prefix ``B`` (begins an entity)
or ``I`` (inside one). An entity is a maximal run of tokens of one type: it starts at ``B-X``,
or at ``I-X`` when the previous token is not of type ``X`` (IOB1 marks only a second adjacent
entity with ``B-``), and ends before ``O``, ``B-`` or another type. This reading gives the same
entities for IOB1 and for BIO (IOB2) tags, as conlleval and ``seqeval``'s default mode do.

Models see tags as ids: :func:`tag_names_from` lists the tags of a dataset with id 0 kept for
padding, :func:`ids_to_tags` turns a padded batch of ids back into tag lists.

>>> spans(["B-PER", "I-PER", "O", "I-LOC"])
[('PER', 0, 2), ('LOC', 3, 4)]
>>> to_bio(["I-PER", "I-PER", "B-PER"])
['B-PER', 'I-PER', 'B-PER']
>>> tag_names_from([(["Harry", "met", "Ron"], ["B-PER", "O", "B-PER"])])
['<pad>', 'B-PER', 'O']
"""

import numpy as np

from seqlab.data.vocab import PAD_ID, RESERVED_TOKENS

OUTSIDE = "O"
PREFIXES = ("B", "I")


def split_tag(tag):
    """Split a tag into ``(prefix, type)``: ``"B-PER"`` -> ``("B", "PER")``, ``"O"`` -> ``("O", None)``.

    >>> split_tag("I-MISC"), split_tag("O")
    (('I', 'MISC'), ('O', None))
    >>> split_tag("PER")
    Traceback (most recent call last):
    ...
    ValueError: tag='PER' is not a BIO/IOB1 tag; allowed: 'O' or 'B-<type>' / 'I-<type>'.
    """
    if tag == OUTSIDE:
        return OUTSIDE, None
    prefix, separator, entity_type = tag.partition("-")
    if not separator or prefix not in PREFIXES or not entity_type:
        raise ValueError(f"tag={tag!r} is not a BIO/IOB1 tag; allowed: 'O' or 'B-<type>' / 'I-<type>'.")
    return prefix, entity_type


def spans(tags):
    """Entities in one tag sequence, as ``(type, start, end)`` with ``end`` exclusive.

    Args:
        tags: a sequence of tag strings in BIO (IOB2) or IOB1.

    Returns:
        A list of ``(type, start, end)`` tuples in order of ``start``.

    >>> spans(["I-ORG", "I-ORG", "B-ORG", "O", "B-MISC", "I-PER"])
    [('ORG', 0, 2), ('ORG', 2, 3), ('MISC', 4, 5), ('PER', 5, 6)]
    """
    entities = []
    current_type, start = None, 0
    for position, tag in enumerate(tags):
        prefix, entity_type = split_tag(tag)
        continues = prefix == "I" and entity_type == current_type
        if current_type is not None and not continues:
            entities.append((current_type, start, position))
            current_type = None
        if entity_type is not None and not continues:
            current_type, start = entity_type, position
    if current_type is not None:
        entities.append((current_type, start, len(tags)))
    return entities


def to_bio(tags):
    """Rewrite IOB1 (or BIO) tags as BIO: every entity starts with ``B-``; BIO input is unchanged.

    >>> to_bio(["I-PER", "I-PER", "B-PER", "O", "I-LOC"])
    ['B-PER', 'I-PER', 'B-PER', 'O', 'B-LOC']
    """
    bio = [OUTSIDE] * len(tags)
    for entity_type, start, end in spans(tags):
        bio[start] = f"B-{entity_type}"
        for position in range(start + 1, end):
            bio[position] = f"I-{entity_type}"
    return bio


def tag_names_from(sentences):
    """Tag id -> tag of a tagging dataset: ``"<pad>"`` (id 0, padding) then every tag of the sentences, sorted.

    Args:
        sentences: ``(tokens, tags)`` pairs (the training split).

    >>> tag_names_from([(["EU", "rejects"], ["B-ORG", "O"]), (["Peter"], ["B-PER"])])
    ['<pad>', 'B-ORG', 'B-PER', 'O']
    """
    return [RESERVED_TOKENS[PAD_ID]] + sorted({tag for _, tags in sentences for tag in tags})


def ids_to_tags(tag_ids, tag_names, lengths=None, padding_id=PAD_ID, padding_tag=None):
    """Turn a padded batch of tag ids into lists of tag strings, dropping the padding.

    Args:
        tag_ids: array-like ``(batch, time)`` of integer ids (true or predicted).
        tag_names: sequence mapping id -> tag string (``tag_names[padding_id]`` is never used).
        lengths: true length of each row. When ``None``, each row ends before its first
            ``padding_id`` (use ``lengths`` for predictions, which may hold any id there).
        padding_id: the id reserved for padding.
        padding_tag: the tag that ``padding_id`` inside a row's length stands for (an arg-max
            over every class may pick padding; ``"O"`` reads it as outside any entity);
            ``None``: padding inside a length is an error.

    Returns:
        A list of tag lists, each as long as its row's true length: padding is never scored.

    >>> ids_to_tags([[2, 3, 0, 0], [1, 0, 0, 0]], ["<pad>", "O", "B-PER", "I-PER"])
    [['B-PER', 'I-PER'], ['O']]
    >>> ids_to_tags([[2, 3, 2, 2]], ["<pad>", "O", "B-PER", "I-PER"], lengths=[2])
    [['B-PER', 'I-PER']]
    >>> ids_to_tags([[2, 0, 3]], ["<pad>", "O", "B-PER", "I-PER"], lengths=[3], padding_tag="O")
    [['B-PER', 'O', 'I-PER']]
    """
    tag_ids = np.asarray(tag_ids)
    if tag_ids.ndim != 2:
        raise ValueError(f"tag_ids must have shape (batch, time); received shape {tag_ids.shape}.")
    if lengths is None:
        is_padding = tag_ids == padding_id
        lengths = np.where(is_padding.any(axis=1), is_padding.argmax(axis=1), tag_ids.shape[1])
    names = list(tag_names)
    if padding_tag is not None:
        names[padding_id] = padding_tag
    sequences = []
    for row, length in zip(tag_ids, lengths):
        ids = row[: int(length)]
        if padding_tag is None and (ids == padding_id).any():
            raise ValueError(
                f"a row holds padding_id={padding_id} inside its length {int(length)}; "
                "lengths must count only real tokens (or give padding_tag, the tag padding stands for)."
            )
        sequences.append([names[int(tag_id)] for tag_id in ids])
    return sequences


def bio_transitions(tag_names):
    """Which tag may follow which in BIO: ``(allowed, start)`` boolean arrays over ``tag_names``.

    ``allowed[i, j]``: may tag ``j`` follow tag ``i`` (``I-X`` only after ``B-X`` or ``I-X``);
    ``start[j]``: may a sentence start with tag ``j``. The padding tag (id 0) is allowed nowhere.

    >>> allowed, start = bio_transitions(["<pad>", "B-PER", "I-PER", "O"])
    >>> allowed.astype(int).tolist(), start.tolist()
    ([[0, 0, 0, 0], [0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 0, 1]], [False, True, False, True])
    """
    parsed = [None if index == PAD_ID else split_tag(name) for index, name in enumerate(tag_names)]

    def may_start(tag):
        return tag is not None and tag[0] != "I"

    allowed = np.zeros((len(tag_names), len(tag_names)), dtype=bool)
    for previous, previous_tag in enumerate(parsed):
        for current, current_tag in enumerate(parsed):
            if previous_tag is None or current_tag is None:
                continue
            allowed[previous, current] = may_start(current_tag) or previous_tag[1] == current_tag[1]
    start = np.array([may_start(tag) for tag in parsed])
    return allowed, start
