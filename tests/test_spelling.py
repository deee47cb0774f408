"""Did you mean, rare spellings in the archive, and fuzzy words (`word~`).

The sample article spells Blinken "Brinken"; three small articles here
spell it right. A search for either spelling must lead to the sample.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from searchkit.cli import search_command
from searchkit.indexer import update_index
from searchkit.status import ExitStatus
from tests.conftest import SEED

SAMPLE_HEADLINE = "Israeli Defense Minister flies to Morocco to strengthen security relations"
BLINKEN = [f"blinken{i}.txt" for i in (1, 2, 3)]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spelling")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    for n, name in enumerate(BLINKEN, 1):
        (corpus / name).write_text(
            f"Blinken visit number {n}\n\nSecretary of State Antony Blinken met officials in "
            f"capital {n} on Tuesday to discuss trade. Blinken said the talks were constructive.\n"
        )
    update_index(corpus, root / "index")
    return root / "index"


def run(command: click.Command, index: Path, *args: str) -> Result:
    return CliRunner().invoke(command, ["--index", str(index), *args], catch_exceptions=False)


def test_the_misspelling_finds_the_sample_and_suggests_the_name(index: Path) -> None:
    result = run(search_command, index, "Brinken")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f" 1. {SAMPLE_HEADLINE}"
    assert result.stderr.splitlines()[0] == "Did you mean: blinken?"


def test_the_right_spelling_adds_the_articles_that_misspell_it_after_the_matches(index: Path) -> None:
    result = run(search_command, index, "-l", "Blinken")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [*BLINKEN, SEED.name]
    assert result.stderr.splitlines() == [
        "Also showing, after the matches, articles that spell it brinken."
    ]


def test_a_word_that_matches_nothing_searches_the_suggestion(index: Path) -> None:
    result = run(search_command, index, "-l", "Blinkn")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == BLINKEN
    assert result.stderr.splitlines() == [
        "No articles match 'Blinkn'; showing articles for 'blinken' instead."
    ]


def test_no_suggestion_for_a_common_word_and_json_stays_clean(index: Path) -> None:
    plain = run(search_command, index, "Morocco")
    assert plain.exit_code == 0
    assert "Did you mean" not in plain.stderr and "Also showing" not in plain.stderr
    result = run(search_command, index, "--json", "Brinken Morocco")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["id"] == SEED.name
    assert "Did you mean: blinken Morocco?" in result.stderr


def test_nothing_close_says_no_match(index: Path) -> None:
    result = run(search_command, index, "zyzzogeton")
    assert result.exit_code == ExitStatus.NO_HITS
    assert result.stdout == ""
    assert "Did you mean" not in result.stderr


def test_fuzzy_word_matches_both_spellings_and_highlights_them(index: Path) -> None:
    result = run(search_command, index, "--json", "Blinken~")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert {h["id"] for h in hits} == {*BLINKEN, SEED.name}
    [sample] = [h for h in hits if h["id"] == SEED.name]
    marked = {s["text"][a:b] for s in sample["snippets"] for a, b in s["spans"]}
    assert marked == {"Brinken"}


def test_fuzzy_words_are_stemmed_and_bounded(index: Path) -> None:
    stemmed = run(search_command, index, "-l", "visits~1")  # stem `visit` ~ `visit`
    assert stemmed.exit_code == 0
    assert set(stemmed.stdout.splitlines()) >= set(BLINKEN)
    too_far = run(search_command, index, "Blinken~3")
    assert too_far.exit_code == ExitStatus.USAGE
    assert too_far.stdout == ""
    assert "use ~1 or ~2" in too_far.stderr
