"""Ranking choices, in one place, with the reason for each.

Measured effects are recorded here as they are measured (bench/relevance.py).
"""

from __future__ import annotations

from whoosh import scoring

# BM25 parameters. Standard defaults until measured otherwise.
K1 = 1.2
B = 0.75

# A word in the headline counts more than the same word in the body: the
# headline says what the article is about. The headline is indexed this many
# times in the searched field (BM25F's field weight, applied before term
# frequency saturation). Scoring headline and body as separate fields and
# adding the scores lets a short headline with one query word beat an
# article holding all of them.
HEADLINE_WEIGHT = 2


def compose_text(headline: str, body: str) -> str:
    """The searched text of an article: weighted headline, then body."""
    return "\n".join([headline] * HEADLINE_WEIGHT + [body])


def weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=B, K1=K1)
