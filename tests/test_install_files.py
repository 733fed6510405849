"""The two ways to install (the Makefile's .venv, conda's environment.yml) give the same environment."""

import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text()
ENVIRONMENT_TEXT = (ROOT / "environment.yml").read_text()


def makefile_extras():
    (extras,) = re.findall(r"^EXTRAS\s*\?=\s*(\S+)\s*$", MAKEFILE, flags=re.MULTILINE)
    return extras.split(",")


def environment_pip_lines():
    dependencies = yaml.safe_load(ENVIRONMENT_TEXT)["dependencies"]
    (pip,) = [entry["pip"] for entry in dependencies if isinstance(entry, dict) and "pip" in entry]
    return pip


def test_environment_yml_installs_seqlab_with_the_makefiles_default_extras():
    (line,) = [line for line in environment_pip_lines() if re.fullmatch(r"(-e\s+)?\.(\[.*\])?", line.strip())]
    assert line.strip().startswith("-e "), f"environment.yml installs {line!r}; the Makefile installs editable (-e)"
    extras = re.fullmatch(r"-e\s+\.\[(.*)\]", line.strip())
    assert extras, f"environment.yml's pip line {line!r} names no extras; the Makefile's EXTRAS are {makefile_extras()}"
    assert sorted(extras.group(1).split(",")) == sorted(makefile_extras()), (
        f"environment.yml installs .[{extras.group(1)}], the Makefile's EXTRAS default is {','.join(makefile_extras())}"
    )


def test_environment_yml_documents_the_makefiles_post_install_commands():
    """conda cannot run commands after an install: the header must give the Makefile's, word for word."""
    recipe = MAKEFILE.split("$(STAMP): pyproject.toml", 1)[1].split("\n\n", 1)[0]
    commands = [
        re.sub(r"\s*>/dev/null$", "", line.strip().replace("$(BIN)/python", "python"))
        for line in recipe.splitlines()
        if line.strip().startswith("$(BIN)/python -m") and "pip install" not in line
    ]
    assert [command.split()[2] for command in commands] == ["ipykernel", "seqlab.kernel_config"]
    header = [line.lstrip("#").strip() for line in ENVIRONMENT_TEXT.splitlines() if line.startswith("#")]
    missing = [command for command in commands if command not in header]
    assert not missing, f"environment.yml's header comment lacks the Makefile's post-install command(s) {missing}"


PLATFORMS = {
    "linux x86_64": ("linux", "x86_64", "tensorflow-cpu"),
    "linux aarch64": ("linux", "aarch64", "tensorflow-cpu"),
    "windows": ("win32", "AMD64", "tensorflow-cpu"),
    "macOS x86_64": ("darwin", "x86_64", "tensorflow-cpu"),
    "macOS arm64": ("darwin", "arm64", "tensorflow"),  # tensorflow-cpu has no Apple-silicon wheels
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_cpu_extra_installs_exactly_one_tensorflow_per_platform(platform):
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    sys_platform, machine, expected = PLATFORMS[platform]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    environment = {"sys_platform": sys_platform, "platform_machine": machine, "extra": "cpu"}
    chosen = [
        requirement.name
        for requirement in map(Requirement, project["optional-dependencies"]["cpu"])
        if requirement.name.startswith("tensorflow") and (requirement.marker is None or requirement.marker.evaluate(environment))
    ]
    assert chosen == [expected], f"on {platform} the cpu extra installs {chosen}, expected [{expected!r}]"
