"""Counting matches by author, source, dateline, year, and over time.

Pure functions over values the engine reads from the index; no whoosh.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from searchkit.models import Facet, FacetCount, Timeline, TimelineBucket

FACET_TOP = 10

# The timeline's unit, from the span of the matching dates: every bucket in
# the span is a line, so at most ~92 days or 36 months; beyond, years.
DAYS_UP_TO = 92
MONTHS_UP_TO = 36
# A stray date centuries off would draw a bar per empty year: beyond this
# many years, only years with matches are listed.
YEARS_UP_TO = 100


def count_names(name: str, per_article: Iterable[list[str]], top: int = FACET_TOP) -> Facet:
    """The commonest names, case-insensitive, each in its commonest spelling.

    An article with two authors counts once for each; an article without
    one counts in `missing`.
    """
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    missing = 0
    for names in per_article:
        if not names:
            missing += 1
        for value in dict.fromkeys(n.casefold() for n in names):
            counts[value] += 1
        for n in names:
            spellings.setdefault(n.casefold(), Counter())[n] += 1
    shown = {key: found.most_common(1)[0][0] for key, found in spellings.items()}
    return _facet(name, counts, shown, missing, top)


def count_years(per_article: Iterable[datetime | None], top: int = FACET_TOP) -> Facet:
    counts: Counter[str] = Counter()
    missing = 0
    for date in per_article:
        if date is None:
            missing += 1
        else:
            counts[f"{date.year:04d}"] += 1
    return _facet("year", counts, {}, missing, top)


def _facet(name: str, counts: Counter[str], shown: dict[str, str], missing: int, top: int) -> Facet:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    kept = ranked[:top]
    return Facet(
        name=name,
        counts=tuple(FacetCount(shown.get(value, value), n) for value, n in kept),
        other=sum(n for _, n in ranked[top:]),
        missing=missing,
    )


def timeline(per_article: Iterable[datetime | None]) -> Timeline:
    """Articles per day, month or year (chosen from the span), empty buckets included."""
    dates: list[datetime] = []
    undated = 0
    for date in per_article:
        if date is None:
            undated += 1
        else:
            dates.append(date)
    if not dates:
        return Timeline(unit="month", buckets=(), undated=undated)
    first, last = min(dates), max(dates)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if (last.date() - first.date()).days < DAYS_UP_TO:
        unit = "day"
    elif months <= MONTHS_UP_TO:
        unit = "month"
    else:
        unit = "year"
    counts = Counter(_label(d, unit) for d in dates)
    return Timeline(
        unit=unit,
        buckets=tuple(TimelineBucket(label, counts.get(label, 0)) for label in _labels(first, last, unit, dates)),
        undated=undated,
    )


def _label(date: datetime, unit: str) -> str:
    if unit == "day":
        return date.date().isoformat()
    if unit == "month":
        return f"{date.year:04d}-{date.month:02d}"
    return f"{date.year:04d}"


def _labels(first: datetime, last: datetime, unit: str, dates: list[datetime]) -> list[str]:
    """Every bucket label from `first` to `last`, in order."""
    if unit == "day":
        day, end = first.date(), last.date()
        out = []
        while day <= end:
            out.append(day.isoformat())
            day += timedelta(days=1)
        return out
    if unit == "month":
        out = []
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out
    if last.year - first.year >= YEARS_UP_TO:
        return sorted({f"{d.year:04d}" for d in dates})
    return [f"{y:04d}" for y in range(first.year, last.year + 1)]
