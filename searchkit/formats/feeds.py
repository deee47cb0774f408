"""RSS 2.0 / RSS 1.0 / Atom feeds (`.rss`, `.atom`, and `.xml` that is a feed).

Each item or entry is an article, id `relpath#<guid or link>`, so a feed that
gains two items adds two articles and keeps the ids of the rest.
Parsing is done by feedparser, a core dependency.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

from searchkit.errors import ParseError
from searchkit.formats.html import html_to_text
from searchkit.formats.meta import (
    first_line,
    join_authors,
    paragraph_dateline,
    parse_date,
    split_byline,
    strip_boilerplate,
)
from searchkit.models import Article

# The root element of a feed, looked for near the start of the file.
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|RDF)[\s>]", re.IGNORECASE)


def is_feed(data: bytes) -> bool:
    """Whether the bytes look like an RSS or Atom document (cheap sniff)."""
    return bool(_FEED_ROOT.search(data[:4096]))


def _text(value: Any) -> str:
    return html_to_text(value) if isinstance(value, str) else ""


def _body_text(value: Any) -> str:
    """Item HTML as text without "Continue reading..." and similar feed furniture."""
    return "\n\n".join(strip_boilerplate(_text(value).split("\n\n")))


def _author(entry: Any, feed: Any, atom: bool) -> tuple[str | None, str | None]:
    names = [a.get("name") for a in entry.get("authors", []) if isinstance(a, dict)]
    byline = join_authors(n for n in names if n) or entry.get("author")
    if not byline and atom:
        byline = feed.get("author")  # Atom: entries inherit the feed's author
    return split_byline(_text(byline) if byline else None)


def _article(entry: Any, feed: Any, atom: bool, relpath: str, key: str) -> Article | None:
    contents = [c.get("value", "") for c in entry.get("content", []) if isinstance(c, dict)]
    content = _body_text(max(contents, key=len)) if contents else ""
    summary = _body_text(entry.get("summary"))
    body, standfirst = (content, summary or None) if content else (summary, None)
    if standfirst and standfirst in body:
        standfirst = None
    headline = " ".join(_text(entry.get("title")).split()) or first_line(body)
    if not headline:
        return None
    author, credit = _author(entry, feed, atom)
    dateline, wire = paragraph_dateline(body)
    raw_date = (
        entry.get("published") or entry.get("updated") or entry.get("created")
        or entry.get("dc_date")
    )
    item_source = entry.get("source")
    source = item_source.get("title") if isinstance(item_source, dict) else None
    tags = []
    for tag in entry.get("tags", []):
        term = (tag.get("term") or tag.get("label")) if isinstance(tag, dict) else None
        if term and term.strip() and term.strip() not in tags:
            tags.append(term.strip())
    return Article(
        id=f"{relpath}#{key}",
        path=relpath,
        headline=headline,
        body=body,
        author=author,
        date=parse_date(raw_date),
        dateline=dateline,
        source=source or credit or wire or (feed.get("title") or None),
        url=entry.get("link") or None,
        standfirst=standfirst,
        tags=tuple(tags),
        format="feed",
    )


def parse(data: bytes, relpath: str) -> Iterator[Article]:
    """Articles from a feed; an `.xml` file that is not a feed yields nothing.

    Each item's title, link, author (dc:creator, Atom author, or the feed's
    Atom author), date (pubDate/published, else updated), categories as tags,
    and the longest content (else the description/summary) as body, with HTML
    reduced to text. A summary distinct from the content becomes the standfirst.
    """
    if not data.strip():
        return
    if not is_feed(data):
        if PurePath(relpath).suffix.lower() == ".xml":
            return  # some other XML document: not an article type
        raise ParseError("not an RSS or Atom feed (no <rss>, <feed> or <rdf:RDF> root)")
    import feedparser  # type: ignore[import-untyped]

    try:
        # A stream, never a string: feedparser would fetch a string that looks like a URL.
        parsed = feedparser.parse(io.BytesIO(data))
    except Exception as exc:  # feedparser is meant not to raise; be sure of it
        raise ParseError(f"unreadable feed ({type(exc).__name__})") from exc
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no items"
        raise ParseError(f"unreadable feed ({first_line(str(reason), 80)})")
    feed = parsed.get("feed", {})
    atom = str(parsed.get("version", "")).startswith("atom")
    seen: set[str] = set()
    yielded = 0
    for n, entry in enumerate(parsed.entries, start=1):
        own = entry.get("id") or entry.get("link")
        key = own if own and own not in seen else str(n)
        if own:
            seen.add(own)
        article = _article(entry, feed, atom, relpath, key)
        if article is not None:
            yielded += 1
            yield article
    if not yielded and parsed.get("bozo"):
        reason = parsed.get("bozo_exception") or "malformed"
        raise ParseError(f"unreadable feed ({first_line(str(reason), 80)})")

