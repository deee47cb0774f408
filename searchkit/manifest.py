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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_NAME = "searchkit.json"


@dataclass(slots=True)
class FileEntry:
    size: int | None
    mtime_ns: int | None
    digest: str
    # article id → article digest
    articles: dict[str, str] = field(default_factory=dict)


@dataclass
class Manifest:
    schema_version: int
    corpus: str | None = None
    generation: int = -1
    files: dict[str, FileEntry] = field(default_factory=dict)

    @property
    def article_count(self) -> int:
        return sum(len(entry.articles) for entry in self.files.values())


def manifest_path(index_dir: Path) -> Path:
    return index_dir / MANIFEST_NAME


def load_manifest(index_dir: Path) -> Manifest | None:
    """The manifest, or None if it is missing or unreadable."""
    try:
        raw = json.loads(manifest_path(index_dir).read_text(encoding="utf-8"))
        files = {}
        for path, e in raw["files"].items():
            if type(e) is list:  # the common case, inline: 100,000 entries
                size, mtime_ns, digest, articles = e
                if type(articles) is str:
                    articles = {path: articles}
                files[path] = FileEntry(size, mtime_ns, digest, articles)
            else:
                files[path] = _entry(path, e)
        return Manifest(raw["schema_version"], raw.get("corpus"), raw["generation"], files)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def stat_digest(stats: Iterable[tuple[str, int | None, int | None]]) -> str:
    """A digest of (relative path, size, mtime) for every file, in any order:
    equal for a corpus scan and a manifest exactly when no file was added,
    removed or touched since the manifest was written (but for a 2**-64
    chance). A sum of per-file checksums, so that neither side is sorted."""
    total = 0
    for path, size, mtime in stats:
        line = f"{path}\t{size}\t{mtime}".encode("utf-8", "surrogatepass")
        total += zlib.crc32(line) << 32 | zlib.adler32(line)
    return f"{total & 0xFFFFFFFFFFFFFFFF:016x}"


def _entry(path: str, e: list | dict) -> FileEntry:
    if isinstance(e, dict):  # the layout before [size, mtime, digest, articles]
        return FileEntry(e["size"], e["mtime_ns"], e["digest"], e["articles"])
    size, mtime_ns, digest, articles = e
    # A file holding one article named after the file stores its digest alone.
    return FileEntry(size, mtime_ns, digest, {path: articles} if isinstance(articles, str) else articles)


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
    files = manifest.files.items()
    data = {
        "schema_version": manifest.schema_version,
        "corpus": manifest.corpus,
        "generation": manifest.generation,
        # Read by a reindex that finds the corpus as it was (read_head).
        "articles": manifest.article_count,
        "files_count": len(manifest.files),
        "stat_digest": stat_digest((path, e.size, e.mtime_ns) for path, e in files),
        # path -> [size, mtime_ns, file digest, {article id: digest}]; a
        # file's lone article named after it -> its digest alone
        "files": {
            path: [e.size, e.mtime_ns, e.digest,
                   e.articles[path] if len(e.articles) == 1 and path in e.articles else e.articles]
            for path, e in files
        },
    }
    target = manifest_path(index_dir)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            # dumps, not dump: dump streams through the pure-Python encoder
            # (3 s instead of 0.3 s for 100,000 files).
            fh.write(json.dumps(data, separators=(",", ":")))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)  # e.g. the disk is full: leave no half file
        raise
