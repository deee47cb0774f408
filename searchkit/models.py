"""The data that flows between layers: articles in, hits and reports out.

Stdlib only; every layer may import this module. It defines what a plain
search creates, as named tuples, as are the other records a search makes: a
frozen dataclass costs ~0.6 ms to create and `dataclasses` imports `inspect`.
A fresh `search "Western Sahara"` on bench/speed.py's 100,000-article index,
under `PYTHONHASHSEED=0 valgrind --tool=callgrind`: 508.4 M instructions
with dataclasses, 442.7 M without. The rest (articles, reports, facets,
explanations) are dataclasses in records.py, imported from here on first
use. plain.to_json prints either kind.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from searchkit.records import Article as Article
    from searchkit.records import Explanation as Explanation
    from searchkit.records import Facet as Facet
    from searchkit.records import FacetCount as FacetCount
    from searchkit.records import IndexReport as IndexReport
    from searchkit.records import IndexStats as IndexStats
    from searchkit.records import Skipped as Skipped
    from searchkit.records import TermScore as TermScore
    from searchkit.records import Timeline as Timeline
    from searchkit.records import TimelineBucket as TimelineBucket

_IN_RECORDS = frozenset({"Article", "Explanation", "Facet", "FacetCount", "IndexReport", "IndexStats",
                         "Skipped", "TermScore", "Timeline", "TimelineBucket"})


def __getattr__(name: str) -> Any:
    if name in _IN_RECORDS:
        from searchkit import records

        return getattr(records, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Snippet(NamedTuple):
    """A passage of text with the character ranges that matched the query.

    Spans are (start, end) offsets into `text`, end exclusive, sorted and
    non-overlapping.
    """

    text: str
    spans: tuple[tuple[int, int], ...] = ()


class Hit(NamedTuple):
    """One search result, as rendered in the terminal and printed by --json."""

    rank: int
    id: str
    path: str
    headline: str
    score: float
    author: str | None = None
    date: datetime | None = None
    dateline: str | None = None
    source: str | None = None
    url: str | None = None
    snippets: tuple[Snippet, ...] = ()
    # Matched words in the headline, as offsets into `headline`.
    headline_spans: tuple[tuple[int, int], ...] = ()
    # Ids of the other copies of this story (exact or near-identical), not
    # shown as hits of their own; empty with --all.
    duplicates: tuple[str, ...] = ()
    # Why it ranks where it does; only with --explain.
    explain: Explanation | None = None


SORTS = ("relevance", "newest", "oldest")
FACET_FIELDS = ("author", "source", "dateline", "year")


class SearchOptions(NamedTuple):
    """How to search: which page of hits, in what order, restricted to what.

    `since` is inclusive and `until` exclusive, both timezone-aware; a user's
    `--until 2021-11` arrives here as 2021-12-01 00:00 UTC (see dates.py).
    Any date bound excludes undated articles. Within one of `authors`,
    `sources`, `datelines` any value may match; across them all must.
    """

    limit: int = 10
    page: int = 1  # 1-based: hits (page-1)*limit+1 … page*limit
    sort: str = "relevance"  # one of SORTS; by date, undated articles come last
    since: datetime | None = None
    until: datetime | None = None
    authors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    datelines: tuple[str, ...] = ()
    snippets: int = 3  # passages per hit; 0 skips highlighting
    facets: tuple[str, ...] = ()  # names from FACET_FIELDS, counted over all matches
    timeline: bool = False  # count all matches per day/month/year
    count_only: bool = False  # only `total` (exact), no hits
    collapse: bool = True  # copies of a story show once (False: --all)
    explain: bool = False  # each hit's score by term
    suggest: bool = True  # spelling suggestions, and searching one when nothing matches
    semantic: bool = True  # passage vectors in ranking, where the index has them


class SearchResult(NamedTuple):
    """The hits for one query plus what the user should know about them."""

    query: str
    hits: tuple[Hit, ...]
    total: int
    notes: tuple[str, ...] = ()
    page: int = 1
    # exact when counted (--count, facets, timeline, date sorting), else
    # possibly ranking's estimate beyond one page
    total_exact: bool = False
    facets: tuple[Facet, ...] = ()
    timeline: Timeline | None = None
    # A spelling suggestion: the query with rare words replaced by close,
    # frequent index words ("Did you mean"). When the query itself matched
    # nothing, the hits are the suggestion's and `query` is still what was typed.
    suggestion: str | None = None
    searched_suggestion: bool = False
    # Rare spellings of query words (likely misspellings in the archive)
    # whose articles were added after all the matches.
    variants: tuple[str, ...] = ()
