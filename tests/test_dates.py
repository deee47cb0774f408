"""Dates as people type them → whole-unit UTC spans (dates.py), with a fixed now."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from searchkit import dates
from searchkit.errors import QuerySyntaxError

NOW = datetime(2021, 12, 15, 13, 30, tzinfo=timezone.utc)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2021-11-23", utc(2021, 11, 23), utc(2021, 11, 24)),
        ("2021-11", utc(2021, 11, 1), utc(2021, 12, 1)),
        ("2021", utc(2021, 1, 1), utc(2022, 1, 1)),
        ("23 Nov 2021", utc(2021, 11, 23), utc(2021, 11, 24)),
        ("November 23, 2021", utc(2021, 11, 23), utc(2021, 11, 24)),
        ("Nov 2021", utc(2021, 11, 1), utc(2021, 12, 1)),
        ("  2021-02  ", utc(2021, 2, 1), utc(2021, 3, 1)),
        ("today", utc(2021, 12, 15), utc(2021, 12, 16)),
        ("yesterday", utc(2021, 12, 14), utc(2021, 12, 15)),
        ("Yesterday", utc(2021, 12, 14), utc(2021, 12, 15)),
        ("last week", utc(2021, 12, 8), utc(2021, 12, 9)),
        ("last month", utc(2021, 11, 15), utc(2021, 11, 16)),
        ("7d", utc(2021, 12, 8), utc(2021, 12, 9)),
        ("7 days", utc(2021, 12, 8), utc(2021, 12, 9)),
        ("2w", utc(2021, 12, 1), utc(2021, 12, 2)),
        ("3 months ago", utc(2021, 9, 15), utc(2021, 9, 16)),
        ("1y", utc(2020, 12, 15), utc(2020, 12, 16)),
        ("1950", utc(1950, 1, 1), utc(1951, 1, 1)),  # before 1970
        ("1987-03-02", utc(1987, 3, 2), utc(1987, 3, 3)),
        ("2099-06", utc(2099, 6, 1), utc(2099, 7, 1)),  # the future
        ("9999", utc(9999, 1, 1), None),
    ],
)
def test_span_covers_the_whole_unit(text: str, start: datetime, end: datetime | None) -> None:
    assert dates.parse_span(text, NOW) == dates.Span(start, end)


def test_until_is_exclusive_end_of_the_unit() -> None:
    assert dates.until("2021-11", NOW) == utc(2021, 12, 1)  # keeps all of Nov 30
    assert dates.since("2021-11", NOW) == utc(2021, 11, 1)


def test_leap_day_and_year_end() -> None:
    assert dates.parse_span("2020-02", NOW).end == utc(2020, 3, 1)
    assert dates.parse_span("2020-02-29", NOW).end == utc(2020, 3, 1)
    assert dates.parse_span("2021-12-31", NOW).end == utc(2022, 1, 1)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2021-01..2021-06", utc(2021, 1, 1), utc(2021, 7, 1)),
        ("2019..", utc(2019, 1, 1), None),
        ("..2020", None, utc(2021, 1, 1)),
        ("1987-03-02..1987-03-03", utc(1987, 3, 2), utc(1987, 3, 4)),
        ("2021-11", utc(2021, 11, 1), utc(2021, 12, 1)),
    ],
)
def test_range(text: str, start: datetime | None, end: datetime | None) -> None:
    assert dates.parse_range(text, NOW) == dates.Span(start, end)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("soon", "cannot read the date 'soon'"),
        ("Nov 23", "(give the year)"),
        ("3m", "(units: d, w, mo, y)"),
        ("2021-13", "cannot read the date '2021-13'"),
        ("2021-02-30", "cannot read the date '2021-02-30'"),
        ("0000", "(no year 0)"),
        ("", "cannot read the date ''"),
        ("..", "(give at least one end of the range)"),
        ("2022..2021", "ends before it starts"),
    ],
)
def test_bad_dates_name_the_forms(text: str, hint: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        dates.parse_range(text, NOW)
    assert hint in str(info.value)


def test_intersect() -> None:
    a = dates.Span(utc(2021, 1, 1), None)
    b = dates.Span(None, utc(2021, 6, 1))
    assert a.intersect(b) == dates.Span(utc(2021, 1, 1), utc(2021, 6, 1))
    assert dates.Span(utc(2022, 1, 1), utc(2021, 1, 1)).empty
