"""Metadata shared by every input format: decoding, dates, authors, datelines,
and web boilerplate. No whoosh, no printing."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from dateutil import parser as date_parser


def decode(data: bytes) -> str:
    """Bytes → text: UTF-8 (with or without BOM), else cp1252, else Latin-1.

    Latin-1 maps every byte, so this never fails; NUL bytes are dropped
    because no news text contains them and they break terminals and parsers.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return text.replace("\x00", "")


def parse_date(value: str | None, *, dayfirst: bool = False) -> datetime | None:
    """Parse a date as people and feeds write it; UTC-aware, or None.

    A naive date is taken as UTC. Anything unparseable gives None: dates are
    never guessed.
    """
    if not value:
        return None
    value = value.strip()
    if not value or len(value) > 100:
        return None
    try:
        parsed = date_parser.parse(value, dayfirst=dayfirst, fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


_BY_PREFIX = re.compile(r"^\s*(?:by|author:|written by)\s+", re.IGNORECASE)


def clean_author(value: str | None) -> str | None:
    """The display form of an author: `By JANE DOE` → `JANE DOE` (case kept)."""
    if not value:
        return None
    value = _BY_PREFIX.sub("", value.strip())
    value = re.sub(r"\s+", " ", value).strip(" ,;|-")
    if not value or len(value) > 200:
        return None
    return value


def author_key(value: str | None) -> str | None:
    """The search and facet form of an author: lower case, no `By`, single spaces."""
    cleaned = clean_author(value)
    return cleaned.casefold() if cleaned else None


# "JERUSALEM-", "LONDON (Reuters) -", "KYIV, Ukraine (AP) —", "NEW YORK, March 3 -"
_DATELINE = re.compile(
    r"""^(?P<place>[A-Z][A-Z.'’\- ]{1,40}?[A-Z.])       # place in capitals
        (?:,\s*(?P<region>[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+)*(?:\s\d{1,2})?))?  # , Region / , March 3
        \s*(?:\((?P<credit>[A-Za-z][A-Za-z &.-]{0,30})\))?  # (Reuters)
        \s*(?:-{1,2}|–|—)\s*""",
    re.VERBOSE,
)


def find_dateline(paragraph: str) -> tuple[str, str | None] | None:
    """The dateline at the start of a paragraph, as (place, wire credit)."""
    match = _DATELINE.match(paragraph)
    if not match:
        return None
    place = match.group("place").strip()
    if len(place) < 2 or not any(c.isalpha() for c in place):
        return None
    region = match.group("region")
    if region and not region[-1].isdigit():
        place = f"{place}, {region}"
    return place, match.group("credit")


# Lines that belong to the web page around an article, not to the article.
_BOILERPLATE_START = re.compile(
    r"^\s*(leave a (reply|comment)|post a comment|comments?( \(\d+\))?:?$|"
    r"you must be logged in|related (posts|articles|stories)\s*:?$|"
    r"share this( article| story)?\s*:?$|like this\s*:?$|"
    r"subscribe to our newsletter)",
    re.IGNORECASE,
)
_BOILERPLATE_LINE = re.compile(
    r"^\s*(your email address will not be published|required fields are marked|"
    r"(click to )?share on (facebook|twitter|whatsapp|linkedin|email)|"
    r"(follow|subscribe)( us)?( on| to)? \w+\s*$|tweet$|print this (page|article)|"
    r"read more\s*:?$|advertisement$|tags?:\s)",
    re.IGNORECASE,
)


def strip_boilerplate(paragraphs: list[str]) -> list[str]:
    """Drop the comment form and share/subscribe lines that trail a web article."""
    kept: list[str] = []
    for paragraph in paragraphs:
        if _BOILERPLATE_START.match(paragraph):
            break
        if _BOILERPLATE_LINE.match(paragraph):
            continue
        kept.append(paragraph)
    return kept
