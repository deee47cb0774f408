from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from searchkit.errors import ParseError
from searchkit.formats import reader_for
from searchkit.formats.reuters import parse
from searchkit.models import Article
from tests.conftest import shared_path

UTC = timezone.utc


@pytest.fixture(scope="module")
def stories() -> dict[str, Article]:
    """Every article in the 22 Reuters-21578 files, by id."""
    folder = shared_path("corpora", "reuters21578")
    articles: dict[str, Article] = {}
    for path in sorted(folder.glob("*.sgm")):
        for article in parse(path.read_bytes(), f"reuters21578/{path.name}"):
            assert article.id not in articles
            articles[article.id] = article
    return articles


def test_every_story_with_text_is_read(stories: dict[str, Article]) -> None:
    # 21,578 <REUTERS> stories; NEWID 12793 is an UNPROC story with no text at all.
    assert len(stories) == 21_577
    newids = {int(key.rsplit("#", 1)[1]) for key in stories}
    assert set(range(1, 21_579)) - newids == {12793}


def test_counts_match_the_collection(stories: dict[str, Article]) -> None:
    values = stories.values()
    assert sum(a.author is not None for a in values) == 875  # every <AUTHOR>
    assert sum(a.body == "" for a in values) == 1798  # the BRIEF (title-only) stories
    assert all(a.date is not None and a.date.year == 1987 for a in values)
    assert all(a.source == "Reuters" and a.format == "reuters" for a in values)
    assert all(a.headline for a in values)


@pytest.mark.parametrize(
    ("key", "headline", "author", "date", "dateline", "tags"),
    [
        (
            "reut2-000.sgm#1",
            "BAHIA COCOA REVIEW",
            None,
            datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=UTC),
            "SALVADOR",
            ("cocoa", "el-salvador", "usa", "uruguay"),
        ),
        (
            "reut2-000.sgm#4",
            "TALKING POINT/BANKAMERICA <BAC> EQUITY OFFER",  # &lt;BAC&gt; unescaped
            "Janie Gabbett",  # "by Janie Gabbett, Reuters"
            datetime(1987, 2, 26, 15, 7, 13, 720000, tzinfo=UTC),
            "LOS ANGELES",
            ("usa", "brazil"),
        ),
        (  # BRIEF: title only, "Blah blah blah." dropped
            "reut2-000.sgm#30",
            "ASSETS OF MONEY MARKET MUTUAL FUNDS ROSE 720.4 MLN DLRS IN LATEST WEEK",
            None,
            datetime(1987, 2, 26, 15, 41, 56, 540000, tzinfo=UTC),
            None,
            ("money-supply",),
        ),
        (  # UNPROC: no TITLE, headline is the first line of text
            "reut2-000.sgm#99",
            "FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26",
            None,
            datetime(1987, 2, 26, 16, 34, 34, 400000, tzinfo=UTC),
            None,
            ("money-supply", "usa"),
        ),
        (  # <DATE>31-MAR-1987 605:12:19.12</DATE>: the day is kept, the bad time is not
            "reut2-017.sgm#17192",
            "KUMAGAI GUMI'S UNIT SEEKS LISTING IN HONG KONG",
            None,
            datetime(1987, 3, 31, tzinfo=UTC),
            "HONG KONG",
            ("hong-kong",),
        ),
    ],
)
def test_pinned_stories(
    stories: dict[str, Article],
    key: str,
    headline: str,
    author: str | None,
    date: datetime,
    dateline: str | None,
    tags: tuple[str, ...],
) -> None:
    article = stories[f"reuters21578/{key}"]
    assert (article.headline, article.author, article.date, article.dateline, article.tags) == (
        headline, author, date, dateline, tags,
    )


def test_body_is_reflowed_without_sign_off(stories: dict[str, Article]) -> None:
    body = stories["reuters21578/reut2-000.sgm#1"].body
    assert body.startswith("Showers continued throughout the week in the Bahia cocoa zone,")
    assert "\n\nThe dry period means the temporao will be late this year.\n\n" in body
    assert body.endswith("after carnival which ends midday on February 27.")
    assert "Reuter" not in body[-40:] and "\x03" not in body


def test_stray_non_utf8_byte_keeps_its_story(stories: dict[str, Article]) -> None:
    # reut2-017.sgm has one \xfc byte inside this story; the file decodes as cp1252.
    body = stories["reuters21578/reut2-017.sgm#17980"].body
    assert "lasting world economic growth.ü" in body


def test_registered_for_sgm() -> None:
    assert reader_for("reuters21578/reut2-000.sgm") is parse


SAMPLE = b"""<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" NEWID="7">
<DATE>26-FEB-1987 15:01:01.79</DATE>
<TOPICS><D>grain</D></TOPICS><PLACES><D>argentina</D></PLACES>
<TEXT>&#2;
<TITLE>WHEAT &amp; CORN</TITLE>
<DATELINE>    BAHIA BLANCA, Argentina, Feb 26 - </DATELINE><BODY>Farmers said
prices &lt;rose&gt;.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS NEWID="8">
<DATE>26-FEB-1987</DATE>
<TEXT>truncated story with no close tags
"""


def test_small_file_and_missing_close_tags() -> None:
    first, second = parse(SAMPLE, "x.sgm")
    assert (first.id, first.headline, first.dateline, first.tags) == (
        "x.sgm#7", "WHEAT & CORN", "BAHIA BLANCA, Argentina", ("grain", "argentina"),
    )
    assert first.body == "Farmers said prices <rose>."
    assert (second.id, second.headline) == ("x.sgm#8", "truncated story with no close tags")


@pytest.mark.parametrize("data", [b"<html>not sgml</html>", b"\x00\x01\x02junk"])
def test_not_reuters_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        list(parse(data, "x.sgm"))


def test_empty_file_has_no_articles(tmp_path: Path) -> None:
    assert list(parse(b"", "x.sgm")) == []
