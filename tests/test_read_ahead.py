"""The kernel is asked for corpus files before the indexer reads them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from searchkit.corpus import READ_AHEAD_FILES, CorpusFile, read_ahead

pytestmark = pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")


def corpus_files(root: Path, n: int, size: int = 10) -> list[CorpusFile]:
    files = [CorpusFile(f"{i}.txt", str(root / f"{i}.txt"), size, 0) for i in range(n)]
    for f in files:
        Path(f.path).write_text("x")
    return files


def record_advice(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def advise(fd: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_WILLNEED
        asked.append(os.path.realpath(f"/proc/self/fd/{fd}"))

    monkeypatch.setattr(os, "posix_fadvise", advise)
    return asked


def test_each_file_is_asked_for_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = corpus_files(tmp_path, READ_AHEAD_FILES * 3 + 5)
    asked = record_advice(monkeypatch)
    paths = [os.path.realpath(f.path) for f in files]
    seen = []
    for i, f in enumerate(read_ahead(files, max_bytes=100)):
        seen.append(f)
        assert asked == paths[: i + READ_AHEAD_FILES]
    assert seen == files


def test_large_and_missing_files_are_not_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = corpus_files(tmp_path, 3)
    files[1] = files[1]._replace(size=101)
    os.unlink(files[2].path)
    asked = record_advice(monkeypatch)
    assert list(read_ahead(files, max_bytes=100)) == files
    assert asked == [os.path.realpath(files[0].path)]
