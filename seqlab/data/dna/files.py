"""File helpers of the DNA loaders: plain or gzipped text, and the files of a folder with given suffixes."""

import gzip
import pathlib

from seqlab.data.sources import DataNotFoundError


def open_text(path):
    """Open a text file for reading (Latin-1), gunzipping it on the fly when its name ends with ``.gz``.

    Raises:
        DataNotFoundError: the file does not exist.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"file {path} does not exist.")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="latin-1")
    return open(path, encoding="latin-1")


def files_with_suffix(folder, suffixes):
    """The files of ``folder`` whose names end with one of ``suffixes`` (before an optional ``.gz``), sorted."""
    return sorted(
        file for file in pathlib.Path(folder).iterdir()
        if file.is_file() and any(file.name.lower().removesuffix(".gz").endswith(suffix) for suffix in suffixes)
    )
