"""Why a hit ranks where it does: its score, term by term.

Works on the searcher engine.py opened, read-only. Each term of the query
that ranked the hits (wildcards and fuzzy words expanded, feedback words
included) is scored for the hit with the same weighting model ranking.py
searches with, so the rows add up to the hit's score; what they do not
cover (the proximity bonus, phrases, ranges, wildcards, which whoosh
scores as a whole) is reported as `other`.
"""

from __future__ import annotations

import itertools

from whoosh.query import MultiTerm, Not, Query, Term
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from searchkit import ranking
from searchkit.models import Explanation, TermScore

# A wildcard can stand for thousands of words; a hit holds few of them.
MAX_EXPANDED = 500
MAX_ROWS = 12


def explain(searcher: Searcher, query: Query, docnum: int, score: float) -> Explanation:
    """The contributions of `query`'s terms to article `docnum`'s `score`."""
    reader = searcher.reader()
    model = ranking.weighting()
    rows: dict[tuple[str, str], TermScore] = {}
    for fieldname, text, boost in _terms(searcher, query):
        field = searcher.schema[fieldname]
        if not field.scorable or (fieldname, text) in rows:
            continue
        try:
            postings = reader.postings(fieldname, text)
        except TermNotFound:
            continue
        postings.skip_to(docnum)
        if not postings.is_active() or postings.id() != docnum:
            continue
        scorer = model.scorer(searcher, fieldname, text)
        rows[(fieldname, text)] = TermScore(
            field=fieldname,
            term=text,
            tf=postings.weight(),
            idf=round(float(getattr(scorer, "idf", 0.0)), 4),
            score=round(boost * scorer.score(postings), 4),
        )
    terms = sorted(rows.values(), key=lambda t: -t.score)
    covered = sum(t.score for t in terms)
    other = round(score - covered, 4)
    return Explanation(score=round(score, 4), terms=tuple(terms[:MAX_ROWS]),
                       other=other if abs(other) >= 0.001 else 0.0)


def _terms(searcher: Searcher, query: Query, boost: float = 1.0) -> list[tuple[str, str, float]]:
    """(field, term, boost) for each positive term of `query`, boosts multiplied down."""
    if isinstance(query, Not):
        return []
    boost *= getattr(query, "boost", 1.0)
    if isinstance(query, Term):
        text = query.text.decode("utf-8") if isinstance(query.text, bytes) else query.text
        return [(query.fieldname, text, boost)]
    if isinstance(query, MultiTerm):
        expanded = list(itertools.islice(query.expanded_terms(searcher.reader()), MAX_EXPANDED))
        if len(expanded) > 1 and query.constantscore:
            boost = 0.0  # whoosh scores wildcards as a whole, not by term: left in `other`
        return [
            (fieldname, text.decode("utf-8") if isinstance(text, bytes) else text, boost)
            for fieldname, text in expanded
        ]
    if query.is_leaf():
        return []  # a phrase or range: scored as a whole, reported as `other`
    return [t for child in query.children() for t in _terms(searcher, child, boost)]
