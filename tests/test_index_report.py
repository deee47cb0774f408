"""The report `searchkit index` ends with: counts per format, articles without
date or author, and skipped files grouped by reason — one screen, always."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from searchkit.cli import main
from searchkit.indexer import update_index
from searchkit.models import IndexReport, Skipped
from searchkit.plain import MAX_LISTED
from searchkit.render import index_report_lines

FEED = """<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
<item><title>Dated with author</title><link>https://example.org/1</link><guid>g1</guid>
<dc:creator>Jane Doe</dc:creator><pubDate>Wed, 31 Jan 2018 10:00:00 GMT</pubDate>
<description>Harbour news one.</description></item>
<item><title>Dated, no author</title><link>https://example.org/2</link><guid>g2</guid>
<pubDate>Wed, 31 Jan 2018 11:00:00 GMT</pubDate><description>Harbour news two.</description></item>
<item><title>No date, no author</title><link>https://example.org/3</link><guid>g3</guid>
<description>Harbour news three.</description></item>
</channel></rss>
"""


def mixed_corpus(corpus: Path) -> None:
    """3 feed items (2 dated, 1 with author), 2 text files (1 dated with author),
    1 JSON Lines file of 2 (both dated, 1 with author), 1 empty file."""
    (corpus / "feed.rss").write_text(FEED, encoding="utf-8")
    (corpus / "plain.txt").write_text("Plain\n\nNo metadata at all.\n", encoding="utf-8")
    (corpus / "full.txt").write_text(
        "Full\nDate: 2020-03-04\nAuthor: John Roe\n\nHarbour text.\n", encoding="utf-8"
    )
    rows = [
        {"headline": "J1", "short_description": "x", "authors": "Ann Lee", "date": "2018-05-26"},
        {"headline": "J2", "short_description": "y", "authors": "", "date": "2018-05-27"},
    ]
    (corpus / "news.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_counts_per_format_undated_and_no_author(corpus: Path, index_dir: Path) -> None:
    mixed_corpus(corpus)
    report = update_index(corpus, index_dir)
    assert report.per_format == {"feed": 3, "text": 2, "json": 2}
    assert report.undated == {"feed": 1, "text": 1}
    assert report.no_author == {"feed": 2, "text": 1, "json": 1}
    assert report.files_read == 4
    assert report.skipped == [Skipped("empty.txt", "empty file")]


def test_counts_cover_only_what_this_run_read(corpus: Path, index_dir: Path) -> None:
    mixed_corpus(corpus)
    update_index(corpus, index_dir)
    (corpus / "plain.txt").write_text("Plain\n\nChanged words.\n", encoding="utf-8")
    report = update_index(corpus, index_dir)
    assert (report.updated, report.per_format, report.undated, report.no_author, report.files_read) == (
        1, {"text": 1}, {"text": 1}, {"text": 1}, 1,
    )
    nothing = update_index(corpus, index_dir)
    assert (nothing.per_format, nothing.files_read) == ({}, 0)


def test_cli_prints_the_report_on_stderr(corpus: Path) -> None:
    mixed_corpus(corpus)
    result = run("index")
    assert result.exit_code == 0 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "warning: skipped empty.txt: empty file"
    assert lines[1].startswith("7 articles indexed in ")
    assert lines[2:] == [
        "Read: 7 articles from 4 files",
        "  format  articles  no date  no author",
        "  feed           3        1          2",
        "  json           2        0          1",
        "  text           2        1          1",
        "  all            7        2          4",
        "Skipped: 1 file or folder (listed above)",
    ]
    (corpus / "plain.txt").write_text("Plain\n\nChanged words.\n", encoding="utf-8")
    assert run("index").stderr.splitlines()[1:] == [
        "Read this run (new and changed files only): 1 article from 1 file",
        "  format  articles  no date  no author",
        "  text           1        1          1",
    ]
    [line] = run("index").stderr.splitlines()  # nothing read, nothing skipped
    assert line.startswith("0 added, 0 updated, 0 removed, 7 unchanged in ")


def test_many_skipped_files_are_summarised_by_reason(corpus: Path) -> None:
    (corpus / "good.txt").write_text("Good\n\nHarbour.\n", encoding="utf-8")
    for n in range(30):
        (corpus / f"empty{n:02}.txt").write_bytes(b"")
    for n in range(5):
        (corpus / f"bin{n}.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    result = run("index")
    assert result.exit_code == 0
    assert not [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert result.stderr.splitlines()[-3:] == [
        "Skipped: 35 files or folders, by reason:",
        "  30 × empty file: empty00.txt, empty01.txt, empty02.txt, …",
        "  5 × binary data, not text: bin0.txt, bin1.txt, bin2.txt, …",
    ]


def test_at_most_a_screen_whatever_is_skipped() -> None:
    report = IndexReport("c", "i", rebuilt=True)
    report.skipped = [Skipped(f"f{n}.txt", f"reason {n % 50}") for n in range(10_000)]
    report.warnings = [Skipped(f"a{n}", "article is longer than 1,000,000 characters") for n in range(25)]
    text = [line.plain for line in index_report_lines(report)]
    assert len(text) <= 20
    assert text[-4:] == [
        "  200 × reason 15: f15.txt, f65.txt, f115.txt, …",  # ties sorted by reason
        "  8,400 × 42 other reasons",
        "Indexed in part: 25 articles, by reason:",
        "  25 × article is longer than 1,000,000 characters: a0, a1, a2, …",
    ]


def test_few_skipped_are_listed_one_per_line() -> None:
    report = IndexReport("c", "i")
    report.skipped = [Skipped(f"f{n}.txt", "empty file") for n in range(MAX_LISTED)]
    text = [line.plain for line in index_report_lines(report)]
    assert text[:MAX_LISTED] == [f"warning: skipped f{n}.txt: empty file" for n in range(MAX_LISTED)]
    assert text[-1] == f"Skipped: {MAX_LISTED} files or folders (listed above)"


def test_paths_in_the_summary_are_inert() -> None:
    report = IndexReport("c", "i")
    report.skipped = [Skipped(f"\x1b]8;;x\x07f{n}.txt", "empty\x1b[2J file") for n in range(MAX_LISTED + 1)]
    text = "\n".join(line.plain for line in index_report_lines(report))
    assert "\x1b" not in text and "\x07" not in text
    assert "␛]8;;x␇f0.txt" in text
