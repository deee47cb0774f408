"""Collapse the copies of a story among ranked hits.

Works on the searcher engine.py opened. An article's copies are found by
looking up its duplicate keys (duplicates.py) — a few term lookups per hit
shown, never a comparison of all the hits with each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from whoosh.searching import Searcher

from searchkit.duplicates import Fingerprint, near_duplicates
from searchkit.schema import from_index_date

FIELD = "dupkeys"


@dataclass
class Group:
    """A hit shown, and the other copies of it in the index, best ranked first."""

    docnum: int
    score: float
    copies: list[int] = field(default_factory=list)


def fingerprint_of(fields: dict) -> Fingerprint:
    exact, sketch, numbers = fields.get("fingerprint") or (None, b"", b"")
    return Fingerprint(tuple((fields.get(FIELD) or "").split()), exact, sketch, numbers)


def copies_of(searcher: Searcher, docnum: int, fields: dict | None = None) -> list[int]:
    """The other articles in the index that are copies of article `docnum`."""
    fields = fields if fields is not None else searcher.reader().stored_fields(docnum)
    mine = fingerprint_of(fields)
    if not mine.keys:
        return []
    date = from_index_date(fields.get("date"))
    reader = searcher.reader()
    candidates: set[int] = set()
    for key in mine.keys:
        # Postings straight from the term index: a query over 17 terms
        # costs several times more to set up than reading them.
        if reader.doc_frequency(FIELD, key) > 1:
            candidates.update(reader.postings(FIELD, key).all_ids())
    candidates.discard(docnum)
    found = []
    for other in sorted(candidates):
        if reader.is_deleted(other):
            continue
        theirs = searcher.reader().stored_fields(other)
        if near_duplicates(mine, fingerprint_of(theirs), date, from_index_date(theirs.get("date"))):
            found.append(other)
    return found


def collapse(searcher: Searcher, ranked: Iterable[tuple[int, float]], want: int) -> list[Group]:
    """The first `want` hits of `ranked` that are not copies of a hit before
    them, each with its copies (ranked ones in rank order, then the rest)."""
    groups: list[Group] = []
    claimed: dict[int, Group] = {}
    ranked_order: dict[int, int] = {}
    for position, (docnum, score) in enumerate(ranked):
        ranked_order.setdefault(docnum, position)
        if docnum in claimed:
            continue
        if len(groups) == want:
            break
        group = Group(docnum, score, copies_of(searcher, docnum))
        groups.append(group)
        for copy in group.copies:
            claimed.setdefault(copy, group)
    for group in groups:
        group.copies.sort(key=lambda d: (ranked_order.get(d, len(ranked_order)), d))
    return groups

