"""The manifest's file table keeps its stat digest and article count as entries change."""

from __future__ import annotations

from pathlib import Path

from searchkit.manifest import (
    FileEntry,
    FileTable,
    Manifest,
    load_manifest,
    save_manifest,
    stat_digest,
)


def recount(table: FileTable) -> tuple[str, int]:
    entries = {path: table.get(path) for path in table}
    digest = stat_digest((p, e.size, e.mtime_ns) for p, e in entries.items() if e)
    return digest, sum(len(e.articles) for e in entries.values() if e)


def test_running_digest_and_count_follow_every_change(tmp_path: Path) -> None:
    table = FileTable()
    table["a.txt"] = FileEntry(10, 1, "d1", {"a.txt": "x"})
    table["feed.jsonl"] = FileEntry(99, 2, "d2", {"feed.jsonl#1": "y", "feed.jsonl#2": "z"})
    table["b.txt"] = FileEntry(5, 3, "d3", {"b.txt": "w"})
    table["a.txt"] = FileEntry(11, 4, "d4", {"a.txt": "v"})  # changed
    assert table.pop("b.txt").articles == {"b.txt": "w"}
    other = FileTable()
    other["c.txt"] = FileEntry(7, 5, "d5", {"c.txt": "u"})
    other["a.txt"] = FileEntry(12, 6, "d6", {"a.txt": "t"})
    table.update(other)
    assert (table.stat_digest(), table.articles) == recount(table)
    assert table.articles == 4
    assert table.unchanged_articles("feed.jsonl", 99, 2) == 2
    assert table.unchanged_articles("feed.jsonl", 99, 3) is None
    assert table.unchanged_articles("missing.txt", 1, 1) is None

    save_manifest(tmp_path, Manifest(8, "/corpus", 3, table))
    loaded = load_manifest(tmp_path)
    assert loaded is not None and loaded.files.raw == table.raw
    assert (loaded.files.stat_digest(), loaded.article_count) == recount(table)
    assert loaded.files.get("a.txt") == FileEntry(12, 6, "d6", {"a.txt": "t"})
