"""Finding article files in a corpus folder: one `stat` each, nothing read;
and asking the kernel to fetch them before they are read."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from searchkit.formats import FORMAT_MODULES


class CorpusFile(NamedTuple):  # a tuple: 100,000 of them are made per reindex
    relpath: str  # POSIX-style path relative to the corpus root: the stable id
    path: str  # where to open it
    size: int
    mtime_ns: int


def scan_corpus(root: Path, warn: list[tuple[str, str]] | None = None) -> Iterator[CorpusFile]:
    """Every article file under `root`, in a stable order.

    Hidden files and folders are skipped. Symlinks are followed only when
    they resolve inside the corpus, so a link loop or a link to elsewhere on
    disk cannot pull in unrelated files; each such link is reported in `warn`.

    Plain string work per file (no pathlib): a no-change reindex of 100,000
    articles is mostly this loop.
    """
    root_real = os.path.realpath(root)
    warnings = warn if warn is not None else []
    seen_dirs: set[str] = set()
    stack = [(str(root), "")]  # (folder, its path relative to root with a trailing "/")
    while stack:
        folder, prefix = stack.pop()
        real = os.path.realpath(folder)
        if real in seen_dirs:
            if os.path.islink(folder):
                warnings.append((_rel(root, folder), "symlink to a folder already scanned (a loop?); not followed"))
            continue
        seen_dirs.add(real)
        try:
            listed = _Listing(folder)
        except OSError as exc:
            warnings.append((_rel(root, folder), f"cannot list folder: {exc.strerror or exc}"))
            continue
        subdirs = []
        inside = folder + os.sep
        with listed as entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                path = inside + name
                try:
                    if entry.is_symlink() and (problem := _link_problem(path, root_real)):
                        warnings.append((_rel(root, path), problem))
                        continue
                    if entry.is_dir():
                        subdirs.append((path, f"{prefix}{name}/"))
                        continue
                    dot = name.rfind(".")
                    if dot <= 0 or name[dot:].lower() not in FORMAT_MODULES or not entry.is_file():
                        continue
                    st = entry.stat()
                except OSError as exc:
                    warnings.append((_rel(root, path), f"cannot stat: {exc.strerror or exc}"))
                    continue
                yield CorpusFile(prefix + name, path, st.st_size, st.st_mtime_ns)
        stack.extend(reversed(subdirs))


def _link_problem(path: str, root_real: str) -> str | None:
    """Why the symlink at `path` is not followed; None if it is."""
    if not _inside(os.path.realpath(path), root_real):
        return "symlink points outside the corpus; not followed"
    if not os.path.exists(path):
        return "broken symlink or symlink loop; not followed"
    return None


class _Listing:
    """A folder's entries sorted by name, listed through an open descriptor
    of the folder where the platform can: each entry's stat is then an
    fstatat relative to it, not a walk of the whole path again (kernel time,
    which callgrind does not count). `python bench/alternate.py --base
    594d3ca~1 index`, 6 and then 8 rounds: with nothing changed, median
    822.8 / 846.5 -> 785.7 / 786.8 ms; with 10 new articles 1,061.3 / 1,067.9
    -> 977.8 / 1,088.6 ms (within the noise)."""

    def __init__(self, folder: str) -> None:
        self.fd: int | None = None
        if _SCAN_BY_FD:
            self.fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            with os.scandir(folder if self.fd is None else self.fd) as it:
                self.entries = sorted(it, key=_NAME)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> list[os.DirEntry[str]]:
        return self.entries

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


_SCAN_BY_FD = os.scandir in os.supports_fd


# How many files before it is read the kernel is asked for a file.
READ_AHEAD_FILES = 32


def read_ahead(files: Sequence[CorpusFile], max_bytes: int) -> Iterator[CorpusFile]:
    """`files` in order, each asked of the kernel READ_AHEAD_FILES files
    before it is yielded (posix_fadvise WILLNEED; files over `max_bytes`
    are not). A corpus that is not in the page cache is then read from disk
    while the files before are analysed, instead of each read waiting:
    after `sync; echo 1 > /proc/sys/vm/drop_caches`, `python
    bench/build_cost.py --articles 10000` took 13.64 s wall for 12.35 s CPU
    without it, 12.44 s for 12.42 s with it."""
    if not hasattr(os, "posix_fadvise"):  # macOS, Windows
        yield from files
        return
    for ahead in files[: READ_AHEAD_FILES - 1]:
        _will_need(ahead, max_bytes)
    for i, f in enumerate(files):
        if i + READ_AHEAD_FILES - 1 < len(files):
            _will_need(files[i + READ_AHEAD_FILES - 1], max_bytes)
        yield f


def _will_need(f: CorpusFile, max_bytes: int) -> None:
    if f.size > max_bytes:
        return
    try:
        fd = os.open(f.path, os.O_RDONLY)
    except OSError:
        return  # reading it will say why
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass
    finally:
        os.close(fd)


_NAME = attrgetter("name")


def _rel(root: Path, path: str) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
