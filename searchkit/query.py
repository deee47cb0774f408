"""User text → whoosh queries. Raises QuerySyntaxError with a clear message."""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from typing import Any, NamedTuple

from whoosh import qparser
from whoosh.fields import Schema
from whoosh.qparser import syntax
from whoosh.query import Every, FuzzyTerm, MultiTerm, Not, NullQuery, Prefix, Query
from whoosh.reading import IndexReader

from searchkit.analysis import WORD, NewsAnalyzer, initials
from searchkit.dates import Span, parse_range, parse_span
from searchkit.errors import QuerySyntaxError
from searchkit.schema import SEARCH_FIELD

MAX_QUERY_CHARS = 2000
EMPTY_QUERY = 'empty query — give words to search for, e.g. search "Western Sahara"'
# The fields a query can name (README); `date:` is taken out before parsing.
QUERY_FIELDS = ("headline", "body", "author", "dateline", "source", "date")
# A wildcard, fuzzy word or range stands for the words it expands to; beyond
# these bounds a query costs time and memory in proportion to the vocabulary.
MAX_EXPANSIONS = 2000
MAX_FUZZY_DISTANCE = 2
FUZZY_PREFIX = 1  # letters a fuzzy word's matches share with it, unless `~N/P` says


class ParsedQuery(NamedTuple):
    """`all_words` ranks first; `any_word` completes the list with partial matches."""

    text: str
    all_words: Query
    any_word: Query
    # From `date:` terms (all of them apply); None when the query has none.
    dates: Span | None = None

    @property
    def has_words(self) -> bool:
        """False for a query of filters only (`date:2021-11`): every article matches."""
        return not isinstance(self.all_words, Every)


# `date:2021-11`, `date:2021-01..2021-06`, `date:2019..`, `date:"23 Nov 2021"`,
# and whoosh's range syntax `date:[2020 TO 2021-06]` (`{` `}` leave an end
# out): taken out of the text before whoosh parses it, and applied as a
# filter to the whole query (inside OR too; after NOT or -, refused: it
# would keep the very dates meant to be left out).
_DATE_TERM = re.compile(
    r'(?<![^\s(])date:(?:"([^"]*)"|([\[{])([^\]}]*?)\bTO\b([^\]}]*)([\]}])|([^\s\[{]\S*))',
    re.IGNORECASE,
)


def _take_dates(text: str, now: datetime | None) -> tuple[str, Span | None]:
    span: Span | None = None
    for match in _DATE_TERM.finditer(text):
        quoted, opening, low, high, closing, plain = match.groups()
        if text[:match.start()].endswith("NOT "):  # a date filter applies to the whole query
            raise QuerySyntaxError(
                f"{match.group(0)!r} cannot be left out with NOT or - — give the dates to keep instead,"
                " e.g. date:..2003 or --until 2003")
        if opening is not None:
            found = _bracketed(opening, low.strip(), high.strip(), closing, now, match.group(0))
        else:
            found = parse_range(quoted if quoted is not None else plain, now)
        span = found if span is None else span.intersect(found)
    if span is not None and span.empty:
        raise QuerySyntaxError(f"the date: terms in {text!r} do not overlap — nothing can match")
    return " ".join(_DATE_TERM.sub(" ", text).split()), span


# `-word` leaves out the articles holding it and `+word` asks for it, as in
# web search engines; whoosh's tokenizer dropped the sign, so `Blair
# -election` matched what `Blair election` matches. A sign counts at the
# start of a term (after a space or "(") and before a letter, a phrase or a
# group: "e-mail", "C++", "-5C" and quoted phrases keep theirs. (whoosh's
# PlusMinusPlugin makes every unsigned word optional once one word has a
# sign: `+Blair election` parses as `blair ANDMAYBE elect`, and the
# all-words tier would no longer need "election".)
_SIGN = re.compile(r'"[^"]*"?|(?<![^\s(])([-+])(?=[^\W\d_]|["(])')


def _signs_as_words(text: str) -> str:
    """`a -b +c` as the query syntax writes it: `a NOT b c`."""
    if "-" not in text and "+" not in text:
        return text
    return _SIGN.sub(lambda m: m.group(0) if m.group(1) is None else ("NOT " if m.group(1) == "-" else ""),
                     text)


# Field names as other search tools spell them: `title:` (Lucene, web
# search) is the headline, `byline:` the author; `body:` is the searched text.
FIELD_ALIASES = {"title": "headline", "byline": "author", "body": SEARCH_FIELD}
# `name:` at the start of a term, outside quoted phrases; the name starts with
# a letter (`10:30` is a time) and is not followed by "/" (`http://…`).
_FIELD_EXAMPLES = {"author": '"Jane Doe"', "dateline": "tokyo", "source": "reuters", "date": "2021-11"}
_FIELD_NAME = re.compile(r'"[^"]*"?|(?<![^\s(])([^\W\d_]\w*):(?!/)(\s*)')


def _field_names(text: str, schema: Schema) -> str:
    """`text` with field names as whoosh needs them: any case, aliases
    resolved, a space after the colon dropped (`headline: oil`). whoosh reads
    an unknown name (`title:oil`) or a bare one (`headline:`) as words of
    the text, silently: those are refused, saying what to write."""
    if ":" not in text:
        return text

    def named(match: re.Match[str]) -> str:
        name, space = match.group(1), match.group(2)
        if name is None:
            return match.group(0)
        field = FIELD_ALIASES.get(name.lower(), name.lower())
        known = field in QUERY_FIELDS or field in schema.names()
        rest = text[match.end():]
        if not known:
            if space:  # "Re: oil": prose, not a field
                return match.group(0)
            raise QuerySyntaxError(
                f"{name}: is not a field you can search; the fields are {', '.join(QUERY_FIELDS)}"
                " (to search for the words, leave out the colon)")
        if not rest or rest.startswith(")"):
            example = _FIELD_EXAMPLES.get(field, "election")
            raise QuerySyntaxError(f"{name}: needs something to search for after it, e.g. {name.lower()}:{example}")
        return f"{field}:"

    return _FIELD_NAME.sub(named, text)


def _check_searchable(schema: Schema, name: str) -> None:
    if name in schema.names() and not schema[name].indexed:
        raise QuerySyntaxError(
            f"{name}: is not a field you can search; the fields are {', '.join(QUERY_FIELDS)}"
        )


def _bracketed(opening: str, low: str, high: str, closing: str, now: datetime | None,
               shown: str) -> Span:
    """`[low TO high]` with both ends' days in; `{` or `}` leaves its end's
    span out; an empty end is open."""
    if not low and not high:
        raise QuerySyntaxError(f"{shown!r}: give at least one end of the range")
    start = end = None
    if low:
        first = parse_span(low, now)
        start = first.start if opening == "[" else first.end
    if high:
        last = parse_span(high, now)
        end = last.end if closing == "]" else last.start
    span = Span(start, end)
    if span.empty:
        raise QuerySyntaxError(f"the date range {shown!r} ends before it starts — swap its ends")
    return span


class _FuzzyTermPlugin(qparser.FuzzyTermPlugin):
    """`word~` and `word~2` keep the first letter (`word~2/3` the first three):
    with no letter fixed whoosh walks the whole vocabulary — `Yeuter~2` took
    2 s on Reuters-21578, 0.09 s with the first letter shared."""

    def create(self, parser: qparser.QueryParser, match: Any) -> Any:
        node = super().create(parser, match)
        if not match.group("prefix"):
            node.prefixlength = FUZZY_PREFIX
        return node


class _NamesPlugin(qparser.Plugin):
    """Two typed words that make one name ("United States") become one word,
    its initials, as the analyzer joins them in article text: whoosh's
    parser analyses each typed word alone, so the analyzer never sees the
    pair. Only words searched as text, in the same field, are joined."""

    def filters(self, parser: qparser.QueryParser) -> list[tuple[Any, int]]:
        # After field names are applied (100, 110), before whitespace goes (500).
        return [(self.join_names, 120)]

    def join_names(self, parser: qparser.QueryParser, group: Any) -> Any:
        i = 0
        while i < len(group):
            node = group[i]
            if isinstance(node, syntax.GroupNode):
                self.join_names(parser, node)
            elif isinstance(node, syntax.WordNode) and _analysed_as_text(parser, node.fieldname):
                j = i + 1
                while j < len(group) and group[j].is_ws():
                    j += 1
                after = group[j] if j < len(group) else None
                if isinstance(after, syntax.WordNode) and after.fieldname == node.fieldname:
                    joined = _joined(node.text, after.text)
                    if joined is not None:
                        node.text, node.endchar = joined, after.endchar
                        del group[i + 1 : j + 1]
            i += 1
        return group


def _joined(text: str, after: str) -> str | None:
    """`text` and the typed word `after` as one, if the word `text` ends
    with and the one `after` starts with make a name ("United", "States,"
    -> "u.s,"); else None."""
    last = next(reversed(list(WORD.finditer(text))), None)
    first = WORD.match(after)
    if last is None or last.end() != len(text) or first is None:
        return None
    name = initials(last.group(0), first.group(0))
    return None if name is None else text[: last.start()] + name + after[first.end() :]


def _analysed_as_text(parser: qparser.QueryParser, fieldname: str | None) -> bool:
    name = fieldname or parser.fieldname or SEARCH_FIELD
    schema = parser.schema
    return schema is not None and name in schema and isinstance(schema[name].analyzer, NewsAnalyzer)


def _parser(schema: Schema, group: type[qparser.syntax.GroupNode]) -> qparser.QueryParser:
    parser = qparser.QueryParser(SEARCH_FIELD, schema, group=group)
    parser.add_plugin(_FuzzyTermPlugin())
    parser.add_plugin(_NamesPlugin())
    return parser


def parse_query(text: str, schema: Schema, reader: IndexReader | None = None, *,
                allow_empty: bool = False, now: datetime | None = None) -> ParsedQuery:
    """Parse what the user typed with whoosh's query syntax.

    Plain words must all match for the first tier of results; the second
    tier accepts any of them, so a query never comes back empty just because
    one word is missing. With a `reader`, wildcards that would expand to too
    much of the vocabulary are refused. `date:` terms become `dates`
    (relative forms count back from `now`); a query of only those, or an
    empty one when `allow_empty` (other filters given), matches everything.
    """
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,} — shorten it"
        )
    shown = text
    text, dates = _take_dates(_field_names(_signs_as_words(text), schema), now)
    if not text and (dates is not None or allow_empty):
        return ParsedQuery(shown, Every(), Every(), dates)
    if not text:
        raise QuerySyntaxError(EMPTY_QUERY)
    try:
        all_words = _parser(schema, qparser.AndGroup).parse(text)
        any_word = _parser(schema, qparser.OrGroup).parse(text)
    except Exception as exc:  # whoosh raises assorted types on odd input
        for name in re.findall(r"(\w+):", text):
            _check_searchable(schema, name)
        raise QuerySyntaxError(f"cannot understand the query {shown!r}: {exc}") from exc
    for leaf in any_word.leaves():
        if (name := getattr(leaf, "fieldname", None)) is not None:
            _check_searchable(schema, name)
    if all_words is NullQuery:
        raise QuerySyntaxError(
            f"nothing to search for in {shown!r} (only very common words?) — add a more specific word"
        )
    _check_bounds(all_words, reader)
    if _has_negation(all_words):
        # "a NOT b" read as "a OR NOT b" would match nearly everything.
        any_word = all_words
    return ParsedQuery(shown, all_words, any_word, dates)


def _has_negation(query: Query) -> bool:
    if isinstance(query, Not):
        return True
    return any(_has_negation(child) for child in query.children())


def _leaves(query: Query) -> list[Query]:
    if query.is_leaf():
        return [query]
    return [leaf for child in query.children() for leaf in _leaves(child)]


def _shown(leaf: Query) -> str:
    """A leaf as the user typed it, near enough."""
    text = str(getattr(leaf, "text", "") or "")
    if isinstance(leaf, Prefix):
        return f"{text}*"
    if isinstance(leaf, FuzzyTerm):
        return f"{text}~{leaf.maxdist}"
    if hasattr(leaf, "start") and hasattr(leaf, "end"):  # a range
        return f"[{leaf.start} TO {leaf.end}]"
    return text or str(leaf)


def _check_bounds(query: Query, reader: IndexReader | None) -> None:
    for leaf in _leaves(query):
        if isinstance(leaf, Every):
            field = "" if leaf.fieldname == SEARCH_FIELD else f"{leaf.fieldname}:"
            raise QuerySyntaxError(
                f"`{field}*` alone would match every article — put letters before the *, e.g. elect*"
            )
        if isinstance(leaf, FuzzyTerm) and leaf.maxdist > MAX_FUZZY_DISTANCE:
            raise QuerySyntaxError(
                f"`{_shown(leaf)}` allows too many differences — use ~1 or ~2, e.g. {leaf.text}~2"
            )
        if reader is not None and isinstance(leaf, MultiTerm):
            expanded = itertools.islice(leaf.expanded_terms(reader), MAX_EXPANSIONS + 1)
            if sum(1 for _ in expanded) > MAX_EXPANSIONS:
                raise QuerySyntaxError(
                    f"`{_shown(leaf)}` matches more than {MAX_EXPANSIONS:,} different words — "
                    "make it more specific, e.g. elect* rather than e*"
                )
