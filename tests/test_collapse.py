"""Copies of a story show once, with "+N similar"; --all shows every copy."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner, Result

from searchkit.cli import search_command
from searchkit.engine import search
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
