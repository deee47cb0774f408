from __future__ import annotations

from datetime import datetime, timezone

import pytest

from searchkit.formats.text import parse, parse_text
from tests.conftest import SEED, shared_path


def test_seed_article_fields() -> None:
    [article] = parse(SEED.read_bytes(), "seed.txt")
    assert article.headline == (
        "Israeli Defense Minister flies to Morocco to strengthen security relations"
    )
    assert article.author == "admin"
    assert article.dateline == "JERUSALEM"
    assert article.date is None  # the file has no date; never invented
    assert article.standfirst and article.standfirst.startswith("The Israeli Defense Minister will go")
    assert "Leave a Reply" not in article.body
    assert "Required fields" not in article.body
    assert "Author:" not in article.body
    assert article.body.rstrip().endswith("weakening their influence on Israel.")


def test_header_block_is_honoured() -> None:
    text = (
        "Title: Budget passes\nDate: 2021-11-23 14:00 +0100\nAuthor: By Jane Doe\n"
        "Source: Example Times\nURL: https://example.org/a\n\n"
        "LONDON (Reuters) - The budget passed.\n"
    )
    article = parse_text(text, "a.txt")
    assert article.headline == "Budget passes"
    assert article.author == "Jane Doe"
    assert article.date == datetime(2021, 11, 23, 13, 0, tzinfo=timezone.utc)
    assert article.source == "Example Times"
    assert article.url == "https://example.org/a"
    assert article.dateline == "LONDON"


def test_headers_under_headline_and_by_line() -> None:
    text = "Storm hits coast\nDate: 3 March 2020\n\nBy JOHN SMITH\n\nWinds rose overnight.\n"
    article = parse_text(text, "b.txt")
    assert article.headline == "Storm hits coast"
    assert article.author == "JOHN SMITH"
    assert article.date == datetime(2020, 3, 3, tzinfo=timezone.utc)
    assert article.body == "Winds rose overnight."


@pytest.mark.parametrize(
    ("first_paragraph", "dateline"),
    [
        ("JERUSALEM-The minister flew.", "JERUSALEM"),
        ("LONDON (Reuters) - Shares fell.", "LONDON"),
        ("KYIV, Ukraine (AP) — Sirens sounded.", "KYIV, Ukraine"),
        ("Shares fell sharply on Monday.", None),
        ("UK house prices rose - again.", None),
    ],
)
def test_datelines(first_paragraph: str, dateline: str | None) -> None:
    assert parse_text(f"Headline\n\n{first_paragraph}\n", "c.txt").dateline == dateline


def test_unparseable_date_is_left_empty() -> None:
    assert parse_text("Date: sometime soon\n\nHeadline\n\nBody.\n", "d.txt").date is None


def test_latin1_file_is_decoded_not_skipped() -> None:
    data = shared_path("corpora", "bbc", "sport", "199.txt").read_bytes()
    [article] = parse(data, "sport/199.txt")
    assert article.headline == "Chelsea sack Mutu"
    assert "£" in article.body


def test_empty_file_gives_no_article() -> None:
    assert list(parse(b"  \n\n", "empty.txt")) == []
