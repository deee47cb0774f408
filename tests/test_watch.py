"""`searchkit watch`: the index follows files dropped into, changed in, renamed
in and deleted from the corpus; a burst is one update; searches answer
throughout. Each test runs with file-system events (when watchdog is
installed) and with polling, on short timings."""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import indexer
from searchkit.cli import main
from searchkit.engine import search
from searchkit.errors import IndexLockedError, SearchkitError
from searchkit.models import IndexReport
from searchkit.status import ExitStatus
from searchkit.watch import watch, watchdog_available

TIMEOUT = 5.0  # generous bound on how long the index may take to follow
DEBOUNCE = 0.15
BURST = 200
MODES = [
    pytest.param(True, id="events", marks=pytest.mark.skipif(
        not watchdog_available(), reason="watchdog is not installed (pip install 'searchkit[watch]')")),
    pytest.param(False, id="polling"),
]


class Watcher:
    """`watch` running in a thread; its reports and errors in queues."""

    def __init__(self, corpus: Path, index: Path, use_watchdog: bool, debounce: float = DEBOUNCE) -> None:
        self.reports: queue.Queue[IndexReport] = queue.Queue()
        self.errors: queue.Queue[SearchkitError] = queue.Queue()
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.failure: BaseException | None = None
        self.methods: list[str] = []

        def run() -> None:
            try:
                watch(
                    corpus, index, on_report=self.reports.put, on_error=self.errors.put,
                    on_ready=self._on_ready, stop_event=self.stop,
                    use_watchdog=use_watchdog, poll_interval=0.05, debounce=debounce, max_delay=2.0,
                )
            except BaseException as exc:  # noqa: BLE001 - surfaced by the test, not lost in the thread
                self.failure = exc
                self.ready.set()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert self.ready.wait(TIMEOUT) and self.failure is None, self.failure
        self.first = self.reports.get_nowait()

    def _on_ready(self, method: str) -> None:
        self.methods.append(method)
        self.ready.set()

    def next_report(self) -> IndexReport:
        return self.reports.get(timeout=TIMEOUT)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive()
        assert self.failure is None, self.failure


@pytest.fixture
def start(corpus: Path, index_dir: Path) -> Iterator[Callable[..., Watcher]]:
    watchers: list[Watcher] = []

    def _start(use_watchdog: bool, debounce: float = DEBOUNCE) -> Watcher:
        watchers.append(Watcher(corpus, index_dir, use_watchdog, debounce))
        return watchers[-1]

    yield _start
    for w in watchers:
        w.close()


def write(path: Path, headline: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{headline}\n\n{body}\n", encoding="utf-8")


def ids(index: Path, query: str) -> list[str]:
    return sorted(hit.id for hit in search(index, query, limit=1000).hits)


def counts(report: IndexReport) -> tuple[int, int, int]:
    return report.added, report.updated, report.removed


@pytest.mark.parametrize("use_watchdog", MODES)
def test_index_follows_new_changed_renamed_deleted(
    start: Callable[..., Watcher], corpus: Path, index_dir: Path, use_watchdog: bool
) -> None:
    write(corpus / "before.txt", "Before", "Already here when the watch began.")
    w = start(use_watchdog)
    assert (w.first.added, w.first.rebuilt) == (1, True)

    write(corpus / "sub" / "a.txt", "Harbour", "The harbour flooded.")
    assert counts(w.next_report()) == (1, 0, 0)
    assert ids(index_dir, "harbour") == ["sub/a.txt"]

    write(corpus / "sub" / "a.txt", "Harbour", "The harbour was drained.")
    assert counts(w.next_report()) == (0, 1, 0)
    assert ids(index_dir, "drained") == ["sub/a.txt"]

    (corpus / "sub" / "a.txt").rename(corpus / "b.txt")
    assert counts(w.next_report()) == (1, 0, 1)
    assert ids(index_dir, "harbour") == ["b.txt"]

    (corpus / "b.txt").unlink()
    assert counts(w.next_report()) == (0, 0, 1)
    assert ids(index_dir, "harbour") == []
    assert ids(index_dir, "already") == ["before.txt"]


@pytest.mark.parametrize("use_watchdog", MODES)
def test_a_burst_is_one_update_and_searches_answer_throughout(
    start: Callable[..., Watcher], corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch, use_watchdog: bool
) -> None:
    calls: list[float] = []
    real = indexer.update_index

    def counting(*args: object, **kwargs: object) -> IndexReport:
        calls.append(time.monotonic())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(indexer, "update_index", counting)
    w = start(use_watchdog, debounce=0.4)
    assert len(calls) == 1  # the first update, on start

    seen: set[int] = set()
    failures: list[BaseException] = []
    searching = threading.Event()

    def searcher() -> None:
        while not searching.is_set():
            try:
                seen.add(len(search(index_dir, "zebra", limit=1000).hits))
                time.sleep(0.01)  # leave the writer and the watcher some of the GIL
            except BaseException as exc:  # noqa: BLE001 - any failure of a search is the finding
                failures.append(exc)
                return

    thread = threading.Thread(target=searcher)
    thread.start()
    try:
        for n in range(BURST):
            write(corpus / f"burst/{n:03}.txt", f"Story {n}", f"Zebra crossing {n}.")
        report = w.next_report()
    finally:
        searching.set()
        thread.join()
    assert counts(report) == (BURST, 0, 0)
    assert len(calls) == 2
    assert not failures
    assert seen <= {0, BURST}  # each search saw one commit or the other, never half of one
    time.sleep(0.3)  # and no second update follows
    assert len(calls) == 2 and w.reports.empty()


def test_a_locked_index_is_tried_again(
    start: Callable[..., Watcher], corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = start(False)
    real = indexer.update_index
    attempts: list[int] = []

    def locked_once(*args: object, **kwargs: object) -> IndexReport:
        attempts.append(1)
        if len(attempts) == 1:
            raise IndexLockedError("another searchkit process is writing the index")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(indexer, "update_index", locked_once)
    write(corpus / "a.txt", "Alpha", "Quokka.")
    assert "another searchkit process" in str(w.errors.get(timeout=TIMEOUT))
    assert counts(w.next_report()) == (1, 0, 0)
    assert ids(index_dir, "quokka") == ["a.txt"]


def test_polls_when_watchdog_is_not_installed(start: Callable[..., Watcher], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "watchdog.observers", None)  # import fails
    assert not watchdog_available()
    w = start(None)
    assert w.methods == ["polling every 0.05 s"]


def test_cli_watch_reports_and_exits_130_on_ctrl_c(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(corpus / "a.txt", "Alpha", "Quokka.")
    scans: list[int] = []

    def ctrl_c_on_second_scan(path: Path) -> dict[str, tuple[int, int]]:
        scans.append(1)
        if len(scans) > 1:
            raise KeyboardInterrupt
        return {}

    monkeypatch.setattr("searchkit.watch._snapshot_or_empty", ctrl_c_on_second_scan)
    result = CliRunner().invoke(main, ["watch", "--poll", "--interval", "0.1"], catch_exceptions=False)
    assert result.exit_code == ExitStatus.INTERRUPTED
    lines = result.stderr.splitlines()
    assert lines[0].endswith(" 1 article indexed in 0.0 s")
    assert lines[1:3] == ["Read: 1 article from 1 file", "  format  articles  no date  no author"]
    assert lines[-2:] == [f"Watching {corpus} (polling every 0.1 s); Ctrl-C to stop.", "searchkit: interrupted"]
    assert result.stdout == ""
