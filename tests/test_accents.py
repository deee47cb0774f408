"""Accents do not decide what matches: "Beyonce" finds "Beyoncé" (HuffPost spells her so)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.analysis import folded, index_terms
from searchkit.cli import search_command
from searchkit.indexer import update_index
from tests.conftest import shared_path

HUFFPOST = "News_Category_Dataset_v2.head4782.jsonl"


def test_latin_accents_are_dropped_other_marks_kept() -> None:
    assert folded("beyoncé") == "beyonce"
    assert folded("núñez") == "nunez"
    assert folded("bündchen") == "bundchen"
    assert folded("straße") == "straße"  # no accent to drop
    assert folded("йогурт") == "йогурт"  # й is a letter of its own
    assert {t for t, *_ in index_terms("García")} == {t for t, *_ in index_terms("Garcia")}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("accents")
    lines = shared_path("corpora", "huffpost_news_category", HUFFPOST).read_text(encoding="utf-8").splitlines()
    (root / "corpus").mkdir()
    (root / "corpus" / "huffpost.jsonl").write_text("\n".join(lines[1790:2220]) + "\n", encoding="utf-8")
    (root / "corpus" / "tour.txt").write_text("Beyonce adds tour dates\n\nThe singer Beyonce will tour.\n",
                                              encoding="utf-8")
    update_index(root / "corpus", root / "index")
    return root / "index"


def test_with_or_without_accents_the_same_articles(index: Path) -> None:
    def shown(query: str) -> str:
        result = CliRunner().invoke(search_command, ["--index", str(index), "-n", "50", query],
                                    catch_exceptions=False)
        assert result.exit_code == 0
        return result.stdout

    plain, accented = shown("Beyonce"), shown("Beyoncé")
    assert plain == accented
    assert "Beyonce adds tour dates" in plain and plain.count("Beyoncé") >= 8
