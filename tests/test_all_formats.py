"""Every shared corpus dropped into one corpus folder, indexed in one CLI run:
hits from every format with the right headline, author and date, and an
index report whose counts match what the files hold.

Samples keep it quick: three BBC stories, the first 100 stories of one
Reuters .sgm, the first 300 HuffPost lines, both feeds, all HTML pages, and a
Markdown file written here (there is no shared Markdown corpus).
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searchkit.cli import main, search_command
from searchkit.formats import reader_for
from tests.conftest import shared_path

REUTERS_STORIES = 100
HUFFPOST_LINES = 300
MARKDOWN = """---
title: Harbour reopens after the storm
date: 2021-06-02T09:30:00+02:00
author: Jane Doe
---
The harbour at Wick reopened on Wednesday.
"""


def cli(command: object, *args: str) -> Result:
    return CliRunner().invoke(command, list(args), catch_exceptions=False)  # type: ignore[arg-type]


def build_corpus(corpus: Path) -> None:
    corpora = shared_path("corpora")
    for sub in ("bbc", "reuters", "huffpost", "feeds", "html", "notes"):
        (corpus / sub).mkdir(parents=True)
    for name in ("001.txt", "002.txt", "003.txt"):
        shutil.copy(corpora / "bbc" / "politics" / name, corpus / "bbc" / name)
    sgm = (corpora / "reuters21578" / "reut2-000.sgm").read_bytes()
    ends = [m.end() for m in re.finditer(rb"</REUTERS>\r?\n", sgm)]
    (corpus / "reuters" / "reut2-000.sgm").write_bytes(sgm[: ends[REUTERS_STORIES - 1]])
    with open(corpora / "huffpost_news_category" / "News_Category_Dataset_v2.head4782.jsonl", "rb") as fh:
        (corpus / "huffpost" / "huffpost.jsonl").write_bytes(b"".join(fh.readline() for _ in range(HUFFPOST_LINES)))
    for feed in ("guardian_us_2018-01-31.rss", "heise_developer_2016-02-01.atom"):
        shutil.copy(corpora / "feeds" / feed, corpus / "feeds" / feed)
    for page in sorted((corpora / "html").glob("*.html")):
        shutil.copy(page, corpus / "html" / page.name)
    (corpus / "notes" / "harbour.md").write_text(MARKDOWN, encoding="utf-8")


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    """(corpus, index, the `searchkit index` result), built once."""
    root = tmp_path_factory.mktemp("all")
    build_corpus(root / "corpus")
    result = cli(main, "index", "--corpus", str(root / "corpus"), "--index", str(root / "index"))
    assert result.exit_code == 0, result.stderr
    return root / "corpus", root / "index", result


def top_hit(index: Path, query: str) -> dict[str, object]:
    result = cli(search_command, "--index", str(index), "--json", "-n", "1", query)
    assert result.exit_code == 0, (query, result.stderr)
    [hit] = json.loads(result.stdout)
    return hit  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("query", "hit_id", "headline", "author", "date"),
    [
        ('headline:"maternity pay rise"', "bbc/001.txt", "Labour plans maternity pay rise", None, None),
        ('headline:"BAHIA COCOA REVIEW"', "reuters/reut2-000.sgm#1", "BAHIA COCOA REVIEW", None,
         "1987-02-26T15:01:01.790000+00:00"),
        ("author:Gabbett", "reuters/reut2-000.sgm#4", "TALKING POINT/BANKAMERICA <BAC> EQUITY OFFER",
         "Janie Gabbett", "1987-02-26T15:07:13.720000+00:00"),
        ('headline:"Mass Shootings In Texas"',
         ("huffpost/huffpost.jsonl#https://www.huffingtonpost.com/entry/"
         "texas-amanda-painter-mass-shooting_us_5b081ab4e4b0802d69caad89"),
         "There Were 2 Mass Shootings In Texas Last Week, But Only 1 On TV", "Melissa Jeltsen",
         "2018-05-26T00:00:00+00:00"),
        ('headline:"State of the Union address promised unity"',
         ("feeds/guardian_us_2018-01-31.rss#https://www.theguardian.com/us-news/2018/jan/31/"
         "donald-trump-state-of-the-union-address-unity-discord"),
         "Trump State of the Union address promised unity but emphasized discord",
         "David Smith in Washington", "2018-01-31T07:26:05+00:00"),
        ("headline:WildFly", "feeds/heise_developer_2016-02-01.atom#http://heise.de/-3088438",
         "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei", "heise online", "2016-02-01T16:22:00+00:00"),
        ('headline:"smooth sailing"', "html/cnn_article.html",
         "After storm, forecasters see smooth sailing for Thanksgiving",
         "Dana A. Ford, James S.A. Corey, Chien-Ming Wang, and Tom Watkins", "2013-11-27T08:36:32+00:00"),
        ('headline:"AirAsia jet"', "html/reuters.com2.html",
         "Indonesia expands search for missing AirAsia jet, U.S. sends warship", "Fergus Jensen",
         "2014-12-30T03:51:13+00:00"),
        ('headline:"Pretty Smart Movie"', "html/theatlantic.com2.html", "'The Interview' Is a Pretty Smart Movie",
         "Adam Chandler", "2014-12-29T17:16:00+00:00"),
        ("headline:harbour", "notes/harbour.md", "Harbour reopens after the storm", "Jane Doe",
         "2021-06-02T07:30:00+00:00"),
    ],
)
def test_hits_from_every_format(
    everything: tuple[Path, Path, Result], query: str, hit_id: str, headline: str,
    author: str | None, date: str | None,
) -> None:
    _corpus, index, _result = everything
    hit = top_hit(index, query)
    assert (hit["id"], hit["headline"], hit["author"], hit["date"]) == (hit_id, headline, author, date)


def parsed(corpus: Path) -> list[tuple[str, bool, bool]]:
    """(format, has date, has author) of every article, straight from the parsers."""
    out = []
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        parse = reader_for(path.name)
        assert parse is not None
        rel = path.relative_to(corpus).as_posix()
        out += [(a.format, a.date is not None, bool(a.author)) for a in parse(path.read_bytes(), rel)]
    return out


def test_index_report_counts(everything: tuple[Path, Path, Result]) -> None:
    corpus, _index, result = everything
    articles = parsed(corpus)
    per_format = Counter(fmt for fmt, _, _ in articles)
    # what the raw files say, independently of any parser
    huffpost = (corpus / "huffpost" / "huffpost.jsonl").read_text(encoding="utf-8").splitlines()
    sgm = (corpus / "reuters" / "reut2-000.sgm").read_bytes()
    assert per_format == {"json": HUFFPOST_LINES, "reuters": REUTERS_STORIES, "feed": 55 + 15,
                          "html": 5, "text": 3, "markdown": 1}
    no_author = Counter(fmt for fmt, _, has_author in articles if not has_author)
    assert no_author["json"] == sum(not json.loads(line)["authors"].strip() for line in huffpost)
    assert no_author["reuters"] == REUTERS_STORIES - sgm.count(b"<AUTHOR>")
    undated = Counter(fmt for fmt, has_date, _ in articles if not has_date)
    assert undated == {"text": 3}  # BBC stories carry no date; everything else does

    lines = result.stderr.splitlines()
    assert not [line for line in lines if line.startswith("warning:")]
    total = sum(per_format.values())
    assert re.fullmatch(rf"{total} articles indexed in \d+\.\d s", lines[0])
    assert lines[1] == f"Read: {total} articles from 13 files"
    rows = {line.split()[0]: [int(n.replace(",", "")) for n in line.split()[1:]] for line in lines[3:]}
    expected = {fmt: [n, undated[fmt], no_author[fmt]] for fmt, n in per_format.items()}
    expected["all"] = [total, sum(undated.values()), sum(no_author.values())]
    assert rows == expected


def test_a_feed_that_gained_two_items_adds_two(corpus: Path, index_dir: Path) -> None:
    feed = shared_path("corpora", "feeds", "guardian_us_2018-01-31.rss").read_text(encoding="utf-8")
    (corpus / "guardian.rss").write_text(feed, encoding="utf-8")
    shutil.copy(shared_path("corpora", "feeds", "heise_developer_2016-02-01.atom"), corpus / "heise.atom")
    assert cli(main, "index").exit_code == 0
    new_items = "".join(
        f"<item><title>Fresh story {n}</title><link>https://example.org/fresh{n}</link>"
        f"<guid>https://example.org/fresh{n}</guid><description>Quokka sighting {n}.</description>"
        f"<pubDate>Thu, 01 Feb 2018 0{n}:00:00 GMT</pubDate></item>\n"
        for n in (1, 2)
    )
    (corpus / "guardian.rss").write_text(feed.replace("<item>", new_items + "<item>", 1), encoding="utf-8")
    result = cli(main, "index")
    assert result.exit_code == 0
    assert re.fullmatch(r"2 added, 0 updated, 0 removed, 70 unchanged in \d+\.\d s", result.stderr.splitlines()[0])
    found = json.loads(cli(search_command, "--json", "quokka").stdout)
    assert sorted(hit["headline"] for hit in found) == ["Fresh story 1", "Fresh story 2"]
