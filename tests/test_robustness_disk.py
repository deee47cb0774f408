"""A full disk or an unwritable index folder is a clear error (exit 6), and
the previous index survives; an index from another schema version asks for
`searchkit index --rebuild`, from every command."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from whoosh.filedb.filestore import FileStorage

from searchkit.cli import main, search_command
from searchkit.engine import search
from searchkit.errors import IndexWriteError
from searchkit.indexer import update_index
from searchkit.manifest import MANIFEST_NAME
from searchkit.schema import SCHEMA_VERSION
from searchkit.status import ExitStatus
from tests.conftest import index_snapshot


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(corpus: Path, name: str, text: str) -> None:
    (corpus / name).write_text(text, encoding="utf-8")


def ids(index: Path, query: str = "news") -> list[str]:
    return sorted(h.id for h in search(index, query, limit=100, snippets=0).hits)



@pytest.fixture
def built(corpus: Path, index_dir: Path) -> tuple[Path, Path]:
    for n in range(4):
        write(corpus, f"a{n}.txt", f"Story {n}\n\nPlain news item {n}.\n")
    update_index(corpus, index_dir)
    write(corpus, "new.txt", "New\n\nFresh news.\n")
    return corpus, index_dir


def disk_full(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("layer", ["create_file", "rename_file", "temp_storage"])
@pytest.mark.parametrize("rebuild", [False, True])
def test_disk_full_while_writing_the_index(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, layer: str, rebuild: bool
) -> None:
    corpus, index = built
    before = index_snapshot(index)
    with monkeypatch.context() as patch:  # (undo() would also undo the isolated env)
        patch.setattr(FileStorage, layer, disk_full)
        result = run("index", *(["--rebuild"] if rebuild else []))
    assert result.exit_code == ExitStatus.WRITE_ERROR
    assert result.stderr.strip().splitlines() == [
        (
            f"searchkit: cannot write the index at {index}: No space left on device — "
            "the previous index is unchanged"
        )
    ]
    assert index_snapshot(index) == before
    assert ids(index) == ["a0.txt", "a1.txt", "a2.txt", "a3.txt"]
    assert update_index(corpus, index).added == 1


def test_disk_full_while_writing_the_manifest(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, index = built
    with monkeypatch.context() as patch, pytest.raises(IndexWriteError, match="No space left on device"):
        patch.setattr("searchkit.manifest.os.fsync", disk_full)
        update_index(corpus, index)
    assert not [p for p in index.iterdir() if p.name.endswith(".tmp")]
    # The commit went through; the next run notices the manifest is behind.
    assert "new.txt" in ids(index)
    report = update_index(corpus, index)
    assert report.changed == 0 and len(ids(index)) == 5


def test_unwritable_lock_file_is_a_write_error(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def deny(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("searchkit.lock"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("searchkit.locking.os.open", deny)
    result = run("index")
    assert result.exit_code == ExitStatus.WRITE_ERROR
    assert "cannot write the index at" in result.stderr and "Permission denied" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_index_folder(built: tuple[Path, Path]) -> None:
    _corpus, index = built
    index.chmod(0o555)
    try:
        result = run("index")
        assert result.exit_code == ExitStatus.WRITE_ERROR
        assert "cannot write the index" in result.stderr
        found = CliRunner().invoke(search_command, ["news"], catch_exceptions=False)
        assert found.exit_code == 0 and "a0.txt" in found.stdout  # reading needs no write access
    finally:
        index.chmod(0o755)


def make_old(index: Path) -> None:
    manifest = json.loads((index / MANIFEST_NAME).read_text())
    manifest["schema_version"] = SCHEMA_VERSION - 1
    (index / MANIFEST_NAME).write_text(json.dumps(manifest, separators=(",", ":")))


@pytest.mark.parametrize("command", [["index"], ["search", "news"], ["stats"], ["show", "a0.txt"]])
def test_old_schema_version_asks_for_a_rebuild(built: tuple[Path, Path], command: list[str]) -> None:
    _corpus, index = built
    make_old(index)
    result = run(*command)
    assert result.exit_code == ExitStatus.INDEX_ERROR
    [line] = result.stderr.strip().splitlines()
    assert "built by another version of searchkit" in line and line.endswith("run `searchkit index --rebuild`")
    assert result.stdout == ""


def test_rebuild_replaces_an_old_schema_index(built: tuple[Path, Path]) -> None:
    _corpus, index = built
    make_old(index)
    assert CliRunner().invoke(search_command, ["news"]).exit_code == ExitStatus.INDEX_ERROR
    result = run("index", "--rebuild")
    assert result.exit_code == 0 and "5 articles indexed" in result.stderr
    found = CliRunner().invoke(search_command, ["news"], catch_exceptions=False)
    assert found.exit_code == 0 and "new.txt" in found.stdout
