"""JSON and JSON Lines (`.json`, `.jsonl`, `.ndjson`): one article per object.

A file may hold one object, an array of objects, an object wrapping such an
array (`{"articles": [...]}`, as news APIs return), or one object per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from searchkit.errors import ParseError
from searchkit.formats.meta import (
    decode,
    first_line,
    join_authors,
    looks_binary,
    paragraph_dateline,
    parse_date,
    split_byline,
    strip_control,
)
from searchkit.models import Article

_HEADLINE_KEYS = ("headline", "title", "name")
_BODY_KEYS = ("body", "text", "content", "full_article", "article", "articleBody", "story")
_STANDFIRST_KEYS = ("short_description", "description", "summary", "standfirst", "abstract")
_AUTHOR_KEYS = ("author", "authors", "byline", "creator")
_DATE_KEYS = ("date", "published", "publishedAt", "publish_date", "published_at",
              "pubDate", "datePublished", "created_at", "updated")
_URL_KEYS = ("url", "link", "href")
_ID_KEYS = ("guid", "id", "uuid")
_TAG_KEYS = ("tags", "keywords", "category", "categories", "section", "topics")
_WRAPPER_KEYS = ("articles", "items", "data", "results", "entries", "records", "docs")


def _text(value: Any) -> str | None:
    """A scalar as text; a name-bearing object (`{"name": ...}`) as its name."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("text") or value.get("value")
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = strip_control(str(value)).strip()
        return text or None
    return None


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        text = _text(record.get(key))
        if text:
            return text
    return None


def _author(record: dict[str, Any]) -> tuple[str | None, str | None]:
    for key in _AUTHOR_KEYS:
        value = record.get(key)
        if isinstance(value, list):
            value = join_authors(t for t in (_text(v) for v in value) if t)
        text = _text(value)
        if text:
            return split_byline(text)
    return None, None


def _tags(record: dict[str, Any]) -> tuple[str, ...]:
    tags: list[str] = []
    for key in _TAG_KEYS:
        value = record.get(key)
        items = value if isinstance(value, list) else [value]
        for item in items:
            text = _text(item)
            if text and text not in tags:
                tags.append(text)
    return tuple(tags)


def _article(record: dict[str, Any], relpath: str, key: str) -> Article | None:
    """One record as an Article, or None when it holds no headline and no text."""
    body = _first(record, _BODY_KEYS)
    standfirst = _first(record, _STANDFIRST_KEYS)
    if body is None:
        body, standfirst = standfirst, None  # a teaser is all the text there is
    headline = _first(record, _HEADLINE_KEYS) or first_line(body or "")
    if not headline:
        return None
    author, credit = _author(record)
    dateline, wire = paragraph_dateline(body or "")
    date_text = _first(record, _DATE_KEYS)
    return Article(
        id=f"{relpath}#{key}",
        path=relpath,
        headline=" ".join(headline.split()),
        body=body or "",
        author=author,
        date=parse_date(date_text),
        dateline=dateline,
        source=_first(record, ("source", "publisher", "site_name")) or credit or wire,
        url=_first(record, _URL_KEYS),
        standfirst=standfirst,
        tags=_tags(record),
        format="json",
    )


def _records(value: Any) -> list[Any]:
    """The article objects in a parsed JSON document."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if not any(k in value for k in _HEADLINE_KEYS + _BODY_KEYS + _STANDFIRST_KEYS):
            for key in _WRAPPER_KEYS:
                if isinstance(value.get(key), list):
                    return list(value[key])
        return [value]
    return []


def _loads(text: str) -> tuple[bool, Any]:
    """(ok, value): JSON errors and over-deep nesting are both just 'not JSON'."""
    try:
        return True, json.loads(text)
    except (ValueError, RecursionError):
        return False, None


def _keyed(records: Iterator[tuple[int, Any]], relpath: str) -> Iterator[Article]:
    """Articles with ids: `relpath#<url or guid>`, else `relpath#<record number>`.

    The record's own url/guid keeps an id stable when records are inserted
    above it (HuffPost-style dumps are newest first); the record number is the
    fallback for records without one and for a repeated url.
    """
    seen: set[str] = set()
    for n, record in records:
        if not isinstance(record, dict):
            continue
        own = _first(record, _URL_KEYS) or _first(record, _ID_KEYS)
        key = own if own and own not in seen else str(n)
        if own:
            seen.add(own)
        article = _article(record, relpath, key)
        if article is not None:
            yield article


def _lines(text: str) -> Iterator[tuple[int, Any]]:
    """(record number, object) per valid line; a malformed line is skipped."""
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            ok, value = _loads(line)
            if ok:
                yield n, value


def parse(data: bytes, relpath: str) -> Iterator[Article]:
    """Articles from JSON or JSON Lines, whichever the content turns out to be.

    Keys mapped: headline/title; body/text/content/full_article (else the
    short_description/description teaser becomes the body); author/authors/
    byline as a string or list (a trailing wire credit such as ", Reuters"
    becomes the source); date/published/publishedAt/publish_date; url/link;
    source (a string or `{"name": ...}`); category/tags/keywords → tags.
    A record number n is the 1-based line number for JSON Lines and the
    1-based position for an array.
    """
    if looks_binary(data):
        raise ParseError("binary data, not JSON text")
    text = decode(data)
    if not text.strip():
        return
    ok, value = _loads(text)
    if ok:
        if not isinstance(value, (list, dict)):
            raise ParseError("JSON holds a bare value, not article objects")
        yield from _keyed(enumerate(_records(value), start=1), relpath)
        return
    if "\n" not in text.strip():
        raise ParseError("not valid JSON (truncated, malformed or nested too deeply)")
    valid: list[int] = []

    def counted() -> Iterator[tuple[int, Any]]:
        for n, record in _lines(text):
            valid.append(n)
            yield n, record

    yield from _keyed(counted(), relpath)
    if not valid:
        raise ParseError("no line holds valid JSON (not a JSON Lines file?)")
