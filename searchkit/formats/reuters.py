"""Reuters-21578 SGML (`.sgm`): about a thousand `<REUTERS>` stories per file.

The files are SGML, not XML, so they are read with regular expressions rather
than an XML parser (which would stop at the first bare `&` or `<`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from searchkit.errors import ParseError
from searchkit.formats.meta import (
    clean_dateline,
    decode,
    first_line,
    looks_binary,
    parse_date,
    split_byline,
    strip_control,
)
from searchkit.models import Article

_OPEN = re.compile(r"<REUTERS\b([^>]*)>", re.IGNORECASE)
_CLOSE = re.compile(r"</REUTERS>", re.IGNORECASE)
_NEWID = re.compile(r'\bNEWID\s*=\s*"?(\d+)', re.IGNORECASE)
_TEXT = re.compile(r"<TEXT\b([^>]*)>", re.IGNORECASE)
_TEXT_END = re.compile(r"</TEXT>", re.IGNORECASE)
_D = re.compile(r"<D>(.*?)</D>", re.DOTALL | re.IGNORECASE)
_DATE = re.compile(r"(\d{1,2}-[A-Za-z]{3}-\d{4})(?:\s+(\d+:\d{2}:\d{2}(?:\.\d+)?))?")
_TAG = re.compile(r"<[^>]*>")
# The wire's sign-off: "... said.\n Reuter\n&#3;" (sometimes "REUTER" or "Reuters").
_SIGN_OFF = re.compile(r"\s*\bReuters?\W*\Z", re.IGNORECASE)
_BLAH = "Blah blah blah."


_FIELDS = {
    tag: re.compile(rf"<{tag}>(.*?)</{tag}>", re.DOTALL | re.IGNORECASE)
    for tag in ("DATE", "TOPICS", "PLACES", "TITLE", "AUTHOR", "DATELINE", "BODY")
}


def _field(block: str, tag: str) -> str | None:
    match = _FIELDS[tag].search(block)
    return match.group(1) if match else None


def _plain(sgml: str) -> str:
    """Character references unescaped, tags and control characters removed."""
    if "<" in sgml:
        sgml = _TAG.sub("", sgml)
    if "&" in sgml:
        sgml = html.unescape(sgml)
    return strip_control(sgml)


def _reflow(text: str) -> str:
    """Wire copy hard-wrapped at 70 columns → paragraphs.

    A paragraph starts on an indented line; other line breaks are wrapping.
    """
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip() or line[:1].isspace():
            if current:
                paragraphs.append(" ".join(current))
            current = []
        if line.strip():
            current.append(line.strip())
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def _story(attrs: str, block: str, relpath: str, n: int) -> Article | None:
    newid = _NEWID.search(attrs)
    key = newid.group(1) if newid else f"n{n}"

    date_field = _field(block, "DATE") or ""
    date_match = _DATE.search(date_field)
    date = None
    if date_match:
        day, time = date_match.groups()
        # One story's time is "605:12:19.12": keep the day rather than lose the date.
        date = (time and parse_date(f"{day} {time}", dayfirst=True)) or parse_date(
            day, dayfirst=True
        )

    tags: list[str] = []
    for tag in ("TOPICS", "PLACES"):
        for value in _D.findall(_field(block, tag) or ""):
            value = _plain(value).strip()
            if value and value not in tags:
                tags.append(value)

    text_attrs, text = "", ""
    text_match = _TEXT.search(block)
    if text_match:
        text_end = _TEXT_END.search(block, text_match.end())
        text_attrs = text_match.group(1)
        text = block[text_match.end() : text_end.start() if text_end else len(block)]
    title = " ".join(_plain(_field(text, "TITLE") or "").split())
    author, credit = split_byline(_plain(_field(text, "AUTHOR") or ""))
    dateline = clean_dateline(_plain(_field(text, "DATELINE") or ""))
    body_sgml = _field(text, "BODY")
    if body_sgml is None:
        # UNPROC stories are unstructured; BRIEF ones are a title and "Blah blah blah."
        body_sgml = re.sub(r"<(TITLE|AUTHOR|DATELINE)>.*?</\1>", "", text, flags=re.DOTALL | re.IGNORECASE)
    body = _plain(body_sgml).rstrip()
    # Searching only the tail: the pattern is slow when tried at every offset.
    tail = _SIGN_OFF.search(body, max(0, len(body) - 40))
    body = (body[: tail.start()] if tail else body).strip("\n")
    # BRIEF stories: "******<TITLE>…</TITLE>Blah blah blah." — flash markers and filler.
    body = body.lstrip("*").removesuffix(_BLAH).strip("*\n")
    body = body if "UNPROC" in text_attrs.upper() else _reflow(body)
    body = body.strip()

    headline = title or first_line(body)
    if not headline and not body:
        return None
    return Article(
        id=f"{relpath}#{key}",
        path=relpath,
        headline=headline,
        body=body,
        author=author,
        date=date,
        dateline=dateline,
        source=credit or "Reuters",
        tags=tuple(tags),
        format="reuters",
    )


def parse(data: bytes, relpath: str) -> Iterator[Article]:
    """Each `<REUTERS>` story with any text is an article, id `relpath#NEWID`.

    Headline is the TITLE, or the first line of text for untitled stories;
    tags are the TOPICS then PLACES codes; the date is the wire timestamp, read
    day-first and taken as UTC because the collection gives no zone.
    """
    if looks_binary(data):
        raise ParseError("binary data, not SGML text")
    text = decode(data)
    # Each story runs from its open tag to its close tag, or to the next open
    # tag when the close is missing; splitting on open tags keeps this linear.
    opens = list(_OPEN.finditer(text))
    for n, match in enumerate(opens, start=1):
        end = opens[n].start() if n < len(opens) else len(text)
        close = _CLOSE.search(text, match.end(), end)
        block = text[match.end() : close.start() if close else end]
        article = _story(match.group(1), block, relpath, n)
        if article is not None:
            yield article
    if not opens and text.strip():
        raise ParseError("no <REUTERS> stories found (not a Reuters-21578 SGML file?)")
