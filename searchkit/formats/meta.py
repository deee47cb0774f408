"""Metadata shared by every input format: decoding, dates, authors, datelines,
and web boilerplate. No whoosh, no printing."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from datetime import datetime, timezone

from dateutil import parser as date_parser
from dateutil.tz import tzoffset


def decode(data: bytes) -> str:
    """Bytes → text: UTF-8 (with or without BOM), else cp1252, else Latin-1.

    A UTF-16 byte-order mark is honoured too. Latin-1 maps every byte, so this
    never fails; NUL bytes are dropped because no news text contains them and
    they break terminals and parsers.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").replace("\x00", "")
        except UnicodeDecodeError:
            pass
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


_C0 = bytes(b for b in range(32) if b not in b"\t\n\r\f") + b"\x7f"


def looks_binary(data: bytes) -> bool:
    """Whether bytes are not text at all: NUL bytes, or over 5% control bytes.

    Judged on the first 4 KiB; a UTF-16 file (which has a byte-order mark) is text.
    """
    head = data[:4096]
    if not head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _C0))
    return controls > len(head) * 0.05


# UTF-8 read as cp1252: "â€™" for "’", "Ã©" for "é", "Â£" for "£".
_MOJIBAKE = re.compile("â€|Ã[\u0080-\u00bf\u0152-\u0178\u02c6-\u2122]|Â[\u00a0-\u00bf]")


def repair_mojibake(text: str) -> str:
    """Undo one round of UTF-8-read-as-cp1252 damage, only when that clearly helps.

    The repair is applied only if the text round-trips through cp1252 back to
    valid UTF-8 and the result has fewer mojibake sequences; anything else is
    returned unchanged. (None of the shared corpora needs it; feeds scraped by
    third parties often do.)
    """
    before = len(_MOJIBAKE.findall(text))
    if not before:
        return text
    try:
        fixed = text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
    return fixed if len(_MOJIBAKE.findall(fixed)) < before else text


# Zone abbreviations that news feeds actually use. dateutil knows only UTC/GMT;
# an unknown abbreviation would otherwise silently become UTC.
_TZINFOS = {
    name: tzoffset(name, hours * 3600)
    for name, hours in {
        "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "CET": 1, "CEST": 2,
        "MEZ": 1, "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3, "IST": 5.5,
        "JST": 9, "AEST": 10, "AEDT": 11, "EST": -5, "EDT": -4, "CST": -6,
        "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    }.items()
}
# Formats tried before dateutil because they are common and strptime is ~20x faster.
_FAST_FORMATS = ("%d-%b-%Y %H:%M:%S.%f", "%a, %d %b %Y %H:%M:%S %z")
_DEFAULT_A = datetime(2001, 1, 1)
_DEFAULT_B = datetime(2002, 2, 2)


def _to_utc(parsed: datetime) -> datetime | None:
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


def parse_date(value: str | None, *, dayfirst: bool = False) -> datetime | None:
    """Parse a date as people and feeds write it; UTC-aware, or None.

    A naive date is taken as UTC and a missing time as midnight. Anything
    unparseable gives None, and so does a date missing its year, month or day
    ("Feb 26", "May 2018") or carrying an unknown zone name: dates are never
    guessed.
    """
    if not value:
        return None
    value = " ".join(value.split())
    if not value or len(value) > 100:
        return None
    try:
        return _to_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        pass
    for fmt in _FAST_FORMATS:
        try:
            return _to_utc(datetime.strptime(value, fmt))
        except ValueError:
            pass
    try:
        with warnings.catch_warnings():
            # An unknown zone name: the offset is unknown, so the date is too.
            warnings.simplefilter("error", date_parser.UnknownTimezoneWarning)
            first = date_parser.parse(
                value, dayfirst=dayfirst, default=_DEFAULT_A, tzinfos=_TZINFOS
            )
            second = date_parser.parse(
                value, dayfirst=dayfirst, default=_DEFAULT_B, tzinfos=_TZINFOS
            )
    except (ValueError, OverflowError, TypeError, ArithmeticError, Warning):
        return None
    if first.date() != second.date():
        return None  # year, month or day came from the default, not the text
    return _to_utc(first)


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


# Wire services as they are credited in bylines, in their display form.
WIRE_CREDITS = {
    "reuters": "Reuters",
    "reuter": "Reuters",
    "ap": "AP",
    "the associated press": "AP",
    "associated press": "AP",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "upi": "UPI",
    "bloomberg": "Bloomberg",
    "dpa": "dpa",
    "pa": "PA",
    "cnn": "CNN",
}


def split_byline(value: str | None) -> tuple[str | None, str | None]:
    """A byline as (author display form, wire credit).

    `by Janie Gabbett, Reuters` → (`Janie Gabbett`, `Reuters`); a byline that
    is only a wire (`Reuters`, `AP`) gives (None, credit). Only known wires are
    split off, so `Stateline, Editorial Partner` stays one author.
    """
    author = clean_author(value)
    if not author:
        return None, None
    whole = WIRE_CREDITS.get(author.casefold())
    if whole:
        return None, whole
    head, sep, tail = author.rpartition(",")
    credit = WIRE_CREDITS.get(tail.strip().casefold()) if sep else None
    if credit:
        head = re.sub(r",?\s+and$", "", head.strip())  # "A, B, and C, CNN"
        return clean_author(head), credit
    return author, None


def join_authors(names: Iterable[object]) -> str | None:
    """Several author names as one display string: `A, B and C`."""
    cleaned = [c for c in (clean_author(str(n)) for n in names if n) if c]
    if not cleaned:
        return None
    if len(cleaned) == 1:
        return cleaned[0]
    return ", ".join(cleaned[:-1]) + " and " + cleaned[-1]


_AUTHOR_LIST = re.compile(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*")


def split_authors(value: str | None) -> list[str]:
    """The names in an author line, display form: `A, B and C` → [A, B, C].

    Commas separate names only in a list that has an `and` (or `&`): in
    `Michael Isikoff, Yahoo News` the comma introduces an affiliation.
    """
    cleaned = clean_author(value)
    if not cleaned:
        return []
    if not re.search(r"\s(?:and|&)\s", cleaned):
        return [cleaned]
    names = [clean_author(part) for part in _AUTHOR_LIST.split(cleaned)]
    return list(dict.fromkeys(n for n in names if n))


# "JERUSALEM-", "LONDON (Reuters) -", "KYIV, Ukraine (AP) —", "NEW YORK, March 3 -"
_DATELINE = re.compile(
    r"""^(?P<place>[A-Z][A-Z.'’\- ]{1,40}?[A-Z.])       # place in capitals
        (?:,\s*(?P<region>[A-Z][A-Za-z./]+(?:\s[A-Z][A-Za-z./]+)*(?:\s\d{1,2})?))?  # , Region / , March 3
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


_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
)
_TRAILING_DAY = re.compile(rf",?\s*{_MONTH}\s*\d{{1,3}}\s*$", re.IGNORECASE)
_ONLY_DATE = re.compile(rf"^{_MONTH}\s*\d{{0,3}}$", re.IGNORECASE)


def clean_dateline(value: str | None) -> str | None:
    """A wire dateline without its day and dash: `BAHIA BLANCA, Argentina, Feb 26 - `
    → `BAHIA BLANCA, Argentina`. None when nothing but a date is left."""
    if not value:
        return None
    value = " ".join(value.split())
    value = re.split(r"\s+-+(?:\s|$)|\s*--+\s*|\s+[–—]\s+", value, maxsplit=1)[0]
    value = _TRAILING_DAY.sub("", value).strip(" ,-–—")
    if not value or _ONLY_DATE.match(value) or not any(c.isalpha() for c in value):
        return None
    return value


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
    r"read more\s*:?$|advertisement$|tags?:\s|continue reading\s*(\.\.\.|…)?\s*$|"
    r"related:\s)",
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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control(text: str) -> str:
    """Remove control characters (keeping tab and newlines); `\\r\\n` → `\\n`."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def first_line(text: str, limit: int = 120) -> str:
    """A fallback headline: the first non-blank line, cut at a word near `limit`."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            if len(line) <= limit:
                return line
            cut = line[:limit].rsplit(" ", 1)[0]
            return cut + "…"
    return ""


def paragraph_dateline(body: str) -> tuple[str | None, str | None]:
    """(dateline, wire credit) at the start of one of the body's first two paragraphs.

    The second is tried because pages often open with a teaser or a lone
    place name before the dateline paragraph.
    """
    paragraphs = [p for p in body.split("\n") if p.strip()][:2]
    for paragraph in paragraphs:
        found = find_dateline(paragraph.strip())
        if found:
            credit = found[1]
            return found[0], WIRE_CREDITS.get(credit.casefold(), credit) if credit else None
    return None, None
