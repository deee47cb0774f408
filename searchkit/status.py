"""Exit codes, in one place (grep's convention for 0 and 1)."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0  # hits found, command done
    NO_HITS = 1  # the search ran and found nothing; or no such article
    USAGE = 2  # bad option or query syntax
    INDEX_ERROR = 3  # no index, unreadable index, old schema
    CORPUS_ERROR = 4  # no corpus folder
    INDEX_LOCKED = 5  # another process is writing the index
    WRITE_ERROR = 6  # cannot write the index (permissions, disk full)
    INTERRUPTED = 130  # Ctrl-C
