"""Golden queries on real BBC articles: which article ranks first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.cli import search_command
from searchkit.engine import search
from searchkit.query import _signs_as_words


@pytest.mark.parametrize(
    ("query", "top"),
    [
        ("Mutu drugs test", "sport/199.txt"),  # the Latin-1 file
        ("Kilroy-Silk slurry", "politics/157.txt"),
        ("super-casinos", "politics/010.txt"),
        ("Sainsbury Labour donation", "politics/413.txt"),
    ],
)
def test_golden_top_hit(bbc_index: tuple[Path, Path], query: str, top: str) -> None:
    _corpus, index = bbc_index
    assert search(index, query, limit=3).hits[0].id == top


def test_stemming_finds_other_forms(bbc_index: tuple[Path, Path]) -> None:
    _corpus, index = bbc_index
    result = search(index, "elections", limit=20)
    assert any("election" in h.headline.lower() and "elections" not in h.headline.lower() for h in result.hits)
    for hit in result.hits[:5]:
        marked = {s.text[a:b].lower() for s in hit.snippets for a, b in s.spans}
        assert marked <= {"election", "elections", "elected", "elect", "electing", "electiones"}


def test_all_words_rank_before_some_words(bbc_index: tuple[Path, Path]) -> None:
    _corpus, index = bbc_index
    hits = search(index, "Mutu cocaine", limit=20).hits
    assert len(hits) > 2  # partial matches still come back

    def has(hit, word: str) -> bool:
        return word in (hit.headline + " ".join(s.text for s in hit.snippets)).lower()

    both = [has(h, "mutu") and has(h, "cocaine") for h in hits]
    assert both[0] and both == sorted(both, reverse=True)


@pytest.mark.parametrize(
    "query",
    ['"drugs test"', "Mutu OR Chelsea", "Chelsea NOT Mutu", "headline:Mutu", "Kilroy*"],
)
def test_query_syntax(bbc_index: tuple[Path, Path], query: str) -> None:
    _corpus, index = bbc_index
    hits = search(index, query, limit=10).hits
    assert hits
    if query.startswith("headline:"):
        assert all("mutu" in h.headline.lower() for h in hits)
    if "NOT" in query:
        assert all("mutu" not in h.headline.lower() for h in hits)


def test_cli_over_bbc(bbc_index: tuple[Path, Path]) -> None:
    corpus, index = bbc_index
    result = CliRunner().invoke(
        search_command, ["--index", str(index), "-n", "2", "Kilroy-Silk"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.stdout.count("politics/") == 2
    assert "\x1b" not in result.stdout


def test_us_is_the_country_not_a_stop_word(bbc_index: tuple[Path, Path]) -> None:
    """"US" was dropped as the pronoun: the top hits were about British elections."""
    _corpus, index = bbc_index
    result = CliRunner().invoke(
        search_command, ["--index", str(index), "-n", "3", "US election"], catch_exceptions=False
    )
    assert result.exit_code == 0
    blocks = re.split(r"^ *\d+\. ", result.stdout, flags=re.M)[1:]
    assert len(blocks) == 3
    for block in blocks:
        assert re.search(r"\bUS\b", block) and "election" in block


def test_a_name_and_its_initials_find_the_same_articles(bbc_index: tuple[Path, Path]) -> None:
    _corpus, index = bbc_index

    def top(query: str) -> list[str]:
        return [h.id for h in search(index, query, limit=5).hits]

    assert len(top("UN")) == 5
    assert top("United Nations") == top("UN") == top("U.N.") == top("un")
    assert top("United States") == top("US") == top("U.S.")
    assert top('"United Kingdom"') == top("UK") == top("uk")


def test_email_finds_e_mail(bbc_index: tuple[Path, Path]) -> None:
    """BBC writes "e-mail": `search email` found only the few that write "email"."""
    _corpus, index = bbc_index
    spelled = search(index, "email", limit=100)
    hyphenated = search(index, "e-mail", limit=100)
    assert spelled.total == hyphenated.total > 11  # 11 articles write "e-mail", 5 "email"
    assert [h.id for h in spelled.hits] == [h.id for h in hyphenated.hits]


def _cli(corpus: Path, index: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(search_command, ["--index", str(index), "--corpus", str(corpus), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("typed", ["e-mail*", "e-ma*", "e-mail~1"])
def test_a_hyphenated_wildcard_finds_what_its_joined_spelling_finds(
        bbc_index: tuple[Path, Path], typed: str) -> None:
    """The index holds "e-mail" as "email": `e-mail*` matched nothing at all."""
    corpus, index = bbc_index

    def shown(query: str) -> str:
        code, out, err = _cli(corpus, index, "-n", "20", query)
        assert code == 0, err
        return out

    joined = shown(typed.replace("-", "", 1))
    assert "e-mail" in joined
    assert shown(typed).replace(typed, typed.replace("-", "", 1)) == joined


def test_minus_leaves_a_word_out_and_plus_asks_for_it(bbc_index: tuple[Path, Path]) -> None:
    """`Blair -election` matched what `Blair election` matches: the sign was dropped."""
    corpus, index = bbc_index
    code, minus, _ = _cli(corpus, index, "-n", "30", "Blair -election")
    assert code == 0
    assert minus == _cli(corpus, index, "-n", "30", "Blair NOT election")[1]
    assert "election" not in minus.lower() and "Blair" in minus
    shown = int(_cli(corpus, index, "--count", "Blair -election")[1])
    assert 0 < shown < int(_cli(corpus, index, "--count", "Blair")[1])
    assert _cli(corpus, index, "+Blair +election")[1] == _cli(corpus, index, "Blair election")[1]
    phrase = _cli(corpus, index, "--count", 'Blair -"general election"')[1]
    assert phrase == _cli(corpus, index, "--count", 'Blair NOT "general election"')[1] != str(shown) + "\n"


def test_signs_inside_words_numbers_and_phrases_are_kept() -> None:
    assert _signs_as_words('e-mail -spam +"tax cut" (Blair -Brown)') == 'e-mail NOT spam "tax cut" (Blair NOT Brown)'
    assert _signs_as_words('C++ -5C "a -b" x - y') == 'C++ -5C "a -b" x - y'


def test_an_unquoted_minus_word_gets_told_how_to_write_it(bbc_index: tuple[Path, Path]) -> None:
    corpus, index = bbc_index
    code, out, err = _cli(corpus, index, "Blair", "-election")
    assert code == 2 and out == ""
    assert "put the whole query in quotes: search 'Blair -election' (or write NOT election)" in err
    assert "Traceback" not in err
    # -n takes a value: "-news" fails as a bad number, and gets the same advice.
    assert "search 'Blair -news'" in _cli(corpus, index, "Blair", "-news")[2]
    # A query that starts with the sign needs `--`, which then works.
    assert "search -- '-election'" in _cli(corpus, index, "-election")[2]
    assert _cli(corpus, index, "--count", "--", "-election")[1] == _cli(corpus, index, "--count", "NOT election")[1]


def test_a_query_error_quotes_the_query_as_typed(bbc_index: tuple[Path, Path]) -> None:
    corpus, index = bbc_index
    code, _, err = _cli(corpus, index, 'the -"')
    assert code == 2 and err.startswith("searchkit: nothing to search for in 'the -\"'")


def test_field_names_as_people_type_them(bbc_index: tuple[Path, Path]) -> None:
    """`title:Mutu` searched the words "title" and "Mutu"; `headline: Mutu`
    (a space after the colon) searched "headline" and "Mutu"."""
    corpus, index = bbc_index
    code, headline, _ = _cli(corpus, index, "-n", "20", "headline:Mutu")
    assert code == 0 and "Mutu" in headline
    for typed in ("title:Mutu", "Headline:Mutu", "headline: Mutu", "TITLE: mutu"):
        assert _cli(corpus, index, "-n", "20", typed)[1].replace(typed, "headline:Mutu") == headline
    # Prose with a colon is still words.
    assert _cli(corpus, index, "--count", "Re: Mutu")[1] == _cli(corpus, index, "--count", "re Mutu")[1]
    assert _cli(corpus, index, "--count", "10:30 Mutu")[1] == _cli(corpus, index, "--count", "10 30 Mutu")[1]


@pytest.mark.parametrize(("typed", "said"), [
    ("title:", "title: needs something to search for after it, e.g. title:election"),
    ("Mutu headline:", "headline: needs something to search for after it, e.g. headline:election"),
    ("(author:) Mutu", 'author: needs something to search for after it, e.g. author:"Jane Doe"'),
    ("date:", "date: needs something to search for after it, e.g. date:2021-11"),
    ("Mutu heading:drugs", "heading: is not a field you can search; the fields are headline, body, author,"),
])
def test_a_field_name_without_a_field_or_a_word_is_refused(
        bbc_index: tuple[Path, Path], typed: str, said: str) -> None:
    corpus, index = bbc_index
    code, out, err = _cli(corpus, index, typed)
    assert (code, out) == (2, "")
    assert err.startswith(f"searchkit: {said}") and len(err.splitlines()) == 1
