"""index_terms gives what whoosh's Positions format gives under NewsAnalyzer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.formats import Positions

from searchkit.analysis import WORD_TEXT, NewsAnalyzer, _spellings, index_terms

ANALYZER = NewsAnalyzer()


def whoosh_terms(text: str) -> list[tuple[bytes, int, float, bytes]]:
    return sorted((w.encode("utf-8"), n, wt, v) for w, n, wt, v in Positions().word_values(text, ANALYZER))


ASCII_TEXT = (st.text(alphabet=st.sampled_from("ab AB..*_-'\n\t9 the of and,; US us"), max_size=300)
              | st.text(alphabet=st.characters(max_codepoint=127), max_size=200))


# Words the analyzer treats specially, in every order and case.
NAMES_TEXT = st.lists(st.sampled_from(["United", "united", "STATES", "States", "Nations", "kingdom", "US",
                                       "us", "U.S", "the", ".", "-", "unit", "Ünited", "UNited", "ab", "e", "x.e",
                                       "mail", "İ", "nited", "-mail", "e-", "..", "*"]),
                      max_size=12).map(" ".join) | st.lists(st.sampled_from(
    ["e", "-", "mail", "x", ".", "ray", "İ", "u", "nited", "States", "ab", "*", " ", "é", "1", "_"]),
    max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab AB.*_-'\n\tİßΣσ9é the of and"), max_size=300) | st.text(max_size=200)
       | ASCII_TEXT | NAMES_TEXT)
def test_index_terms_match_whoosh_positions(text: str) -> None:
    assert sorted(index_terms(text, ANALYZER.stoplist)) == whoosh_terms(text)


@settings(max_examples=500, deadline=None)
@given(ASCII_TEXT)
def test_ascii_text_is_split_as_the_regex_splits_it(text: str) -> None:
    assert [w.decode() for w in _spellings(text)] == [w.lower() for w in WORD_TEXT.findall(text)]


def test_index_terms_on_news_text() -> None:
    text = ("Talks on Western Sahara resumed. The U.S. envoy said talks would resume; "
            "talking, talked, TALKS. ") * 30
    items = dict((t, (n, v)) for t, n, _, v in index_terms(text))
    assert items[b"talk"][0] == 5 * 30 and b"the" not in items and b"u." in items
    assert sorted(index_terms(text)) == whoosh_terms(text)


def test_us_in_capitals_is_the_country_unless_its_neighbours_shout() -> None:
    def terms(text: str) -> set[bytes]:
        return {t for t, *_ in index_terms(text)}

    country = terms("U.S.")
    assert country == {b"u."}
    assert terms("the US economy") == country | {b"economi"}
    assert terms("US-led war") == country | {b"led", b"war"}
    assert terms("US") == country  # a one-word query
    # The pronoun, a stop word, stays out: lower case, or among capitals.
    assert terms("tell us") == {b"tell"}
    assert terms("Let Us Go") == {b"let", b"go"}
    assert terms("LET US GO") == {b"let", b"go"}
    assert terms("USA US.gov") == {b"usa", b"us.gov"}
    for text in ("the US economy", "LET US GO", "US", "Aid to the US. US aid"):
        assert sorted(index_terms(text)) == whoosh_terms(text)


def test_united_states_is_one_word_the_same_as_us() -> None:
    def terms(text: str) -> list[bytes]:
        return sorted(t for t, *_ in index_terms(text))

    assert terms("the United States") == terms("the U.S.") == terms("the US")
    assert terms("UNITED NATIONS") == terms("U.N.") == terms("UN") == terms("un")
    assert terms("United Kingdom") == terms("U.K.") == terms("UK") == terms("uk")
    assert terms("Manchester United") == [b"manchest", b"unit"]
    for odd in ("US UNited States", "uNITED STATES", "US\nUnited\nKingdom"):
        assert sorted(index_terms(odd)) == whoosh_terms(odd)
    text = "The United States and the United Nations met; UNITED STATES . U.N ."
    assert sorted(index_terms(text)) == whoosh_terms(text)
    tokens = [(t.text, t.startchar, t.endchar) for t in ANALYZER(text, chars=True)]
    assert tokens[:2] == [("u.", 4, 17), ("un", 26, 40)]  # highlighted as both words


def test_a_letter_hyphen_word_is_one_word() -> None:
    def terms(text: str) -> list[bytes]:
        return sorted(t for t, *_ in index_terms(text))

    assert terms("e-mail") == terms("email") == terms("E-Mail") == [b"email"]
    assert terms("x-ray") == terms("xray")
    assert terms("Kilroy-Silk") == [b"kilroy", b"silk"]  # words stay words
    assert terms("a-b-c") == []  # letters alone are no words
    for text in ("send an e-mail", "x-ray-based", "u-nited States", "a..e-mail", "e-mail.com"):
        assert sorted(index_terms(text)) == whoosh_terms(text)


def test_a_typed_name_is_joined_as_in_text_and_only_in_text_fields() -> None:
    from searchkit.query import parse_query
    from searchkit.schema import build_schema

    schema = build_schema()

    def leaves(query: str) -> list[str]:
        return [f"{leaf.fieldname}:{leaf.text}" for leaf in parse_query(query, schema).any_word.leaves()]

    assert leaves("United States") == leaves("U.S.") == ["text:u."]
    assert leaves("UNITED STATES, RUSSIA") == ["text:u.", "text:russia"]  # as the text is indexed
    assert leaves("headline:(United Nations)") == ["headline:un"]
    # A name field keeps its own words; words of two fields are not one name.
    assert leaves("author:United States") == ["author:united", "text:state"]
    assert leaves("headline:United States") == ["headline:unit", "text:state"]
