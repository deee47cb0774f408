from __future__ import annotations

from datetime import datetime, timezone

import pytest

from searchkit.errors import ParseError
from searchkit.formats import reader_for
from searchkit.formats.feeds import parse
from searchkit.models import Article
from tests.conftest import shared_path

UTC = timezone.utc
GUARDIAN = "feeds/guardian_us_2018-01-31.rss"
HEISE = "feeds/heise_developer_2016-02-01.atom"


def read(relpath: str) -> list[Article]:
    return list(parse(shared_path("corpora", *relpath.split("/")).read_bytes(), relpath))


@pytest.mark.parametrize(("relpath", "count"), [(GUARDIAN, 55), (HEISE, 15)])
def test_every_item_is_an_article(relpath: str, count: int) -> None:
    articles = read(relpath)
    assert len(articles) == count
    assert len({a.id for a in articles}) == count
    assert all(a.date is not None and a.url and a.body for a in articles)
    assert all("<" not in a.body for a in articles)  # HTML reduced to text


def test_guardian_first_item() -> None:
    article = read(GUARDIAN)[0]
    link = ("https://www.theguardian.com/us-news/2018/jan/31/"
            "donald-trump-state-of-the-union-address-unity-discord")
    assert article.id == f"{GUARDIAN}#{link}"
    assert article.headline == "Trump State of the Union address promised unity but emphasized discord"
    assert article.author == "David Smith in Washington"
    assert article.date == datetime(2018, 1, 31, 7, 26, 5, tzinfo=UTC)
    assert article.source == "The Guardian"
    assert article.tags[:2] == ("Donald Trump", "State of the Union address")
    assert article.body.startswith("The president’s ‘new American moment’ speech")
    assert "Continue reading" not in article.body


def test_guardian_wire_creator_becomes_source() -> None:
    wire = [a for a in read(GUARDIAN) if a.source == "AP"]
    assert len(wire) == 3 and all(a.author is None for a in wire)  # dc:creator "Associated Press"


def test_heise_atom_entry() -> None:
    article = read(HEISE)[0]
    assert article.id == f"{HEISE}#http://heise.de/-3088438"
    assert article.headline == "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei"
    assert article.author == "heise online"  # inherited from the feed
    assert article.date == datetime(2016, 2, 1, 16, 22, tzinfo=UTC)  # <published>, +01:00
    assert article.body.startswith("Die nun verfügbare Version 10")


RSS = """<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Wire</title>
{items}
</channel></rss>"""
ITEM = """<item><title>{t}</title><link>http://x/{t}</link><guid>g-{t}</guid>
<dc:creator>By Jane Doe</dc:creator><pubDate>Tue, 30 Dec 2014 10:00:00 EST</pubDate>
<category>World</category><description>&lt;p&gt;PARIS (AFP) - {t} happened.&lt;/p&gt;</description></item>"""


def test_new_items_add_articles_and_keep_ids() -> None:
    old = RSS.format(items=ITEM.format(t="a")).encode()
    new = RSS.format(items=ITEM.format(t="c") + ITEM.format(t="b") + ITEM.format(t="a")).encode()
    old_ids = [a.id for a in parse(old, "w.rss")]
    new_ids = [a.id for a in parse(new, "w.rss")]
    assert old_ids == ["w.rss#g-a"]
    assert new_ids == ["w.rss#g-c", "w.rss#g-b", "w.rss#g-a"]


def test_item_fields() -> None:
    (article,) = parse(RSS.format(items=ITEM.format(t="a")).encode(), "w.rss")
    assert (article.author, article.date, article.tags) == (
        "Jane Doe", datetime(2014, 12, 30, 15, 0, tzinfo=UTC), ("World",),
    )
    assert (article.body, article.dateline, article.source) == ("PARIS (AFP) - a happened.", "PARIS", "AFP")


def test_xml_that_is_not_a_feed_is_ignored() -> None:
    assert list(parse(b'<?xml version="1.0"?><urlset><url/></urlset>', "sitemap.xml")) == []


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><rss><channel><item><title>cut off',
        b"<html><body>not a feed</body></html>",
        b"\x00\x01\x02 binary junk",
    ],
    ids=["truncated", "html", "binary"],
)
def test_unreadable_feed_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        list(parse(data, "f.rss"))


def test_empty_file_and_feed_without_items() -> None:
    assert list(parse(b"", "f.rss")) == []
    assert list(parse(RSS.format(items="").encode(), "f.rss")) == []


@pytest.mark.parametrize("name", ["a.rss", "a.atom", "a.xml"])
def test_registered(name: str) -> None:
    assert reader_for(name) is parse


def test_a_feed_hit_shows_the_id_that_show_takes(tmp_path) -> None:
    """A feed holds many articles: the hit's line showed only the file's path,
    which `searchkit show` refuses (it takes the article's id)."""
    import shutil

    from click.testing import CliRunner

    from searchkit.cli import main, search_command

    (tmp_path / "corpus" / "feeds").mkdir(parents=True)
    shutil.copy(shared_path("corpora", *GUARDIAN.split("/")), tmp_path / "corpus" / GUARDIAN)
    where = ["--index", str(tmp_path / "index"), "--corpus", str(tmp_path / "corpus")]
    found = CliRunner().invoke(search_command, [*where, "-n", "1", "golf club property tax"])
    assert found.exit_code == 0, found.output
    headline, meta = found.stdout.splitlines()[:2]
    shown_id = meta.split(" · ")[-1]
    assert shown_id.startswith(f"{GUARDIAN}#https://www.theguardian.com/")
    shown = CliRunner().invoke(main, ["show", shown_id, "--index", str(tmp_path / "index")])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[0] == headline.split(". ", 1)[1] == "Trump sues over property tax bill for Florida golf club"
    whole_file = CliRunner().invoke(main, ["show", GUARDIAN, "--index", str(tmp_path / "index")])
    assert whole_file.exit_code == 1
    assert f"'{GUARDIAN}' holds 55 articles — give one's id" in whole_file.stderr
    assert f"e.g. '{GUARDIAN}#https://" in whole_file.stderr and "Traceback" not in whole_file.stderr
