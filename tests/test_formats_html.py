from __future__ import annotations

from datetime import datetime, timezone

import pytest

from searchkit.errors import ParseError
from searchkit.formats import html, reader_for
from searchkit.formats.html import extract, html_to_text, parse
from tests.conftest import shared_path

UTC = timezone.utc

# Both extractors when trafilatura is installed; the fallback always.
EXTRACTORS = [
    pytest.param(True, id="trafilatura", marks=pytest.mark.skipif(
        not html.have_trafilatura(), reason="trafilatura is not installed (optional extra)")),
    pytest.param(False, id="fallback"),
]


@pytest.mark.parametrize("use_trafilatura", EXTRACTORS)
@pytest.mark.parametrize(
    ("page", "headline", "author", "date", "opening"),
    [
        ("cnn_article.html", "After storm, forecasters see smooth sailing for Thanksgiving",
         "Dana A. Ford, James S.A. Corey, Chien-Ming Wang, and Tom Watkins",
         datetime(2013, 11, 27, 8, 36, 32, tzinfo=UTC),
         "Are you in the grips of the wintry storm"),
        ("reuters.com2.html",
         "Indonesia expands search for missing AirAsia jet, U.S. sends warship",
         "Fergus Jensen", datetime(2014, 12, 30, 3, 51, 13, tzinfo=UTC),
         "JAKARTA (Reuters) - Countries around Asia on Tuesday"),
        ("huffingtonpost.com1.html",
         "Jamie Dimon Says Banks Are Under Assault As He Announces $4.9 Billion Profit",
         "Ben Walsh", datetime(2015, 1, 14, 14, 42, 15, tzinfo=UTC),
         "We should all do so well while under assault."),
        ("theatlantic.com2.html", "'The Interview' Is a Pretty Smart Movie",
         "Adam Chandler", datetime(2014, 12, 29, 17, 16, tzinfo=UTC),
         "Let's assume you knew absolutely nothing about North Korea"),
    ],
)
def test_pinned_pages(
    use_trafilatura: bool, page: str, headline: str, author: str, date: datetime, opening: str
) -> None:
    data = shared_path("corpora", "html", page).read_bytes()
    article = extract(data, f"html/{page}", use_trafilatura=use_trafilatura)
    assert article is not None
    assert (article.id, article.headline, article.author, article.date) == (
        f"html/{page}", headline, author, date,
    )
    assert opening in article.body[:400]
    assert "function(" not in article.body and "Become a fan" not in article.body


def test_fallback_reads_dateline_and_wire() -> None:
    data = shared_path("corpora", "html", "reuters.com3.html").read_bytes()
    article = extract(data, "html/reuters.com3.html", use_trafilatura=False)
    assert article is not None
    assert (article.author, article.dateline, article.source) == (
        "Gayatri Suroyo and Adriana Nina Kusuma", "SURABAYA, Indonesia/JAKARTA", "Reuters",
    )


PAGE = b"""<html><head><title>Site | Story</title>
<meta property="og:title" content="Flood waters rise">
<meta name="author" content="By Jo Bloggs">
<meta property="article:published_time" content="2020-05-01T12:00:00+02:00">
</head><body><nav><p>Home News Sport</p></nav>
<div class="story"><h1>Flood waters rise</h1>
<p>YORK (PA) - The river burst its banks on Friday, residents said.</p>
<p>Hundreds of homes were <b>evacuated</b> overnight.<br>More rain is due.</p>
<div class="share-tools"><p>Share on Facebook</p></div></div>
<div id="comments"><p>First! Great article, thanks.</p></div>
<footer><p>Copyright 2020</p></footer></body></html>"""


def test_fallback_on_a_small_page() -> None:
    article = extract(PAGE, "p.html", use_trafilatura=False)
    assert article is not None
    assert (article.headline, article.author, article.dateline, article.source) == (
        "Flood waters rise", "Jo Bloggs", "YORK", "PA",
    )
    assert article.date == datetime(2020, 5, 1, 10, 0, tzinfo=UTC)
    assert article.body == (
        "YORK (PA) - The river burst its banks on Friday, residents said.\n\n"
        "Hundreds of homes were evacuated overnight. More rain is due."
    )


def test_html_to_text() -> None:
    fragment = "<p>One &amp; two</p><script>x()</script><p>Three <a href='#'>four</a></p>"
    assert html_to_text(fragment) == "One & two\n\nThree four"


def test_binary_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        list(parse(b"\x00\x01\x02\x03 binary", "x.html"))


@pytest.mark.parametrize("data", [b"", b"   ", b"<html></html>", b"</div></p>" * 10])
def test_empty_pages_have_no_articles(data: bytes) -> None:
    assert list(parse(data, "x.html")) == []


@pytest.mark.parametrize("name", ["a.html", "a.htm"])
def test_registered(name: str) -> None:
    assert reader_for(name) is parse
