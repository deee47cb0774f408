"""Crashes and interrupts never lose committed articles or corrupt the index.

The long trial is `bench/crash_trials.py --trials 50`; here two kills at
random moments plus the windows a random kill rarely hits, made exact.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.cli import main
from searchkit.engine import search
from searchkit.indexer import update_index
from searchkit.manifest import MANIFEST_NAME
from searchkit.schema import build_schema
from searchkit.segmentwriter import NewsWriter
from searchkit.status import ExitStatus
from tests.conftest import REPO, index_snapshot, interrupt_after


def load_trials():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("crash_trials", REPO / "bench" / "crash_trials.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_trials"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def write(corpus: Path, name: str, text: str) -> None:
    path = corpus / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def state(index: Path) -> list[str]:
    return sorted(h.id for h in search(index, "news", limit=1000, snippets=0).hits)



@pytest.fixture
def built(corpus: Path, index_dir: Path) -> tuple[Path, Path]:
    for n in range(6):
        write(corpus, f"a{n}.txt", f"Story {n}\n\nPlain news item {n}.\n")
    update_index(corpus, index_dir)
    return corpus, index_dir


def test_kill_9_at_random_moments(tmp_path: Path) -> None:
    trials = load_trials()
    outcomes = trials.run_trials(
        2, seed=11, files=40, duration={"startup": 0.3, "build": 0.9, "rebuild": 0.9, "incremental": 0.9}
    )
    assert [o.detail for o in outcomes if not o.ok] == []


@pytest.mark.parametrize("rebuild", [False, True])
def test_ctrl_c_leaves_the_index_as_it_was(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, rebuild: bool
) -> None:
    corpus, index = built
    before_files, before = index_snapshot(index), state(index)
    for n in range(6, 12):
        write(corpus, f"a{n}.txt", f"Story {n}\n\nPlain news item {n}.\n")
    with monkeypatch.context() as patch:  # (undo() would also undo the isolated env)
        interrupt_after(patch, 2, KeyboardInterrupt())
        result = CliRunner().invoke(main, ["index"] + (["--rebuild"] if rebuild else []), catch_exceptions=False)
    assert result.exit_code == ExitStatus.INTERRUPTED
    assert result.stderr.strip().splitlines()[-1] == "searchkit: interrupted"
    assert index_snapshot(index) == before_files  # same files, same bytes: nothing left behind
    assert state(index) == before
    report = update_index(corpus, index)
    assert report.added == 6 and len(state(index)) == 12


def test_rebuild_keeps_the_old_index_searchable_until_it_commits(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, index = built
    seen_during: list[list[str]] = []
    real = NewsWriter.add_document

    def add_document(self: NewsWriter, **fields: object) -> None:
        seen_during.append(state(index))
        real(self, **fields)

    (corpus / "a0.txt").unlink()
    monkeypatch.setattr(NewsWriter, "add_document", add_document)
    update_index(corpus, index, rebuild=True)
    assert seen_during and all(ids == [f"a{n}.txt" for n in range(6)] for ids in seen_during)
    assert state(index) == [f"a{n}.txt" for n in range(1, 6)]


def test_lost_manifest_after_a_commit_keeps_unchanged_articles(built: tuple[Path, Path]) -> None:
    """A crash between the index commit and the first manifest write."""
    corpus, index = built
    (index / MANIFEST_NAME).unlink()
    write(corpus, "new.txt", "New\n\nFresh news.\n")
    report = update_index(corpus, index)
    assert (report.added, report.unchanged) == (1, 6)
    assert state(index) == sorted([f"a{n}.txt" for n in range(6)] + ["new.txt"])


def test_stale_manifest_after_a_commit_is_recovered(built: tuple[Path, Path]) -> None:
    """A crash after the commit, before the new manifest replaced the old one."""
    corpus, index = built
    old_manifest = (index / MANIFEST_NAME).read_bytes()
    write(corpus, "a1.txt", "Story 1\n\nEdited news item.\n")
    (corpus / "a2.txt").unlink()
    update_index(corpus, index)
    (index / MANIFEST_NAME).write_bytes(old_manifest)  # as if the manifest write never happened
    report = update_index(corpus, index)
    assert report.changed == 0
    assert json.loads((index / MANIFEST_NAME).read_text())["generation"] > json.loads(old_manifest)["generation"]
    assert search(index, "edited").hits[0].id == "a1.txt"
    assert "a2.txt" not in state(index)
    assert not update_index(corpus, index).wrote


def test_files_a_killed_writer_left_are_swept(built: tuple[Path, Path]) -> None:
    corpus, index = built
    before = state(index)
    (index / "MAIN_deadbeef00000000.seg").write_bytes(b"half a segment")
    (index / "MAIN.tmp").mkdir()
    (index / "MAIN.tmp" / "x.ctmp").write_bytes(b"pool")
    (index / f".{MANIFEST_NAME}.{os.getpid() + 1}.tmp").write_text("{")
    report = update_index(corpus, index)  # nothing to change, yet it tidies up
    assert not report.wrote
    assert sorted(p.name for p in index.iterdir() if "deadbeef" in p.name or "tmp" in p.name) == []
    assert state(index) == before


def test_interrupted_first_build_leaves_no_index(
    corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh import index as whoosh_index

    from searchkit.cli import search_command
    from searchkit.indexer import index_exists

    for n in range(4):
        write(corpus, f"a{n}.txt", f"Story {n}\n\nPlain news item {n}.\n")
    with monkeypatch.context() as patch:  # undo() would also undo the isolated env
        interrupt_after(patch, 1, KeyboardInterrupt())
        result = CliRunner().invoke(main, ["index"], catch_exceptions=False)
    assert result.exit_code == ExitStatus.INTERRUPTED
    assert not index_exists(index_dir) and not list(index_dir.glob("*.toc"))
    # kill -9 at the same moment leaves the empty table of contents of create_in
    whoosh_index.create_in(str(index_dir), build_schema())
    assert not index_exists(index_dir)
    found = CliRunner().invoke(search_command, ["news"], catch_exceptions=False)
    assert found.exit_code == 0, found.stderr
    assert "No index at" in found.stderr and "a3.txt" in found.stdout
