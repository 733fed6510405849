"""Tests for seqlab.data.dates: written dates -> ISO 8601."""

import datetime
import re

import pytest

from seqlab.data import dates

babel_dates = pytest.importorskip("babel.dates")


@pytest.mark.parametrize(
    "language, format, expected",
    [
        ("en", "full", "Friday, November 27, 2026"),
        ("en_GB", "long", "27 November 2026"),
        ("fr", "medium", "27 nov. 2026"),
        ("de", "medium", "27.11.2026"),
        ("es", "long", "27 de noviembre de 2026"),
        ("it", "full", "venerdì 27 novembre 2026"),
    ],
)
def test_write_date_uses_each_languages_format(language, format, expected):
    assert dates.write_date(datetime.date(2026, 11, 27), language=language, format=format) == expected


def test_examples_are_real_dates_with_matching_writing():
    examples = dates.written_dates(600, seed=5)
    assert {example["language"] for example in examples} == set(dates.LANGUAGES)
    assert {example["format"] for example in examples} == set(dates.FORMATS)
    for example in examples:
        date = example["date"]
        assert example["target"] == date.isoformat() and re.fullmatch(r"\d{4}-\d{2}-\d{2}", example["target"])
        assert datetime.date.fromisoformat(example["target"]) == date
        text, language = example["text"], example["language"]
        assert str(date.year) in text
        assert re.search(rf"(?<!\d)0?{date.day}(?!\d)", text)
        month_names = (
            babel_dates.get_month_names("wide", locale=language)[date.month],
            babel_dates.get_month_names("abbreviated", locale=language)[date.month],
        )
        numeric_month = re.search(rf"\.0?{date.month}\.", text)
        assert any(name in text for name in month_names) or numeric_month, text
        if example["format"] == "full":
            weekday = babel_dates.get_day_names("wide", locale=language)[date.weekday()]
            assert weekday in text, text


def test_splits_hold_disjoint_dates_and_are_seeded():
    splits = dates.load(train=300, valid=50, test=50, seed=2)
    seen = [{example["date"] for example in splits[name]} for name in ("train", "valid", "test")]
    assert [len(days) for days in seen] == [300, 50, 50]
    assert not (seen[0] & seen[1] or seen[0] & seen[2] or seen[1] & seen[2])
    assert splits == dates.load(train=300, valid=50, test=50, seed=2)
    assert splits["train"] != dates.load(train=300, valid=50, test=50, seed=3)["train"]


def test_range_is_inclusive_and_covers_leap_day():
    examples = dates.written_dates(3, languages=["en"], first="2024-02-28", last="2024-03-01")
    assert sorted(example["target"] for example in examples) == ["2024-02-28", "2024-02-29", "2024-03-01"]


@pytest.mark.parametrize(
    "keywords, message",
    [
        ({"languages": ["xx_nowhere"]}, "language='xx_nowhere'"),
        ({"languages": []}, "languages=\\[\\]"),
        ({"formats": ["brief"]}, "format='brief'"),
        ({"first": "27/11/2026"}, "first='27/11/2026'"),
        ({"first": "2026-01-02", "last": "2026-01-01"}, "last='2026-01-01'"),
        ({"first": "2026-01-01", "last": "2026-01-05", "train": 6, "valid": 0, "test": 0}, "only 5 days"),
        ({"train": -1}, "train=-1"),
    ],
)
def test_load_rejects_bad_arguments(keywords, message):
    keywords = {"train": 5, "valid": 1, "test": 1, **keywords}
    with pytest.raises(ValueError, match=message):
        dates.load(**keywords)
