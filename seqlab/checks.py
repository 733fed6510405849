"""Argument checks shared by the package: one message style for every ``ValueError``.

Each check returns the value it was given, so it can sit inside an assignment, and raises a
``ValueError`` that names the argument, the value received and what is allowed.

>>> positive_integer("units", 8)
8
>>> positive_integer("units", 0)
Traceback (most recent call last):
ValueError: units=0 is not allowed; units must be a positive integer.
>>> one_of("cell", "lsmt", ("gru", "lstm"))
Traceback (most recent call last):
ValueError: cell='lsmt' is not allowed; allowed: gru, lstm.
"""

import numbers

import numpy as np


def _is_integer(value):
    """An integer of any kind (Python or NumPy), but not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def positive_integer(name, value):
    """``value`` when it is an ``int`` >= 1 (``True`` is not an integer here)."""
    if not _is_integer(value) or value < 1:
        raise ValueError(f"{name}={value!r} is not allowed; {name} must be a positive integer.")
    return value


def non_negative_integer(name, value):
    """``value`` when it is an ``int`` >= 0.

    >>> non_negative_integer("seed", -1)
    Traceback (most recent call last):
    ValueError: seed=-1 is not allowed; seed must be an integer >= 0.
    """
    if not _is_integer(value) or value < 0:
        raise ValueError(f"{name}={value!r} is not allowed; {name} must be an integer >= 0.")
    return value


def fraction(name, value, *, inclusive_high=False):
    """``value`` when it is a number in [0, 1) (or [0, 1] with ``inclusive_high``).

    >>> fraction("dropout", 1.0)
    Traceback (most recent call last):
    ValueError: dropout=1.0 is not allowed; dropout must be a number in [0, 1).
    """
    high_ok = value <= 1 if inclusive_high else value < 1
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 <= value and high_ok):
        raise ValueError(f"{name}={value!r} is not allowed; {name} must be a number in "
                         f"[0, 1{']' if inclusive_high else ')'}.")
    return value


def one_of(name, value, allowed):
    """``value`` when it is one of ``allowed`` (listed in the error in their given order)."""
    if value not in allowed:
        shown = ", ".join(str(choice) if isinstance(choice, str) else repr(choice) for choice in allowed)
        raise ValueError(f"{name}={value!r} is not allowed; allowed: {shown}.")
    return value
