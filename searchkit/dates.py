"""Dates as people type them → UTC time spans covering whole units.

`2021` is the whole year, `2021-11` all of November, `yesterday` the whole
day. A span's end is exclusive, so `--until 2021-11` keeps Nov 30 23:59.
Relative forms (`7d`, `3 months ago`, `last week`) count back from `now`
and cover that whole day. Days are UTC days, as stored at ingest.
No whoosh, no printing: errors are QuerySyntaxError with the forms accepted.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, NamedTuple

from searchkit.errors import QuerySyntaxError

if TYPE_CHECKING:
    from dateutil.relativedelta import relativedelta

# dateutil is imported where it is used: most searches have no date filter,
# and its parser costs ~15 ms of every `search` start-up.

FORMS = "2021-11-23, 2021-11, 2021, '23 Nov 2021', yesterday, 'last week', 7d or '3 months ago'"

_UNITS = {
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "wk": "weeks", "week": "weeks", "weeks": "weeks",
    "mo": "months", "mon": "months", "month": "months", "months": "months",
    "y": "years", "yr": "years", "year": "years", "years": "years",
}
_RELATIVE = re.compile(r"^(?P<n>\d{1,5})\s*(?P<unit>[a-z]+?)(?:\s+ago)?$")
_LAST = re.compile(r"^(?:last|past|a|an|one)\s+(?P<unit>day|week|month|year)(?:\s+ago)?$")
_ISO = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?)?$")
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)


class Span(NamedTuple):
    """[start, end) in UTC; None is unbounded."""

    start: datetime | None
    end: datetime | None

    def intersect(self, other: Span) -> Span:
        starts = [d for d in (self.start, other.start) if d is not None]
        ends = [d for d in (self.end, other.end) if d is not None]
        return Span(max(starts) if starts else None, min(ends) if ends else None)

    @property
    def empty(self) -> bool:
        return self.start is not None and self.end is not None and self.start >= self.end


def _utc(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=timezone.utc)


def _back(unit: str, n: int) -> relativedelta:
    """`n` days, weeks, months or years, as a calendar step."""
    from dateutil.relativedelta import relativedelta

    return relativedelta(**{unit: n})  # type: ignore[arg-type]


def _after(start: datetime, unit: str) -> datetime | None:
    """The start of the next day/month/year; None past year 9999."""
    try:
        return start + _back(unit, 1)
    except (OverflowError, ValueError):
        return None


def _day(moment: datetime) -> Span:
    start = _utc(moment.year, moment.month, moment.day)
    return Span(start, _after(start, "days"))


class _Unreadable(ValueError):
    """Raised inside the parser with why; parse_span names the text as typed."""


def _bad(text: str, why: str = "") -> QuerySyntaxError:
    return QuerySyntaxError(f"cannot read the date {text!r}{why} — use {FORMS}")


def parse_span(text: str, now: datetime | None = None) -> Span:
    """The whole day, month or year that `text` names."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    value = " ".join(text.split()).casefold()
    if not value:
        raise _bad(text)
    try:
        return _parse(value, now)
    except _Unreadable as exc:
        raise _bad(text, str(exc)) from None
    except (ValueError, OverflowError) as exc:
        raise _bad(text) from exc


def _parse(value: str, now: datetime) -> Span:
    if value in ("today", "now"):
        return _day(now)
    if value == "yesterday":
        return _day(now - timedelta(days=1))
    match = _LAST.match(value)
    if match:
        return _day(now - _back(match["unit"] + "s", 1))
    match = _RELATIVE.match(value)
    if match:
        if match["unit"] not in _UNITS:
            raise _Unreadable(" (units: d, w, mo, y)")
        return _day(now - _back(_UNITS[match["unit"]], int(match["n"])))
    match = _ISO.match(value)
    if match:
        year, month, day = (int(g) if g else None for g in match.group("y", "m", "d"))
        assert year is not None
        if year < 1:
            raise _Unreadable(" (no year 0)")
        if month is None:
            start = _utc(year)
            return Span(start, _after(start, "years"))
        if day is None:
            start = _utc(year, month)
            return Span(start, _after(start, "months"))
        return _day(_utc(year, month, day))
    return _spoken(value)


def _spoken(value: str) -> Span:
    """`23 Nov 2021`, `November 2021`, `Nov 23, 2021`: dateutil, with the unit
    read from which parts the text gave (parsing with two defaults shows it)."""
    from dateutil import parser as date_parser

    try:
        first = date_parser.parse(value, default=_DEFAULT_A)
        second = date_parser.parse(value, default=_DEFAULT_B)
    except (ValueError, OverflowError, TypeError) as exc:
        raise _Unreadable("") from exc
    if first.year != second.year:
        raise _Unreadable(" (give the year)")
    if first.month != second.month:
        if first.day != second.day:
            start = _utc(first.year)
            return Span(start, _after(start, "years"))
        raise _Unreadable("")
    if first.day != second.day:
        start = _utc(first.year, first.month)
        return Span(start, _after(start, "months"))
    return _day(first)


def since(text: str, now: datetime | None = None) -> datetime:
    """The first moment of what `text` names (for --since)."""
    start = parse_span(text, now).start
    assert start is not None
    return start


def until(text: str, now: datetime | None = None) -> datetime | None:
    """The moment after what `text` names (for --until; exclusive); None past 9999."""
    return parse_span(text, now).end


def parse_range(text: str, now: datetime | None = None) -> Span:
    """`2021-11`, `2021-01..2021-06`, `2019..`, `..2020-06-30` (the `date:` field)."""
    if ".." not in text:
        return parse_span(text, now)
    low, _, high = text.partition("..")
    if not low.strip() and not high.strip():
        raise _bad(text, " (give at least one end of the range)")
    start = parse_span(low, now).start if low.strip() else None
    end = parse_span(high, now).end if high.strip() else None
    span = Span(start, end)
    if span.empty:
        raise QuerySyntaxError(f"the date range {text!r} ends before it starts — swap its ends")
    return span
