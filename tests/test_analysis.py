"""index_terms gives what whoosh's Positions format gives under NewsAnalyzer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.formats import Positions

from searchkit.analysis import WORD_TEXT, NewsAnalyzer, _spellings, index_terms

ANALYZER = NewsAnalyzer()


def whoosh_terms(text: str) -> list[tuple[bytes, int, float, bytes]]:
    return sorted((w.encode("utf-8"), n, wt, v) for w, n, wt, v in Positions().word_values(text, ANALYZER))


ASCII_TEXT = (st.text(alphabet=st.sampled_from("ab AB..*_-'\n\t9 the of and,;"), max_size=300)
              | st.text(alphabet=st.characters(max_codepoint=127), max_size=200))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab AB.*_-'\n\tİßΣσ9é the of and"), max_size=300) | st.text(max_size=200)
       | ASCII_TEXT)
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
