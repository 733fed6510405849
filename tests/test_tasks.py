"""Every task module has the same protocol (docs/contracts.md, "Task modules")."""

import importlib
import inspect
import pathlib
import pkgutil
import re

import pytest

import seqlab.tasks

PROTOCOL = ("prepare", "baselines", "build", "predict", "evaluate")
ROOT = pathlib.Path(__file__).resolve().parents[1]
TASKS = sorted(module.name for module in pkgutil.iter_modules(seqlab.tasks.__path__))


def test_every_task_of_the_issue_has_a_module():
    assert {"music", "ner", "sentiment", "dna_per_base", "dna_splice", "language_model"} <= set(TASKS)


@pytest.mark.parametrize("name", TASKS)
def test_task_module_has_the_protocol_with_documented_functions(name):
    module = importlib.import_module(f"seqlab.tasks.{name}")
    assert module.__doc__, f"seqlab.tasks.{name} needs a module docstring"
    for function_name in PROTOCOL:
        function = getattr(module, function_name, None)
        assert callable(function), f"seqlab.tasks.{name} lacks {function_name}()"
        assert inspect.getdoc(function), f"seqlab.tasks.{name}.{function_name} needs a docstring"
    first_parameters = {function_name: next(iter(inspect.signature(getattr(module, function_name)).parameters))
                        for function_name in ("baselines", "build", "predict", "evaluate")}
    assert first_parameters["baselines"] == "data" and first_parameters["build"] == "data", first_parameters
    assert first_parameters["predict"] == "model" and first_parameters["evaluate"] == "data", first_parameters


def test_every_task_module_is_used_by_a_notebook_and_no_notebook_uses_an_alias():
    sources = "\n".join(path.read_text() for path in (ROOT / "notebooks").glob("*/*.py"))
    unused = [name for name in TASKS
              if not re.search(rf"^from seqlab\.tasks import .*\b{name}\b", sources, re.MULTILINE)]
    assert not unused, f"no notebook imports seqlab.tasks.{unused}"
    aliased = re.findall(r"^(?:from seqlab\S* import \S+|import seqlab\S*) as \w+", sources, re.MULTILINE)
    assert not aliased, f"notebooks import seqlab modules under aliases: {aliased}"
