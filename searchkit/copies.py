"""Collapse the copies of a story among ranked hits.

Works on the searcher engine.py opened. Among ranked hits, a hit joins the
group of an earlier one it is a copy of (duplicates.py: a shared band key,
then the resemblance checks), compared through their stored fingerprints:
no index lookups. `copies_of` finds every copy of one article in the whole
index (for `searchkit similar`) by scanning each segment's column of band
keys: 32 bytes an article, searched with bytes.find.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from whoosh.searching import Searcher

from searchkit.duplicates import BANDS_BYTES, KEY_BYTES, Fingerprint, band_keys, near_duplicates
from searchkit.schema import from_index_date
from searchkit.wordscores import leaves

COLUMN = "dupkeys"


class Group(NamedTuple):
    """A hit shown, and the copies of it ranked after it."""

    docnum: int
    score: float
    copies: list[int]  # a new list for each group


def fingerprint_of(fields: dict) -> Fingerprint:
    exact, sketch, numbers, bands = fields.get("fingerprint") or (None, b"", b"", b"")
    return Fingerprint(bands, exact, sketch, numbers)


def holders(searcher: Searcher, bands: bytes) -> set[int]:
    """The articles (global docnums) that share a band key with `bands`."""
    found: set[int] = set()
    for sub, offset in leaves(searcher):
        reader = sub.reader()
        if not reader.has_column(COLUMN):
            continue
        keys = _column_bytes(reader.column_reader(COLUMN, translate=False))
        for band in range(len(bands) // KEY_BYTES):
            start = band * KEY_BYTES
            key = bands[start : start + KEY_BYTES]
            at = keys.find(key, start)
            while at != -1:
                if at % BANDS_BYTES == start:
                    found.add(offset + at // BANDS_BYTES)
                at = keys.find(key, at + 1)
    return found


def _column_bytes(column: object) -> bytes:
    """A segment's whole column of band keys in one read (whoosh's
    FixedBytesColumn reader; reading it value by value costs a seek each)."""
    count = column._count  # type: ignore[attr-defined]  # articles up to the last with a value
    return column._dbfile.get(column._basepos, count * BANDS_BYTES)  # type: ignore[attr-defined]


def copies_of(searcher: Searcher, docnum: int, fields: dict | None = None) -> list[int]:
    """The other articles in the index that are copies of article `docnum`."""
    fields = fields if fields is not None else searcher.reader().stored_fields(docnum)
    mine = fingerprint_of(fields)
    if not mine.bands:
        return []
    date = from_index_date(fields.get("date"))
    reader = searcher.reader()
    candidates = holders(searcher, mine.bands)
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
    them, each with its copies among the ranked hits, in rank order.

    `ranked` is read lazily: up to `want` hits past the last group's leader
    (enough for the copies ranked right behind it), not all of it.
    """
    reader = searcher.reader()
    groups: list[Group] = []
    leaders: dict[bytes, list[tuple[Group, Fingerprint, datetime | None]]] = {}
    past_last = 0
    for docnum, score in ranked:
        if len(groups) == want:
            past_last += 1
            if past_last > want:
                break
        fields = reader.stored_fields(docnum)
        mine = fingerprint_of(fields)
        date = from_index_date(fields.get("date"))
        keys = band_keys(mine.bands)
        group = _group_of(mine, keys, date, leaders)
        if group is not None:
            group.copies.append(docnum)
        elif len(groups) < want:
            group = Group(docnum, score, [])
            groups.append(group)
            for key in keys:
                leaders.setdefault(key, []).append((group, mine, date))
    return groups


def _group_of(mine: Fingerprint, keys: list[bytes], date: datetime | None,
              leaders: dict[bytes, list[tuple[Group, Fingerprint, datetime | None]]]) -> Group | None:
    for key in keys:
        for group, theirs, their_date in leaders.get(key, ()):
            if near_duplicates(mine, theirs, date, their_date):
                return group
    return None
