"""seqlab: learn, run and compare recurrent sequence models with Keras 3.

The package is light to import: Keras and TensorFlow load on first use of ``build``
or of a module that needs them.

>>> import seqlab
>>> seqlab.__version__
'0.1.0'
>>> sorted(seqlab.ARCHITECTURES)
['encoder_decoder', 'many_to_many', 'many_to_one', 'one_to_many', 'tagger']
"""

from importlib import import_module

__version__ = "0.1.0"

ARCHITECTURES = {
    "many_to_one": "seqlab.builders.many_to_one:many_to_one",
    "many_to_many": "seqlab.builders.many_to_many:many_to_many",
    "one_to_many": "seqlab.builders.one_to_many:one_to_many",
    "encoder_decoder": "seqlab.builders.encoder_decoder:encoder_decoder",
    "tagger": "seqlab.builders.tagger:tagger",
}

# Every public submodule, imported on first attribute access (``seqlab.results``, ...);
# tests/test_package.py checks that none is missing.
_SUBMODULES = {
    "baselines", "builders", "cells", "checks", "cli", "crf", "data", "distribute", "genes", "grid", "headlines",
    "kernel_config", "layers", "losses", "metrics", "nade", "papermill_engine", "probes", "provenance",
    "refactor", "results", "run", "sampling", "stacks", "tasks", "tracking", "training",
}


def build(architecture, **keywords):
    """Build an uncompiled Keras model (or named tuple of models) for one architecture type.

    Args:
        architecture: one of ``"many_to_one"``, ``"many_to_many"``, ``"one_to_many"``,
            ``"encoder_decoder"``, ``"tagger"`` (packed word, casing and character features:
            :func:`seqlab.builders.tagger.tagger`).
        **keywords: the builder's flat keywords (``cell``, ``units``, ``depth``,
            ``bidirectional``, ``dropout``, ``vocab_size`` or ``input_dim``, ...).

    Returns:
        What the builder returns: a ``keras.Model``, a ``Generator(train, step)`` or a
        ``Seq2Seq(train, encoder, decoder_step)``.

    >>> model = build("many_to_one", cell="gru", units=8, vocab_size=20, num_classes=3)
    >>> model.output_shape
    (None, 3)
    >>> build("two_to_three")
    Traceback (most recent call last):
    ...
    ValueError: architecture='two_to_three' is not known; allowed: encoder_decoder, many_to_many, many_to_one, one_to_many, tagger.
    """
    if architecture not in ARCHITECTURES:
        raise ValueError(
            f"architecture={architecture!r} is not known; allowed: {', '.join(sorted(ARCHITECTURES))}."
        )
    module_name, function_name = ARCHITECTURES[architecture].split(":")
    return getattr(import_module(module_name), function_name)(**keywords)


def __getattr__(name):
    if name in _SUBMODULES:
        return import_module(f"seqlab.{name}")
    raise AttributeError(f"module 'seqlab' has no attribute {name!r}")
