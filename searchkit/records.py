"""The dataclasses a plain search does not create: articles as read from
the corpus, explanations, facets and timelines, indexing reports and stats.

Imported through models.py (`from searchkit.models import Article` works),
which loads this module on first use. Stdlib only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Article:
    """One news article as read from the corpus, before indexing.

    `id` is stable across runs: the path relative to the corpus root for a
    one-article file, `path#n` (or the item's own guid) inside a container.
    `date` is timezone-aware UTC or None; it is never invented.
    """

    id: str
    path: str
    headline: str
    body: str
    author: str | None = None
    date: datetime | None = None
    dateline: str | None = None
    source: str | None = None
    url: str | None = None
    standfirst: str | None = None
    tags: tuple[str, ...] = ()
    format: str = "text"


@dataclass(frozen=True)
class TermScore:
    """What one query term adds to a hit's score (BM25, as ranking.py scores)."""

    field: str
    term: str  # as indexed (stemmed)
    tf: float  # occurrences in the field (headline words count HEADLINE_WEIGHT times)
    idf: float
    score: float  # its share of the hit's score (boost included)


@dataclass(frozen=True)
class Explanation:
    """A hit's score broken down into its terms' contributions, largest first."""

    score: float  # the hit's score
    terms: tuple[TermScore, ...]
    # what the term rows do not cover: the proximity bonus, or a score
    # from a query part that is not a plain term (phrases, ranges)
    other: float = 0.0


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class Facet:
    """The commonest values of one field among all matches of a query."""

    name: str  # one of FACET_FIELDS
    counts: tuple[FacetCount, ...]  # most frequent first
    other: int = 0  # matches whose value is not among `counts`
    missing: int = 0  # matches without a value


@dataclass(frozen=True)
class TimelineBucket:
    label: str  # "1987", "1987-03" or "1987-03-02", by the timeline's unit
    count: int


@dataclass(frozen=True)
class Timeline:
    """Matching articles per day, month or year, every bucket in the span."""

    unit: str  # "day", "month" or "year"
    buckets: tuple[TimelineBucket, ...]
    undated: int = 0  # matches without a date (not in any bucket)


@dataclass(frozen=True)
class Skipped:
    """A file (or an item inside one) that could not be indexed, and why."""

    path: str
    reason: str


@dataclass
class IndexReport:
    """What one indexing run did. Counts are articles, not files."""

    corpus: str
    index: str
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    # indexed, but not all of it (e.g. a 50 MB one-line file): path and why
    warnings: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    rebuilt: bool = False
    wrote: bool = False
    # Over the articles read this run (every article on a first build or
    # --rebuild; only those in new or changed files otherwise), by format.
    per_format: dict[str, int] = field(default_factory=dict)
    undated: dict[str, int] = field(default_factory=dict)
    no_author: dict[str, int] = field(default_factory=dict)
    files_read: int = 0  # files parsed this run that held at least one article

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.removed


@dataclass(frozen=True)
class IndexStats:
    """Counts describing an index, for `searchkit stats`."""

    index: str
    corpus: str | None
    articles: int
    files: int
    authors: int
    first_date: datetime | None
    last_date: datetime | None
    undated: int
    size_bytes: int
    per_format: dict[str, int] = field(default_factory=dict)
    semantic_model: str | None = None  # the model folder of `index --semantic`
    semantic_articles: int = 0  # how many articles have passage vectors
