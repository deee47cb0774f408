"""Dates, filters, sorting, paging, output modes, facets and timeline, driven
through the real `search` command on known Reuters-21578 and HuffPost stories.

Expected sets come from parsing the same files with the format readers, not
from the index, so a filter that drops or adds a story fails.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searchkit import render
from searchkit.cli import search_command
from searchkit.formats import jsonl, reuters
from searchkit.formats.meta import split_authors
from searchkit.models import Article, Timeline, TimelineBucket
from searchkit.status import ExitStatus
from tests.conftest import shared_path

HUFFPOST_RECORDS = 1000  # 2018-05-08 … 2018-05-26, newest first
# Three small articles for the edges: before 1970, in the future, undated.
EDGE_FILES = {
    "old.txt": "Harbour reopens after the storm\nDate: 1950-06-01\n\nThe zyzzyva reopened.\n",
    "future.txt": "Harbour plans for the century\nDate: 2099-01-01\n\nThe zyzzyva will grow.\n",
    "undated.txt": "Harbour gossip\n\nThe zyzzyva is busy.\n",
}


@pytest.fixture(scope="session")
def news(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Article]]:
    """(index, articles by id): one Reuters file, a HuffPost slice, the edge files."""
    from searchkit.indexer import update_index

    sgm = shared_path("corpora", "reuters21578", "reut2-000.sgm").read_bytes()
    huff_path = shared_path("corpora", "huffpost_news_category", "News_Category_Dataset_v2.head4782.jsonl")
    huff = b"".join(huff_path.read_bytes().splitlines(keepends=True)[:HUFFPOST_RECORDS])
    root = tmp_path_factory.mktemp("news")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "reut2-000.sgm").write_bytes(sgm)
    (corpus / "huffpost.jsonl").write_bytes(huff)
    for name, text in EDGE_FILES.items():
        (corpus / name).write_text(text)
    update_index(corpus, root / "index")
    articles = [*reuters.parse(sgm, "reut2-000.sgm"), *jsonl.parse(huff, "huffpost.jsonl")]
    return root / "index", {a.id: a for a in articles}


def run(index: Path, *args: str) -> Result:
    return CliRunner().invoke(search_command, ["--index", str(index), *args], catch_exceptions=False)


def hits(index: Path, *args: str) -> list[dict]:
    """Every hit, copies of a story included (--all), as the --jsonl lines say."""
    result = run(index, "--jsonl", "--all", "-n", "10000", *args)
    assert result.exit_code in (ExitStatus.OK, ExitStatus.NO_HITS), result.stderr
    assert result.stderr == ""
    return [json.loads(line) for line in result.stdout.splitlines()]


def ids(index: Path, *args: str) -> set[str]:
    return {h["id"] for h in hits(index, *args)}


def day(article: Article) -> date | None:
    return article.date.date() if article.date else None


# --- Dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--since", "1987-03-02", "--until", "1987-03-02"),
        ("--since", "2 Mar 1987", "--until", "March 2, 1987"),
        ("date:1987-03-02",),
        ("date:1987-03-02..1987-03-02",),
    ],
)
def test_a_day_returns_exactly_the_stories_of_that_day(news: tuple[Path, dict[str, Article]],
                                                       args: tuple[str, ...]) -> None:
    index, articles = news
    expected = {i for i, a in articles.items() if day(a) == date(1987, 3, 2)}
    assert len(expected) == 608
    assert ids(index, *args) == expected


def test_a_range_of_days_with_words(news: tuple[Path, dict[str, Article]]) -> None:
    index, _ = news
    every_oil = hits(index, "oil")
    in_range = {h["id"] for h in every_oil if "1987-03-01" <= h["date"][:10] <= "1987-03-03"}
    assert 0 < len(in_range) < len(every_oil)
    assert ids(index, "oil", "date:1987-03-01..1987-03-03") == in_range
    assert ids(index, "oil", "--since", "1987-03-01", "--until", "1987-03-03") == in_range


def test_whoosh_range_syntax_for_dates(news: tuple[Path, dict[str, Article]]) -> None:
    index, _ = news
    march_1_to_3 = ids(index, "oil", "date:1987-03-01..1987-03-03")
    assert march_1_to_3
    assert ids(index, "oil", "date:[1987-03-01 TO 1987-03-03]") == march_1_to_3
    assert ids(index, "oil", "date:{1987-02-28 TO 1987-03-04}") == march_1_to_3
    assert ids(index, "oil", "(date:[1987-03-01 to 1987-03-03])") == march_1_to_3
    assert ids(index, "date:[2018 TO]") == ids(index, "date:2018..")
    assert ids(index, "date:[TO 1987]") == ids(index, "date:..1987")


def test_until_a_month_includes_its_last_day(news: tuple[Path, dict[str, Article]]) -> None:
    index, articles = news
    may = {i for i, a in articles.items() if day(a) and day(a) >= date(2018, 5, 1)}  # type: ignore[operator]
    assert ids(index, "date:2018-05") == may
    assert ids(index, "--since", "2018-05", "--until", "2018-05") == may
    last_day = {i for i, a in articles.items() if day(a) == date(2018, 5, 26)}
    assert last_day and last_day <= ids(index, "--until", "2018-05-26")
    assert not last_day & ids(index, "--until", "2018-05-25")


def test_open_ended_ranges(news: tuple[Path, dict[str, Article]]) -> None:
    index, articles = news
    in_2018 = {i for i, a in articles.items() if a.date and a.date.year == 2018}
    assert ids(index, "date:2018..") == in_2018 | {"future.txt"}
    assert ids(index, "date:..1987") == {i for i in articles if i not in in_2018} | {"old.txt"}


def test_before_1970_and_the_future_stay_findable_undated_are_filtered_out(
        news: tuple[Path, dict[str, Article]]) -> None:
    index, _ = news
    assert ids(index, "zyzzyva") == {"old.txt", "future.txt", "undated.txt"}
    assert ids(index, "zyzzyva", "date:1950") == {"old.txt"}
    assert ids(index, "zyzzyva", "--until", "1969-12-31") == {"old.txt"}
    assert ids(index, "zyzzyva", "--since", "2090") == {"future.txt"}
    assert ids(index, "zyzzyva", "--since", "1900") == {"old.txt", "future.txt"}


def test_filters_that_let_nothing_through(news: tuple[Path, dict[str, Article]]) -> None:
    # whoosh reads an empty filter as none: each of these once listed unfiltered hits.
    index, _ = news
    assert ids(index, "zyzzyva", "date:2018") == set()
    assert ids(index, "oil", "--since", "2090") == set()
    assert ids(index, "oil", "--author", "nobody at all") == set()
    assert ids(index, "zyzzyva oil", "date:2099") == {"future.txt"}  # no article has both words
    result = run(index, "oil", "--since", "2090")
    assert (result.exit_code, result.stdout) == (ExitStatus.NO_HITS, "")
    assert result.stderr == "No articles match 'oil'.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("oil", "--since", "soon"), "searchkit: cannot read the date 'soon' — use 2021-11-23, "),
        (("oil", "--until", "Nov 23"), "searchkit: cannot read the date 'Nov 23' (give the year)"),
        (("oil date:2021-13",), "searchkit: cannot read the date '2021-13'"),
        (("oil", "--since", "2022", "--until", "2021"), "searchkit: --since is not before --until"),
        (("oil date:2022..2021",), "searchkit: the date range '2022..2021' ends before it starts"),
        (("oil date:[2022 TO 2021]",), "searchkit: the date range 'date:[2022 TO 2021]' ends before"),
        (("oil date:[x TO 2021]",), "searchkit: cannot read the date 'x'"),
        (("oil date:[ TO ]",), "searchkit: 'date:[ TO ]': give at least one end of the range"),
        # A date term is a filter on the whole query: negated, it kept the dates it named.
        (("oil -date:1987-03",), "searchkit: 'date:1987-03' cannot be left out with NOT or -"),
        (("oil NOT date:1987-03",), "searchkit: 'date:1987-03' cannot be left out with NOT or -"),
    ],
)
def test_bad_dates_are_one_line_exit_2(news: tuple[Path, dict[str, Article]], args: tuple[str, ...],
                                       message: str) -> None:
    result = run(news[0], *args)
    assert result.exit_code == ExitStatus.USAGE
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(message)


# --- Authors, sources, datelines ---------------------------------------------


def by_author(articles: dict[str, Article], name: str) -> set[str]:
    return {i for i, a in articles.items() if name.casefold() in {n.casefold() for n in split_authors(a.author)}}


@pytest.mark.parametrize("spelling", ["Lee Moran", "lee moran", "By LEE MORAN", "  Lee   Moran "])
def test_author_filter_any_case_and_byline(news: tuple[Path, dict[str, Article]], spelling: str) -> None:
    index, articles = news
    expected = by_author(articles, "Lee Moran")
    assert len(expected) > 20
    assert ids(index, "--author", spelling) == expected
    assert ids(index, "trump", "--author", spelling) < expected


def test_author_query_field(news: tuple[Path, dict[str, Article]]) -> None:
    index, articles = news
    assert ids(index, 'author:"lee moran"') == by_author(articles, "Lee Moran")


def test_one_of_several_authors_and_repeated_options(news: tuple[Path, dict[str, Article]]) -> None:
    index, articles = news
    kim = by_author(articles, "Christine Kim")  # "Josh Smith and Christine Kim, Reuters"
    assert kim and all(" and " in articles[i].author for i in kim)  # type: ignore[operator]
    moran = by_author(articles, "Lee Moran")
    assert ids(index, "--author", "Christine Kim", "--author", "lee moran") == kim | moran
    # AND across options: Christine Kim's stories are credited to Reuters, Lee Moran's are not.
    assert ids(index, "--author", "christine kim", "--author", "lee moran", "--source", "reuters") == kim
    assert ids(index, "--author", "Christine") == set()  # a whole name, not a word of one


def test_source_and_dateline_filters(news: tuple[Path, dict[str, Article]]) -> None:
    index, articles = news
    tokyo = {i for i, a in articles.items() if (a.dateline or "").casefold() == "tokyo"}
    assert len(tokyo) > 10
    assert ids(index, "--dateline", "Tokyo") == tokyo
    reuters_ids = {i for i, a in articles.items() if a.source == "Reuters"}
    assert ids(index, "--source", "REUTERS") == reuters_ids
    assert ids(index, "--source", "reuters", "--dateline", "tokyo", "date:1987-02-26") == {
        i for i in tokyo if day(articles[i]) == date(1987, 2, 26)
    }


# --- Sorting and paging ---------------------------------------------------------


def test_sort_newest_and_oldest_undated_last(news: tuple[Path, dict[str, Article]]) -> None:
    index, _ = news
    assert [h["id"] for h in hits(index, "zyzzyva", "--sort", "newest")] == ["future.txt", "old.txt", "undated.txt"]
    assert [h["id"] for h in hits(index, "zyzzyva", "--sort", "oldest")] == ["old.txt", "future.txt", "undated.txt"]


def test_sort_by_date_orders_every_match(news: tuple[Path, dict[str, Article]]) -> None:
    index, _ = news
    newest = hits(index, "oil", "--sort", "newest")
    assert [h["date"] for h in newest] == sorted((h["date"] for h in newest), reverse=True)
    oldest = hits(index, "oil", "--sort", "oldest")
    assert [h["date"] for h in oldest] == sorted(h["date"] for h in oldest)
    assert {h["id"] for h in newest} == {h["id"] for h in oldest} == ids(index, "oil")
    assert [h["rank"] for h in newest] == list(range(1, len(newest) + 1))


def test_sort_by_date_keeps_all_words_first(news: tuple[Path, dict[str, Article]]) -> None:
    index, _ = news
    both = ids(index, "oil AND prices")
    newest = hits(index, "oil prices", "--sort", "newest")
    assert {h["id"] for h in newest[: len(both)]} == both
    assert len(newest) > len(both)


def page_ids(index: Path, *args: str) -> list[str]:
    result = run(index, "--jsonl", *args)
    assert result.exit_code == ExitStatus.OK, result.stderr
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


@pytest.mark.parametrize("copies", [(), ("--all",)], ids=["collapsed", "all"])
@pytest.mark.parametrize(("query", "sort"), [("oil", "relevance"), ("oil prices", "relevance"),
                                             ("trump", "newest"), ("date:1987-03-02", "oldest")])
def test_pages_are_disjoint_and_continue_the_list(news: tuple[Path, dict[str, Article]], query: str,
                                                  sort: str, copies: tuple[str, ...]) -> None:
    index, _ = news
    whole = page_ids(index, query, "--sort", sort, "-n", "15", *copies)
    pages = [page_ids(index, query, "--sort", sort, "-n", "5", "--page", str(n), *copies) for n in (1, 2, 3)]
    assert len(set().union(*pages)) == 15
    assert pages[0] + pages[1] + pages[2] == whole


def test_page_past_the_end(news: tuple[Path, dict[str, Article]]) -> None:
    result = run(news[0], "zyzzyva", "--page", "2")
    assert result.exit_code == ExitStatus.NO_HITS
    assert result.stdout == ""
    assert result.stderr == "No hits on page 2: 3 articles match 'zyzzyva'.\n"
    result = run(news[0], "zyzzyva", "-n", "2", "--page", "2")
    assert result.exit_code == ExitStatus.OK
    assert result.stderr == "Hits 3–3 of 3 matching articles shown.\n"


# --- Output modes --------------------------------------------------------------


@pytest.mark.parametrize("args", [("oil",), ("oil", "prices"), ("trump", "--author", "lee moran"),
                                  ('"interest rates" NOT mortgage',), ("date:2018-05-20",)])
def test_count_is_exact(news: tuple[Path, dict[str, Article]], args: tuple[str, ...]) -> None:
    index, _ = news
    result = run(index, "--count", *args)
    assert result.exit_code == ExitStatus.OK
    assert result.stderr == ""
    assert int(result.stdout) == len(hits(index, *args)) > 0


def test_count_zero_exits_1(news: tuple[Path, dict[str, Article]]) -> None:
    result = run(news[0], "--count", "oil", "date:2018")
    assert (result.exit_code, result.stdout, result.stderr) == (ExitStatus.NO_HITS, "0\n", "")


def test_files_with_matches_prints_each_path_once_in_rank_order(news: tuple[Path, dict[str, Article]]) -> None:
    index, _ = news
    result = run(index, "-l", "--all", "zyzzyva OR oil OR trump", "-n", "10000")
    assert result.exit_code == ExitStatus.OK
    assert result.stderr == ""
    ranked = list(dict.fromkeys(h["path"] for h in hits(index, "zyzzyva OR oil OR trump")))
    assert result.stdout.splitlines() == ranked
    assert sorted(ranked) == ["future.txt", "huffpost.jsonl", "old.txt", "reut2-000.sgm", "undated.txt"]


def test_jsonl_is_one_hit_per_line_same_as_json(news: tuple[Path, dict[str, Article]]) -> None:
    index, _ = news
    as_json = run(index, "--json", "oil", "-n", "7")
    assert as_json.exit_code == ExitStatus.OK
    array = json.loads(as_json.stdout)
    assert isinstance(array, list) and len(array) == 7
    lines = run(index, "--jsonl", "oil", "-n", "7").stdout.splitlines()
    assert [json.loads(line) for line in lines] == array


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--json", "--jsonl"), "Error: --json and --jsonl cannot be combined — choose one output"),
        (("--count", "-l"), "Error: --count and --files-with-matches cannot be combined"),
        (("--count", "--facets", "year"), "Error: --facets and --timeline print with the hits or --json"),
        (("--facets", "colour"), "Error: Invalid value for '--facets': colour — choose from author,source"),
        (("--sort", "random"), "Error: Invalid value for '--sort'"),
    ],
)
def test_option_mistakes_exit_2(news: tuple[Path, dict[str, Article]], args: tuple[str, ...],
                                message: str) -> None:
    result = run(news[0], "oil", *args)
    assert result.exit_code == ExitStatus.USAGE
    assert result.stdout == ""
    assert message in result.stderr


def test_filters_alone_list_newest_first_and_nothing_at_all_is_an_error(
        news: tuple[Path, dict[str, Article]]) -> None:
    index, _ = news
    found = hits(index, "--dateline", "tokyo")
    assert [h["date"] for h in found] == sorted((h["date"] for h in found), reverse=True)
    result = run(index)
    assert result.exit_code == ExitStatus.USAGE
    assert result.stderr.startswith("searchkit: empty query")


# --- Facets and timeline ---------------------------------------------------------


def test_facets_count_all_matches(news: tuple[Path, dict[str, Article]]) -> None:
    index, articles = news
    result = run(index, "trump OR oil", "--facets", "author,source,year,dateline", "--json")
    assert result.exit_code == ExitStatus.OK
    data = json.loads(result.stdout)
    assert set(data) >= {"query", "hits", "total", "page", "facets", "timeline"}
    assert len(data["hits"]) == 10 and data["timeline"] is None
    matched = ids(index, "trump OR oil")
    assert data["total"] == len(matched)
    facets = {f["name"]: f for f in data["facets"]}
    assert list(facets) == ["author", "source", "year", "dateline"]
    for name in ("source", "year", "dateline"):  # one value per article
        f = facets[name]
        assert sum(c["count"] for c in f["counts"]) + f["other"] + f["missing"] == len(matched)
    years = Counter(str(articles[i].date.year) for i in matched)  # type: ignore[union-attr]
    assert {c["value"]: c["count"] for c in facets["year"]["counts"]} == years
    authors = Counter(n.casefold() for i in matched for n in split_authors(articles[i].author))
    top = facets["author"]["counts"]
    assert len(top) == 10
    assert [(c["value"].casefold(), c["count"]) for c in top[:3]] == [
        (name, n) for name, n in sorted(authors.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    ]
    assert facets["author"]["missing"] == sum(1 for i in matched if not articles[i].author)


def test_facets_in_the_terminal(news: tuple[Path, dict[str, Article]]) -> None:
    result = run(news[0], "zyzzyva", "--facets", "year,author")
    assert result.exit_code == ExitStatus.OK
    assert result.stdout.endswith(
        "By year\n  1950       1\n  2099       1\n  (no year)  1\n\n"
        "By author\n  (no author)  3\n\n"
    )
    assert result.stderr == "3 of 3 matching articles shown.\n"


def test_timeline_counts_per_day(news: tuple[Path, dict[str, Article]]) -> None:
    index, articles = news
    result = run(index, "--since", "2018-05-20", "--until", "2018-05-26", "--timeline", "--json", "-n", "1")
    assert result.exit_code == ExitStatus.OK
    timeline = json.loads(result.stdout)["timeline"]
    per_day = Counter(day(a).isoformat() for a in articles.values()  # type: ignore[union-attr]
                      if day(a) and date(2018, 5, 20) <= day(a) <= date(2018, 5, 26))  # type: ignore[operator]
    assert timeline["unit"] == "day"
    assert timeline["undated"] == 0
    assert [(b["label"], b["count"]) for b in timeline["buckets"]] == sorted(per_day.items())


def test_timeline_per_year_over_a_long_span_counts_undated(news: tuple[Path, dict[str, Article]]) -> None:
    result = run(news[0], "zyzzyva OR oil OR trump", "--timeline", "--json")
    timeline = json.loads(result.stdout)["timeline"]
    assert timeline["unit"] == "year"  # 1950 … 2099: only years with matches
    assert [b["label"] for b in timeline["buckets"]] == ["1950", "1987", "2018", "2099"]
    assert timeline["undated"] == 1
    assert sum(b["count"] for b in timeline["buckets"]) + 1 == len(ids(news[0], "zyzzyva OR oil OR trump"))


def test_timeline_in_the_terminal(news: tuple[Path, dict[str, Article]]) -> None:
    result = run(news[0], "oil", "--timeline", "-n", "1")
    assert result.exit_code == ExitStatus.OK
    chart = result.stdout[result.stdout.index("Matching articles per"):]
    lines = chart.splitlines()
    assert lines[0] == "Matching articles per day"
    assert [line.split()[0] for line in lines[1:]] == ["1987-02-26", "1987-02-27", "1987-02-28",
                                                      "1987-03-01", "1987-03-02", "1987-03-03"]
    assert sum(line.endswith("← peak") for line in lines) == 1
    assert lines[5].endswith("← peak")


def test_timeline_renderable_exact() -> None:
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    console = Console(file=out, width=80, color_system=None, highlight=False, markup=False)
    timeline = Timeline("month", (TimelineBucket("2021-01", 2), TimelineBucket("2021-02", 0),
                                  TimelineBucket("2021-03", 10)), undated=4)
    console.print(render.timeline_renderable(timeline, width=40))
    assert out.getvalue() == (
        "Matching articles per month (4 undated not shown)\n"
        "2021-01 ████ 2\n"
        "2021-02  0\n"
        "2021-03 ███████████████████ 10  ← peak\n"
    )


def test_summary_says_when_the_total_is_an_estimate(news: tuple[Path, dict[str, Article]]) -> None:
    index, _ = news
    exact = run(index, "oil", "-n", "2")
    assert re.fullmatch(r"2 of [\d,]+ matching articles shown\.\n", exact.stderr)
    phrase = run(index, '"oil prices"', "-n", "2")
    assert re.fullmatch(r"2 of about [\d,]+ matching articles shown\.\n", phrase.stderr)
    assert run(index, '"oil prices"', "-n", "2", "--count").stdout.strip().isdigit()


def test_a_byline_and_a_dateline_are_searched_as_words(news: tuple[Path, dict[str, Article]]) -> None:
    """HuffPost's text never names its authors, and a Reuters story's body
    need not say where it was filed: `search "Lee Moran"` listed articles
    mentioning Lee or Moran ("Did you mean: Lee morning?")."""
    index, articles = news
    by_her = {i for i, a in articles.items() if a.author and "Lee Moran" in split_authors(a.author)}
    assert len(by_her) > 30
    result = run(index, "-n", "10", "Lee Moran")
    assert result.exit_code == 0 and "Did you mean" not in result.stderr
    shown = [line.split(" · ")[1] for line in result.stdout.splitlines() if line.startswith("    2018-")]
    assert shown == ["Lee Moran"] * 10
    assert ids(index, "Lee Moran") >= by_her
    filed = {i for i, a in articles.items()
             if a.dateline == "JAKARTA" and "jakarta" not in f"{a.headline} {a.body}".lower()}
    assert filed and filed <= ids(index, "jakarta")


def test_a_dateline_already_in_the_lead_is_not_counted_twice() -> None:
    from searchkit.ranking import compose_text

    body = "JAKARTA, March 2 - Indonesia's exports of cocoa will rise."
    assert compose_text("Cocoa", body, None, "JAKARTA") == compose_text("Cocoa", body)
    assert compose_text("Cocoa", "Exports rise.", "Jane Doe", "JAKARTA").endswith("\nJane Doe\nJAKARTA")
