from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from searchkit.engine import search
from searchkit.indexer import update_index


def write(corpus: Path, name: str, headline: str, body: str) -> Path:
    path = corpus / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{headline}\n\n{body}\n", encoding="utf-8")
    return path


def index_files(index: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in index.iterdir()}


def ids(index: Path, query: str) -> list[str]:
    return [hit.id for hit in search(index, query, limit=50).hits]


def test_incremental_add_update_remove(corpus: Path, index_dir: Path) -> None:
    write(corpus, "a.txt", "Alpha story", "The harbour flooded.")
    write(corpus, "b.txt", "Beta story", "The election was close.")
    write(corpus, "sub/c.txt", "Gamma story", "Inflation rose again.")
    report = update_index(corpus, index_dir)
    assert (report.added, report.updated, report.removed) == (3, 0, 0)

    write(corpus, "d.txt", "Delta story", "A new harbour opened.")
    write(corpus, "b.txt", "Beta story", "The referendum was close.")
    (corpus / "sub/c.txt").unlink()
    report = update_index(corpus, index_dir)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)
    assert sorted(ids(index_dir, "harbour")) == ["a.txt", "d.txt"]
    assert ids(index_dir, "referendum") == ["b.txt"]
    assert search(index_dir, "election").hits == ()
    assert search(index_dir, "inflation").hits == ()


def test_second_run_writes_nothing(corpus: Path, index_dir: Path) -> None:
    write(corpus, "a.txt", "Alpha", "Text one.")
    update_index(corpus, index_dir)
    before = index_files(index_dir)
    report = update_index(corpus, index_dir)
    assert (report.changed, report.unchanged, report.wrote) == (0, 1, False)
    assert index_files(index_dir) == before


def test_touch_without_change_is_unchanged(corpus: Path, index_dir: Path) -> None:
    path = write(corpus, "a.txt", "Alpha", "Text one.")
    update_index(corpus, index_dir)
    os.utime(path, ns=(1, 1))
    report = update_index(corpus, index_dir)
    assert (report.changed, report.unchanged, report.wrote) == (0, 1, False)
    # and the new stat was remembered: the next run does not re-read it
    assert update_index(corpus, index_dir).unchanged == 1


def test_copy_with_older_mtime_is_caught_by_digest(corpus: Path, index_dir: Path, tmp_path: Path) -> None:
    path = write(corpus, "a.txt", "Alpha", "Original words.")
    update_index(corpus, index_dir)
    stat = path.stat()
    replacement = write(tmp_path, "new.txt", "Alpha", "Replaced vocabulary.")
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10**9))
    shutil.copy2(replacement, path)  # keeps the older mtime
    report = update_index(corpus, index_dir)
    assert report.updated == 1
    assert ids(index_dir, "vocabulary") == ["a.txt"]


def test_rebuild_starts_over(corpus: Path, index_dir: Path) -> None:
    write(corpus, "a.txt", "Alpha", "Text one.")
    update_index(corpus, index_dir)
    report = update_index(corpus, index_dir, rebuild=True)
    assert report.rebuilt and report.added == 1
    assert ids(index_dir, "text") == ["a.txt"]


def test_index_remembers_its_corpus(corpus: Path, index_dir: Path) -> None:
    from searchkit.manifest import read_meta

    write(corpus, "a.txt", "Alpha", "Text one.")
    update_index(corpus, index_dir)
    assert read_meta(index_dir)[1] == str(corpus.resolve())


def write_good_and_unreadable(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """good.txt, and bad.txt that the indexer cannot open."""
    write(corpus, "good.txt", "Good", "Readable text.")
    write(corpus, "bad.txt", "Bad", "Secret text.")
    real_open = open

    def deny(path, *args, **kwargs):  # chmod 000 does not stop root, so fake it
        if str(path).endswith("bad.txt"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("searchkit.indexer.open", deny, raising=False)


def test_unreadable_file_is_skipped_and_others_indexed(
    corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_good_and_unreadable(corpus, monkeypatch)
    report = update_index(corpus, index_dir)
    assert [(s.path, s.reason) for s in report.skipped] == [("bad.txt", "cannot read: Permission denied")]
    assert ids(index_dir, "readable") == ["good.txt"]


def test_manifest_recovered_when_out_of_step(corpus: Path, index_dir: Path) -> None:
    """A crash between the index commit and the manifest write is harmless."""
    write(corpus, "a.txt", "Alpha", "Text one.")
    update_index(corpus, index_dir)
    (index_dir / "searchkit.json").unlink()
    write(corpus, "b.txt", "Beta", "Text two.")
    (corpus / "a.txt").unlink()
    report = update_index(corpus, index_dir)
    assert (report.added, report.removed) == (1, 1)
    assert ids(index_dir, "text") == ["b.txt"]


def test_unusable_file_is_warned_once_and_read_again_when_it_changes(corpus: Path, index_dir: Path) -> None:
    write(corpus, "good.txt", "Good", "Readable text.")
    (corpus / "junk.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    first = update_index(corpus, index_dir)
    assert [s.path for s in first.skipped] == ["junk.txt"]
    again = update_index(corpus, index_dir)
    assert again.skipped == [] and again.changed == 0
    write(corpus, "junk.txt", "Fixed", "Now it is words.")
    fixed = update_index(corpus, index_dir)
    assert fixed.added == 1 and ids(index_dir, "words") == ["junk.txt"]


def test_article_that_turns_malformed_stays_searchable(corpus: Path, index_dir: Path) -> None:
    (corpus / "feed.jsonl").write_text('{"headline": "Harbour opens", "body": "Ships arrive."}\n')
    update_index(corpus, index_dir)
    (corpus / "feed.jsonl").write_bytes(b"\x00\xff binary now \x00" * 20)
    report = update_index(corpus, index_dir)
    assert [s.path for s in report.skipped] == ["feed.jsonl"] and report.removed == 0
    assert [i.split("#")[0] for i in ids(index_dir, "harbour")] == ["feed.jsonl"]
    assert update_index(corpus, index_dir).skipped == []


def test_unchanged_corpus_is_recognised_without_loading_the_manifest(
    corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(corpus, "a.txt", "Alpha", "Text one.")
    write(corpus, "sub/b.txt", "Beta", "Text two.")
    update_index(corpus, index_dir)

    def no_load(_index: Path) -> None:
        raise AssertionError("the manifest was loaded")

    monkeypatch.setattr("searchkit.indexer.load_manifest", no_load)
    report = update_index(corpus, index_dir)
    assert (report.changed, report.unchanged, report.wrote) == (0, 2, False)
    # Any stat change takes the full path again.
    os.utime(corpus / "a.txt", ns=(5, 5))
    with pytest.raises(AssertionError, match="manifest was loaded"):
        update_index(corpus, index_dir)


def test_a_file_that_could_not_be_read_is_tried_again(
    corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_good_and_unreadable(corpus, monkeypatch)
    update_index(corpus, index_dir)
    assert update_index(corpus, index_dir).skipped  # still warned, not taken as unchanged
    monkeypatch.undo()  # permissions fixed: same size and mtime, now readable
    report = update_index(corpus, index_dir)
    assert (report.added, report.unchanged) == (1, 1)
    assert ids(index_dir, "secret") == ["bad.txt"]


def test_manifest_of_the_earlier_layout_is_read(
    corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    write(corpus, "a.txt", "Alpha", "Text one.")
    update_index(corpus, index_dir)
    path = index_dir / "searchkit.json"
    data = json.loads(path.read_text())
    for name, (size, mtime_ns, digest, articles) in list(data["files"].items()):
        data["files"][name] = {"size": size, "mtime_ns": mtime_ns, "digest": digest,
                               "articles": {name: articles}}
    del data["stat_digest"]
    path.write_text(json.dumps(data))
    monkeypatch.setattr("searchkit.indexer._manifest_from_index", None)  # not recovered: read
    report = update_index(corpus, index_dir)
    assert (report.changed, report.unchanged) == (0, 1)


def test_many_small_updates_keep_few_segments(corpus: Path, index_dir: Path) -> None:
    from whoosh.index import open_dir

    for i in range(40):
        write(corpus, f"a{i}.txt", f"Story {i}", f"Harbour report number {i}.")
    update_index(corpus, index_dir)
    for i in range(30):
        write(corpus, f"b{i}.txt", f"Update {i}", f"Harbour news item {i}.")
        update_index(corpus, index_dir)
    segments = open_dir(str(index_dir))._segments()
    # whoosh's own merge policy leaves 6 here; tiers of 3 keep at most 2 per tier
    assert len(segments) <= 4
    assert sum(s.doc_count() for s in segments) == 70
    assert search(index_dir, "harbour").total == 70


def test_a_search_after_an_update_sees_it(corpus: Path, index_dir: Path) -> None:
    """search() keeps the index open between calls; commits must show."""
    from searchkit.errors import IndexMissingError

    write(corpus, "a.txt", "Alpha", "Harbour text.")
    update_index(corpus, index_dir)
    assert ids(index_dir, "harbour") == ["a.txt"]
    write(corpus, "b.txt", "Beta", "Harbour news.")
    update_index(corpus, index_dir)
    assert sorted(ids(index_dir, "harbour")) == ["a.txt", "b.txt"]
    update_index(corpus, index_dir, rebuild=True)
    assert sorted(ids(index_dir, "harbour")) == ["a.txt", "b.txt"]
    shutil.rmtree(index_dir)
    with pytest.raises(IndexMissingError):
        search(index_dir, "harbour")


def test_a_build_collects_garbage_less_often_and_restores_the_setting(tmp_path: Path) -> None:
    import gc

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(3):
        (corpus / f"{n}.txt").write_text(f"Headline {n}\n\nBody of article {n}.\n")
    before = gc.get_threshold()
    during: list[int] = []
    update_index(corpus, tmp_path / "index", progress=lambda done, total: during.append(gc.get_threshold()[0]))
    assert during and set(during) == {10_000}
    assert gc.get_threshold() == before


def test_a_writer_forgets_its_spellings_once_its_articles_are_analysed(corpus: Path, index_dir: Path) -> None:
    from searchkit import analysis

    write(corpus, "a.txt", "Alpha story", "The harbour flooded after the storms.")
    update_index(corpus, index_dir)
    # The merge of the postings reuses that memory; the next articles analysed fill it again.
    assert analysis._TERMS == {} and analysis._stems == {}
    write(corpus, "b.txt", "Beta story", "The harbours were flooding.")
    update_index(corpus, index_dir)
    assert sorted(ids(index_dir, "flood")) == ["a.txt", "b.txt"]
