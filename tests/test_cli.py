"""Drive the real commands and assert on what a person sees."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from searchkit.cli import main, search_command
from searchkit.status import ExitStatus
from tests.conftest import SEED

ESCAPE = "\x1b"


def run(command: click.Command, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(command, list(args), catch_exceptions=False, env=env)


@pytest.fixture
def seeded(corpus: Path) -> Path:
    shutil.copy(SEED, corpus / SEED.name)
    return corpus


def test_first_search_builds_the_index_and_finds_the_seed(seeded: Path) -> None:
    result = run(search_command, "Western Sahara")
    assert result.exit_code == 0
    assert "No index at" in result.stderr and "indexing" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == " 1. Israeli Defense Minister flies to Morocco to strengthen security relations"
    assert "admin" in lines[1] and "JERUSALEM" in lines[1] and SEED.name in lines[1]
    snippets = [line for line in lines[2:] if "Western Sahara" in line]
    assert 2 <= len(snippets) <= 3
    assert ESCAPE not in result.stdout  # not a terminal: no colour codes


def test_searchkit_search_is_the_same_command(seeded: Path) -> None:
    assert run(main, "index").exit_code == 0
    assert run(main, "search", "Western", "Sahara").stdout == run(search_command, "Western Sahara").stdout


def test_json_output(seeded: Path) -> None:
    result = run(search_command, "--json", "Western Sahara")
    assert result.exit_code == 0
    [hit] = json.loads(result.stdout)
    assert hit["id"] == hit["path"] == SEED.name
    assert hit["author"] == "admin" and hit["dateline"] == "JERUSALEM" and hit["date"] is None
    assert hit["score"] > 0 and hit["rank"] == 1
    for snippet in hit["snippets"]:
        for start, end in snippet["spans"]:
            assert snippet["text"][start:end].lower() in ("western", "sahara")


def test_no_hits_exits_1(seeded: Path) -> None:
    result = run(search_command, "zyzzogeton")
    assert result.exit_code == ExitStatus.NO_HITS
    assert result.stdout == ""
    assert "No articles match" in result.stderr


@pytest.mark.parametrize("query", ["the", "   ", "x" * 5000])
def test_query_errors_are_one_line_exit_2(seeded: Path, query: str) -> None:
    run(main, "index")
    result = run(search_command, query)
    assert result.exit_code == ExitStatus.USAGE
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("searchkit: ")


@pytest.mark.parametrize("query", [(), ("   ",)])
def test_nothing_to_search_for_is_said_before_any_index_is_built(seeded: Path, index_dir: Path,
                                                                query: tuple[str, ...]) -> None:
    result = run(search_command, *query)
    assert result.exit_code == ExitStatus.USAGE
    assert result.stderr == 'searchkit: empty query — give words to search for, e.g. search "Western Sahara"\n'
    assert not index_dir.exists()


def test_missing_corpus_is_a_clear_error(tmp_path: Path) -> None:
    result = run(search_command, "anything")
    assert result.exit_code == ExitStatus.CORPUS_ERROR
    assert "no corpus folder at" in result.stderr and "--corpus" in result.stderr


def test_missing_index_for_show(tmp_path: Path) -> None:
    result = run(main, "show", "a.txt")
    assert result.exit_code == ExitStatus.INDEX_ERROR
    assert "searchkit index" in result.stderr


def test_index_reports_counts(corpus: Path) -> None:
    (corpus / "a.txt").write_text("Alpha\n\nOne.\n")
    (corpus / "b.txt").write_text("Beta\n\nTwo.\n")
    assert "2 articles indexed" in run(main, "index").stderr
    (corpus / "c.txt").write_text("Gamma\n\nThree.\n")
    (corpus / "a.txt").unlink()
    result = run(main, "index")
    assert result.exit_code == 0
    assert re.search(r"^1 added, 0 updated, 1 removed, 1 unchanged in \d+\.\d s$", result.stderr, re.M)


def test_index_and_corpus_options(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(SEED, other / "seed.txt")
    assert run(main, "index", "--corpus", str(other), "--index", str(tmp_path / "ix")).exit_code == 0
    result = run(search_command, "--index", str(tmp_path / "ix"), "Morocco")
    assert result.exit_code == 0 and "seed.txt" in result.stdout


def test_index_takes_the_corpus_folder_as_an_argument(tmp_path: Path) -> None:
    """`searchkit index FOLDER` failed with "Got unexpected extra argument"."""
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(SEED, other / "seed.txt")
    index = str(tmp_path / "ix")
    assert run(main, "index", str(other), "--index", index).exit_code == 0
    assert "seed.txt" in run(search_command, "--index", index, "Morocco").stdout
    clash = run(main, "index", str(other), "--corpus", str(tmp_path), "--index", index)
    assert clash.exit_code == ExitStatus.USAGE and "two corpus folders given" in clash.stderr


def test_an_index_is_not_emptied_by_updating_it_from_another_folder(tmp_path: Path) -> None:
    """`searchkit index ~/new`, typed to add ~/new's articles, dropped every other article."""
    archive, new = tmp_path / "archive", tmp_path / "new"
    archive.mkdir()
    new.mkdir()
    (archive / "a.txt").write_text("Alpha harbour\n\nOne.\n")
    (archive / "b.txt").write_text("Beta harbour\n\nTwo.\n")
    (new / "c.txt").write_text("Gamma harbour\n\nThree.\n")
    index = str(tmp_path / "ix")
    assert run(main, "index", str(archive), "--index", index).exit_code == 0
    refused = run(main, "index", str(new), "--index", index)
    assert refused.exit_code == ExitStatus.CORPUS_ERROR
    [line] = refused.stderr.splitlines()
    assert f"holds 2 articles from {archive}; updating it from {new} would drop them" in line
    assert "add --rebuild" in line and "--index DIR" in line
    assert run(search_command, "--index", index, "--count", "harbour").stdout == "2\n"
    assert run(main, "index", str(new), "--index", index, "--rebuild").exit_code == 0
    assert run(search_command, "--index", index, "--count", "harbour").stdout == "1\n"
    # A corpus folder that moved is still the same articles.
    moved = new.rename(tmp_path / "moved")
    result = run(main, "index", str(moved), "--index", index)
    assert result.exit_code == 0 and "0 added, 0 updated, 0 removed, 1 unchanged" in result.stderr


def test_show_whole_article_with_highlight(seeded: Path) -> None:
    run(main, "index")
    result = run(main, "show", SEED.name, "--highlight", "Sahara")
    assert result.exit_code == 0
    assert result.stdout.startswith("Israeli Defense Minister flies to Morocco")
    assert "Author: admin" in result.stdout and "Dateline: JERUSALEM" in result.stdout
    assert "Polisario Front ended a 29-year ceasefire" in result.stdout
    assert "Leave a Reply" not in result.stdout


def test_show_unknown_id(seeded: Path) -> None:
    run(main, "index")
    result = run(main, "show", "nope.txt")
    assert result.exit_code == ExitStatus.NO_HITS
    assert "no article with id 'nope.txt'" in result.stderr


def test_stats(seeded: Path) -> None:
    run(main, "index")
    result = run(main, "stats", "--json")
    stats = json.loads(result.stdout)
    assert (stats["articles"], stats["files"], stats["authors"]) == (1, 1, 1)
    assert stats["size_bytes"] > 0
    assert "Articles" in run(main, "stats").stdout


HOSTILE = (
    "Markup [bold]and[/bold] escapes\n\n"
    "The court [sic] said [/b] nothing \x1b[31mred\x1b[0m and \x1b]0;pwned\x07 title "
    "and \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ carriage\rreturn back\x08space "
    "bidi \u202eevil\u202c [link=http://x]click[/link].\n"
)


def test_hostile_article_text_is_rendered_literally(corpus: Path) -> None:
    (corpus / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    for result in (
        run(search_command, "court"),
        run(search_command, "court", env={"FORCE_COLOR": "1"}),
        run(main, "show", "hostile.txt", "--highlight", "court"),
    ):
        assert result.exit_code == 0
        out = result.stdout
        assert "[bold]and[/bold]" in out and "[sic]" in out and "[/b]" in out
        assert "[link=http://x]click[/link]" in out
        assert "\x07" not in out and "\r" not in out and "\x08" not in out and "\u202e" not in out
        assert "\x1b]" not in out and "\x1b[31m" not in out
        assert "␛[31mred␛[0m" in out


def test_hostile_text_is_exact_in_json(corpus: Path) -> None:
    (corpus / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    result = run(search_command, "--json", "court")
    assert ESCAPE not in result.stdout
    [hit] = json.loads(result.stdout)
    assert hit["headline"] == "Markup [bold]and[/bold] escapes"
    assert "\x1b[31mred\x1b[0m" in "".join(s["text"] for s in hit["snippets"])


def test_colour_only_when_asked_and_no_color_honoured(seeded: Path) -> None:
    run(main, "index")
    coloured = run(search_command, "Sahara", env={"FORCE_COLOR": "1"}).stdout
    assert re.search(r"\x1b\[[0-9;]*3[0-7]m", coloured)  # match highlight colour
    plain = run(search_command, "Sahara", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert not re.search(r"\x1b\[[0-9;]*(3[0-8]|9[0-7])[;m]", plain)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help_with_an_example(name: str) -> None:
    result = run(main, name, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_ctrl_c_exits_130(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("searchkit.engine.search", interrupt)
    run(main, "index")
    result = run(search_command, "Sahara")
    assert result.exit_code == ExitStatus.INTERRUPTED
