from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from searchkit.errors import ParseError
from searchkit.formats import reader_for
from searchkit.formats.jsonl import parse
from searchkit.models import Article
from tests.conftest import shared_path

UTC = timezone.utc
HUFFPOST = "huffpost_news_category/News_Category_Dataset_v2.head4782.jsonl"


@pytest.fixture(scope="module")
def huffpost() -> list[Article]:
    data = shared_path("corpora", *HUFFPOST.split("/")).read_bytes()
    return list(parse(data, HUFFPOST))


def test_every_huffpost_record_is_an_article(huffpost: list[Article]) -> None:
    assert len(huffpost) == 4782
    assert len({a.id for a in huffpost}) == 4782
    assert all(a.date is not None for a in huffpost)
    assert sum(a.author is not None for a in huffpost) == 4680  # non-empty `authors`
    assert all(a.format == "json" and a.url and a.id == f"{HUFFPOST}#{a.url}" for a in huffpost)


@pytest.mark.parametrize(
    ("index", "headline", "author", "source", "date", "tags"),
    [
        (0, "There Were 2 Mass Shootings In Texas Last Week, But Only 1 On TV",
         "Melissa Jeltsen", None, datetime(2018, 5, 26, tzinfo=UTC), ("CRIME",)),
        (-1, "New York Regulator Asks Deutsche Bank, Others About Kushner Loans",
         "Karen Freifeld", "Reuters", datetime(2018, 2, 28, tzinfo=UTC), ("POLITICS",)),
    ],
)
def test_pinned_huffpost_records(
    huffpost: list[Article], index: int, headline: str, author: str,
    source: str | None, date: datetime, tags: tuple[str, ...],
) -> None:
    article = huffpost[index]
    assert (article.headline, article.author, article.source, article.date, article.tags) == (
        headline, author, source, date, tags,
    )


def test_short_description_is_the_body(huffpost: list[Article]) -> None:
    assert huffpost[0].body == (
        "She left her husband. He killed their children. Just another day in America."
    )
    assert huffpost[0].standfirst is None


RECORD = {
    "title": "Rates rise",
    "content": "LONDON (Reuters) - The bank raised rates.",
    "description": "A teaser.",
    "authors": ["Ann Lee", "Bo Chan"],
    "publishedAt": "2020-01-02T03:04:05Z",
    "source": {"id": "x", "name": "Example Wire"},
    "keywords": ["rates", "banks"],
}


@pytest.mark.parametrize(
    "document",
    [
        json.dumps(RECORD),
        json.dumps([RECORD]),
        json.dumps({"status": "ok", "articles": [RECORD]}),
        json.dumps(RECORD) + "\n",
    ],
    ids=["object", "array", "wrapper", "one-line"],
)
def test_container_shapes_and_key_mapping(document: str) -> None:
    (article,) = parse(document.encode(), "a.json")
    assert article.id == "a.json#1"  # no url: numbered
    assert (article.headline, article.author, article.source) == (
        "Rates rise", "Ann Lee and Bo Chan", "Example Wire",
    )
    assert article.date == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert (article.dateline, article.standfirst, article.tags) == (
        "LONDON", "A teaser.", ("rates", "banks"),
    )


def test_malformed_line_skips_only_that_line() -> None:
    data = b'{"headline": "one", "link": "u1"}\n{"headline": "two", \n\n{"headline": "three"}\n'
    articles = list(parse(data, "f.jsonl"))
    assert [(a.id, a.headline) for a in articles] == [("f.jsonl#u1", "one"), ("f.jsonl#4", "three")]


def test_repeated_url_falls_back_to_record_number() -> None:
    data = b'{"title": "a", "url": "u"}\n{"title": "b", "url": "u"}\n'
    assert [a.id for a in parse(data, "f.jsonl")] == ["f.jsonl#u", "f.jsonl#2"]


def test_records_without_text_and_non_objects_are_skipped() -> None:
    data = b'[{"title": ""}, 3, "x", null, {"body": "Only a body line.\\nMore."}]'
    (article,) = parse(data, "f.json")
    assert (article.id, article.headline) == ("f.json#5", "Only a body line.")


@pytest.mark.parametrize(
    "data",
    [
        b'[{"title": "a"}, {"title": "b"',  # truncated
        b"[" * 100_000,  # deeper than the json module allows
        b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
        b"\x00\x01\x02\xff binary junk",
        b"not json at all",
        b"42",
    ],
    ids=["truncated", "deep-array", "deep-object", "binary", "text", "bare-value"],
)
def test_unreadable_json_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        list(parse(data, "f.json"))


@pytest.mark.parametrize("data", [b"", b"  \n", b"\xef\xbb\xbf", b"[]", b"{}"])
def test_empty_documents_have_no_articles(data: bytes) -> None:
    assert list(parse(data, "f.json")) == []


@pytest.mark.parametrize("name", ["a.json", "a.jsonl", "a.ndjson"])
def test_registered(name: str) -> None:
    assert reader_for(name) is parse
