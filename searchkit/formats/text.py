"""Plain-text articles: headline line, optional header block, paragraphs,
`Author:` / `By` line, trailing web boilerplate."""

from __future__ import annotations

import re
from collections.abc import Iterator

from searchkit.formats.meta import (
    clean_author,
    decode,
    find_dateline,
    parse_date,
    strip_boilerplate,
)
from searchkit.models import Article

_HEADER = re.compile(
    r"^(title|headline|date|published|author|byline|by|source|url|link|dateline|tags)"
    r"\s*:\s*(.*)$",
    re.IGNORECASE,
)
_AUTHOR_LINE = re.compile(r"^(?:author\s*:|by)\s+(\S.{0,80})$", re.IGNORECASE)
# A standfirst is short and is not itself the first news paragraph.
_STANDFIRST_MAX_CHARS = 320


def _read_headers(lines: list[str], start: int, headers: dict[str, str]) -> int:
    """Consume `Key: value` lines from `start`; return the index after them."""
    i = start
    while i < len(lines):
        match = _HEADER.match(lines[i].strip())
        if not match:
            break
        key = match.group(1).lower()
        headers.setdefault(key, match.group(2).strip())
        i += 1
    return i


def _skip_blank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line-separated paragraphs, inner line breaks kept as spaces."""
    out: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


def parse_text(text: str, relpath: str, fmt: str = "text") -> Article:
    """One plain-text article from its decoded text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    headers: dict[str, str] = {}
    i = _read_headers(lines, _skip_blank(lines, 0), headers)
    i = _skip_blank(lines, i)
    headline = headers.get("title") or headers.get("headline")
    if not headline and i < len(lines):
        headline = lines[i].strip()
        i = _read_headers(lines, i + 1, headers)
    paragraphs = _paragraphs(lines[i:])

    author = headers.get("author") or headers.get("byline") or headers.get("by")
    body: list[str] = []
    for paragraph in paragraphs:
        match = _AUTHOR_LINE.match(paragraph)
        if match:
            author = author or match.group(1)
            continue
        body.append(paragraph)
    body = strip_boilerplate(body)

    standfirst = None
    dateline = headers.get("dateline")
    credit = None
    for n, paragraph in enumerate(body[:2]):
        found = find_dateline(paragraph)
        if found:
            dateline = dateline or found[0]
            credit = found[1]
            if n == 1 and len(body[0]) <= _STANDFIRST_MAX_CHARS:
                standfirst = body[0]
            break

    return Article(
        id=relpath,
        path=relpath,
        headline=(headline or "").strip() or relpath,
        body="\n\n".join(body),
        author=clean_author(author),
        date=parse_date(headers.get("date") or headers.get("published")),
        dateline=dateline,
        source=headers.get("source") or credit,
        url=headers.get("url") or headers.get("link"),
        standfirst=standfirst,
        tags=tuple(t.strip() for t in headers.get("tags", "").split(",") if t.strip()),
        format=fmt,
    )


def parse(data: bytes, relpath: str) -> Iterator[Article]:
    """A .txt file holds one article."""
    text = decode(data)
    if not text.strip():
        return
    yield parse_text(text, relpath)
