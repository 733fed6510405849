"""Plain text for language models: character level and word level.

A text dataset is a dict of splits ``{"train", "valid", "test"}``, each a list of examples,
each example a list of tokens (characters or words) ending with ``"<eos>"`` (one example
per line, or per sentence for prose). Splits are a fixed-seed shuffle of the examples.

Sources:

- ``dinos``: 1,543 dinosaur names (``char_lm/dinos.txt``; the deeplearning.ai
  "Dinosaurus Island" exercise file), licence unclear, not shipped.
- ``names``: 32,033 lower-case first names from karpathy/makemore (``char_lm/names.txt``, MIT).
- ``census_names``: embedded, from the ``names`` package (MIT): the 1990 US census lists,
  5,494 first-name rows (4,275 female + 1,219 male; 5,163 distinct) and 88,799 surnames.
- ``lady_susan``: embedded English prose for word-level models: Jane Austen's *Lady Susan*
  (Project Gutenberg etext, public domain) as shipped in the ``music21`` wheel
  (``music21/languageExcerpts/trainingData/en.txt``): 1,188 sentences, 23,149 words,
  26,533 tokens with punctuation.

>>> data = load_text_lines(["ab", "c"], valid_fraction=0.0, test_fraction=0.0)
>>> data["train"]
[['a', 'b', '<eos>'], ['c', '<eos>']]
"""

import pathlib
import re

from seqlab import checks
from seqlab.data.sources import DataFormatError, Source, package_path, read_lines
from seqlab.data.splits import limit, split_examples
from seqlab.data.vocab import EOS_TOKEN, tokenize_words

LEVELS = ("character", "word")
UNITS = ("line", "sentence")
CENSUS_FILES = {"female": "dist.female.first", "male": "dist.male.first", "last": "dist.all.last"}
CENSUS_KINDS = ("first", "last", "all")

_SENTENCE_END = re.compile(r"([.!?][\"'’”)]*)\s+(?=[\"'‘“(]*[A-Z0-9])")


def split_sentences(text):
    """Split prose into sentences at ``.``, ``!`` or ``?`` followed by space and a capital.

    Line breaks inside a paragraph are spaces; a blank line always ends a sentence.

    >>> split_sentences("I came. You went!\\nHe stayed\\n\\nNew paragraph? yes")
    ['I came.', 'You went!', 'He stayed', 'New paragraph? yes']
    """
    sentences = []
    for paragraph in re.split(r"\n\s*\n", text):
        joined = " ".join(paragraph.split())
        sentences += [sentence for sentence in _SENTENCE_END.sub("\\1\n", joined).split("\n") if sentence]
    return sentences


def load_text_lines(units, *, level="character", lowercase=False, end_token=True, valid_fraction=0.1,
                    test_fraction=0.1, seed=0, max_examples=0):
    """Turn strings (one example each) into a split text dataset.

    Args:
        units: strings, one per example (lines, names or sentences); blank ones are dropped.
        level: ``"character"`` or ``"word"`` (:func:`tokenize_words`).
        lowercase: lower-case the text first.
        end_token: append ``"<eos>"`` to every example.
        valid_fraction, test_fraction: parts held out, after a shuffle with ``seed``
            (:func:`seqlab.data.splits.split_examples`: valid first, then test, rounded down;
            train takes the rest).
        seed: shuffle seed.
        max_examples: keep a random ``max_examples`` of the examples (0 = all), before splitting
            (:func:`seqlab.data.splits.limit`).

    Returns:
        ``{"train": [...], "valid": [...], "test": [...]}``, examples are token lists.
    """
    checks.one_of("level", level, LEVELS)
    examples = []
    for unit in units:
        unit = unit.strip()
        if not unit:
            continue
        if lowercase:
            unit = unit.lower()
        tokens = list(unit) if level == "character" else tokenize_words(unit)
        examples.append(tokens + [EOS_TOKEN] if end_token else tokens)
    fractions = {"valid": valid_fraction, "test": test_fraction, "train": 1 - valid_fraction - test_fraction}
    return split_examples(limit(examples, max_examples, seed=seed), fractions, seed=seed, rounding="down")


def load_text(path, *, level="character", unit="line", encoding="utf-8", **keywords):
    """Load any plain-text file as a language-model dataset.

    Args:
        path: the text file.
        level: ``"character"`` or ``"word"``.
        unit: one example per ``"line"`` (names lists) or per ``"sentence"`` (prose).
        encoding: the file's encoding.
        **keywords: ``lowercase``, ``end_token``, ``valid_fraction``, ``test_fraction``,
            ``seed``, ``max_examples`` (see :func:`load_text_lines`).

    Raises:
        DataNotFoundError: no such file.
        DataFormatError: empty or undecodable file (with file and line).

    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "story.txt"
    >>> _ = file.write_text("Once upon a time. The end.\\n")
    >>> load_text(file, level="word", unit="sentence", valid_fraction=0, test_fraction=0, seed=0)["train"]
    [['Once', 'upon', 'a', 'time', '.', '<eos>'], ['The', 'end', '.', '<eos>']]
    """
    checks.one_of("unit", unit, UNITS)
    lines = read_lines(path, encoding=encoding, strip=unit == "line")
    units = lines if unit == "line" else split_sentences("\n".join(lines))
    return load_text_lines(units, level=level, **keywords)


def _file_in(path, file_name):
    path = pathlib.Path(path)
    return path / file_name if path.is_dir() else path


def load_dinos(path, *, lowercase=True, **keywords):
    """``dinos.txt`` (a folder holding it, or the file) at character level, one name per line.

    Lower-cased by default, as in the course exercise (26 letters + end of name = 27 symbols).
    """
    return load_text(_file_in(path, "dinos.txt"), lowercase=lowercase, **keywords)


def load_names(path, **keywords):
    """makemore ``names.txt`` (a folder holding it, or the file) at character level."""
    return load_text(_file_in(path, "names.txt"), **keywords)


def read_census_names(path, kind="first"):
    """Names from the census files of the ``names`` package, upper case, file order.

    Args:
        path: folder holding ``dist.female.first``, ``dist.male.first``, ``dist.all.last``.
        kind: ``"first"`` (female then male rows; a name in both lists appears twice),
            ``"last"`` or ``"all"``.

    Raises:
        DataFormatError: a line that is not ``NAME frequency cumulative rank``.
    """
    checks.one_of("kind", kind, CENSUS_KINDS)
    parts = {"first": ("female", "male"), "last": ("last",), "all": ("female", "male", "last")}[kind]
    names = []
    for part in parts:
        file = pathlib.Path(path) / CENSUS_FILES[part]
        for number, line in enumerate(read_lines(file, encoding="latin-1"), start=1):
            fields = line.split()
            if len(fields) != 4 or not fields[0].isalpha():
                raise DataFormatError(
                    f"expected 'NAME frequency cumulative rank', found {line!r}", path=file, line=number
                )
            names.append(fields[0])
    return names


def load_census_names(path, *, kind="first", level="character", lowercase=True, unique=True, **keywords):
    """US census names (``names`` package), at character level by default.

    Args:
        path: folder of the ``names`` package (or any folder with its three files).
        kind: ``"first"``, ``"last"`` or ``"all"``.
        level: ``"character"``, or ``"word"`` (each name one token).
        lowercase: lower-case the names (the files are upper case).
        unique: drop repeated names (first names in both the female and the male list).
        **keywords: as :func:`load_text_lines` (``valid_fraction``, ``seed``, ...).
    """
    names = read_census_names(path, kind=kind)
    if unique:
        names = list(dict.fromkeys(names))
    return load_text_lines(names, level=level, lowercase=lowercase, **keywords)


def _strip_gutenberg(lines):
    """Drop Project Gutenberg header and footer lines (``***...Gutenberg...***``, ``End of ...``)."""
    return [line for line in lines if "Project Gutenberg" not in line]


def load_prose(path, *, level="word", unit="sentence", encoding="utf-8", **keywords):
    """A Project Gutenberg text (``en.txt`` in a folder, or the file): sentences, word level by default."""
    checks.one_of("unit", unit, UNITS)
    lines = _strip_gutenberg(read_lines(_file_in(path, "en.txt"), encoding=encoding, strip=unit == "line"))
    units = lines if unit == "line" else split_sentences("\n".join(lines))
    return load_text_lines(units, level=level, **keywords)


SOURCES = [
    Source(
        name="dinos",
        task="text",
        folder="char_lm",
        files=("dinos.txt",),
        loader=load_dinos,
        citation="Dinosaur names from the deeplearning.ai Sequence Models course exercise 'Dinosaurus Island'; "
                 "copy from vbvsharma/text-generation-with-an-rnn @ 8499b81.",
        licence="unclear (course material): not shipped",
        description="1,543 dinosaur names, one per line (character-level LM)",
    ),
    Source(
        name="names",
        task="text",
        folder="char_lm",
        files=("names.txt",),
        loader=load_names,
        citation="karpathy/makemore @ 988aa59, names.txt (from the US Social Security Administration name lists).",
        licence="MIT",
        url="https://raw.githubusercontent.com/karpathy/makemore/988aa59e4d8fefa526d06f3b453ad116258398d4/names.txt",
        sha256="0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d",
        description="32,033 lower-case first names (character-level LM)",
    ),
    Source(
        name="census_names",
        task="text",
        folder="census_names",
        files=tuple(CENSUS_FILES.values()),
        loader=load_census_names,
        citation="US Census Bureau 1990 name frequency lists, as shipped in the 'names' package 0.3.0 "
                 "(Trey Hunner, https://github.com/treyhunner/names).",
        licence="MIT (package); census lists are US public domain",
        embedded=lambda: package_path("names"),
        description="embedded: 5,494 first-name rows (4,275 female + 1,219 male) and 88,799 surnames",
    ),
    Source(
        name="lady_susan",
        task="text",
        folder="lady_susan",
        files=("en.txt",),
        loader=load_prose,
        citation="Jane Austen, Lady Susan (1871), Project Gutenberg etext, as shipped in music21 "
                 "(music21/languageExcerpts/trainingData/en.txt).",
        licence="public domain (Project Gutenberg etext)",
        embedded=lambda: package_path("music21", "languageExcerpts", "trainingData"),
        description="embedded: English prose, 1,188 sentences, 23,149 words (word-level LM)",
    ),
]
