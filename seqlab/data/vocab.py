"""Sorted vocabularies with reserved ids, saved and loaded as JSON beside a model.

Ids 0-3 are reserved: ``<pad>`` (0, the padding id every builder masks), ``<unk>`` (1),
``<bos>`` (2), ``<eos>`` (3). The other tokens follow in sorted order, so a vocabulary built
from the same data is the same whatever the order of the examples.

>>> vocabulary = Vocabulary.build(["abba", "cab"], level="character")
>>> vocabulary.tokens
['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b', 'c']
>>> vocabulary.encode("cad", add_eos=True)
[6, 4, 1, 3]
>>> vocabulary.to_text([6, 4, 5, 3, 0, 0])
'cab'
>>> Vocabulary.from_json(vocabulary.to_json()) == vocabulary
True
"""

import collections
import json
import pathlib
import re

from seqlab.data.sources import DataFormatError

PAD_TOKEN, UNK_TOKEN, BOS_TOKEN, EOS_TOKEN = "<pad>", "<unk>", "<bos>", "<eos>"
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
RESERVED_TOKENS = (PAD_TOKEN, UNK_TOKEN, BOS_TOKEN, EOS_TOKEN)
LEVELS = ("character", "word")
JSON_FORMAT = "seqlab.vocabulary"

_WORD_PATTERN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


def tokenize_words(text, *, lowercase=False):
    """Words (letters, digits, inner apostrophes) and single punctuation marks.

    >>> tokenize_words("It's late, Mr. Vernon!")
    ["It's", 'late', ',', 'Mr', '.', 'Vernon', '!']
    >>> tokenize_words("Don't stop--now.", lowercase=True)
    ["don't", 'stop', '-', '-', 'now', '.']
    """
    return _WORD_PATTERN.findall(text.lower() if lowercase else text)


class Vocabulary:
    """Token <-> id mapping with reserved ids 0-3 and sorted tokens after them.

    Args:
        tokens: the non-reserved tokens (any order; stored sorted, duplicates are an error).
        level: ``"character"`` or ``"word"``: how :meth:`encode` splits a string, and how
            :meth:`to_text` joins tokens.
        lowercase: lower-case text and tokens before encoding (as when it was built).

    Use :meth:`build` to build one from data.
    """

    def __init__(self, tokens, *, level="word", lowercase=False):
        if level not in LEVELS:
            raise ValueError(f"level={level!r} is not allowed; allowed: {', '.join(LEVELS)}.")
        tokens = list(tokens)
        duplicates = sorted(token for token, count in collections.Counter(tokens).items() if count > 1)
        if duplicates:
            raise ValueError(f"tokens has duplicates: {duplicates[:10]}; each token must appear once.")
        reserved = sorted(set(tokens) & set(RESERVED_TOKENS))
        if reserved:
            raise ValueError(f"tokens contains reserved tokens {reserved}; they always take ids 0-3.")
        self.level = level
        self.lowercase = lowercase
        self.tokens = list(RESERVED_TOKENS) + sorted(tokens)
        self.token_to_id = {token: index for index, token in enumerate(self.tokens)}

    @classmethod
    def build(cls, sequences, *, level="word", min_frequency=1, max_size=None, lowercase=False):
        """Build a vocabulary from examples.

        Args:
            sequences: iterable of examples, each a string (split by ``level``) or a list of
                tokens. Reserved tokens in them (e.g. ``"<eos>"``) are not counted.
            level: ``"character"`` or ``"word"``.
            min_frequency: keep tokens seen at least this many times (>= 1).
            max_size: total size including the 4 reserved ids (>= 4); the most frequent tokens
                are kept (ties by token), then sorted. ``None``: no limit.
            lowercase: lower-case before counting.

        >>> Vocabulary.build(["a a b", "b c a"], min_frequency=2).tokens[4:]
        ['a', 'b']
        >>> len(Vocabulary.build(["a a b", "b c a", "d"], max_size=5))
        5
        >>> Vocabulary.build(["a"], max_size=2)
        Traceback (most recent call last):
        ...
        ValueError: max_size=2 must be None or at least 4 (the reserved ids <pad>, <unk>, <bos>, <eos>).
        """
        if not isinstance(min_frequency, int) or min_frequency < 1:
            raise ValueError(f"min_frequency={min_frequency!r} must be an integer >= 1.")
        if max_size is not None and (not isinstance(max_size, int) or max_size < len(RESERVED_TOKENS)):
            raise ValueError(
                f"max_size={max_size!r} must be None or at least {len(RESERVED_TOKENS)} "
                f"(the reserved ids {', '.join(RESERVED_TOKENS)})."
            )
        vocabulary = cls([], level=level, lowercase=lowercase)
        counts = collections.Counter()
        for sequence in sequences:
            counts.update(token for token in vocabulary.tokenize(sequence) if token not in RESERVED_TOKENS)
        ranked = sorted((token for token, count in counts.items() if count >= min_frequency),
                        key=lambda token: (-counts[token], token))
        if max_size is not None:
            ranked = ranked[:max_size - len(RESERVED_TOKENS)]
        return cls(ranked, level=level, lowercase=lowercase)

    def tokenize(self, sequence):
        """Tokens of one example: a string is split by ``level``; a token list is used as is.

        >>> Vocabulary([], level="word", lowercase=True).tokenize("Hello, World")
        ['hello', ',', 'world']
        """
        if isinstance(sequence, str):
            if self.lowercase:
                sequence = sequence.lower()
            return list(sequence) if self.level == "character" else tokenize_words(sequence)
        if not isinstance(sequence, (list, tuple)):
            raise ValueError(
                f"sequence={sequence!r} (type {type(sequence).__name__}) must be a string or a list of tokens."
            )
        if self.lowercase:
            return [token if token in RESERVED_TOKENS else token.lower() for token in sequence]
        return list(sequence)

    def __len__(self):
        return len(self.tokens)

    def __contains__(self, token):
        return token in self.token_to_id

    def __eq__(self, other):
        return (isinstance(other, Vocabulary) and self.tokens == other.tokens and self.level == other.level
                and self.lowercase == other.lowercase)

    def __repr__(self):
        return f"Vocabulary(size={len(self)}, level={self.level!r}, lowercase={self.lowercase})"

    def encode(self, sequence, *, add_bos=False, add_eos=False):
        """Ids of one example (a string or token list); unknown tokens become ``UNK_ID``."""
        ids = [self.token_to_id.get(token, UNK_ID) for token in self.tokenize(sequence)]
        return ([BOS_ID] if add_bos else []) + ids + ([EOS_ID] if add_eos else [])

    def encode_all(self, sequences, **keywords):
        """:meth:`encode` for each example (a list of id lists)."""
        return [self.encode(sequence, **keywords) for sequence in sequences]

    def decode(self, ids, *, strip_special=True):
        """Tokens of a list of ids; with ``strip_special``, ``<pad>``, ``<bos>`` and ``<eos>`` are dropped.

        >>> Vocabulary(["x"]).decode([2, 4, 1, 3, 0])
        ['x', '<unk>']
        >>> Vocabulary(["x"]).decode([7])
        Traceback (most recent call last):
        ...
        ValueError: id 7 at position 0 is outside the vocabulary (size 5, ids 0-4).
        """
        tokens = []
        for position, token_id in enumerate(ids):
            token_id = int(token_id)
            if not 0 <= token_id < len(self.tokens):
                raise ValueError(
                    f"id {token_id} at position {position} is outside the vocabulary "
                    f"(size {len(self)}, ids 0-{len(self) - 1})."
                )
            if strip_special and token_id in (PAD_ID, BOS_ID, EOS_ID):
                continue
            tokens.append(self.tokens[token_id])
        return tokens

    def to_text(self, ids):
        """Decoded tokens joined: no separator at character level, a space at word level."""
        return ("" if self.level == "character" else " ").join(self.decode(ids))

    def to_json(self, path=None):
        """The vocabulary as a JSON string; also written to ``path`` when given."""
        text = json.dumps({"format": JSON_FORMAT, "version": 1, "level": self.level,
                           "lowercase": self.lowercase, "tokens": self.tokens}, ensure_ascii=False, indent=1)
        if path is not None:
            pathlib.Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source):
        """Load from a JSON string or from the path of a file written by :meth:`to_json`.

        Raises:
            DataFormatError: not a seqlab vocabulary, or reserved ids out of place.
        """
        is_path = isinstance(source, pathlib.Path) or not str(source).lstrip().startswith("{")
        text = pathlib.Path(source).read_text(encoding="utf-8") if is_path else source
        where = str(source) if is_path else "<json string>"
        try:
            content = json.loads(text)
        except json.JSONDecodeError as error:
            raise DataFormatError(f"not valid JSON: {error.msg}", path=where, line=error.lineno) from None
        if not isinstance(content, dict) or content.get("format") != JSON_FORMAT:
            raise DataFormatError(f"not a seqlab vocabulary (expected \"format\": \"{JSON_FORMAT}\")", path=where)
        tokens = content.get("tokens", [])
        if list(tokens[:len(RESERVED_TOKENS)]) != list(RESERVED_TOKENS):
            raise DataFormatError(f"the first tokens must be {list(RESERVED_TOKENS)}, found {tokens[:4]}", path=where)
        try:
            vocabulary = cls(tokens[len(RESERVED_TOKENS):], level=content.get("level", "word"),
                             lowercase=content.get("lowercase", False))
        except ValueError as error:
            raise DataFormatError(str(error), path=where) from None
        if vocabulary.tokens != tokens:
            raise DataFormatError("the tokens after the reserved ones are not sorted", path=where)
        return vocabulary

