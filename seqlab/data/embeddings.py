"""Pretrained word vectors from a local text file (GloVe, fastText ``.vec``, word2vec text).

No vectors can be downloaded in this project's sandbox; a user who has such a file passes its
path (the ``glove_path`` parameter of the sentiment and NER notebooks).
"""

import pathlib

import numpy as np

from seqlab.data.sources import DataFormatError, DataNotFoundError
from seqlab.data.vocab import PAD_ID, Vocabulary


def load_glove(path, vocabulary, dim, *, seed=0, encoding="utf-8"):
    """An embedding matrix for ``vocabulary`` from a GloVe-format text file (``word v1 v2 ... v_dim``).

    Words missing from the file get small random vectors (normal, the file's standard
    deviation), padding gets zeros. Works for any word vocabulary (sentiment, NER) and any
    file in this format (GloVe, fastText ``.vec`` after its header line, word2vec text).

    Args:
        path: the text file.
        vocabulary: a :class:`~seqlab.data.vocab.Vocabulary`; lookups try the token, then
            its lower-case form.
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
    wanted = {}
    for token, index in vocabulary.token_to_id.items():
        if index != PAD_ID:
            wanted.setdefault(token, []).append(index)
            if token.lower() != token:
                wanted.setdefault(token.lower(), []).append(index)
    vectors = {}
    with open(path, encoding=encoding, errors="strict") as handle:
        for number, line in enumerate(handle, start=1):
            word, _, rest = line.rstrip("\n").partition(" ")
            if number == 1 and len(rest.split()) == 1 and word.isdigit():
                continue  # fastText / word2vec header: "count dim"
            if word not in wanted:
                continue
            values = rest.split()
            if len(values) != dim:
                raise DataFormatError(f"expected {dim} numbers after the word, found {len(values)}",
                                      path=path, line=number)
            try:
                vectors[word] = np.asarray(values, dtype="float32")
            except ValueError:
                raise DataFormatError(f"a value after {word!r} is not a number", path=path, line=number) from None
    scale = float(np.std(np.stack(list(vectors.values())))) if vectors else 0.1
    matrix = np.random.default_rng(seed).normal(0.0, scale or 0.1, (len(vocabulary), dim)).astype("float32")
    matrix[PAD_ID] = 0.0
    found = set()
    for word in sorted(vectors, key=lambda word: word != word.lower()):  # exact-case rows win over lower-case ones
        for index in wanted[word]:
            matrix[index] = vectors[word]
            found.add(index)
    return matrix, len(found)
