"""Every parser either yields Articles or raises ParseError, whatever the bytes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchkit.errors import ParseError
from searchkit.formats import feeds, html, jsonl, markdown, reuters
from searchkit.models import Article

Parser = Callable[[bytes, str], Iterator[Article]]

PARSERS = [
    pytest.param(markdown.parse, "f.md", id="markdown"),
    pytest.param(jsonl.parse, "f.jsonl", id="jsonl"),
    pytest.param(feeds.parse, "f.rss", id="rss"),
    pytest.param(feeds.parse, "f.xml", id="xml"),
    pytest.param(html.parse, "f.html", id="html"),
    pytest.param(reuters.parse, "f.sgm", id="reuters"),
]

# Arbitrary bytes, plus bytes that start the way each format starts, so the
# examples reach past the first "is this even the right format" check.
PREFIXES = [
    b"", b"---\ntitle: ", b'{"title": ', b'[{"headline": "a"}, ', b"<rss><channel><item>",
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>', b"<html><p>",
    b'<REUTERS NEWID="1"><TEXT>', b"\xef\xbb\xbf", b"\xff\xfe",
]
DATA = st.builds(lambda prefix, tail: prefix + tail, st.sampled_from(PREFIXES), st.binary(max_size=300))


def run(parser: Parser, data: bytes, relpath: str) -> list[Article]:
    try:
        articles = list(parser(data, relpath))
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)  # a one-line reason
        return []
    for article in articles:
        assert isinstance(article, Article)
        assert article.id.startswith(relpath) and article.path == relpath
        assert article.date is None or article.date.utcoffset() is not None
    return articles


@pytest.mark.parametrize(("parser", "relpath"), PARSERS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=DATA)
def test_never_raises_anything_but_parse_error(parser: Parser, relpath: str, data: bytes) -> None:
    run(parser, data, relpath)


@pytest.mark.parametrize(("parser", "relpath"), PARSERS)
@settings(max_examples=30, deadline=None)
@given(text=st.text(max_size=200))
def test_arbitrary_text_in_any_encoding(parser: Parser, relpath: str, text: str) -> None:
    for encoding in ("utf-8", "utf-16", "cp1252"):
        run(parser, text.encode(encoding, errors="replace"), relpath)


PATHOLOGICAL = {
    "empty": b"",
    "nul": b"\x00" * 1000,
    "deep-tags": b"<div>" * 20_000 + b"</span>" * 20_000,
    "open-tags": b"<REUTERS>" * 5_000,
    "stars": b"**x" * 20_000,
    "deep-json": b"[" * 50_000,
    "truncated-json": b'[{"title": "a", "body": "b"}, {"tit',
}


@pytest.mark.parametrize(("parser", "relpath"), PARSERS)
@pytest.mark.parametrize("data", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_inputs(parser: Parser, relpath: str, data: bytes) -> None:
    run(parser, data, relpath)
