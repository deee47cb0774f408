"""Input formats: each module turns a file's bytes into Articles.

`reader_for(path)` picks the parser by file extension; files of other types
are not articles and are ignored by the indexer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import PurePath

from searchkit.formats import feeds, html, jsonl, markdown, reuters, text
from searchkit.models import Article

Parser = Callable[[bytes, str], Iterator[Article]]

PARSERS: dict[str, Parser] = {
    ".txt": text.parse,
    ".text": text.parse,
    ".md": markdown.parse,
    ".markdown": markdown.parse,
    ".json": jsonl.parse,
    ".jsonl": jsonl.parse,
    ".ndjson": jsonl.parse,
    ".rss": feeds.parse,
    ".atom": feeds.parse,
    ".xml": feeds.parse,  # yields nothing for XML that is not a feed
    ".html": html.parse,
    ".htm": html.parse,
    ".sgm": reuters.parse,
}


def reader_for(path: str | PurePath) -> Parser | None:
    """The parser for a file, or None if the file is not an article type."""
    return PARSERS.get(PurePath(path).suffix.lower())
