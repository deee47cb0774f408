"""The whoosh schema: field names, analyzers, stored-vs-indexed. No I/O.

Bump SCHEMA_VERSION whenever a change here makes existing indexes unreadable
or wrong; the indexer then asks for `searchkit index --rebuild`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timezone

from whoosh.analysis import Filter, RegexTokenizer, StandardAnalyzer, Token
from whoosh.columns import FixedBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from searchkit.analysis import NewsAnalyzer
from searchkit.duplicates import BANDS_BYTES

SCHEMA_VERSION = 13

# Stemmed English for the text people search; plain lower-casing for names.
# Snowball English (Porter2) rather than whoosh's default Porter, which
# leaves doubled consonants ("shipping" → "shipp", never matching "ship"):
# Reuters MAP 0.513 → 0.529, TIME unchanged (bench/relevance.py).
TEXT_ANALYZER = NewsAnalyzer()
NAME_ANALYZER = StandardAnalyzer(stoplist=None, minsize=1)


class CasefoldFilter(Filter):
    """Case-folds each token (`ß` → `ss`, as str.casefold and author_key do)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for t in tokens:
            t.text = t.text.casefold()
            yield t


# The exact-name fields (`author_key`, `source_key`, `dateline_key`) hold one
# line per name: each case-folded line is one indexed term (for --author and
# friends: `Jane Doe` matches `JANE DOE` but not `Jane Doe-Smith`), and the
# whole value, display case kept, is a column read for facets.
NAME_KEY_ANALYZER = RegexTokenizer(r"[^\n]+") | CasefoldFilter()
NAME_SEPARATOR = "\n"
KEY_FIELDS = {"author": "author_key", "source": "source_key", "dateline": "dateline_key"}

# Unqualified query words search `text`: the headline, the body, the byline
# and the dateline indexed together as one field (see ranking.compose_text),
# so an article is scored once on all its words. `body:` in a query is an
# alias for it.
SEARCH_FIELD = "text"


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        path=STORED,  # looked up by id, never by path: not indexed
        text=TEXT(analyzer=TEXT_ANALYZER, stored=False),
        headline=TEXT(analyzer=TEXT_ANALYZER, stored=True),
        body=STORED,
        author=TEXT(analyzer=NAME_ANALYZER, stored=True),
        date=ColumnDate(stored=True, sortable=True),
        dateline=TEXT(analyzer=NAME_ANALYZER, stored=True),
        source=TEXT(analyzer=NAME_ANALYZER, stored=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True),
        author_key=KEYWORD(analyzer=NAME_KEY_ANALYZER, sortable=True),
        source_key=KEYWORD(analyzer=NAME_KEY_ANALYZER, sortable=True),
        dateline_key=KEYWORD(analyzer=NAME_KEY_ANALYZER, sortable=True),
        format=ID(stored=True),
        url=STORED,
        standfirst=STORED,
        digest=STORED,
        file_digest=STORED,
        # Duplicate detection (duplicates.py): the LSH band keys as a column,
        # which `similar` scans for an article's copies (copies.py); all of
        # the fingerprint stored, for comparing the hits of a search.
        dupkeys=COLUMN(FixedBytesColumn(BANDS_BYTES)),
        fingerprint=STORED,
    )


class ColumnDate(DATETIME):
    """A stored date with a column, not indexed: date filters and `date:`
    scan the column (filters.dated_within). Indexed, each date was 8 terms
    of ever coarser precision, 28% of the terms of a 10,000-article index,
    which nothing read."""

    indexed = False


def name_key(field: str, value: str) -> str:
    """What a --author/--source/--dateline value must equal, as indexed."""
    from searchkit.formats.meta import clean_author  # dateutil: keep it off search start-up

    if field == "author":
        value = clean_author(value) or ""  # `By JANE DOE` is `Jane Doe`
    return " ".join(value.split()).casefold()


def name_key_values(author: str | None, source: str | None, dateline: str | None) -> dict[str, str]:
    """The exact-name fields of one article (display case; the analyzer folds it)."""
    from searchkit.formats.meta import split_authors

    names = {
        "author": split_authors(author),
        "source": [source] if source else [],
        "dateline": [dateline] if dateline else [],
    }
    values = {
        KEY_FIELDS[field]: NAME_SEPARATOR.join(" ".join(n.split()) for n in found)
        for field, found in names.items()
    }
    return {k: v for k, v in values.items() if v.strip()}


def to_index_date(value: datetime | None) -> datetime | None:
    """whoosh stores naive datetimes: store UTC wall time."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def from_index_date(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc)
