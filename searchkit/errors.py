"""Domain errors. The CLI maps each to a message and an exit code.

Every message names the next step the user can take.
"""

from __future__ import annotations


class SearchkitError(Exception):
    """Base class for every error searchkit raises on purpose."""


class QuerySyntaxError(SearchkitError):
    """The query text cannot be understood."""


class IndexMissingError(SearchkitError):
    """No index exists where one was expected."""


class IndexCorruptError(SearchkitError):
    """The index exists but cannot be read."""


class IndexVersionError(SearchkitError):
    """The index was written by an incompatible schema version."""


class IndexLockedError(SearchkitError):
    """Another process is writing the index."""


class IndexWriteError(SearchkitError):
    """The index cannot be written (permissions, full disk)."""


class CorpusMissingError(SearchkitError):
    """The corpus folder does not exist or is not a folder."""


class CorpusChangedError(SearchkitError):
    """The index was built from another corpus folder than the one given."""


class ArticleNotFoundError(SearchkitError):
    """No article with the requested id is in the index."""


class ParseError(SearchkitError):
    """An article file cannot be read; the indexer skips it with a warning."""
