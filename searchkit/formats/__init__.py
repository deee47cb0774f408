"""Input formats: each module turns a file's bytes into Articles.

`reader_for(path)` picks the parser by file extension; files of other types
are not articles and are ignored by the indexer. Parser modules are imported
on first use, so commands that never read articles (`search`) do not pay for
feedparser, the HTML extractor and the rest.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import PurePath

from searchkit.models import Article

Parser = Callable[[bytes, str], Iterator[Article]]

# file suffix → module in this package whose `parse` reads it
FORMAT_MODULES: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "jsonl",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".rss": "feeds",
    ".atom": "feeds",
    ".xml": "feeds",  # yields nothing for XML that is not a feed
    ".html": "html",
    ".htm": "html",
    ".sgm": "reuters",
}


def is_article_file(path: str | PurePath) -> bool:
    return PurePath(path).suffix.lower() in FORMAT_MODULES


def reader_for(path: str | PurePath) -> Parser | None:
    """The parser for a file, or None if the file is not an article type."""
    module = FORMAT_MODULES.get(PurePath(path).suffix.lower())
    if module is None:
        return None
    parse: Parser = importlib.import_module(f"searchkit.formats.{module}").parse
    return parse
