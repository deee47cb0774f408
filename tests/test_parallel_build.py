"""The build path: NewsWriter writes what whoosh's own writer writes, and a
build split over worker processes indexes what one process indexes."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from searchkit import indexer, segmentwriter
from searchkit.cli import main
from searchkit.engine import search
from searchkit.errors import IndexWriteError
from searchkit.indexer import update_index
from searchkit.segmentwriter import NewsWriter
from searchkit.status import ExitStatus
from tests.conftest import index_snapshot, interrupt_after, shared_path


def contents(index: Path) -> str:
    """A digest of everything a reader sees: every term's statistics and
    postings, stored fields and field lengths, by global docnum."""
    h = hashlib.blake2b()
    with whoosh_index.open_dir(str(index)).reader() as r:
        for fieldname in sorted(r.indexed_field_names()):
            for term in r.lexicon(fieldname):
                info = r.term_info(fieldname, term)
                h.update(repr((fieldname, term, info.doc_frequency(), info.weight(),
                               info.min_length(), info.max_length(), info.max_weight())).encode())
                m = r.postings(fieldname, term)
                while m.is_active():
                    # (no value reads as None from a block, "" when inlined)
                    h.update(repr((m.id(), m.weight(), m.value() or None)).encode())
                    m.next()
        for fields in r.all_stored_fields():
            h.update(repr(sorted(fields.items())).encode())
        for fieldname in ("text", "headline", "author"):
            # (a field no document has reads as None from one segment, 0 from several)
            lengths = [r.doc_field_length(d, fieldname) or 0 for d in range(r.doc_count_all())]
            h.update(repr(lengths).encode())
    return h.hexdigest()


@pytest.fixture(scope="module")
def bbc_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 BBC articles and one binary file, which is skipped."""
    bbc = shared_path("corpora", "bbc")
    corpus = tmp_path_factory.mktemp("sample") / "corpus"
    corpus.mkdir()
    for path in sorted(bbc.glob("business/*.txt"))[:150] + sorted(bbc.glob("tech/*.txt"))[:150]:
        shutil.copy(path, corpus / f"{path.parent.name}-{path.name}")
    (corpus / "junk.txt").write_bytes(b"\x00\x01\x02binary" * 100)
    return corpus


def built_both_ways(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Index `corpus` with NewsWriter (tmp_path/ours) and with whoosh's own
    writer (tmp_path/whoosh); both must read the same. Returns the article count."""
    ours = update_index(corpus, tmp_path / "ours")
    with monkeypatch.context() as patch:
        patch.setattr(indexer, "NewsWriter", lambda ix, **kw: SegmentWriter(ix, **kw))
        theirs = update_index(corpus, tmp_path / "whoosh")
    assert ours.added == theirs.added
    assert contents(tmp_path / "ours") == contents(tmp_path / "whoosh")
    return ours.added


def test_news_writer_writes_the_index_whoosh_writes(
    bbc_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert built_both_ways(bbc_sample, tmp_path, monkeypatch) == 300
    # Pickled at protocol 4, not whoosh's 2 (segmentwriter.PICKLE_PROTOCOL).
    assert size(tmp_path / "ours") < 0.8 * size(tmp_path / "whoosh")


def test_recurring_names_index_as_whoosh_indexes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Authors, categories (tags) and sources recur: NewsWriter makes their
    # postings once; a tiny memo is cleared again and again on the way.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    jsonl = shared_path("corpora", "huffpost_news_category", "News_Category_Dataset_v2.head4782.jsonl")
    (corpus / "huffpost.jsonl").write_text("".join(jsonl.read_text().splitlines(keepends=True)[:400]))
    monkeypatch.setattr(segmentwriter, "_MEMO_VALUES", 3)
    assert built_both_ways(corpus, tmp_path, monkeypatch) == 400
    assert search(tmp_path / "ours", 'author:"Lee Moran"').total == 30


def size(index: Path) -> int:
    return sum(f.stat().st_size for f in index.glob("*.seg"))


# 0: a run for every document; 0.05: a run every few documents, and the last
# ones still in memory when the runs are merged.
@pytest.mark.parametrize("memory_mb", [0, 0.05])
def test_news_writer_spills_and_merges_runs_to_the_same_index(
    bbc_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_mb: float
) -> None:
    update_index(bbc_sample, tmp_path / "one-run")
    monkeypatch.setattr(indexer, "WRITER_MEMORY_MB", memory_mb)
    update_index(bbc_sample, tmp_path / "many-runs")
    assert contents(tmp_path / "many-runs") == contents(tmp_path / "one-run")


def test_build_in_workers_indexes_what_one_process_indexes(
    bbc_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = update_index(bbc_sample, tmp_path / "alone")
    split_builds(monkeypatch)
    seen: list[tuple[int, int]] = []
    split = update_index(bbc_sample, tmp_path / "split", progress=lambda d, t: seen.append((d, t)))
    assert len(list((tmp_path / "split").glob("*.seg"))) == 2
    assert contents(tmp_path / "split") == contents(tmp_path / "alone")
    for name in ("added", "unchanged", "files_read", "per_format", "undated", "no_author"):
        assert getattr(split, name) == getattr(alone, name), name
    assert [s.path for s in split.skipped] == [s.path for s in alone.skipped] == ["junk.txt"]
    assert seen[-1] == (301, 301) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    # the manifest knows every file: a second run has nothing to do
    again = update_index(bbc_sample, tmp_path / "split")
    assert (again.added, again.unchanged, again.wrote) == (0, 300, False)
    hits = search(tmp_path / "split", "broadband").hits
    assert hits and hits == search(tmp_path / "alone", "broadband").hits


def split_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every build from here on is split over two workers, however small."""
    monkeypatch.setattr(indexer, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(indexer.parallel, "cores", lambda: 2)


def test_a_failing_worker_fails_the_build_and_leaves_the_index_as_it_was(
    bbc_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "index"
    update_index(bbc_sample, index)
    before = index_snapshot(index)
    split_builds(monkeypatch)
    interrupt_after(monkeypatch, 40, OSError(28, "No space left on device"))
    with pytest.raises(IndexWriteError, match="No space left on device — the previous index is unchanged"):
        update_index(bbc_sample, index, rebuild=True)
    assert index_snapshot(index) == before


def test_a_worker_that_dies_fails_the_build_with_one_clear_line(
    bbc_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    index = tmp_path / "index"
    update_index(bbc_sample, index)
    before = index_snapshot(index)
    monkeypatch.setenv("SEARCHKIT_CORPUS", str(bbc_sample))
    monkeypatch.setenv("SEARCHKIT_INDEX", str(index))
    split_builds(monkeypatch)
    monkeypatch.setattr(NewsWriter, "add_document", lambda self, **fields: os._exit(9))
    result = CliRunner().invoke(main, ["index", "--rebuild"], catch_exceptions=False)
    assert result.exit_code == ExitStatus.WRITE_ERROR
    message = result.stderr.strip().splitlines()[-1]
    assert "worker process died" in message and "the previous index is unchanged" in message
    assert index_snapshot(index) == before


def test_ctrl_c_in_a_split_build_exits_130_and_leaves_nothing(
    bbc_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "index"
    monkeypatch.setenv("SEARCHKIT_CORPUS", str(bbc_sample))
    split_builds(monkeypatch)
    interrupt_after(monkeypatch, 40, KeyboardInterrupt())
    result = CliRunner().invoke(main, ["index"], catch_exceptions=False)
    assert result.exit_code == ExitStatus.INTERRUPTED
    assert result.stderr.strip().splitlines()[-1] == "searchkit: interrupted"
    assert not list(index.glob("*.seg")) and not list(index.glob("*.toc"))


def test_work_is_not_split_while_other_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(indexer.parallel, "cores", lambda: 2)
    assert indexer.parallel.available()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not indexer.parallel.available()
    finally:
        stop.set()
        thread.join()


def test_work_is_split_by_bytes() -> None:
    from searchkit.corpus import CorpusFile

    files = [CorpusFile(f"f{i}", f"/c/f{i}", size, 0) for i, size in enumerate([900, 50, 50, 50, 50, 900])]
    parts = indexer._by_bytes(files, 2)
    assert [[f.relpath for f in part] for part in parts] == [["f0", "f1", "f2"], ["f3", "f4", "f5"]]
    assert indexer._by_bytes(files[:1], 2) == [files[:1]]
    assert sum(indexer._by_bytes(files, 3), []) == files
