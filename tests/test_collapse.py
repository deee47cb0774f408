"""Copies of a story show once, with "+N similar"; --all shows every copy."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner, Result

from searchkit.cli import search_command
from searchkit.copies import copies_of
from searchkit.engine import open_index, search
from searchkit.indexer import update_index
from searchkit.models import SearchOptions


def run(command: click.Command, *args: str) -> Result:
    return CliRunner().invoke(command, list(args), catch_exceptions=False)


def test_byte_identical_copies_show_once(bbc_index: tuple[Path, Path]) -> None:
    _corpus, index = bbc_index
    result = run(search_command, "--index", str(index), "-n", "3", "Desailly Blues revenge")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == " 1. Desailly backs Blues revenge trip"
    assert lines[1] == "    sport/181.txt"
    assert lines[2] == "    +1 similar: sport/182.txt"
    assert "sport/182.txt" not in result.stdout.replace(lines[2], "")
    assert result.stderr.endswith("matching articles shown.\n")


def test_all_shows_every_copy(bbc_index: tuple[Path, Path]) -> None:
    _corpus, index = bbc_index
    result = run(search_command, "--index", str(index), "-n", "2", "-l", "--all", "Desailly Blues revenge")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["sport/181.txt", "sport/182.txt"]
    collapsed = run(search_command, "--index", str(index), "-n", "2", "-l", "Desailly Blues revenge")
    assert collapsed.stdout.splitlines()[0] == "sport/181.txt"
    assert "sport/182.txt" not in collapsed.stdout


def test_a_re_edited_version_is_a_near_duplicate(bbc_index: tuple[Path, Path]) -> None:
    _corpus, index = bbc_index
    result = run(search_command, "--index", str(index), "-n", "5", "--json", "Cunningham stand down")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    ids = [h["id"] for h in hits]
    assert {"politics/236.txt", "politics/343.txt"} & set(ids)
    [leader] = [h for h in hits if h["id"] in ("politics/236.txt", "politics/343.txt")]
    assert leader["duplicates"] == ["politics/343.txt" if leader["id"] == "politics/236.txt" else "politics/236.txt"]
    assert not any(h["duplicates"] for h in hits if h is not leader)


def test_pages_do_not_repeat_a_story(bbc_index: tuple[Path, Path]) -> None:
    _corpus, index = bbc_index
    seen: set[str] = set()
    for page in (1, 2, 3):
        result = search(index, "Wimbledon", SearchOptions(limit=4, page=page, snippets=0))
        for hit in result.hits:
            story = {hit.id, *hit.duplicates}
            assert not story & seen, (page, hit.id)
            seen |= story
    assert {"sport/432.txt", "sport/438.txt"} <= seen


STORY = (
    "Chancellor of the Exchequer Nigel Lawson criticised media coverage of comments he made "
    "yesterday on the exchange rate, saying the reports had exaggerated their significance. "
    "He told a parliamentary committee that the government had no fixed target for sterling "
    "and that the markets should not read too much into remarks made in passing. Dealers said "
    "the pound rose on the news, and analysts expect the Bank of England to keep rates steady."
)


def test_copies_of_finds_copies_in_every_segment(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.txt").write_text(f"Lawson says comments insignificant\n\n{STORY}\n")
    (corpus / "short.txt").write_text("Magma raises copper price\n\nMagma Copper said it is raising its price.\n")
    (corpus / "other.txt").write_text("Fed adds reserves\n\nThe Federal Reserve entered the market.\n")
    update_index(corpus, index)
    # Later runs: each writes a segment of its own.
    (corpus / "resent.txt").write_text(f"LAWSON SAYS COMMENTS INSIGNIFICANT\n\n{STORY.replace('criticised', 'attacked')}\n")
    (corpus / "short-copy.txt").write_text("MAGMA RAISES COPPER PRICE\n\nMagma copper said it is raising its price\n")
    (corpus / "gone.txt").write_text(f"Lawson\n\n{STORY}\n")
    update_index(corpus, index)
    (corpus / "gone.txt").unlink()
    update_index(corpus, index)

    with open_index(index).searcher() as searcher:
        def copies(article: str) -> list[str]:
            docnum = searcher.document_number(id=article)
            return sorted(searcher.stored_fields(d)["id"] for d in copies_of(searcher, docnum))

        assert len(searcher.reader().leaf_readers()) >= 2
        assert copies("a.txt") == ["resent.txt"]
        assert copies("resent.txt") == ["a.txt"]
        assert copies("short.txt") == ["short-copy.txt"]
        assert copies("other.txt") == []
