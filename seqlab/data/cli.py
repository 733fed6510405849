"""``seqlab data``: list the data sources, show one, or fetch one into the cache.

``seqlab data list [--task TASK]`` prints every source with its task, where it resolves now
(embedded package data, ``$SEQLAB_DATA_DIR``, the cache, or ``not found``; nothing is
downloaded) and its licence. ``seqlab data show NAME`` prints its citation, files, URL and
where it resolves. ``seqlab data fetch NAME`` resolves it, downloading into the cache if needed.

>>> main(["show", "names"])  # doctest: +ELLIPSIS
name:        names
task:        text
...
licence:     MIT
...
0
"""

import argparse
import sys

from seqlab.data.sources import DataNotFoundError, available, describe, locate, resolve

LICENCE_WIDTH = 48
PLACES = {"path": "path", "embedded": "embedded", "data dir": "SEQLAB_DATA_DIR", "cache": "cache"}


def where(name):
    """Where a source resolves now, without downloading: ``"embedded: /path"``, ... or ``"not found"``."""
    try:
        place, path = locate(name, download=False)
    except DataNotFoundError:
        return "not found"
    return f"{PLACES[place]}: {path}"


def format_table(rows, headers):
    """Left-aligned text table.

    >>> print(format_table([["a", "bb"]], ["x", "y"]))
    x  y
    -  --
    a  bb
    """
    widths = [max(len(str(value)) for value in column) for column in zip(headers, *rows)]
    lines = [headers, ["-" * width for width in widths]] + rows
    return "\n".join("  ".join(str(value).ljust(width) for value, width in zip(line, widths)).rstrip() for line in lines)


def list_sources(task=None):
    """The ``seqlab data list`` table as text (long licences cut; ``show`` gives them whole)."""
    names = [name for name in available() if task is None or describe(name).task == task]
    rows = []
    for name in names:
        licence = describe(name).licence
        if len(licence) > LICENCE_WIDTH:
            licence = licence[:LICENCE_WIDTH - 3] + "..."
        rows.append([name, describe(name).task, where(name), licence])
    return format_table(rows, ["name", "task", "resolves now", "licence"])


def show_source(name):
    """The ``seqlab data show NAME`` text."""
    source = describe(name)
    url = source.url if not isinstance(source.url, dict) else ", ".join(f"{file}: {url}" for file, url in source.url.items())
    fields = [
        ("name", source.name),
        ("task", source.task),
        ("description", source.description or "-"),
        ("folder", source.folder),
        ("files", ", ".join(source.files) or "-"),
        ("citation", source.citation),
        ("licence", source.licence),
        ("url", url or "- (not downloadable)"),
        ("sha256", source.sha256 or "-"),
        ("embedded", "yes" if source.embedded else "no"),
        ("resolves", where(name)),
    ]
    return "\n".join(f"{label + ':':<12} {value}" for label, value in fields)


def main(argv=None):
    """Entry point of ``seqlab data``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="seqlab data", description="List, show and fetch seqlab data sources.")
    commands = parser.add_subparsers(dest="command", required=True)
    list_parser = commands.add_parser("list", help="every source, where it resolves now, its licence")
    list_parser.add_argument("--task", help="only sources of this task (music, ner, sentiment, dna, text)")
    for command, help_text in (("show", "citation, files, URL of one source"),
                               ("fetch", "resolve one source, downloading it into the cache if needed")):
        commands.add_parser(command, help=help_text).add_argument("name", help="source name (see `seqlab data list`)")
    arguments = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if arguments.command == "list":
            print(list_sources(arguments.task))
        elif arguments.command == "show":
            print(show_source(arguments.name))
        else:
            print(resolve(arguments.name))
    except (ValueError, DataNotFoundError) as error:
        print(f"seqlab data {arguments.command}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
