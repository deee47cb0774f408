"""Shared fixtures: an isolated environment and the real corpora from ../shared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = REPO / "corpus" / "000_a209fd0b7f63471a.txt"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not found at {path}")
    return path


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the repo's index/ or corpus/, or inherits colour settings."""
    monkeypatch.setenv("SEARCHKIT_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("SEARCHKIT_CORPUS", str(tmp_path / "corpus"))
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """An empty corpus folder (the one SEARCHKIT_CORPUS points at)."""
    path = tmp_path / "corpus"
    path.mkdir()
    return path


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture(scope="session")
def bbc_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(corpus, index) for two BBC folders, built once: politics and sport."""
    from searchkit.indexer import update_index

    bbc = shared_path("corpora", "bbc")
    root = tmp_path_factory.mktemp("bbc")
    corpus = root / "corpus"
    for folder in ("politics", "sport"):
        shutil.copytree(bbc / folder, corpus / folder)
    update_index(corpus, root / "index")
    return corpus, root / "index"


def index_snapshot(index: Path) -> dict[str, bytes]:
    """Every index file's bytes (the lock file aside): equal snapshots mean
    nothing was written and nothing left behind."""
    return {p.name: p.read_bytes() for p in index.iterdir() if p.is_file() and p.name != "searchkit.lock"}


def interrupt_after(monkeypatch: pytest.MonkeyPatch, calls: int, exc: BaseException) -> None:
    """Every index writer raises `exc` on its document after the first `calls`
    (counted per process: a forked worker counts its own)."""
    from searchkit.segmentwriter import NewsWriter

    real = NewsWriter.add_document
    seen = [0]

    def add_document(self: NewsWriter, **fields: object) -> None:
        seen[0] += 1
        if seen[0] > calls:
            raise exc
        real(self, **fields)

    monkeypatch.setattr(NewsWriter, "add_document", add_document)
