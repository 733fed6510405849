"""Data sources, vocabularies and batches for seqlab.

``available()``, ``describe(name)``, ``resolve(name, path=None)`` and ``load(name, path=None, **kw)``
work on the registry of named sources (see :mod:`seqlab.data.sources`); task modules
(``music``, ``ner``, ``sentiment``, ``dna``, ``text``) and helpers (``vocab``, ``batching``)
load on first attribute access, so ``import seqlab.data`` stays light (no TensorFlow).

>>> from seqlab import data
>>> data.describe("dinos").task
'text'
>>> issubclass(data.DataNotFoundError, FileNotFoundError), issubclass(data.DataFormatError, ValueError)
(True, True)
"""

from importlib import import_module

from seqlab.data.sources import (
    DataFormatError,
    DataNotFoundError,
    Source,
    available,
    describe,
    load,
    locate,
    resolve,
)

__all__ = ["DataFormatError", "DataNotFoundError", "Source", "available", "describe", "load", "locate", "resolve"]

_SUBMODULES = {
    "sources", "vocab", "batching", "splits", "tags", "embeddings", "text", "music", "ner", "sentiment", "dna", "dates", "cli",
}


def __getattr__(name):
    if name in _SUBMODULES:
        return import_module(f"seqlab.data.{name}")
    raise AttributeError(f"module 'seqlab.data' has no attribute {name!r}")
