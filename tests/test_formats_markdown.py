from __future__ import annotations

from datetime import datetime, timezone

import pytest

from searchkit.errors import ParseError
from searchkit.formats import reader_for
from searchkit.formats.markdown import front_matter, parse, plain

UTC = timezone.utc

ARTICLE = """\
---
title: "Storm hits coast: thousands evacuated"
date: 2021-03-04T10:00:00-05:00
author: By JANE DOE
source: AP
url: https://example.org/storm
tags: [weather, "coast, east"]
categories:
  - news
---
# Storm hits coast: thousands evacuated

MIAMI (AP) -- A **powerful** storm hit the _coast_ on Thursday, see [the map](http://x/y).

- one
- two

Leave a comment
Nice story!
"""


def test_front_matter_article() -> None:
    (article,) = parse(ARTICLE.encode(), "news/storm.md")
    assert (article.id, article.format) == ("news/storm.md", "markdown")
    assert article.headline == "Storm hits coast: thousands evacuated"
    assert (article.author, article.source, article.url) == ("JANE DOE", "AP", "https://example.org/storm")
    assert article.date == datetime(2021, 3, 4, 15, 0, tzinfo=UTC)
    assert article.dateline == "MIAMI"
    assert article.tags == ("weather", "coast, east", "news")
    assert article.body == (
        "MIAMI (AP) -- A powerful storm hit the coast on Thursday, see the map.\n\none\n\ntwo"
    )


def test_heading_and_byline_without_front_matter() -> None:
    (article,) = parse(b"Intro\n\n# The headline\n\n*By Sam Smith*\n\nLONDON - Text.\n", "a.md")
    assert (article.headline, article.author, article.dateline) == ("The headline", "Sam Smith", "LONDON")
    assert article.date is None  # never invented


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a **b** and __c__ and *d* and _e_", "a b and c and d and e"),
        ("keep snake_case_name and 2*3*4", "keep snake_case_name and 2*3*4"),
        ("![alt text](i.png) [link](u) `code`", "alt text link code"),
        ("## Sub heading ##", "Sub heading"),
        ("> quoted", "quoted"),
    ],
)
def test_plain(text: str, expected: str) -> None:
    assert plain(text).strip() == expected


def test_front_matter_needs_a_closing_fence() -> None:
    assert front_matter("---\ntitle: x\n\nbody")[0] == {}
    assert front_matter("+++\ntitle = \"x\"\n+++\nbody") == ({"title": "x"}, "body")


def test_binary_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        list(parse(b"\x00\x01\x02\x03", "x.md"))


@pytest.mark.parametrize("data", [b"", b"\n\n", b"---\n---\n"])
def test_empty_files_have_no_articles(data: bytes) -> None:
    assert list(parse(data, "x.md")) == []


@pytest.mark.parametrize("name", ["a.md", "a.markdown"])
def test_registered(name: str) -> None:
    assert reader_for(name) is parse
