"""Spelling help from the index's own words: "Did you mean" for a rare query
word, and the rare spellings of a query word that the archive holds.

Works on the searcher engine.py opened. Words are compared as indexed
(stems, so `elections` and `election` are one word), within one edit
(two for words of eight letters or more) and sharing the first letter
(two letters for two edits):
whoosh walks the term dictionary with a Levenshtein automaton, so the
cost grows with the words found, not with the size of the vocabulary.
Only rare words are looked up for suggestions, and rare spellings only when
the matches do not fill the page, so an ordinary search pays nothing.

A word is rare when at most max(1, articles × RARE_SHARE) articles hold
it. A rare word close to a word that is FREQUENT_FACTOR times as common
(and in at least MIN_SUGGESTION_ARTICLES articles) is most likely its
misspelling: typed, it gets a suggestion; in the archive ("Brinken" for
"Blinken"), its articles are shown after the matches of the common word.
"""

from __future__ import annotations

from typing import NamedTuple

from whoosh.query import Query, Term
from whoosh.searching import Searcher
from whoosh.support.levenshtein import distance

from searchkit.schema import SEARCH_FIELD, TEXT_ANALYZER

RARE_SHARE = 1 / 10_000
FREQUENT_FACTOR = 3
MIN_SUGGESTION_ARTICLES = 3
MIN_LETTERS = 4  # shorter words have too many neighbours to guess from
TWO_EDITS_FROM = 8  # letters
SHARED_PREFIX = {1: 1, 2: 2}  # letters a neighbour shares, by edits allowed
# How much of an article is read to find how a word is spelled there.
SURFACE_CHARS = 50_000


class Word(NamedTuple):
    """A plain query word: where it was typed, and its indexed form."""

    start: int
    end: int
    typed: str
    term: str
    df: int


def query_words(searcher: Searcher, query: Query, text: str) -> list[Word]:
    """The plain words of `query` (terms of the searched field that carry
    their position in `text`), in typed order."""
    words = []
    for leaf in query.leaves() if not query.is_leaf() else [query]:
        if type(leaf) is not Term or leaf.fieldname != SEARCH_FIELD:
            continue
        start, end = getattr(leaf, "startchar", None), getattr(leaf, "endchar", None)
        if start is None or end is None:
            continue
        term = leaf.text.decode() if isinstance(leaf.text, bytes) else leaf.text
        words.append(Word(start, end, text[start:end], term, searcher.reader().doc_frequency(SEARCH_FIELD, term)))
    return list({w.start: w for w in words}.values())


def rare_limit(searcher: Searcher) -> int:
    return max(1, int(searcher.doc_count() * RARE_SHARE))


def suggestions(searcher: Searcher, words: list[Word]) -> dict[Word, str]:
    """For each rare word that has a close, frequent index word: that word as
    it is spelled in the articles (not its stem)."""
    rare = rare_limit(searcher)
    found = {}
    for word in words:
        if word.df > rare or len(word.term) < MIN_LETTERS:
            continue
        best = _closest(searcher, word, min_df=max(MIN_SUGGESTION_ARTICLES, FREQUENT_FACTOR * word.df))
        if best is not None:
            form = spelled(searcher, best, word.typed)
            if form.lower() != word.typed.lower():
                found[word] = form
    return found


def variants(searcher: Searcher, words: list[Word]) -> dict[Word, list[str]]:
    """For each query word, the rare close index words (misspellings of it
    in the archive, such as `brinken` for `blinken`), as indexed."""
    rare = rare_limit(searcher)
    found = {}
    for word in words:
        if len(word.term) < MIN_LETTERS or word.df < MIN_SUGGESTION_ARTICLES:
            continue
        # Same length: a letter mistyped or two swapped ("brinken"). With
        # letters added or dropped, common words have too many rare
        # neighbours that are words of their own ("gover": "glover", "gove").
        close = [
            other for other in _neighbours(searcher, word.term)
            if len(other) == len(word.term)
            and 0 < (df := searcher.reader().doc_frequency(SEARCH_FIELD, other)) <= rare
            and df * FREQUENT_FACTOR <= word.df
        ]
        if close:
            found[word] = sorted(close)
    return found


def corrected(text: str, replacements: dict[Word, str]) -> str:
    """`text` with each replaced word swapped for its replacement."""
    for word in sorted(replacements, key=lambda w: w.start, reverse=True):
        text = text[: word.start] + replacements[word] + text[word.end :]
    return text


def _neighbours(searcher: Searcher, term: str) -> set[str]:
    edits = 2 if len(term) >= TWO_EDITS_FROM else 1
    found = set(searcher.reader().terms_within(SEARCH_FIELD, term, edits, prefix=SHARED_PREFIX[edits]))
    found.discard(term)
    return found


def _closest(searcher: Searcher, word: Word, min_df: int) -> str | None:
    """The most common index word close to `word` holding at least `min_df` articles."""
    candidates = []
    for other in _neighbours(searcher, word.term):
        df = searcher.reader().doc_frequency(SEARCH_FIELD, other)
        if df >= min_df:
            candidates.append((distance(other, word.term), -df, other))
    return min(candidates)[2] if candidates else None


def spelled(searcher: Searcher, term: str, typed: str) -> str:
    """How the articles spell the indexed word `term`, the spelling closest to
    what was typed (`government` rather than `govern`), lower-cased."""
    docnums = searcher.docs_for_query(Term(SEARCH_FIELD, term))
    docnum = next(iter(docnums), None)
    if docnum is None:
        return term
    fields = searcher.reader().stored_fields(docnum)
    text = f"{fields.get('headline', '')}\n{fields.get('body', '')}"[:SURFACE_CHARS]
    forms = {
        text[t.startchar : t.endchar].lower()
        for t in TEXT_ANALYZER(text, chars=True, mode="index")
        if t.text == term
    }
    if not forms:
        return term
    return min(forms, key=lambda form: (distance(form, typed.lower()), form))
