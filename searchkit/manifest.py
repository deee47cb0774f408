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
        files = {
            path: FileEntry(e["size"], e["mtime_ns"], e["digest"], e["articles"])
            for path, e in raw["files"].items()
        }
        return Manifest(raw["schema_version"], raw.get("corpus"), raw["generation"], files)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def read_meta(index_dir: Path) -> tuple[int | None, str | None]:
    """(schema version, corpus) recorded with the index, without loading file entries.

    `save_manifest` writes them before the file list, so the file's head
    holds them: at 100,000 articles the whole manifest takes ~0.7 s to load.
    """
    try:
        with open(manifest_path(index_dir), "rb") as fh:
            head = fh.read(65536)
        # Inside a JSON string a quote is escaped, so this marker cannot occur there.
        end = head.find(b',"files":')
        meta = json.loads(head[:end] + b"}") if end > 0 else None
        if meta is None:
            manifest = load_manifest(index_dir)
            meta = {"schema_version": manifest.schema_version, "corpus": manifest.corpus} if manifest else {}
        version, corpus = meta.get("schema_version"), meta.get("corpus")
        return (version if isinstance(version, int) else None, corpus if isinstance(corpus, str) else None)
    except (OSError, ValueError, AttributeError):
        return None, None


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
    data = {
        "schema_version": manifest.schema_version,
        "corpus": manifest.corpus,
        "generation": manifest.generation,
        "files": {
            path: {
                "size": e.size,
                "mtime_ns": e.mtime_ns,
                "digest": e.digest,
                "articles": e.articles,
            }
            for path, e in sorted(manifest.files.items())
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
