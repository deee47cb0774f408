"""Bring the index up to date with the corpus: find the changes (new, changed,
removed articles), write them in one whoosh commit, report what happened.

Articles stream from the files into the writer, so memory stays bounded
however large the corpus; the writer opens only when a first change is
found, so a run with nothing to do writes nothing.

No printing: progress goes through a callback, warnings into the report.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.writing import CLEAR

from searchkit import limits, parallel
from searchkit.corpus import CorpusFile, read_ahead, scan_corpus
from searchkit.duplicates import fingerprint
from searchkit.errors import (
    CorpusChangedError,
    CorpusMissingError,
    IndexLockedError,
    IndexVersionError,
    IndexWriteError,
    ParseError,
)
from searchkit.formats import reader_for
from searchkit.formats.meta import looks_binary
from searchkit.locking import DEFAULT_TIMEOUT, OnWait, sweep_leftovers, write_lock
from searchkit.manifest import (
    FileEntry,
    Manifest,
    load_manifest,
    read_head,
    read_meta,
    save_manifest,
    stat_digest,
)
from searchkit.merging import merge_tiers
from searchkit.models import Article, IndexReport, Skipped
from searchkit.ranking import compose_text
from searchkit.schema import SCHEMA_VERSION, build_schema, name_key_values, to_index_date
from searchkit.segmentwriter import NewsWriter

# progress(files_done, files_total): called while files are read.
Progress = Callable[[int, int], None]

# Memory for whoosh's posting buffer before it spills sorted runs to disk
# (256 was no faster and raised peak memory by 120 MB at 20,000 articles).
WRITER_MEMORY_MB = 128

# The posting pools of a build's workers share this much. Each worker holds
# ~110 MB besides, and whoosh's term table at the end; 100,000 articles on 2
# workers peaked at 500-576 MB in all (bench/speed.py's build memory); a
# 40 MB share peaked higher (more runs to merge).
WORKER_MEMORY_MB = 80

# A build reading at least this many files uses a worker per core: below it
# a split gains little, and each worker adds a segment every search reads.
PARALLEL_MIN_FILES = 2000


class _Changes:
    """The changes of one run, written as they are found.

    The whoosh writer is opened on the first change (or at once for a
    rebuild) and committed or cancelled by `_update_locked`.
    """

    def __init__(self, index: Path, rebuild: bool) -> None:
        self.index = index
        self.rebuild = rebuild
        self.added = self.updated = self.removed = self.unchanged = 0
        self.stat_changed = False  # a file was touched but its content is the same
        self._ix: whoosh_index.FileIndex | None = None
        self._writer: Any = None
        self._created = False
        if rebuild:
            self._open()

    @property
    def any(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    @classmethod
    def for_worker(cls, writer: Any) -> _Changes:
        """The changes of a worker's part of a build, into its own writer."""
        changes = cls(Path(), rebuild=False)
        changes._writer = writer
        return changes

    def opened(self) -> tuple[whoosh_index.FileIndex, Any]:
        """The index and its writer, opened if need be."""
        writer = self._open()
        assert self._ix is not None
        return self._ix, writer

    def add(self, article: Article, digest: str, file_digest_: str) -> None:
        self._open().add_document(**_document(article, digest, file_digest_))
        self.added += 1

    def update(self, article: Article, digest: str, file_digest_: str) -> None:
        self._open().update_document(**_document(article, digest, file_digest_))
        self.updated += 1

    def delete(self, doc_ids: Iterable[str]) -> None:
        for doc_id in doc_ids:
            self._open().delete_by_term("id", doc_id)
            self.removed += 1

    def _open(self) -> Any:
        if self._writer is None:
            self._ix, self._created = _open_for_writing(self.index)
            self._writer = _writer(self._ix, self.index)
        return self._writer

    def commit(self) -> int:
        """Commit everything written; returns the new index generation."""
        assert self._writer is not None and self._ix is not None
        # A rebuild replaces every old segment in the same atomic commit, so
        # the previous index stays searchable until the new one is complete.
        self._writer.commit(mergetype=CLEAR if self.rebuild else merge_tiers)
        return int(self._ix.latest_generation())

    def cancel(self) -> None:
        """Throw away what was written; the index stays as it was before the run."""
        if self._writer is None:
            return
        try:
            self._writer.cancel()
        except Exception:
            pass  # e.g. the disk is still full; the original error matters more
        if self._created and self._ix is not None:
            # an interrupted first build leaves no index, as before it
            for toc in self.index.glob(f"_{self._ix.indexname}_*.toc"):
                toc.unlink(missing_ok=True)
        sweep_leftovers(self.index)


def index_exists(index_dir: Path) -> bool:
    """Whether a committed index is there. Generation 0 is the empty table of
    contents `create_in` writes before the first commit: a first build that
    was interrupted, which the next run starts over."""
    for _attempt in range(10):
        try:
            if not index_dir.is_dir():
                return False
            return whoosh_index.open_dir(str(index_dir)).latest_generation() >= 1
        except whoosh_index.EmptyIndexError:
            return False
        except FileNotFoundError:
            time.sleep(0.02)  # a commit replaced the table of contents as we read it
    return True  # something is there; opening it will say what is wrong


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def article_digest(article: Article) -> str:
    h = hashlib.blake2b(digest_size=16)
    for value in (
        article.headline, article.body, article.author, article.dateline, article.source,
        article.url, article.standfirst, article.format,
        article.date.isoformat() if article.date else None, "\x1f".join(article.tags),
    ):
        h.update((value or "").encode("utf-8", "surrogatepass"))
        h.update(b"\x1e")
    return h.hexdigest()


def update_index(
    corpus: Path,
    index: Path,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    lock_timeout: float = DEFAULT_TIMEOUT,
    on_wait: OnWait | None = None,
) -> IndexReport:
    """Make the index at `index` match the articles under `corpus`.

    Incremental unless `rebuild`: unchanged files cost one `stat`; a file
    whose stat changed is read and compared by content digest. With nothing
    to change, nothing is written.

    One writer at a time: a second one waits up to `lock_timeout` seconds
    (calling `on_wait(pid)` first), then raises IndexLockedError.
    """
    started = time.perf_counter()
    corpus = Path(corpus).absolute()
    index = Path(index).absolute()
    if not corpus.is_dir():
        raise CorpusMissingError(
            f"no corpus folder at {corpus} — create it and put articles in it, "
            "or point to one with --corpus / SEARCHKIT_CORPUS"
        )
    if not rebuild:
        _refuse_another_corpus(index, corpus)
    report = IndexReport(corpus=str(corpus), index=str(index), rebuilt=rebuild)
    with write_lock(index, timeout=lock_timeout, on_wait=on_wait):
        # A writer killed mid-run leaves unused segment files behind.
        sweep_leftovers(index)
        with _fewer_collections():
            return _update_locked(corpus, index, report, rebuild, progress, started)


def _refuse_another_corpus(index: Path, corpus: Path) -> None:
    """An index answers for one corpus folder: updated from another, it would
    drop every article of the first (`searchkit index ~/new`, typed to add
    ~/new's articles, left only those). Allowed when the first folder is gone
    (moved or renamed: files are keyed by relative path, so nothing changes)."""
    head = read_head(index)
    recorded, articles = head.get("corpus"), head.get("articles")
    if not isinstance(recorded, str) or not isinstance(articles, int) or not articles:
        return
    before = Path(recorded)
    if not before.is_dir() or before.resolve() == corpus.resolve():
        return
    raise CorpusChangedError(
        f"the index at {index} holds {articles:,} article{'s' if articles != 1 else ''} from {before}; "
        f"updating it from {corpus} "
        f"would drop them — to index {corpus} alone, add --rebuild; to keep both, copy its articles "
        f"into {before}, or give it its own index with --index DIR"
    )


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect young objects every 10,000 allocations instead of Python's
    700 while indexing (workers inherit it): a build allocates millions of
    objects that live on in the posting pool. 20,000 generated articles in
    one process (`python bench/build_cost.py --articles 20000`, with and
    without --python-gc): 0.83 s in 956 collections, 0.15 s in 36."""
    old = gc.get_threshold()
    gc.set_threshold(10_000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _update_locked(
    corpus: Path, index: Path, report: IndexReport, rebuild: bool,
    progress: Progress | None, started: float,
) -> IndexReport:
    # A corpus that moved (see _refuse_another_corpus) needs nothing special:
    # files are keyed by relative path and compared by digest, so the plan
    # replaces whatever differs.
    warnings: list[tuple[str, str]] = []
    files = list(scan_corpus(corpus, warnings))
    report.skipped.extend(Skipped(p, r) for p, r in warnings)
    if not rebuild and _as_recorded(index, corpus, files, report):
        report.seconds = time.perf_counter() - started
        return report

    manifest = None if rebuild else _open_manifest(index)
    if manifest is None:
        manifest = Manifest(SCHEMA_VERSION, str(corpus))
        rebuild = True
        report.rebuilt = True
    changes = _Changes(index, rebuild)
    try:
        _find_changes(files, manifest, report, progress, changes)
        if changes.any or rebuild:
            manifest.generation = changes.commit()
    except BaseException as exc:
        changes.cancel()
        if isinstance(exc, OSError):
            raise _unchanged_error(index, exc) from exc
        raise
    previous_corpus, manifest.corpus = manifest.corpus, str(corpus)
    if changes.any or rebuild or changes.stat_changed or manifest.corpus != previous_corpus:
        _save(index, manifest)
    report.added, report.updated, report.removed = changes.added, changes.updated, changes.removed
    report.unchanged = changes.unchanged
    report.wrote = changes.any or rebuild
    report.seconds = time.perf_counter() - started
    return report


def _as_recorded(index: Path, corpus: Path, files: list[CorpusFile], report: IndexReport) -> bool:
    """Whether every file has the stat the manifest recorded, for this
    corpus and the index's current generation: then there is nothing to do,
    and the manifest (11 MB at 100,000 files) need not be loaded."""
    head = read_head(index)
    if (head.get("schema_version") != SCHEMA_VERSION or head.get("corpus") != str(corpus)
            or not isinstance(head.get("articles"), int) or not index_exists(index)):
        return False
    if head.get("files_count") != len(files):  # added or removed: no need to digest
        return False
    if head.get("stat_digest") != stat_digest((f.relpath, f.size, f.mtime_ns) for f in files):
        return False
    if whoosh_index.open_dir(str(index)).latest_generation() != head.get("generation"):
        return False
    report.unchanged = head["articles"]
    return True


def _open_manifest(index: Path) -> Manifest | None:
    """The manifest matching the index on disk; None when there is no index."""
    if not index_exists(index):
        return None
    manifest = load_manifest(index)
    if manifest is not None and manifest.schema_version != SCHEMA_VERSION:
        raise IndexVersionError(
            f"the index at {index} was built by another version of searchkit "
            f"(schema {manifest.schema_version}, this is {SCHEMA_VERSION}) — "
            "run `searchkit index --rebuild`"
        )
    ix = whoosh_index.open_dir(str(index))
    generation = ix.latest_generation()
    if manifest is None or manifest.generation != generation:
        manifest = _manifest_from_index(ix, manifest)
        manifest.generation = generation
    return manifest


def _manifest_from_index(ix: whoosh_index.FileIndex, old: Manifest | None) -> Manifest:
    """Recover the manifest from the index's stored fields (slow, rare).

    Stat values are unknown, so every file is re-read once and compared by digest.
    """
    files: dict[str, FileEntry] = {}
    with ix.reader() as reader:
        for fields in reader.all_stored_fields():
            entry = files.setdefault(fields["path"], FileEntry(None, None, fields.get("file_digest", ""), {}))
            entry.articles[fields["id"]] = fields.get("digest", "")
    manifest = Manifest(SCHEMA_VERSION, old.corpus if old else None, -1)
    for path, entry in files.items():
        manifest.files[path] = entry
    return manifest


def _find_changes(
    files: list[CorpusFile], manifest: Manifest, report: IndexReport,
    progress: Progress | None, changes: _Changes,
) -> None:
    present = {f.relpath for f in files}
    for relpath in [p for p in manifest.files if p not in present]:
        changes.delete(manifest.files.pop(relpath).articles)

    to_read = []
    unchanged_articles = manifest.files.unchanged_articles
    for f in files:
        n = unchanged_articles(f.relpath, f.size, f.mtime_ns)
        if n is not None:
            changes.unchanged += n
        else:
            to_read.append(f)

    if changes.rebuild and len(to_read) >= PARALLEL_MIN_FILES and parallel.available():
        _read_in_workers(to_read, manifest, report, progress, changes)
        return
    for done, f in enumerate(read_ahead(to_read, limits.MAX_FILE_BYTES), 1):
        _read_file(f, manifest, changes, report)
        if progress:
            progress(done, len(to_read))


def _by_bytes(files: list[CorpusFile], n: int) -> list[list[CorpusFile]]:
    """`files` in at most `n` runs of neighbours holding about as many bytes
    each (a corpus of a few large files, like Reuters' SGML, would leave one
    worker with most of the work if split by count)."""
    total = sum(f.size for f in files) or 1
    parts: list[list[CorpusFile]] = [[]]
    done = 0
    for f in files:
        if len(parts) < n and parts[-1] and done >= total * len(parts) / n:
            parts.append([])
        parts[-1].append(f)
        done += f.size
    return parts


def _read_in_workers(to_read: list[CorpusFile], manifest: Manifest, report: IndexReport,
                     progress: Progress | None, changes: _Changes) -> None:
    """A build's files read, analysed and written by one worker per core,
    each into a segment of its own, committed with the run's writer."""
    ix, writer = changes.opened()
    parts = _by_bytes(to_read, min(parallel.cores(), len(to_read)))
    limitmb = max(16, WORKER_MEMORY_MB // len(parts))

    def work(files: list[CorpusFile], tick: parallel.Tick) -> tuple[Any, ...]:
        part = _Changes.for_worker(NewsWriter(ix, _lk=False, limitmb=limitmb))
        part_manifest = Manifest(SCHEMA_VERSION, manifest.corpus)
        part_report = IndexReport(report.corpus, report.index)
        unticked = 0
        for f in read_ahead(files, limits.MAX_FILE_BYTES):
            _read_file(f, part_manifest, part, part_report)
            unticked += 1
            if unticked == 64:  # progress in batches: one message per file is wasteful
                tick(unticked)
                unticked = 0
        if unticked:
            tick(unticked)
        segment = part._writer.finish_alone()
        return segment, part_manifest.files, part_report, part.added, part.unchanged

    try:
        results = parallel.run_forked(parts, work, parallel.totals(progress, len(to_read)))
    except parallel.WorkerError as exc:
        raise IndexWriteError(f"cannot build the index at {report.index}: {exc} — the previous "
                              "index is unchanged; run `searchkit index` again") from exc
    for segment, files, part_report, added, unchanged in results:
        if segment is not None:
            writer.extra_segments.append(segment)
        manifest.files.update(files)
        changes.added += added
        changes.unchanged += unchanged
        report.skipped += part_report.skipped
        report.warnings += part_report.warnings
        report.files_read += part_report.files_read
        for mine, theirs in ((report.per_format, part_report.per_format),
                             (report.undated, part_report.undated),
                             (report.no_author, part_report.no_author)):
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0) + count


def _read_file(f: CorpusFile, manifest: Manifest, changes: _Changes, report: IndexReport) -> None:
    entry = manifest.files.get(f.relpath)
    if f.size > limits.MAX_FILE_BYTES:
        report.skipped.append(Skipped(
            f.relpath, f"file is {f.size / 2**20:,.0f} MB; the limit is {limits.MAX_FILE_BYTES // 2**20:,} MB"
        ))
        return
    try:
        with open(f.path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        report.skipped.append(Skipped(f.relpath, f"cannot read: {exc.strerror or exc}"))
        return  # anything indexed from it before stays searchable
    digest = file_digest(data)
    if entry is not None and entry.digest == digest:
        manifest.files[f.relpath] = entry._replace(size=f.size, mtime_ns=f.mtime_ns)
        changes.stat_changed = True
        changes.unchanged += len(entry.articles)
        return

    if not data.lstrip(b"\xef\xbb\xbf").strip():
        report.skipped.append(Skipped(f.relpath, "empty file"))
    elif looks_binary(data):
        report.skipped.append(Skipped(f.relpath, "binary data, not text"))
        _remember_unusable(f, digest, manifest, changes)
        return

    parser = reader_for(f.relpath)
    assert parser is not None  # scan_corpus only yields known types
    try:
        articles = _unique_ids(list(parser(data, f.relpath)))
    except ParseError as exc:
        report.skipped.append(Skipped(f.relpath, str(exc)))
        _remember_unusable(f, digest, manifest, changes)
        return
    except Exception as exc:  # a parser bug must not stop the whole run
        report.skipped.append(Skipped(f.relpath, f"{type(exc).__name__}: {exc}"))
        _remember_unusable(f, digest, manifest, changes)
        return

    old = entry.articles if entry is not None else {}
    new: dict[str, str] = {}
    for article in articles:
        article, warning = limits.bound_article(article)
        if warning:
            report.warnings.append(Skipped(article.id, warning))
        a_digest = article_digest(article)
        new[article.id] = a_digest
        if article.id not in old:
            changes.add(article, a_digest, digest)
        elif old[article.id] != a_digest:
            changes.update(article, a_digest, digest)
        else:
            changes.unchanged += 1
        _count(report.per_format, article.format)
        if article.date is None:
            _count(report.undated, article.format)
        if not article.author:
            _count(report.no_author, article.format)
    if articles:
        report.files_read += 1
    changes.delete(i for i in old if i not in new)
    manifest.files[f.relpath] = FileEntry(f.size, f.mtime_ns, digest, new)


def _remember_unusable(f: CorpusFile, digest: str, manifest: Manifest, changes: _Changes) -> None:
    """A file read but not usable (binary, malformed): remember its stat and
    digest, keeping whatever it had indexed before, so that later runs (and
    every `watch` update) do not re-read it and warn again until it changes."""
    entry = manifest.files.get(f.relpath)
    articles = entry.articles if entry is not None else {}
    manifest.files[f.relpath] = FileEntry(f.size, f.mtime_ns, digest, articles)
    changes.stat_changed = True
    changes.unchanged += len(articles)


def _count(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


def _unique_ids(articles: list[Article]) -> list[Article]:
    """Containers can repeat an item id; later copies get `~2`, `~3`…"""
    seen: dict[str, int] = {}
    out = []
    for article in articles:
        n = seen.get(article.id, 0) + 1
        seen[article.id] = n
        if n > 1:
            article = Article(**{**article.__dict__, "id": f"{article.id}~{n}"})
        out.append(article)
    return out


def _document(article: Article, digest: str, file_digest_: str) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": article.id,
        "path": article.path,
        "headline": article.headline,
        "body": article.body,
        "text": compose_text(article.headline, article.body, article.author, article.dateline),
        "format": article.format,
        "digest": digest,
        "file_digest": file_digest_,
    }
    optional: dict[str, object | None] = {
        "author": article.author,
        "date": to_index_date(article.date),
        "dateline": article.dateline,
        "source": article.source,
        "url": article.url,
        "standfirst": article.standfirst,
        "tags": ",".join(article.tags) or None,
    }
    doc.update({k: v for k, v in optional.items() if v is not None})
    doc.update(name_key_values(article.author, article.source, article.dateline))
    fp = fingerprint(article.headline, article.body)
    if fp.bands:
        doc["dupkeys"] = fp.bands
        doc["fingerprint"] = (fp.exact, fp.sketch, fp.numbers, fp.bands)
    return doc


def _open_for_writing(index: Path) -> tuple[whoosh_index.FileIndex, bool]:
    """The index to write to, created if need be; (index, whether created)."""
    try:
        index.mkdir(parents=True, exist_ok=True)
        # An unknown version means the manifest was lost in a crash: the
        # index is ours and must be kept (only the changes are written).
        if index_exists(index) and read_meta(index)[0] in (SCHEMA_VERSION, None):
            # Without mmap: whoosh3 copies every segment part out of the map
            # when it opens one (deleting 10 articles: +0.23 s at 100,000).
            return FileStorage(str(index), supports_mmap=False).open_index(), False
        return whoosh_index.create_in(str(index), build_schema()), True
    except OSError as exc:
        raise IndexWriteError(f"cannot write the index at {index}: {exc.strerror or exc}") from exc


def _writer(ix: whoosh_index.FileIndex, index: Path) -> Any:
    try:
        return NewsWriter(ix, timeout=5.0, delay=0.1, limitmb=WRITER_MEMORY_MB)
    except LockError as exc:
        raise IndexLockedError(
            f"another searchkit process is writing the index at {index} — "
            "wait for it to finish, then run the command again"
        ) from exc
    except OSError as exc:  # the writer creates its files at once
        # The half-built writer holds whoosh's lock until it is freed, and its
        # traceback keeps it alive in a cycle: free it now, so that a process
        # that lives on (tests, `watch`) can write again.
        exc = exc.with_traceback(None)
        gc.collect()
        sweep_leftovers(index)
        raise _unchanged_error(index, exc) from exc


def _unchanged_error(index: Path, exc: OSError) -> IndexWriteError:
    return IndexWriteError(
        f"cannot write the index at {index}: {exc.strerror or exc} — the previous index is unchanged"
    )


def _save(index: Path, manifest: Manifest) -> None:
    try:
        save_manifest(index, manifest)
    except OSError as exc:
        raise IndexWriteError(f"cannot write the index at {index}: {exc.strerror or exc}") from exc
