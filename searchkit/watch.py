"""Keep an index current while articles are dropped into the corpus.

Changes are noticed by file-system events (the optional `watchdog` package)
or, without it, by a cheap stat scan every few seconds. They are debounced:
an update runs once the corpus has been quiet for `debounce` seconds, or
`max_delay` seconds after the first change of a burst if it never goes quiet,
so copying 500 files in is one `update_index` run and one commit. Each update
is an ordinary incremental run; searches keep answering from the last commit
while it writes.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from searchkit import indexer, passages
from searchkit.corpus import scan_corpus
from searchkit.errors import IndexLockedError, IndexWriteError, SearchkitError
from searchkit.formats import is_article_file
from searchkit.models import IndexReport

OnReport = Callable[[IndexReport], None]
OnError = Callable[[SearchkitError], None]
# on_ready(method): called once the first update is done and changes are
# being watched; method is "file-system events" or "polling every N s".
OnReady = Callable[[str], None]

DEBOUNCE = 1.0
MAX_DELAY = 5.0
POLL_INTERVAL = 2.0
TICK = 0.05  # how often the event-driven loop checks its deadline and the stop event
# Errors that pass (another writer, a full disk): the update is tried again later.
_RETRYABLE = (IndexLockedError, IndexWriteError)


def watchdog_available() -> bool:
    try:
        import watchdog.observers  # noqa: F401
    except ImportError:
        return False
    return True


class _Pending:
    """When the current burst of changes began and when it was last added to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.first: float | None = None
        self.last = 0.0

    def mark(self) -> None:
        with self._lock:
            now = time.monotonic()
            if self.first is None:
                self.first = now
            self.last = now

    def due(self, debounce: float, max_delay: float) -> bool:
        with self._lock:
            if self.first is None:
                return False
            now = time.monotonic()
            return now - self.last >= debounce or now - self.first >= max_delay

    def take(self) -> None:
        """Start a new burst: changes from now on need another update."""
        with self._lock:
            self.first = None


def _snapshot(corpus: Path) -> dict[str, tuple[int, int]]:
    return {f.relpath: (f.size, f.mtime_ns) for f in scan_corpus(corpus)}


def _start_observer(corpus: Path, index: Path, pending: _Pending) -> Any:
    """A started watchdog observer that marks `pending` on relevant events."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    corpus_s, index_s = str(corpus), str(index)

    def relevant(path: str | bytes, is_dir: bool) -> bool:
        path = os.fsdecode(path)
        if path == index_s or path.startswith(index_s + os.sep):
            return False  # the index's own files, should it live inside the corpus
        rel = os.path.relpath(path, corpus_s)
        if any(part.startswith(".") for part in Path(rel).parts):
            return False  # hidden, as scan_corpus skips them (editor swap files, partial downloads)
        return is_dir or is_article_file(path)

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            paths = [event.src_path] + ([event.dest_path] if getattr(event, "dest_path", "") else [])
            if any(relevant(p, event.is_directory) for p in paths):
                pending.mark()

    observer = Observer()
    observer.daemon = True
    observer.schedule(Handler(), corpus_s, recursive=True)
    observer.start()
    return observer


def watch(
    corpus: Path,
    index: Path,
    *,
    on_report: OnReport | None = None,
    on_error: OnError | None = None,
    on_ready: OnReady | None = None,
    stop_event: threading.Event | None = None,
    use_watchdog: bool | None = None,
    poll_interval: float = POLL_INTERVAL,
    debounce: float = DEBOUNCE,
    max_delay: float = MAX_DELAY,
) -> None:
    """Update the index now, then after every burst of changes, until `stop_event` is set.

    `use_watchdog=None` uses file-system events when `watchdog` is installed
    and they can be set up, else polling every `poll_interval` seconds.
    Each update's report goes to `on_report`. A locked index or a failed
    write goes to `on_error` and is tried again after the next quiet spell;
    other errors (e.g. the corpus folder disappeared) end the watch.
    """
    corpus, index = Path(corpus).absolute(), Path(index).absolute()
    stop = stop_event or threading.Event()
    pending = _Pending()
    observer = None
    if use_watchdog is None:
        use_watchdog = watchdog_available()
    if use_watchdog and corpus.is_dir():
        try:
            observer = _start_observer(corpus, index, pending)
        except OSError as exc:  # e.g. the inotify watch limit; polling still works
            if on_error:
                on_error(SearchkitError(
                    f"cannot watch {corpus} for events ({exc.strerror or exc}) — polling instead"
                ))
    snapshot = {} if observer else _snapshot_or_empty(corpus)
    try:
        # Watching starts before this first update, so nothing dropped in
        # meanwhile is missed (at worst it is read twice).
        _update(corpus, index, pending, on_report, on_error)
        if on_ready:
            on_ready("file-system events" if observer else f"polling every {poll_interval:g} s")
        while not stop.is_set():
            if observer is not None:
                stop.wait(TICK)
            else:
                # while a burst is pending, scan often enough to see it end
                stop.wait(poll_interval if pending.first is None else max(min(poll_interval, debounce), 0.01))
                current = _snapshot_or_empty(corpus)
                if current != snapshot:
                    snapshot = current
                    pending.mark()
            if not stop.is_set() and pending.due(debounce, max_delay):
                _update(corpus, index, pending, on_report, on_error)
    finally:
        if observer is not None:
            observer.stop()
            observer.join(timeout=2)


def _snapshot_or_empty(corpus: Path) -> dict[str, tuple[int, int]]:
    # A missing corpus scans as empty here; update_index says what is wrong.
    return _snapshot(corpus) if corpus.is_dir() else {}


def _update(
    corpus: Path, index: Path, pending: _Pending, on_report: OnReport | None, on_error: OnError | None
) -> None:
    pending.take()
    try:
        report = indexer.update_index(corpus, index)
    except _RETRYABLE as exc:
        pending.mark()  # try again once things are quiet
        if on_error is None:
            raise
        on_error(exc)
        return
    if on_report:
        on_report(report)
    try:  # new (or not yet encoded) articles' passage vectors, where the index keeps them
        passages.update(index, timeout=0)
    except IndexLockedError:
        pass  # another process is encoding: a later update encodes what it did not
    except SearchkitError as exc:  # searches go on without them
        if on_error is None:
            raise
        on_error(exc)
