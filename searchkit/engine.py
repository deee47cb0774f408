"""Run a query against the index and return ranked hits with snippets.

The only module that reads the index at query time.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError
from whoosh.query import Not, Or, Query, Term
from whoosh.searching import Searcher

from searchkit import filters, ranking, suggest
from searchkit import similar as similar_
from searchkit.copies import Group, collapse, copies_of
from searchkit.errors import (
    ArticleNotFoundError,
    IndexCorruptError,
    IndexMissingError,
    IndexVersionError,
    QuerySyntaxError,
)
from searchkit.highlight import best_passages, whole_text
from searchkit.manifest import read_meta, schema_version
from searchkit.models import (
    FACET_FIELDS,
    SORTS,
    Hit,
    SearchOptions,
    SearchResult,
)
from searchkit.passages import Meaning, PassageStore, SemanticUnavailableError
from searchkit.query import ParsedQuery, parse_query
from searchkit.schema import (
    SCHEMA_VERSION,
    SEARCH_FIELD,
    TEXT_ANALYZER,
    from_index_date,
)

if TYPE_CHECKING:
    from searchkit.records import Article, IndexStats

# A wildcard like `a*` can name thousands of words; highlighting needs only a few.
MAX_HIGHLIGHT_TERMS = 500


def open_index(index: Path) -> whoosh_index.FileIndex:
    """Open the index for reading, or raise an error naming the next step."""
    index = Path(index)
    for attempt in range(10):
        try:
            return _open_index(index)
        except FileNotFoundError as exc:
            # A writer committed between listing and opening the table of
            # contents and removed the old one: read the new one.
            if attempt == 9:
                raise IndexCorruptError(
                    f"the index at {index} cannot be read ({exc}) — run `searchkit index --rebuild`"
                ) from exc
            time.sleep(0.02)
    raise AssertionError("unreachable")


def _open_index(index: Path) -> whoosh_index.FileIndex:
    if not (index.is_dir() and whoosh_index.exists_in(str(index))):
        raise IndexMissingError(f"no index at {index} — build it with `searchkit index`")
    version = schema_version(index)
    if version is not None and version != SCHEMA_VERSION:
        raise IndexVersionError(
            f"the index at {index} was built by another version of searchkit "
            f"(schema {version}, this is {SCHEMA_VERSION}) — run `searchkit index --rebuild`"
        )
    try:
        # Without mmap: whoosh3 copies a compound segment's parts out of the
        # mmap into memory on every open (~100 ms per search at 20,000
        # articles); plain file reads do not. Separate segment files would
        # avoid that too, but a search could then find a file deleted by a
        # concurrent commit; the one compound file is opened up front.
        ix = FileStorage(str(index), supports_mmap=False).open_index()
        if ix.latest_generation() < 1:  # a first build that never committed
            raise EmptyIndexError(str(index))
        return ix
    except EmptyIndexError as exc:
        raise IndexMissingError(f"no index at {index} — build it with `searchkit index`") from exc
    except FileNotFoundError:
        raise  # retried by open_index
    except Exception as exc:
        raise IndexCorruptError(
            f"the index at {index} cannot be read ({type(exc).__name__}: {exc}) — "
            "run `searchkit index --rebuild`"
        ) from exc


# A process that searches again (a Python caller, the benchmarks' warm
# loop) keeps each index open between searches, per thread: opening it costs
# ~3 ms at 100,000 articles in 5 segments. A commit made since is noticed
# (whoosh compares generations) and the index opened anew.
_kept_open = threading.local()


@contextmanager
def _searcher(index: Path) -> Iterator[Searcher]:
    kept: dict[str, Searcher] = _kept_open.__dict__.setdefault("searchers", {})
    key = str(index)
    searcher = kept.pop(key, None)  # taken out while in use: a nested search opens its own
    if searcher is not None and not _current(searcher):
        searcher.close()
        searcher = None
    if searcher is None:
        searcher = open_index(index).searcher(weighting=ranking.weighting())
    try:
        yield searcher
    except BaseException:
        searcher.close()
        raise
    kept[key] = searcher


def _current(searcher: Searcher) -> bool:
    try:
        return bool(searcher.up_to_date())
    except Exception:  # the index was removed or is being replaced
        return False


def search(index: Path, query: str, options: SearchOptions | None = None, *,
           limit: int | None = None, snippets: int | None = None) -> SearchResult:
    """Rank the articles matching `query`; articles with every word come first.

    `options` says which page, order and filters (SearchOptions());
    `limit` and `snippets` override the same-named options. `snippets`
    passages are cut from each hit's body; 0 skips highlighting altogether
    (for callers that only need the ranking).
    """
    options = options or SearchOptions()
    if limit is not None:
        options = options._replace(limit=limit)
    if snippets is not None:
        options = options._replace(snippets=snippets)
    _check_options(options)
    limit, snippets = options.limit, options.snippets
    with _searcher(index) as searcher:
        # The searcher's schema, not ix.schema: that re-reads the table of
        # contents, which a concurrent commit may have just replaced.
        parsed = parse_query(query, searcher.schema, searcher.reader(), allow_empty=filters.filters_given(options))
        restrict = filters.allowed(searcher, options, parsed.dates)
        if options.count_only:
            total = len(filters.matching(searcher, parsed.any_word, restrict))
            return SearchResult(query=parsed.text, hits=(), total=total, page=options.page, total_exact=True)
        by_date = options.sort != "relevance" or not parsed.has_words
        matches: list[int] | None = None
        meaning = None
        # Exact counts when filtered: ranking's estimate ignores the filters.
        if by_date or options.facets or options.timeline or restrict is not None:
            matches = sorted(filters.matching(searcher, parsed.any_word, restrict))
        first = (options.page - 1) * limit
        copies: dict[int, list[int]] = {}
        counted = False  # whether ranking counted every match
        if by_date:
            assert matches is not None
            ordered = filters.by_date(searcher, parsed, restrict, matches, newest=options.sort != "oldest")
            if options.collapse:
                groups = collapse(searcher, ((d, 0.0) for d in ordered), first + limit)
                regular = len(groups)
                copies = {g.docnum: g.copies for g in groups[first:]}
                page = filters.scored(searcher, parsed.any_word, [g.docnum for g in groups[first:]])
            else:
                regular = len(ordered)
                page = filters.scored(searcher, parsed.any_word, ordered[first : first + limit])
            total = len(matches)
        else:
            if options.semantic:
                meaning = Meaning.of(index, query)
            if options.collapse:
                ranked, groups = _collapsed(searcher, parsed, restrict, first + limit, meaning)
                regular = len(groups)
                copies = {g.docnum: g.copies for g in groups[first:]}
                page = [(g.docnum, g.score) for g in groups[first:]]
            else:
                ranked = ranking.rank(searcher, parsed.all_words, parsed.any_word, first + limit, restrict,
                                      meaning)
                regular = len(ranked.hits)
                page = ranked.hits[first:]
            total = len(matches) if matches is not None else ranked.total
            counted = ranked.total_exact
        spelling = _Spelling()
        if options.suggest and parsed.has_words:
            spelling = _spelling(searcher, parsed, restrict, first, limit, regular)
            page = [*page, *spelling.extra]
            total += spelling.extra_total
        terms = _highlight_terms(parsed.any_word, searcher) if snippets and parsed.has_words else frozenset()
        terms |= spelling.terms
        hits = tuple(
            _hit(rank, searcher.reader().stored_fields(docnum), score, terms, snippets,
                 _ids(searcher, copies.get(docnum, ())))
            for rank, (docnum, score) in enumerate(page, first + 1)
        )
        if options.explain:
            scoring = parsed.any_word if by_date else (ranked.query or parsed.any_word)
            hits = _explained(searcher, scoring, hits, page)
        facets = tuple(filters.facet(searcher, name, matches) for name in options.facets) if matches is not None else ()
        timeline = None
        if options.timeline and matches is not None:
            from searchkit.facets import timeline as timeline_of

            timeline = timeline_of(filters.dates_of(searcher, matches))
    if not hits and total == 0 and spelling.suggestion is not None:
        # Nothing matches as typed: show what the suggestion finds, and say so.
        instead = search(index, spelling.suggestion, options._replace(suggest=False))
        return instead._replace(query=parsed.text, suggestion=spelling.suggestion,
                                   searched_suggestion=True)
    problem = meaning.problem if meaning is not None else None
    return SearchResult(
        query=parsed.text, hits=hits, total=total, page=options.page, notes=(problem,) if problem else (),
        total_exact=matches is not None or counted or total < first + limit,
        facets=facets, timeline=timeline,
        suggestion=spelling.suggestion, variants=spelling.variants,
    )


class _Spelling(NamedTuple):
    suggestion: str | None = None
    variants: tuple[str, ...] = ()  # as spelled in the articles
    terms: frozenset[str] = frozenset()  # the variants as indexed, for highlighting
    extra: tuple[tuple[int, float], ...] = ()  # their articles on this page
    extra_total: int = 0


def _spelling(searcher: Searcher, parsed: ParsedQuery, restrict: set[int] | None,
              first: int, limit: int, regular: int) -> _Spelling:
    """A "Did you mean" for rare query words; and when the matches do not
    fill the page, the articles that spell a query word in a rare way,
    after all the matches (see suggest.py)."""
    words = suggest.query_words(searcher, parsed.any_word, parsed.text)
    if not words:
        return _Spelling()
    fixes = suggest.suggestions(searcher, words)
    suggestion = suggest.corrected(parsed.text, fixes) if fixes else None
    if regular >= first + limit:  # the matches fill the page
        return _Spelling(suggestion)
    found = suggest.variants(searcher, words)
    terms = sorted({t for variants in found.values() for t in variants})
    if not terms:
        return _Spelling(suggestion)
    results = searcher.search(Or([Term(SEARCH_FIELD, t) for t in terms]), filter=restrict,
                              mask=parsed.any_word, limit=None)
    ranked = [(h.docnum, h.score) for h in results]
    if not ranked:
        return _Spelling(suggestion)
    extra = ranked[max(0, first - regular) : first + limit - regular]
    spelled = tuple(dict.fromkeys(
        suggest.spelled(searcher, t, w.typed) for w, variants in found.items() for t in variants
    ))
    return _Spelling(suggestion, spelled, frozenset(terms), tuple(extra), len(ranked))


def _collapsed(searcher: Searcher, parsed: ParsedQuery, restrict: set[int] | None,
               want: int, meaning: Meaning | None = None) -> tuple[ranking.Ranking, list[Group]]:
    """Ranked hits, and the first `want` of them that are not copies of one before."""
    # Ranking twice as many costs little more, and usually leaves enough.
    limit = 2 * want
    while True:
        ranked = ranking.rank(searcher, parsed.all_words, parsed.any_word, limit, restrict, meaning)
        groups = collapse(searcher, ranked.hits, want)
        if len(groups) >= want or len(ranked.hits) < limit:
            return ranked, groups
        limit *= 2  # copies took places on the page: rank further down


def _ids(searcher: Searcher, docnums: Iterable[int]) -> tuple[str, ...]:
    return tuple(searcher.reader().stored_fields(d)["id"] for d in docnums)


def _check_options(options: SearchOptions) -> None:
    if options.sort not in SORTS:
        raise QuerySyntaxError(f"unknown sort {options.sort!r} — use one of {', '.join(SORTS)}")
    unknown = [f for f in options.facets if f not in FACET_FIELDS]
    if unknown:
        raise QuerySyntaxError(
            f"cannot count by {', '.join(unknown)} — facets are {', '.join(FACET_FIELDS)}"
        )
    if options.limit < 1 or options.page < 1:
        raise QuerySyntaxError("the page and the number of hits per page start at 1")
    if options.since and options.until and options.since >= options.until:
        raise QuerySyntaxError("--since is not before --until — nothing can match; swap them")


def _highlight_terms(query: Query, searcher: Searcher) -> frozenset[str]:
    """The analysed words (wildcards expanded) whose occurrences get highlighted."""
    reader = searcher.reader()
    terms: set[str] = set()
    for leaf in _positive_leaves(query):
        expanded = itertools.islice(leaf.expanded_terms(reader), MAX_HIGHLIGHT_TERMS)
        for fieldname, text in expanded:
            if fieldname in (SEARCH_FIELD, "headline"):
                terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return frozenset(terms)


def _positive_leaves(query: Query) -> list[Query]:
    if isinstance(query, Not):
        return []
    if query.is_leaf():
        return [query]
    return [leaf for child in query.children() for leaf in _positive_leaves(child)]


def _hit(rank: int, fields: dict, score: float, terms: frozenset[str], count: int,
         duplicates: tuple[str, ...] = ()) -> Hit:
    headline = whole_text(fields.get("headline", ""), terms, TEXT_ANALYZER)
    return Hit(
        rank=rank,
        id=fields["id"],
        path=fields["path"],
        headline=headline.text,
        headline_spans=headline.spans,
        score=round(float(score), 4),
        author=fields.get("author"),
        date=from_index_date(fields.get("date")),
        dateline=fields.get("dateline"),
        source=fields.get("source"),
        url=fields.get("url"),
        snippets=tuple(best_passages(fields.get("body", ""), terms, TEXT_ANALYZER, count=count))
        if count
        else (),
        duplicates=duplicates,
    )


def similar(index: Path, article_id: str, options: SearchOptions | None = None) -> SearchResult:
    """The articles closest to one article, best first (similar.py); the
    article and its copies are left out. Filters, pages and collapsing as in
    `search`."""
    options = options or SearchOptions()
    _check_options(options)
    limit, first = options.limit, (options.page - 1) * options.limit
    ix = open_index(index)
    with ix.searcher(weighting=ranking.weighting()) as searcher:
        docnum = _docnum(searcher, article_id)
        query = similar_.like_query(searcher, docnum)
        restrict = filters.allowed(searcher, options, None)
        shown = f"like {searcher.stored_fields(docnum)['id']}"
        if query is None:
            return SearchResult(query=shown, hits=(), total=0, page=options.page, total_exact=True)
        excluded = {docnum, *copies_of(searcher, docnum)}
        want = first + limit
        fetch = 2 * want
        while True:
            results = searcher.search(query, limit=fetch, filter=restrict, mask=excluded)
            ranked = [(h.docnum, h.score) for h in results]
            if options.collapse:
                groups = collapse(searcher, ranked, want)
            else:
                groups = [Group(d, score, []) for d, score in ranked[:want]]
            if len(groups) >= want or len(ranked) < fetch:
                break
            fetch *= 2
        terms = _highlight_terms(query, searcher) if options.snippets else frozenset()
        page = [(g.docnum, g.score) for g in groups[first:]]
        hits = tuple(
            _hit(rank, searcher.stored_fields(g.docnum), g.score, terms, options.snippets,
                 _ids(searcher, g.copies))
            for rank, g in enumerate(groups[first:], first + 1)
        )
        if options.explain:
            hits = _explained(searcher, query, hits, page)
        total = len(results)
    return SearchResult(query=shown, hits=hits, total=total, page=options.page,
                        total_exact=len(ranked) < fetch)


def _docnum(searcher: Searcher, article_id: str) -> int:
    for candidate in (article_id, article_id.lstrip("./")):
        docnum = searcher.document_number(id=candidate)
        if docnum is not None:
            return int(docnum)
    raise _not_found(searcher, article_id)


def _not_found(searcher: Searcher, article_id: str) -> ArticleNotFoundError:
    """The error for an id not in the index; for the path of a file holding
    several articles (a feed, `reut2-000.sgm`), what their ids look like."""
    from whoosh.query import Prefix

    inside = list(searcher.docs_for_query(Prefix("id", f"{article_id.lstrip('./')}#")))
    if inside:
        example = searcher.reader().stored_fields(inside[0])["id"]
        return ArticleNotFoundError(
            f"{article_id!r} holds {len(inside):,} articles — give one's id, as `search` shows it at the"
            f" end of a hit's second line, e.g. {example!r}")
    return ArticleNotFoundError(
        f"no article with id {article_id!r} in the index — an id is the end of a hit's second line"
        " in `search` (a file's path, or path#key for one article of a feed or SGML file)")


def _explained(searcher: Searcher, query: Query, hits: tuple[Hit, ...],
               page: list[tuple[int, float]]) -> tuple[Hit, ...]:
    from searchkit.explain import explain

    return tuple(
        hit._replace(explain=explain(searcher, query, docnum, score))
        for hit, (docnum, score) in zip(hits, page)
    )


def get_article(index: Path, article_id: str) -> Article:
    """One stored article by id (the path shown in results)."""
    ix = open_index(index)
    with ix.searcher() as searcher:
        fields = searcher.reader().stored_fields(_docnum(searcher, article_id))
    return article_from_fields(fields)


def article_from_fields(fields: dict) -> Article:
    from searchkit.records import Article

    tags = fields.get("tags") or ""
    return Article(
        id=fields["id"],
        path=fields["path"],
        headline=fields.get("headline", ""),
        body=fields.get("body", ""),
        author=fields.get("author"),
        date=from_index_date(fields.get("date")),
        dateline=fields.get("dateline"),
        source=fields.get("source"),
        url=fields.get("url"),
        standfirst=fields.get("standfirst"),
        tags=tuple(t for t in tags.split(",") if t),
        format=fields.get("format", "text"),
    )


def query_terms(index: Path, query: str) -> frozenset[str]:
    """The analysed words of `query` as highlighting sees them (for `show --highlight`)."""
    ix = open_index(index)
    with ix.searcher() as searcher:
        parsed = parse_query(query, searcher.schema, searcher.reader())
        return _highlight_terms(parsed.any_word, searcher)


__all__ = ["search", "get_article", "open_index", "query_terms"]


def index_stats(index: Path) -> IndexStats:
    """Counts for `searchkit stats`: articles, files, authors, date span, size."""
    from searchkit.formats.meta import author_key  # dateutil: not on the search path
    from searchkit.records import IndexStats

    ix = open_index(index)
    authors: set[str] = set()
    files: set[str] = set()
    per_format: dict[str, int] = {}
    dates = []
    undated = 0
    digests = set()
    with ix.reader() as reader:
        articles = reader.doc_count()
        for fields in reader.all_stored_fields():
            files.add(fields["path"])
            digests.add(fields.get("digest"))
            if fields.get("author"):
                authors.add(author_key(fields["author"]) or "")
            if fields.get("date"):
                dates.append(fields["date"])
            else:
                undated += 1
            fmt = fields.get("format", "text")
            per_format[fmt] = per_format.get(fmt, 0) + 1
    _version, corpus = read_meta(Path(index))
    store = PassageStore(index)
    model = store.model()
    encoded = 0
    if model is not None:
        try:
            encoded = len(digests & store.load().rows.keys())
        except SemanticUnavailableError:  # numpy is gone
            pass
    return IndexStats(
        index=str(index),
        corpus=corpus,
        articles=articles,
        files=len(files),
        authors=len(authors),
        first_date=from_index_date(min(dates)) if dates else None,
        last_date=from_index_date(max(dates)) if dates else None,
        undated=undated,
        size_bytes=sum(p.stat().st_size for p in Path(index).iterdir() if p.is_file()),
        per_format=per_format,
        semantic_model=model.folder if model else None,
        semantic_articles=encoded,
    )
