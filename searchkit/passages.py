"""Passage vectors of an index's articles, kept beside it for ranking.

`searchkit index --semantic MODEL` cuts each article into 120-word passages
(60-word stride) and stores each passage's sentence vector (embeddings.py)
in INDEX/semantic/. ranking.py compares a long query's vector with each
candidate's best passage (see its "Meaning" block for what that is worth).

The store is keyed by article digest, not by document number: a chunk
written for an article stays right for as long as any article has that
content, whatever the index does meanwhile, so nothing here has to commit
with whoosh. Chunks are written whole and renamed into place, and a missing
or unreadable chunk only means those articles are encoded again: an
interrupted encoding keeps what it finished.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from searchkit.errors import SearchkitError

# engine.py imports this module for every search: what only encoding needs
# (multiprocessing, uuid, tempfile: ~16 ms, `python -X importtime -c "import
# searchkit.engine"`) is imported where it is used.

PASSAGE_WORDS = 120
PASSAGE_STRIDE = 60
# An article's first 6,000 or so words: TIME's longest has 91 passages, and
# a 50 MB article must not cost hours of encoding (nor its vectors 40 MB).
MAX_PASSAGES = 100
# Passages per chunk file: ~0.8 MB of float16 vectors, about a minute of work.
CHUNK_PASSAGES = 1024
# Vectors of articles gone from the index are dropped once they are more
# than a quarter of the store (and more than this many).
COMPACT_MIN = 100
STORE_DIR = "semantic"
# A chunk is two files: its vectors (read mapped, never whole) and then,
# renamed into place last, the digests and row bounds that make it count.
# Named at random: workers encoding at once must not pick the same name.
_CHUNK = re.compile(r"chunk-(\w+)\.keys\.npz$")


class SemanticUnavailableError(SearchkitError):
    """Semantic ranking was asked for but cannot be had."""


def numpy_or_error() -> Any:
    try:
        import numpy
    except ImportError:
        raise SemanticUnavailableError(
            "semantic ranking needs numpy: pip install 'searchkit[semantic]'") from None
    return numpy


def cut(headline: str, body: str) -> list[str]:
    """An article's passages: its headline alone, then the body's 120 words
    every 60 words. The headline stays out of the body's first passage:
    there TIME's placeholder headlines ("TIME 017") cost 0.771 / 0.823 →
    0.750 / 0.803 MAP / nDCG@10; on its own it changes nothing there."""
    words = body[:MAX_PASSAGES * PASSAGE_STRIDE * 50].split()[:MAX_PASSAGES * PASSAGE_STRIDE + PASSAGE_WORDS]
    starts = range(0, max(1, len(words) - PASSAGE_STRIDE), PASSAGE_STRIDE)
    windows = [" ".join(words[s:s + PASSAGE_WORDS]) for s in starts]
    head = headline.strip()[:1000]
    return ([head, *windows] if head else windows)[:MAX_PASSAGES]


class ModelRecord(NamedTuple):
    folder: str
    fingerprint: str  # changes when the model's files do: the vectors are then stale


def model_fingerprint(folder: Path) -> str:
    parts = []
    for name in ("config.json", "vocab.txt", "model.safetensors"):
        st = (folder / name).stat()
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return ";".join(parts)


class PassageStore:
    """INDEX/semantic: the model it was made with and its chunks of vectors."""

    def __init__(self, index: Path) -> None:
        self.dir = Path(index) / STORE_DIR

    def model(self) -> ModelRecord | None:
        try:
            data = json.loads((self.dir / "model.json").read_text(encoding="utf-8"))
            return ModelRecord(str(data["folder"]), str(data["fingerprint"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def set_model(self, record: ModelRecord) -> None:
        """Record the model; the chunks of any other model are dropped."""
        old = self.model()
        self.dir.mkdir(parents=True, exist_ok=True)
        if old != record:
            for path in self._chunks():
                path.unlink(missing_ok=True)
            self.sweep()
        data = json.dumps(record._asdict()).encode("utf-8")
        _write_atomically(self.dir / "model.json", lambda f: f.write(data))

    def drop(self) -> None:
        for path in [*self._chunks(), self.dir / "model.json"]:
            path.unlink(missing_ok=True)
        self.sweep()

    def _chunks(self) -> list[Path]:
        if not self.dir.is_dir():
            return []
        return sorted(p for p in self.dir.iterdir() if _CHUNK.match(p.name))

    def sweep(self) -> None:
        """Remove what an interrupted encoding left (call with the write lock)."""
        if not self.dir.is_dir():
            return
        keyed = {p.name.replace(".keys.npz", "") for p in self._chunks()}
        for path in self.dir.iterdir():
            unkeyed = path.name.endswith(".vectors.npy") and path.name.replace(".vectors.npy", "") not in keyed
            if path.name.startswith(".") or unkeyed:
                path.unlink(missing_ok=True)

    def load(self) -> StoredVectors:
        """Every chunk's vectors, by digest (unreadable chunks skipped)."""
        np = numpy_or_error()
        rows: dict[str, tuple[int, int, int]] = {}
        arrays: list[Any] = []
        for path in self._chunks():
            try:
                with np.load(path, allow_pickle=False) as data:
                    digests, starts = data["digests"], data["starts"]
                vectors = np.load(_vectors_path(path), mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError, KeyError):
                continue
            if vectors.ndim != 2 or len(starts) != len(digests) + 1 or starts[-1] > len(vectors):
                continue
            k = len(arrays)
            arrays.append(vectors)
            bounds = starts.tolist()
            for digest, start, end in zip(digests.tolist(), bounds, bounds[1:]):
                rows[digest] = (k, start, end)
        return StoredVectors(rows, arrays)

    def compacted(self, live: set[str]) -> set[str]:
        """The digests with vectors, after rewriting the chunks without the
        articles no longer in the index once those are over a quarter of
        them (their vectors are never wrong, only unused)."""
        stored = self.load()
        dead = stored.rows.keys() - live
        if len(dead) <= max(COMPACT_MIN, len(stored.rows) // 4):
            return set(stored.rows)
        old = self._chunks()
        kept = [d for d in stored.rows if d in live]
        for start in range(0, len(kept), CHUNK_PASSAGES):
            digests = kept[start:start + CHUNK_PASSAGES]  # 1,024 articles to a rewritten chunk
            self.add(digests, [stored.arrays[k][a:b] for k, a, b in (stored.rows[d] for d in digests)])
        # The new chunks are complete before the old go: a crash between
        # leaves a digest twice, which loads as once.
        for path in old:
            path.unlink(missing_ok=True)
        self.sweep()
        return set(kept)

    def add(self, digests: list[str], passages: list[list[Any]]) -> None:
        """One chunk: each digest's passage vectors (rows of one array each)."""
        np = numpy_or_error()
        starts = np.cumsum([0] + [len(p) for p in passages]).astype(np.int64)
        vectors = np.concatenate(passages).astype(np.float16)
        import uuid

        keys = self.dir / f"chunk-{uuid.uuid4().hex}.keys.npz"
        _write_atomically(_vectors_path(keys), lambda f: np.save(f, vectors, allow_pickle=False))
        _write_atomically(keys, lambda f: np.savez(f, digests=np.array(digests, dtype="U32"), starts=starts))


def _vectors_path(keys: Path) -> Path:
    return keys.with_name(keys.name.replace(".keys.npz", ".vectors.npy"))


class StoredVectors(NamedTuple):
    rows: dict[str, tuple[int, int, int]]  # digest -> (array, first row, end row)
    arrays: list[Any]

    def best_cosines(self, query: Any, digests: Iterable[str]) -> dict[str, float]:
        """Each known digest's best passage's cosine with the unit `query`."""
        query = query.astype(self.arrays[0].dtype) if self.arrays else query
        out = {}
        for digest in digests:
            row = self.rows.get(digest)
            if row is not None:
                k, start, end = row
                out[digest] = float((self.arrays[k][start:end] @ query).max())
        return out


Progress = Callable[[int, int], None]


def encode_missing(store: PassageStore, encoder: Any, articles: Iterable[tuple[str, str, str]],
                   progress: Progress | None = None) -> int:
    """Encode the (digest, headline, body) articles the store lacks; how many
    were encoded. A chunk is written every CHUNK_PASSAGES passages, by one
    worker per core where there are several chunks to write."""
    known = store.load().rows
    todo: dict[str, list[str]] = {}
    for digest, headline, body in articles:
        if digest not in known and digest not in todo:
            todo[digest] = cut(headline, body)
    import importlib.util

    from searchkit import parallel

    batches = list(_batches(todo.items()))
    tick = parallel.totals(progress, len(todo))
    workers = min(parallel.cores(), len(batches))
    if workers > 1 and parallel.available() and importlib.util.find_spec("threadpoolctl") is not None:
        def work(part: list[tuple[list[str], list[list[str]]]], tick: parallel.Tick) -> None:
            from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

            # Two workers of two BLAS threads each on two cores encode 0.6
            # passages a second between them; of one thread each, 23 (one
            # process of two threads alone, 13).
            with threadpool_limits(limits=1):
                for digests, texts in part:
                    _encode_batch(store, encoder, digests, texts)
                    tick(len(digests))

        try:
            parallel.run_forked([batches[i::workers] for i in range(workers)], work, tick)
        except parallel.WorkerError as exc:
            raise SemanticUnavailableError(f"encoding failed: {exc} — the passages finished so far are "
                                           "kept; run `searchkit index` again to go on") from exc
    else:
        for digests, texts in batches:
            _encode_batch(store, encoder, digests, texts)
            tick(len(digests))
    return len(todo)


def _encode_batch(store: PassageStore, encoder: Any, digests: list[str], texts: list[list[str]]) -> None:
    flat = [t for passages in texts for t in passages]
    vectors = encoder.encode(flat)
    parts, at = [], 0
    for passages in texts:
        parts.append(vectors[at:at + len(passages)])
        at += len(passages)
    store.add(digests, parts)


def _batches(items: Iterable[tuple[str, list[str]]]) -> Iterator[tuple[list[str], list[list[str]]]]:
    digests: list[str] = []
    texts: list[list[str]] = []
    size = 0
    for digest, passages in items:
        digests.append(digest)
        texts.append(passages)
        size += len(passages)
        if size >= CHUNK_PASSAGES:
            yield digests, texts
            digests, texts, size = [], [], 0
    if digests:
        yield digests, texts


def _write_atomically(path: Path, write: Callable[[Any], object]) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- For the indexer and the CLI ----------------------------------------------

def enable(index: Path, folder: Path) -> ModelRecord:
    """Record `folder`'s model for the index (checked by loading it); the
    vectors of another model are dropped. Call update() to encode."""
    folder = Path(folder).expanduser().absolute()
    load_encoder(folder)
    try:
        record = ModelRecord(str(folder), model_fingerprint(folder))
    except OSError as exc:
        raise SemanticUnavailableError(f"cannot read the model in {folder}: {exc.strerror or exc}") from exc
    store = PassageStore(index)
    with _store_lock(store), _writing(store):
        store.set_model(record)
    return record


def disable(index: Path) -> None:
    store = PassageStore(index)
    if store.dir.is_dir():
        with _store_lock(store):
            store.drop()


@contextmanager
def _writing(store: PassageStore) -> Iterator[None]:
    """A full disk or a read-only folder, said in one line: the words index is
    already written, and the chunks finished so far are kept."""
    try:
        yield
    except OSError as exc:
        from searchkit.errors import IndexWriteError

        raise IndexWriteError(f"cannot write the passage vectors in {store.dir}: {exc.strerror or exc} — "
                              "the index is searchable by words; run `searchkit index` again to go on") from exc


def _store_lock(store: PassageStore, **lock: Any) -> Any:
    """The store's own lock (see update)."""
    from searchkit.locking import write_lock

    return write_lock(store.dir, **lock)


def load_encoder(folder: Path) -> Any:
    numpy_or_error()
    from searchkit.embeddings import Encoder, ModelError

    if not folder.is_dir():
        raise SemanticUnavailableError(f"no model folder at {folder}")
    try:
        return Encoder(folder)
    except ModelError as exc:
        raise SemanticUnavailableError(str(exc)) from exc


def update(index: Path, progress: Progress | None = None, **lock: Any) -> int:
    """Encode the index's articles that have no vectors yet (none if no model
    is recorded); how many were encoded. Holds the store's own lock, not the
    index's: an encoding can take hours, and `searchkit index` must not wait
    for it (the store is keyed by content, so the index may change meanwhile)."""
    from searchkit.engine import open_index
    from searchkit.manifest import load_manifest

    store = PassageStore(index)
    record = store.model()
    if record is None:
        return 0
    with _store_lock(store, **lock), _writing(store):
        store.sweep()
        folder = Path(record.folder)
        try:
            fingerprint = model_fingerprint(folder)
        except OSError:
            raise SemanticUnavailableError(
                f"the model the index's passages were encoded with is gone from {folder} — "
                "give it again with `searchkit index --semantic DIR`, or drop it with --no-semantic"
            ) from None
        encoder = load_encoder(folder)
        if fingerprint != record.fingerprint:  # the model's files changed: its vectors would not compare
            store.set_model(ModelRecord(record.folder, fingerprint))
        manifest = load_manifest(index)
        if manifest is None:
            return 0
        live = {article_id: digest for path in manifest.files
                for article_id, digest in manifest.files.get(path).articles.items()}  # type: ignore[union-attr]
        known = store.compacted(set(live.values()))
        missing = {article_id: digest for article_id, digest in live.items() if digest not in known}
        if not missing:
            return 0
        with open_index(index).searcher() as searcher:
            def articles() -> Iterator[tuple[str, str, str]]:
                for article_id, digest in missing.items():
                    docnum = searcher.document_number(id=article_id)
                    if docnum is not None:
                        fields = searcher.stored_fields(docnum)
                        yield digest, fields.get("headline") or "", fields.get("body") or ""
            return encode_missing(store, encoder, articles(), progress)


# --- For ranking ----------------------------------------------------------------

class Meaning:
    """A query's cosine with articles' passages, where the index has them."""

    def __init__(self, index: Path, query: str, model: ModelRecord) -> None:
        self.index = Path(index)
        self.query = query
        self.model = model
        self._vectors: StoredVectors | None = None
        self._query_vector: Any = None
        self.problem: str | None = None  # why the vectors could not be used, for the user

    @classmethod
    def of(cls, index: Path, query: str) -> Meaning | None:
        """None unless the index has passage vectors and numpy is installed
        (not imported here: most queries are too short to need it)."""
        import importlib.util

        model = PassageStore(index).model()
        if model is None or importlib.util.find_spec("numpy") is None:
            return None
        return cls(index, query, model)

    def cosines(self, digests: list[str]) -> dict[str, float] | None:
        """Best-passage cosines of the digests that have vectors; None if the
        model cannot be loaded (ranking then goes on without it)."""
        if self._query_vector is None:
            try:
                encoder = _cached_encoder(Path(self.model.folder))
            except SemanticUnavailableError as exc:
                self.problem = (f"ranked by words alone: {exc} — give the model again with "
                                "`searchkit index --semantic DIR`, or drop it with --no-semantic")
                return None
            self._query_vector = encoder.encode([self.query])[0]
            self._vectors = _cached_vectors(PassageStore(self.index))
        assert self._vectors is not None
        return self._vectors.best_cosines(self._query_vector, digests)


_encoders: dict[str, Any] = {}
_stores: dict[str, tuple[tuple[str, ...], StoredVectors]] = {}


def _cached_encoder(folder: Path) -> Any:
    """A process that searches again (a Python caller, the benchmarks) loads
    the model once."""
    key = str(folder)
    if key not in _encoders:
        _encoders[key] = load_encoder(folder)
    return _encoders[key]


def _cached_vectors(store: PassageStore) -> StoredVectors:
    names = tuple(p.name for p in store._chunks())
    kept = _stores.get(str(store.dir))
    if kept is None or kept[0] != names:
        kept = _stores[str(store.dir)] = (names, store.load())
    return kept[1]
