"""index_terms gives what whoosh's Positions format gives under NewsAnalyzer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.formats import Positions

from searchkit.analysis import NewsAnalyzer, index_terms

ANALYZER = NewsAnalyzer()


def whoosh_terms(text: str) -> list[tuple[bytes, int, float, bytes]]:
    return sorted((w.encode("utf-8"), n, wt, v) for w, n, wt, v in Positions().word_values(text, ANALYZER))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab AB.*_-'\n\tİßΣσ9é the of and"), max_size=300) | st.text(max_size=200))
def test_index_terms_match_whoosh_positions(text: str) -> None:
    assert sorted(index_terms(text, ANALYZER.stoplist)) == whoosh_terms(text)


def test_index_terms_on_news_text() -> None:
    text = ("Talks on Western Sahara resumed. The U.S. envoy said talks would resume; "
            "talking, talked, TALKS. ") * 30
    items = dict((t, (n, v)) for t, n, _, v in index_terms(text))
    assert items[b"talk"][0] == 5 * 30 and b"the" not in items and b"u." in items
    assert sorted(index_terms(text)) == whoosh_terms(text)
