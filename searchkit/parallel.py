"""Run parts of one job in forked worker processes, with progress and a clean stop.

Used by the indexer to read, analyse and write a large build on every core:
each worker writes a segment of its own. Forked workers die with their parent
(a killed `searchkit index` leaves no worker behind) and ignore Ctrl-C,
which the parent handles by stopping them. Only where `fork` exists (Linux,
BSD); elsewhere `available()` is False and the caller works alone.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from searchkit.errors import SearchkitError

T = TypeVar("T")
R = TypeVar("R")

# tick(n): n more units of a worker's part are done.
Tick = Callable[[int], None]


def totals(progress: Callable[[int, int], None] | None, total: int) -> Tick:
    """A Tick that adds up the workers' ticks and reports progress(done, total)."""
    done = 0

    def tick(k: int) -> None:
        nonlocal done
        done += k
        if progress:
            progress(done, total)

    return tick


class WorkerError(SearchkitError):
    """A worker failed with an error that could not be sent back as it was."""


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def available() -> bool:
    """Whether work can be split: `fork` exists, there is more than one core,
    and this process runs one thread (a fork copies only the calling thread,
    so a lock another thread holds, in `searchkit watch` say, would stay
    locked in the worker for ever)."""
    return ("fork" in multiprocessing.get_all_start_methods() and cores() > 1
            and threading.active_count() == 1)


def run_forked(parts: Sequence[T], work: Callable[[T, Tick], R],
               tick: Tick | None = None) -> list[R]:
    """`work(part, tick)` for each part, each in its own forked process;
    their results in the order of `parts`. The first error a worker raises is
    raised here (the others are stopped); so is Ctrl-C, after stopping them."""
    context = multiprocessing.get_context("fork")
    parent = os.getpid()
    workers: list[tuple[Any, Connection]] = []
    # The objects made so far are left out of garbage collection until the
    # workers are done: a worker's collections would otherwise write to each
    # of them, copying its parent's pages (200,000 articles, `bench/speed.py
    # --articles 200000 --engines searchkit --incremental-runs 0`: peak
    # memory 468.6 and 475.0 MB without, 459.4 MB with).
    gc.freeze()
    try:
        for part in parts:
            ours, theirs = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(work, part, theirs, parent), daemon=True)
            process.start()
            theirs.close()
            workers.append((process, ours))
        return _collect([conn for _, conn in workers], tick)
    finally:
        gc.unfreeze()
        for process, conn in workers:
            if process.is_alive():
                process.kill()
            process.join()
            conn.close()


def _collect(conns: list[Connection], tick: Tick | None) -> list[Any]:
    results: dict[int, Any] = {}
    pending = {conn: i for i, conn in enumerate(conns)}
    while pending:
        for conn in wait(list(pending)):
            assert isinstance(conn, Connection)
            try:
                kind, value = conn.recv()
            except EOFError:
                raise WorkerError("a worker process died (killed, or out of memory?)") from None
            if kind == "tick":
                if tick:
                    tick(value)
            elif kind == "done":
                results[pending.pop(conn)] = value
            else:
                raise value
    return [results[i] for i in range(len(conns))]


def _child(work: Callable[[Any, Tick], Any], part: Any, conn: Connection, parent: int) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    code = 0
    try:
        conn.send(("done", work(part, lambda n: conn.send(("tick", n)))))
    except BaseException as exc:  # everything goes back to the parent
        code = 1
        try:
            conn.send(("error", exc))
        except Exception:
            conn.send(("error", WorkerError(f"{type(exc).__name__}: {exc}")))
    finally:
        sys.stdout.flush()
        # Not sys.exit: the parent's open files, inherited, must not be
        # flushed or closed a second time from here.
        os._exit(code)


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before we asked
        os._exit(1)
