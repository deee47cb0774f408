"""Hostile text in every field that reaches a terminal — headline, author,
dateline, source, body, file name, corpus path, warnings and errors — is
shown inert; `--json` keeps it exact."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searchkit.cli import main, search_command
from searchkit.render import safe

OSC8 = "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"
CURSOR = "\x1b[2J\x1b[H\x1b[1A\x1b[999D\x1b7\x1b8"
TITLE = "\x1b]0;pwned\x07"
BIDI = "\u202eevil\u202c \u2066iso\u2069 \u200fmark"
C1 = "\x9b31m csi \x9d osc"
ALL = OSC8 + CURSOR + TITLE + BIDI + C1 + " back\x08space del\x7f"  # \r would end a header line
# a file name can hold escapes too (no slash, no NUL)
NAME = "\x1b]0;t\x07name\x1b[2J\u202e.txt"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069]")


def run(command, *args: str, env: dict[str, str] | None = None) -> Result:  # type: ignore[no-untyped-def]
    return CliRunner().invoke(command, list(args), catch_exceptions=False, env=env)


def assert_inert(text: str) -> None:
    bad = UNSAFE.findall(text)
    assert bad == [], bad


PAYLOADS = ("\x1b]8;;", "\x1b]0;", "\x1b[2J", "\x1b[999D", "\x1b7", "\x07", "\u202e", "\u2066",
            "\u200f", "\x9b", "\x9d", "\x08", "\x7f")


def assert_no_payload(text: str) -> None:
    """With FORCE_COLOR rich writes its own codes (colour, the progress bar);
    none of the article's may get through."""
    assert [p for p in PAYLOADS if p in text] == []


@pytest.fixture
def hostile(corpus: Path) -> Path:
    text = (
        f"Title: Headline {ALL}\n"
        f"Author: Reporter {ALL}\n"
        f"Dateline: TOWN {ALL}\n"
        f"Source: Wire {ALL}\n\n"
        f"The harbour story {ALL} carriage\rreturn ends.\n\n"
        # enough ordinary prose that the file is text, not binary data
        + "Ordinary words of a news report follow here. " * 40 + "\n"
    )
    (corpus / NAME).write_text(text, encoding="utf-8")
    (corpus / f"bin{NAME}").write_bytes(b"\x00\x01\x02" * 100)  # skipped: the warning names it
    return corpus


@pytest.mark.parametrize("env", [None, {"FORCE_COLOR": "1"}])
def test_search_show_and_index_output_is_inert(hostile: Path, env: dict[str, str] | None) -> None:
    indexed = run(main, "index", env=env)
    assert indexed.exit_code == 0
    assert f"warning: skipped {safe('bin' + NAME)}: binary data, not text" in indexed.stderr
    found = run(search_command, "harbour", env=env)
    shown = run(main, "show", NAME, "--highlight", "harbour", env=env)
    for result in (indexed, found, shown):
        assert result.exit_code == 0
        if env:
            assert_no_payload(result.stdout)
            assert_no_payload(result.stderr)
        else:
            assert_inert(result.stdout)
            assert_inert(result.stderr)
    plain = run(search_command, "harbour").stdout + run(main, "show", NAME).stdout
    for visible in ("␛]8;;http://evil.example/␛\\click", "␛[2J", "␛]0;pwned␇", "\ufffdevil", "back␈space", "del␡", safe(NAME)):
        assert visible in plain, visible
    for field in ("Reporter", "TOWN", "Wire", "Headline"):
        line = next(line for line in plain.splitlines() if field in line)
        assert_inert(line)


def test_json_keeps_hostile_text_exact(hostile: Path) -> None:
    run(main, "index")
    [hit] = json.loads(run(search_command, "--json", "harbour").stdout)
    assert hit["path"] == NAME and hit["id"] == NAME
    assert hit["headline"] == f"Headline {ALL}"
    assert OSC8 in hit["author"] and BIDI in hit["dateline"]
    article = json.loads(run(main, "show", "--json", NAME).stdout)
    assert OSC8 in article["body"] and "\x1b]0;pwned\x07" in article["body"]


def test_stats_with_a_hostile_corpus_path(tmp_path: Path) -> None:
    corpus = tmp_path / f"c{TITLE}{BIDI}"
    corpus.mkdir()
    (corpus / "a.txt").write_text(f"Plain\n\nAuthor: {OSC8}\n\nharbour\n")
    assert run(main, "index", "--corpus", str(corpus)).exit_code == 0
    for args in (["stats"], ["stats", "--json"]):
        result = run(main, *args)
        assert result.exit_code == 0
        assert_inert(result.stdout)
    assert json.loads(run(main, "stats", "--json").stdout)["corpus"] == str(corpus)


def test_error_messages_are_inert(tmp_path: Path) -> None:
    index = tmp_path / f"ix{CURSOR}{BIDI}"
    for result in (
        run(main, "show", "a.txt", "--index", str(index)),
        run(main, "stats", "--index", str(index)),
        run(search_command, "--index", str(index), "--corpus", str(tmp_path / f"none{TITLE}"), "x"),
    ):
        assert result.exit_code != 0
        lines = result.stderr.strip().splitlines()
        assert lines[-1].startswith("searchkit: ")
        assert_inert(result.stderr)


def test_summary_line_echoes_the_query_inertly(corpus: Path) -> None:
    (corpus / "a.txt").write_text("A\n\nharbour\n")
    run(main, "index")
    result = run(search_command, f"zzzz{TITLE}{BIDI}")
    assert result.exit_code == 1
    assert_inert(result.stderr)


def test_hostile_files_do_not_stop_others(hostile: Path) -> None:
    shutil.copy(Path(__file__).parent.parent / "corpus" / "000_a209fd0b7f63471a.txt", hostile / "seed.txt")
    run(main, "index")
    assert "seed.txt" in run(search_command, "Western Sahara").stdout
