"""User text → whoosh queries. Raises QuerySyntaxError with a clear message."""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import qparser
from whoosh.fields import Schema
from whoosh.query import Not, NullQuery, Query

from searchkit.errors import QuerySyntaxError
from searchkit.schema import SEARCH_FIELD

MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class ParsedQuery:
    """`all_words` ranks first; `any_word` completes the list with partial matches."""

    text: str
    all_words: Query
    any_word: Query


def _parser(schema: Schema, group: type[qparser.syntax.GroupNode]) -> qparser.QueryParser:
    parser = qparser.QueryParser(SEARCH_FIELD, schema, group=group)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin({SEARCH_FIELD: ["body"]}))
    return parser


def parse_query(text: str, schema: Schema) -> ParsedQuery:
    """Parse what the user typed with whoosh's query syntax.

    Plain words must all match for the first tier of results; the second
    tier accepts any of them, so a query never comes back empty just because
    one word is missing.
    """
    text = " ".join(text.split())
    if not text:
        raise QuerySyntaxError('empty query — give words to search for, e.g. search "Western Sahara"')
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,} — shorten it"
        )
    try:
        all_words = _parser(schema, qparser.AndGroup).parse(text)
        any_word = _parser(schema, qparser.OrGroup).parse(text)
    except Exception as exc:  # whoosh raises assorted types on odd input
        raise QuerySyntaxError(f"cannot understand the query {text!r}: {exc}") from exc
    if all_words is NullQuery:
        raise QuerySyntaxError(
            f"nothing to search for in {text!r} (only very common words?) — add a more specific word"
        )
    if _has_negation(all_words):
        # "a NOT b" read as "a OR NOT b" would match nearly everything.
        any_word = all_words
    return ParsedQuery(text, all_words, any_word)


def _has_negation(query: Query) -> bool:
    if isinstance(query, Not):
        return True
    return any(_has_negation(child) for child in query.children())
