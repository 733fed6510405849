"""Plain papermill runs keep their row: a papermill engine that writes ``<output>.json`` beside the output notebook.

``papermill notebooks/experiments/ner.ipynb out/ner.ipynb -p epochs 2`` is a documented way to
run a seqlab notebook without ``seqlab run``. With seqlab installed, papermill's default engine
is :class:`SeqlabEngine` (registered through the ``papermill.engine`` entry point; also
available by name, ``--engine seqlab``): it executes exactly as papermill's ``nbclient``
engine, and in addition

- gives the kernel the run's parameter values (defaults and injected), so :func:`seqlab.results.record` refuses a field
  that shadows one of them with another value;
- points :func:`seqlab.results.output_folder` at ``<output stem>_outputs/`` beside the output
  notebook, so figures and MIDI files land next to it, not relative to the notebook's folder;
- writes the row the notebook recorded, preceded by every parameter value (as ``seqlab run``
  does), to ``<output stem>.json`` beside the output notebook (atomically), when the output
  is a local file and the notebook recorded one.

Notebooks that never call ``record`` run exactly as with the ``nbclient`` engine.
"""

import json
import os
from pathlib import Path

from seqlab import results


def _local(output_path):
    return bool(output_path) and "://" not in str(output_path) and str(output_path) != "-"


def _defaults(input_path):
    """The literal defaults of the input notebook's ``parameters`` cell ({} when it cannot be read)."""
    import papermill

    from seqlab import grid

    try:
        return grid.literal_defaults(papermill.inspect_notebook(str(input_path))) if input_path else {}
    except Exception:  # a remote or unreadable input: the injected parameters alone are checked
        return {}


class SeqlabEngine:
    """papermill's ``nbclient`` engine, plus the row written beside the output notebook.

    It delegates to ``NBClientEngine`` instead of subclassing it: importing
    ``papermill.engines`` loads its entry points, this module among them, so the class must
    exist before that import (see the end of the module).
    """

    @classmethod
    def nb_kernel_name(cls, nb, name=None):
        return NBClientEngine.nb_kernel_name(nb, name)

    @classmethod
    def nb_language(cls, nb, language=None):
        return NBClientEngine.nb_language(nb, language)

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, **keywords):
        environment = {}
        if not os.environ.get(results.OUTPUT_DIR_VARIABLE) and not os.environ.get(results.RUN_VALUES_VARIABLE):
            injected = nb.get("metadata", {}).get("papermill", {}).get("parameters", {})
            environment[results.RUN_VALUES_VARIABLE] = json.dumps({**_defaults(keywords.get("input_path")), **injected},
                                                                   default=str)
            if _local(output_path):
                output = Path(output_path).absolute()
                environment[results.OUTPUT_DIR_VARIABLE] = str(output.with_name(f"{output.stem}_outputs"))
        os.environ.update(environment)
        try:
            executed = NBClientEngine.execute_notebook(nb, kernel_name, output_path=output_path, **keywords)
        finally:
            for name in environment:
                os.environ.pop(name, None)
        rows = results.rows_in(executed)
        if rows and environment and _local(output_path):
            row = {**json.loads(environment[results.RUN_VALUES_VARIABLE]), **rows[-1]}  # every parameter, as seqlab run
            results.write_atomic(Path(output_path).with_suffix(".json"), json.dumps(row, indent=1) + "\n")
        return executed


# Imported last: when papermill imports first, its entry-point loop is running and this import
# returns the partly initialised papermill.engines, whose engine registry already exists.
from papermill.engines import NBClientEngine, papermill_engines  # noqa: E402

papermill_engines.register(None, SeqlabEngine)  # the default engine, while seqlab is installed
