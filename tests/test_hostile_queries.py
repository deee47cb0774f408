"""Hostile queries through the real command: results, or exit 2 with one
clear line on stderr — never a traceback, never unbounded work."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searchkit.cli import search_command
from searchkit.indexer import update_index
from searchkit.query import MAX_EXPANSIONS
from searchkit.status import ExitStatus


@pytest.fixture(scope="module")
def vocab_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index whose vocabulary has more than MAX_EXPANSIONS words starting with a."""
    root = tmp_path_factory.mktemp("vocab")
    corpus = root / "corpus"
    corpus.mkdir()
    letters = "bcdefghijklmnopqrstuvwxyz"
    words = [f"a{x}{y}{z}" for x in letters for y in letters for z in letters[:4]]
    assert len(words) > MAX_EXPANSIONS
    for n in range(20):
        chunk = " ".join(words[n::20])
        (corpus / f"v{n}.txt").write_text(f"Vocabulary {n}\n\nElection harbour {chunk}.\n")
    (corpus / "plain.txt").write_text("Plain story\n\nThe election and the harbour.\n")
    update_index(corpus, root / "index")
    return root / "index"


def search(index: Path, *args: str) -> Result:
    return CliRunner().invoke(search_command, ["--index", str(index), *args], catch_exceptions=False)


HITS_OR_NONE = [
    '"unbalanced quote',
    'election"',
    "((election harbour",
    "election)))",
    "election AND",
    "OR election",
    "election NOT",
    "date:[2020 TO]",
    "election^1e308",
    "election^-5",
    "\x1b[31m",
    "\u202eelection",
    "elect*",
    "election~",
    "election~2",
    "?lection",
    "a" * 1999 + "*",
]

USAGE = {
    "(": "nothing to search for",
    ")": "nothing to search for",
    '"': "nothing to search for",
    "NOT": "nothing to search for",
    "NOT NOT": "nothing to search for",
    "AND OR": "nothing to search for",
    "x" * 10_000: "query is 10,000 characters long; the limit is 2,000",
    "election " * 2000: "the limit is 2,000",
    "*": "`*` alone would match every article",
    "headline:*": "`headline:*` alone would match every article",
    "*" * 50: "different words",
    "a*": f"`a*` matches more than {MAX_EXPANSIONS:,} different words",
    "*a*": "different words",
    "??*": "different words",
    "a~5": "too many differences",
    "election~99": "too many differences",
    "body:[a TO z]": "`[a TO z]` matches more than",
    "\x00": "nothing to search for",
    "{a TO b}": "`[a TO b]` matches more than",
    "date:99999": "cannot read the date '99999'",
    "date:abc": "cannot read the date 'abc'",
    "date:2021-13": "cannot read the date '2021-13'",
    "date:2022..2021": "ends before it starts",
    "path:sport": "path: is not a field you can search; the fields are headline, body, author, dateline",
    "election url:x": "url: is not a field you can search",
    "nosuchfield:election": "nosuchfield: is not a field you can search",
    "foo:bar": "foo: is not a field you can search",
    "headline:": "headline: needs something to search for after it",
    "author:": "author: needs something to search for after it",
}


@pytest.mark.parametrize("query", HITS_OR_NONE)
def test_odd_queries_give_results_or_none(vocab_index: Path, query: str) -> None:
    started = time.monotonic()
    result = search(vocab_index, query)
    assert time.monotonic() - started < 5
    assert result.exit_code in (ExitStatus.OK, ExitStatus.NO_HITS), result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # the summary line


@pytest.mark.parametrize("query", list(USAGE), ids=lambda q: repr(q[:20]))
def test_unusable_queries_are_one_line_exit_2(vocab_index: Path, query: str) -> None:
    started = time.monotonic()
    result = search(vocab_index, query)
    assert time.monotonic() - started < 5
    assert result.exit_code == ExitStatus.USAGE
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("searchkit: ") and USAGE[query] in line
    assert "\x1b" not in line and "\x00" not in line


def test_json_output_is_still_json_for_odd_queries(vocab_index: Path) -> None:
    import json

    result = search(vocab_index, "--json", '"election harbour')
    assert isinstance(json.loads(result.stdout), list)
