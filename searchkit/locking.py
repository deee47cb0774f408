"""One writer at a time: an OS-level lock on `index/searchkit.lock`.

The lock is `flock` on a file holding the writer's pid. The kernel drops it
when the process exits, however it exits (kill -9 included), so a crashed
writer never leaves the index locked: the file may stay behind, but nobody
holds it, and the next writer takes it at once. Readers never take it.

On platforms without `fcntl` the lock is a no-op and whoosh's own write lock
is the only guard.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from searchkit.errors import IndexLockedError, IndexWriteError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "searchkit.lock"
_TEMP_TOC = re.compile(r"^_\w+_\d+\.toc\..+$")
DEFAULT_TIMEOUT = 10.0

# on_wait(pid): called once when the lock is busy, before waiting; pid of the
# holder if known.
OnWait = Callable[[int | None], None]


def holder_pid(index: Path) -> int | None:
    """The pid written by the current (or last) holder of the lock, if any."""
    try:
        text = (Path(index) / LOCK_NAME).read_text(encoding="ascii").strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise


@contextmanager
def write_lock(
    index: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    on_wait: OnWait | None = None,
    poll: float = 0.1,
) -> Iterator[None]:
    """Hold the index's writer lock for the body of the `with`.

    Waits up to `timeout` seconds for another writer, calling `on_wait` once
    first; then raises IndexLockedError naming the holder's pid.
    """
    index = Path(index)
    try:
        index.mkdir(parents=True, exist_ok=True)
        fd = os.open(index / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise IndexWriteError(
            f"cannot write the index at {index}: {exc.strerror or exc} — "
            "check the folder's permissions and free space, or use another --index"
        ) from exc
    try:
        if fcntl is not None and not _try_lock(fd):
            pid = holder_pid(index)
            if on_wait is not None:
                on_wait(pid)
            deadline = time.monotonic() + timeout
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    who = f"process {pid}" if pid else "another searchkit process"
                    raise IndexLockedError(
                        f"the index at {index} is being written by {who} — "
                        "wait for it to finish, then run the command again"
                    )
                time.sleep(poll)
        try:
            pid_line = f"{os.getpid()}\n".encode("ascii")
            if os.pread(fd, 64, 0) != pid_line:  # leave the file alone if it already says so
                os.ftruncate(fd, 0)
                os.pwrite(fd, pid_line, 0)
        except OSError:
            pass  # the pid is only for the message; the flock is the lock
        yield
    finally:
        os.close(fd)  # releases the flock


def sweep_leftovers(index: Path) -> list[str]:
    """Remove what a killed or cancelled writer left behind; return the names.

    Call with the write lock held. Removes whoosh segment files that the
    current table of contents does not use, whoosh's temp folder, and our
    own temporary manifest files. Best effort: an error leaves a file for
    the next run.
    """
    from whoosh import index as whoosh_index

    index = Path(index)
    removed: list[str] = []
    if not index.is_dir():
        return removed
    for path in index.iterdir():
        name = path.name
        if name.startswith(".searchkit.json.") and name.endswith(".tmp") or _TEMP_TOC.match(name) or name.endswith(".tmp") and path.is_dir():
            removed += _remove(path)
    if not whoosh_index.exists_in(str(index)):
        return removed
    try:
        ix = whoosh_index.open_dir(str(index))
        toc = ix._read_toc()
        before = set(os.listdir(index))
        whoosh_index.clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)
        removed += sorted(before - set(os.listdir(index)))
    except Exception:  # noqa: BLE001, S110 - best effort; an unreadable index is reported by whoever opens it next
        pass
    return removed


def _remove(path: Path) -> list[str]:
    try:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        return [path.name]
    except OSError:
        return []
