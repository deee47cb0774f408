"""Ranking choices, in one place, with the reason for each.

Measured effects are recorded here as they are measured (bench/relevance.py).
"""

from __future__ import annotations

from whoosh import scoring

# BM25 parameters. Standard defaults until measured otherwise.
K1 = 1.2
B = 0.75

# A word in the headline counts more than the same word in the body: the
# headline says what the article is about.
FIELD_BOOSTS = {"headline": 2.0, "body": 1.0}


def weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=B, K1=K1)
