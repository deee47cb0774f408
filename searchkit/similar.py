"""More like this: the query that finds the articles closest to one article.

Works on the searcher engine.py opened. The article's key terms are the
words of its headline and opening that are frequent in it and rare in the
archive (whoosh's Bo1 divergence-from-randomness model, as in query
expansion); they are searched together, with the same BM25 as any search.

Same-category share of the 5 closest BBC articles, over 150 random BBC
articles: 20 terms weighted by Bo1 0.876; 30 terms 0.879; 30 terms left to
BM25's own weighting (Bo1 only chooses them) 0.925; 50 terms 0.929 at
twice the time (~45 ms). Bo1 weights let one name decide ("Cunningham"
found a rugby player's match report for a Labour MP's retirement).
"""

from __future__ import annotations

from whoosh.classify import Bo1Model
from whoosh.query import Or, Query, Term
from whoosh.searching import Searcher

from searchkit.ranking import compose_text
from searchkit.schema import SEARCH_FIELD

KEY_TERMS = 30
# An article's opening says what it is about; a huge one must not make
# `similar` slow.
TEXT_CHARS = 20_000


def like_query(searcher: Searcher, docnum: int) -> Query | None:
    """An OR of article `docnum`'s key terms; None if it has none."""
    fields = searcher.reader().stored_fields(docnum)
    text = compose_text(fields.get("headline", ""), fields.get("body", "")[:TEXT_CHARS])
    key_terms = searcher.key_terms_from_text(SEARCH_FIELD, text, numterms=KEY_TERMS,
                                             model=Bo1Model, normalize=True)
    if not key_terms:
        return None
    return Or([Term(SEARCH_FIELD, word) for word, _weight in key_terms])
