"""Written dates -> ISO 8601: a real encoder-decoder task (T_x != T_y) generated from the calendar.

Each example is a real calendar date (``datetime.date``, so weekdays and leap years are right)
written the way a language writes it, with the Unicode CLDR date formats of that locale through
Babel (``full``: "Friday, November 27, 2026", ``long``: "27. November 2026", ``medium``:
"27 nov. 2026"), and its target is the ISO form "2026-11-27". The source is 10 to 37
characters (a sample of 2,000 at the defaults), the target always 10: the encoder-decoder has to read month names in several
languages, drop the weekday and reorder the fields.

A split is a list of examples ``{"text", "target", "language", "format", "date"}``; the splits
of :func:`load` hold disjoint dates, so a test date was never seen in training in any writing.

>>> import datetime
>>> write_date(datetime.date(2026, 11, 27), language="de", format="full")
'Freitag, 27. November 2026'
>>> example = written_dates(1, languages=["fr"], formats=["long"], seed=3)[0]
>>> example["text"], example["target"]
('25 février 2031', '2031-02-25')
"""

import datetime

import numpy as np

LANGUAGES = ("de", "en", "en_GB", "es", "fr", "it", "nl", "pt")
"""Babel locales used by default: eight languages' month and weekday names and field orders."""

FORMATS = ("full", "long", "medium")
"""CLDR date formats used by default (``short`` is left out: "11/27/26" has an ambiguous century)."""

FIRST_DATE = "1950-01-01"
LAST_DATE = "2049-12-31"


def _locale(language):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError, TypeError) as error:
        raise ValueError(
            f"language={language!r} is not a Babel locale ({error}); use a code such as "
            f"{', '.join(LANGUAGES)}."
        ) from None


def write_date(date, *, language="en", format="long"):
    """Write one date the way a language writes it (CLDR format through Babel).

    Args:
        date: a ``datetime.date``.
        language: a Babel locale code (``"en"``, ``"fr"``, ``"pt_BR"``, ...).
        format: ``"full"``, ``"long"``, ``"medium"`` or ``"short"``.

    >>> import datetime
    >>> write_date(datetime.date(1969, 7, 20), language="es", format="full")
    'domingo, 20 de julio de 1969'
    >>> write_date(datetime.date(1969, 7, 20), format="brief")
    Traceback (most recent call last):
    ...
    ValueError: format='brief' is not allowed; allowed: full, long, medium, short.
    """
    from babel.dates import format_date

    if format not in FORMATS + ("short",):
        raise ValueError(f"format={format!r} is not allowed; allowed: {', '.join(FORMATS + ('short',))}.")
    return format_date(date, format=format, locale=_locale(language))


def _parse_day(value, name):
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name}={value!r} must be an ISO date such as 2026-11-27.") from None


def _check_choices(languages, formats):
    languages, formats = list(languages), list(formats)
    if not languages:
        raise ValueError("languages=[] must name at least one Babel locale.")
    for language in languages:
        _locale(language)
    for format in formats:
        if format not in FORMATS + ("short",):
            raise ValueError(f"format={format!r} in formats is not allowed; allowed: {', '.join(FORMATS)}, short.")
    if not formats:
        raise ValueError(f"formats=[] must name at least one of {', '.join(FORMATS)}.")
    return languages, formats


def _examples(ordinals, languages, formats, generator):
    examples = []
    for ordinal in ordinals:
        date = datetime.date.fromordinal(int(ordinal))
        language = languages[generator.integers(len(languages))]
        format = formats[generator.integers(len(formats))]
        examples.append({"text": write_date(date, language=language, format=format), "target": date.isoformat(),
                         "language": language, "format": format, "date": date})
    return examples


def written_dates(num_examples, *, languages=LANGUAGES, formats=FORMATS, first=FIRST_DATE, last=LAST_DATE, seed=0):
    """Distinct random dates between ``first`` and ``last``, each written in a random language and format.

    Args:
        num_examples: number of examples (at most the number of days in the range).
        languages: Babel locale codes to draw from.
        formats: CLDR formats to draw from.
        first, last: the date range, ISO strings or ``datetime.date`` (inclusive).
        seed: seed of the numpy generator.

    Returns:
        A list of ``{"text", "target", "language", "format", "date"}``.

    >>> sorted(example["target"] for example in written_dates(3, first="2024-02-28", last="2024-03-01"))
    ['2024-02-28', '2024-02-29', '2024-03-01']
    """
    return load(train=num_examples, valid=0, test=0, languages=languages, formats=formats,
                first=first, last=last, seed=seed)["train"]


def load(*, train=8000, valid=1000, test=1000, languages=LANGUAGES, formats=FORMATS, first=FIRST_DATE,
         last=LAST_DATE, seed=0):
    """Train / valid / test splits of written dates with disjoint dates.

    Args:
        train, valid, test: number of examples per split (>= 0; their sum at most the days in the range).
        languages, formats, first, last, seed: as in :func:`written_dates`.

    Returns:
        ``{"train": [...], "valid": [...], "test": [...]}``.

    >>> splits = load(train=50, valid=10, test=10, languages=["en", "nl"], seed=1)
    >>> [len(splits[name]) for name in ("train", "valid", "test")]
    [50, 10, 10]
    >>> len({example["date"] for split in splits.values() for example in split})
    70
    """
    sizes = {"train": train, "valid": valid, "test": test}
    for name, size in sizes.items():
        if not isinstance(size, (int, np.integer)) or size < 0:
            raise ValueError(f"{name}={size!r} must be an integer >= 0.")
    languages, formats = _check_choices(languages, formats)
    first_day, last_day = _parse_day(first, "first"), _parse_day(last, "last")
    days = last_day.toordinal() - first_day.toordinal() + 1
    if days < 1:
        raise ValueError(f"last={last!r} must not be before first={first!r}.")
    total = sum(sizes.values())
    if total > days:
        raise ValueError(
            f"train + valid + test = {total} examples need distinct dates, but {first} .. {last} holds only "
            f"{days} days; widen the range or ask for fewer examples."
        )
    generator = np.random.default_rng(seed)
    ordinals = first_day.toordinal() + generator.choice(days, size=total, replace=False)
    splits, start = {}, 0
    for name, size in sizes.items():
        splits[name] = _examples(ordinals[start:start + size], languages, formats, generator)
        start += size
    return splits
