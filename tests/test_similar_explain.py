"""More like this (`searchkit similar`, `search --like`) and `--explain`."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from searchkit.cli import main, search_command
from searchkit.status import ExitStatus


def run(command: click.Command, *args: str) -> Result:
    return CliRunner().invoke(command, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    ("article", "topic"),
    [("sport/181.txt", "sport/"), ("politics/236.txt", "politics/"), ("sport/199.txt", "sport/")],
)
def test_similar_lists_same_topic_articles_first(bbc_index: tuple[Path, Path], article: str, topic: str) -> None:
    _corpus, index = bbc_index
    result = run(main, "similar", "--index", str(index), "-n", "5", "--json", article)
    assert result.exit_code == 0
    ids = [hit["id"] for hit in json.loads(result.stdout)]
    assert len(ids) == 5
    assert all(i.startswith(topic) for i in ids), ids
    assert article not in ids


def test_similar_leaves_out_the_article_and_its_copies(bbc_index: tuple[Path, Path]) -> None:
    _corpus, index = bbc_index
    result = run(main, "similar", "--index", str(index), "-n", "20", "sport/181.txt")
    assert result.exit_code == 0
    # sport/182.txt is a byte-identical copy of sport/181.txt
    assert "sport/181.txt" not in result.stdout and "sport/182.txt" not in result.stdout
    assert result.stdout.startswith(" 1. ")
    assert result.stderr.endswith("matching articles shown.\n")


def test_search_like_is_similar(bbc_index: tuple[Path, Path]) -> None:
    _corpus, index = bbc_index
    like = run(search_command, "--index", str(index), "-l", "-n", "5", "--like", "sport/181.txt")
    similar = run(main, "similar", "--index", str(index), "-n", "5", "--json", "sport/181.txt")
    assert like.exit_code == 0
    assert like.stdout.splitlines() == [h["path"] for h in json.loads(similar.stdout)]
    words = run(search_command, "--index", str(index), "--like", "sport/181.txt", "Chelsea")
    assert words.exit_code == ExitStatus.USAGE and "--like takes an article id" in words.stderr


def test_similar_unknown_article(bbc_index: tuple[Path, Path]) -> None:
    _corpus, index = bbc_index
    result = run(main, "similar", "--index", str(index), "sport/9999.txt")
    assert result.exit_code == ExitStatus.NO_HITS
    assert result.stdout == ""
    assert "no article with id 'sport/9999.txt'" in result.stderr


def test_explain_terms_add_up_to_the_score(bbc_index: tuple[Path, Path]) -> None:
    _corpus, index = bbc_index
    result = run(search_command, "--index", str(index), "-n", "3", "--json", "--explain", "Desailly Blues revenge")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    top = hits[0]
    assert top["id"] == "sport/181.txt"
    explain = top["explain"]
    assert {t["term"] for t in explain["terms"]} == {"desailli", "blue", "reveng"}
    assert explain["score"] == top["score"]
    assert sum(t["score"] for t in explain["terms"]) + explain["other"] == pytest.approx(top["score"], abs=0.01)
    for term in explain["terms"]:
        assert term["field"] == "text" and term["tf"] >= 1 and term["idf"] > 0
    rare = {t["term"]: t["idf"] for t in explain["terms"]}
    assert rare["desailli"] > rare["blue"]  # the rarer word weighs more


def test_explain_table_in_the_terminal(bbc_index: tuple[Path, Path]) -> None:
    _corpus, index = bbc_index
    result = run(search_command, "--index", str(index), "-n", "1", "--explain", "Desailly")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    header = next(n for n, line in enumerate(lines) if line.split() == ["term", "field", "tf", "idf", "score"])
    assert lines[header + 1].split()[:2] == ["desailli", "text"]
    assert lines[header + 2].split()[0] == "total"
    assert lines[header + 1].split()[-1] == lines[header + 2].split()[-1]
    plain = run(search_command, "--index", str(index), "-n", "1", "--json", "Desailly")
    assert json.loads(plain.stdout)[0]["explain"] is None
