"""The ``seqlab`` command: ``seqlab run``, ``seqlab results``, ``seqlab data``, ``seqlab refactor``.

Each sub-command lives in its own module as ``main(argv)``; this file only dispatches,
so ``seqlab --help`` stays fast (no TensorFlow import).
"""

import sys
from importlib import import_module

COMMANDS = {
    "run": ("seqlab.run", "run an experiment YAML grid of notebooks (papermill; local or Dask)"),
    "results": ("seqlab.results", "build the results table and figure of an experiment"),
    "data": ("seqlab.data.cli", "list the data sources and where each one resolves"),
    "refactor": ("seqlab.refactor", "check that a notebook's new code makes the rows its old code made; record it"),
}


def usage():
    lines = ["usage: seqlab COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<8} {help_text}" for name, (_, help_text) in COMMANDS.items()]
    lines += ["", "`seqlab COMMAND --help` describes each command."]
    return "\n".join(lines)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"seqlab: unknown command {command!r}; allowed: {', '.join(COMMANDS)}.\n\n{usage()}", file=sys.stderr)
        return 2
    module = import_module(COMMANDS[command][0])
    return module.main(rest)


if __name__ == "__main__":
    sys.exit(main())
