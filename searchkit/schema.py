"""The whoosh schema: field names, analyzers, stored-vs-indexed. No I/O.

Bump SCHEMA_VERSION whenever a change here makes existing indexes unreadable
or wrong; the indexer then asks for `searchkit index --rebuild`.
"""

from __future__ import annotations

from datetime import datetime, timezone

from whoosh.analysis import StandardAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from searchkit.analysis import NewsAnalyzer

SCHEMA_VERSION = 4

# Stemmed English for the text people search; plain lower-casing for names.
# Snowball English (Porter2) rather than whoosh's default Porter, which
# leaves doubled consonants ("shipping" → "shipp", never matching "ship"):
# Reuters MAP 0.513 → 0.529, TIME unchanged (bench/relevance.py).
TEXT_ANALYZER = NewsAnalyzer()
NAME_ANALYZER = StandardAnalyzer(stoplist=None, minsize=1)

# Unqualified query words search `text`: the headline and the body indexed
# together as one field (see ranking.compose_text), so an article is scored
# once on all its words. `body:` in a query is an alias for it.
SEARCH_FIELD = "text"


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        path=ID(stored=True),
        text=TEXT(analyzer=TEXT_ANALYZER, stored=False),
        headline=TEXT(analyzer=TEXT_ANALYZER, stored=True),
        body=STORED,
        author=TEXT(analyzer=NAME_ANALYZER, stored=True),
        date=DATETIME(stored=True, sortable=True),
        dateline=TEXT(analyzer=NAME_ANALYZER, stored=True),
        source=TEXT(analyzer=NAME_ANALYZER, stored=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True),
        format=ID(stored=True),
        url=STORED,
        standfirst=STORED,
        digest=STORED,
        file_digest=STORED,
    )


def to_index_date(value: datetime | None) -> datetime | None:
    """whoosh stores naive datetimes: store UTC wall time."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def from_index_date(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc)
