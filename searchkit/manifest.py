"""What the index holds, per corpus file: stat, content digest, article ids.

It lets a reindex skip unchanged files after one `stat` and find deleted ones
without reading the index. It lives beside the whoosh index and names the
whoosh generation it matches; if the two disagree (a crash between the index
commit and the manifest write) the indexer rebuilds it from the index.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

MANIFEST_NAME = "searchkit.json"


class FileEntry(NamedTuple):
    size: int | None
    mtime_ns: int | None
    digest: str
    articles: dict[str, str]  # article id → article digest


def _stat_line(path: str, size: int | None, mtime: int | None) -> bytes:
    return f"{path}\t{size}\t{mtime}".encode("utf-8", "surrogatepass")


def _checksum(path: str, size: int | None, mtime: int | None) -> int:
    line = _stat_line(path, size, mtime)
    return zlib.crc32(line) << 32 | zlib.adler32(line)


class FileTable:
    """path → FileEntry, kept as the manifest's JSON lists.

    100,000 entries are loaded and saved as they are, not turned into
    objects and back (~0.35 s of a +10 run under cProfile); an entry becomes a FileEntry only when
    asked for, and the stat digest and article count of the whole table are
    kept up to date as entries change.
    """

    __slots__ = ("raw", "stat_sum", "articles")

    def __init__(self, raw: dict[str, list[Any]] | None = None,
                 stat_sum: int | None = None, articles: int | None = None) -> None:
        # path -> [size, mtime_ns, file digest, {article id: digest}]; a
        # file's lone article named after it -> its digest alone
        self.raw: dict[str, list[Any]] = raw if raw is not None else {}
        if stat_sum is None or articles is None:
            stat_sum, articles = 0, 0
            for path, e in self.raw.items():
                stat_sum += _checksum(path, e[0], e[1])
                articles += 1 if type(e[3]) is str else len(e[3])
        self.stat_sum = stat_sum
        self.articles = articles

    def __len__(self) -> int:
        return len(self.raw)

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __contains__(self, path: object) -> bool:
        return path in self.raw

    def get(self, path: str) -> FileEntry | None:
        e = self.raw.get(path)
        if e is None:
            return None
        size, mtime_ns, digest, articles = e
        return FileEntry(size, mtime_ns, digest, {path: articles} if type(articles) is str else dict(articles))

    def unchanged_articles(self, path: str, size: int, mtime_ns: int) -> int | None:
        """How many articles the file at `path` holds if its stat is as
        recorded; None if it is new or its stat changed."""
        e = self.raw.get(path)
        if e is None or e[0] != size or e[1] != mtime_ns:
            return None
        return 1 if type(e[3]) is str else len(e[3])

    def __setitem__(self, path: str, entry: FileEntry) -> None:
        self._drop(path)
        articles = entry.articles
        lone = len(articles) == 1 and path in articles
        self.raw[path] = [entry.size, entry.mtime_ns, entry.digest, articles[path] if lone else dict(articles)]
        self.stat_sum += _checksum(path, entry.size, entry.mtime_ns)
        self.articles += len(articles)

    def pop(self, path: str) -> FileEntry:
        entry = self.get(path)
        if entry is None:
            raise KeyError(path)
        self._drop(path)
        return entry

    def _drop(self, path: str) -> None:
        e = self.raw.pop(path, None)
        if e is not None:
            self.stat_sum -= _checksum(path, e[0], e[1])
            self.articles -= 1 if type(e[3]) is str else len(e[3])

    def update(self, other: FileTable) -> None:
        for path in list(other.raw):
            self._drop(path)
        self.raw.update(other.raw)
        self.stat_sum += other.stat_sum
        self.articles += other.articles

    def stat_digest(self) -> str:
        """stat_digest() of the recorded (path, size, mtime) of every file."""
        return f"{self.stat_sum & 0xFFFFFFFFFFFFFFFF:016x}"


class Manifest:
    """The whole manifest: the index's schema version, the corpus it was
    built from, the whoosh generation it matches, and the file table."""

    __slots__ = ("schema_version", "corpus", "generation", "files")

    def __init__(self, schema_version: int, corpus: str | None = None, generation: int = -1,
                 files: FileTable | None = None) -> None:
        self.schema_version = schema_version
        self.corpus = corpus
        self.generation = generation
        self.files = files if files is not None else FileTable()

    @property
    def article_count(self) -> int:
        return self.files.articles


def manifest_path(index_dir: Path) -> Path:
    return index_dir / MANIFEST_NAME


def load_manifest(index_dir: Path) -> Manifest | None:
    """The manifest, or None if it is missing or unreadable."""
    try:
        raw = json.loads(manifest_path(index_dir).read_text(encoding="utf-8"))
        files = raw["files"]
        if not isinstance(files, dict):
            return None
        if files and not isinstance(next(iter(files.values())), list):
            # the layout before [size, mtime, digest, articles] (one save
            # writes every entry alike, so the first tells)
            files = {path: [e["size"], e["mtime_ns"], e["digest"], e["articles"]] for path, e in files.items()}
        head_sum, head_articles = raw.get("stat_digest"), raw.get("articles")
        table = FileTable(files, int(head_sum, 16) if isinstance(head_sum, str) else None,
                          head_articles if isinstance(head_articles, int) else None)
        return Manifest(raw["schema_version"], raw.get("corpus"), raw["generation"], table)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def stat_digest(stats: Iterable[tuple[str, int | None, int | None]]) -> str:
    """A digest of (relative path, size, mtime) for every file, in any order:
    equal for a corpus scan and a manifest exactly when no file was added,
    removed or touched since the manifest was written (but for a 2**-64
    chance). A sum of per-file checksums, so that neither side is sorted.

    The sum of _checksum's (crc32 << 32 | adler32), taken as two sums in C
    loops: `searchkit index` with nothing changed on bench/speed.py's
    100,000-article index, PYTHONHASHSEED=0 valgrind --tool=callgrind,
    3,188.1 -> 3,041.0 M instructions (0dcde80; in wall time, `python
    bench/alternate.py --base 0dcde80~1 --head 0dcde80 index`: 811.5 ->
    802.8 ms, within the noise)."""
    lines = [_stat_line(path, size, mtime) for path, size, mtime in stats]
    total = (sum(map(zlib.crc32, lines)) << 32) + sum(map(zlib.adler32, lines))
    return f"{total & 0xFFFFFFFFFFFFFFFF:016x}"


def read_head(index_dir: Path) -> dict:
    """The manifest's fields before its file list (schema_version, corpus,
    generation, articles, stat_digest), without loading file entries; {} if unreadable."""
    try:
        with open(manifest_path(index_dir), "rb") as fh:
            head = fh.read(65536)
        # Inside a JSON string a quote is escaped, so this marker cannot occur there.
        end = head.find(b',"files":')
        meta = json.loads(head[:end] + b"}") if end > 0 else None
        return meta if isinstance(meta, dict) else {}
    except (OSError, ValueError):
        return {}


def read_meta(index_dir: Path) -> tuple[int | None, str | None]:
    """(schema version, corpus) recorded with the index, without loading file entries.

    `save_manifest` writes them before the file list, so the file's head
    holds them: at 100,000 articles the whole manifest takes ~0.7 s to load.
    """
    meta = read_head(index_dir)
    if not meta:
        manifest = load_manifest(index_dir)
        meta = {"schema_version": manifest.schema_version, "corpus": manifest.corpus} if manifest else {}
    version, corpus = meta.get("schema_version"), meta.get("corpus")
    return (version if isinstance(version, int) else None, corpus if isinstance(corpus, str) else None)


_VERSION_AT_START = re.compile(rb'^\{"schema_version":\s*(\d+)')


def schema_version(index_dir: Path) -> int | None:
    """The schema version recorded with the index, cheaply (search's hot path).

    `save_manifest` writes it first, so the file's first bytes hold it.
    """
    try:
        with open(manifest_path(index_dir), "rb") as fh:
            match = _VERSION_AT_START.match(fh.read(64))
    except OSError:
        return None
    return int(match.group(1)) if match else None


def save_manifest(index_dir: Path, manifest: Manifest) -> None:
    """Write atomically: a crash leaves the old manifest or the new one, never half."""
    # Unsorted: sorting 100,000 paths cost 50 ms a run, and nothing needs the order.
    data = {
        "schema_version": manifest.schema_version,
        "corpus": manifest.corpus,
        "generation": manifest.generation,
        # Read by a reindex that finds the corpus as it was (read_head).
        "articles": manifest.article_count,
        "files_count": len(manifest.files),
        "stat_digest": manifest.files.stat_digest(),
        "files": manifest.files.raw,
    }
    target = manifest_path(index_dir)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            # dumps, not dump: dump streams through the pure-Python encoder
            # (3 s instead of 0.3 s for 100,000 files). Plain lists and
            # dicts that cannot hold themselves: no check for cycles.
            fh.write(json.dumps(data, separators=(",", ":"), check_circular=False))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)  # e.g. the disk is full: leave no half file
        raise
