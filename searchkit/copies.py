"""Collapse the copies of a story among ranked hits.

Works on the searcher engine.py opened. An article's copies are found by
looking up its duplicate keys (duplicates.py) — a few term lookups per hit
shown, never a comparison of all the hits with each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from whoosh.reading import IndexReader, TermNotFound
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


class _Segments:
    """The index's segments, for looking up duplicate keys in each."""

    def __init__(self, searcher: Searcher) -> None:
        leaves = [(searcher, 0)] if searcher.is_atomic() else list(searcher.leaf_searchers())
        self.leaves = [(sub.reader(), offset) for sub, offset in leaves]

    def holders(self, keys: Iterable[str]) -> set[int]:
        """The articles (global docnums) holding a key that more than one article holds."""
        held: list[tuple[IndexReader, int, str]] = []
        frequency: Counter[str] = Counter()
        # One term lookup per key and segment (~15 µs each in whoosh's hash
        # file); postings are read only for keys another article shares.
        for reader, offset in self.leaves:
            for key in keys:
                try:
                    frequency[key] += reader.term_info(FIELD, key).doc_frequency()
                except TermNotFound:
                    continue
                held.append((reader, offset, key))
        found: set[int] = set()
        for reader, offset, key in held:
            if frequency[key] > 1:
                found.update(offset + d for d in reader.postings(FIELD, key).all_ids())
        return found


def copies_of(searcher: Searcher, docnum: int, fields: dict | None = None,
              segments: _Segments | None = None) -> list[int]:
    """The other articles in the index that are copies of article `docnum`."""
    fields = fields if fields is not None else searcher.reader().stored_fields(docnum)
    mine = fingerprint_of(fields)
    if not mine.keys:
        return []
    date = from_index_date(fields.get("date"))
    reader = searcher.reader()
    candidates = (segments or _Segments(searcher)).holders(mine.keys)
    candidates.discard(docnum)
    found = []
    for other in sorted(candidates):
        if reader.is_deleted(other):
            continue
        theirs = reader.stored_fields(other)
        if near_duplicates(mine, fingerprint_of(theirs), date, from_index_date(theirs.get("date"))):
            found.append(other)
    return found


def collapse(searcher: Searcher, ranked: Iterable[tuple[int, float]], want: int) -> list[Group]:
    """The first `want` hits of `ranked` that are not copies of a hit before
    them, each with its copies (ranked ones in rank order, then the rest)."""
    segments = _Segments(searcher)
    groups: list[Group] = []
    claimed: dict[int, Group] = {}
    ranked_order: dict[int, int] = {}
    for position, (docnum, score) in enumerate(ranked):
        ranked_order.setdefault(docnum, position)
        if docnum in claimed:
            continue
        if len(groups) == want:
            break
        group = Group(docnum, score, copies_of(searcher, docnum, segments=segments))
        groups.append(group)
        for copy in group.copies:
            claimed.setdefault(copy, group)
    for group in groups:
        group.copies.sort(key=lambda d: (ranked_order.get(d, len(ranked_order)), d))
    return groups

