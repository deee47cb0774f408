"""The block-at-a-time BM25 of plain words ranks exactly as whoosh's matchers do."""

from __future__ import annotations

import heapq
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchkit import ranking
from searchkit.engine import open_index, search
from searchkit.indexer import update_index
from searchkit.query import parse_query
from tests.conftest import shared_path

QUERIES = [
    "election", "labour", "blair brown", "tax rise", "said", "chelsea arsenal",
    "election election labour", "cocaine mutu drugs", "zzzqqq", "labour zzzqqq",
    "minister said government", "labour AND party", "(labour party)^2", "labour^2 party",
    # long enough for feedback: the expanded query and its proximity pairs
    "labour party plans to raise tax after the election",
    "prime minister tony blair said labour would win",
    "tax tax labour labour party election campaign",
    "labour AND party election campaign tax plans",
]


@pytest.fixture(scope="module")
def segmented_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three segments (a build, then two updates) and deleted articles."""
    files = sorted((shared_path("corpora", "bbc") / "politics").glob("*.txt"))[:90]
    root = tmp_path_factory.mktemp("segments")
    corpus = root / "corpus"
    corpus.mkdir()
    for f in files[:60]:
        shutil.copy(f, corpus / f.name)
    update_index(corpus, root / "index")
    for f in files[60:]:
        shutil.copy(f, corpus / f.name)
    update_index(corpus, root / "index")
    for f in files[::7]:
        (corpus / f.name).unlink()
    update_index(corpus, root / "index")
    return root / "index"


def _rank(index: Path, query: str, monkeypatch: pytest.MonkeyPatch | None, limit: int = 30,
          restrict: set[int] | None = None, fast_path: str = "word_scores") -> ranking.Ranking:
    """ranking.rank; with `monkeypatch`, `fast_path` off: whoosh's own matchers."""
    with open_index(index).searcher(weighting=ranking.weighting()) as searcher:
        assert len(searcher.leaf_searchers()) > 1 and searcher.reader().has_deletions()
        parsed = parse_query(query, searcher.schema, searcher.reader())
        if monkeypatch is not None:
            monkeypatch.setattr(ranking, fast_path, lambda *a, **k: None)
        try:
            return ranking.rank(searcher, parsed.all_words, parsed.any_word, limit, restrict)
        finally:
            if monkeypatch is not None:
                monkeypatch.undo()


@pytest.mark.parametrize("query", QUERIES)
def test_same_hits_and_scores_as_whoosh(segmented_index: Path, query: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _rank(segmented_index, query, None)
    slow = _rank(segmented_index, query, monkeypatch)
    assert [d for d, _ in fast.hits] == [d for d, _ in slow.hits]
    assert [round(s, 9) for _, s in fast.hits] == [round(s, 9) for _, s in slow.hits]


@pytest.mark.parametrize("query", ["said", "labour party"])
def test_exact_total_leaves_out_deleted_articles(segmented_index: Path, query: str) -> None:
    with open_index(segmented_index).searcher() as searcher:
        parsed = parse_query(query, searcher.schema)
        matching = len(list(searcher.docs_for_query(parsed.any_word)))
    result = search(segmented_index, query, limit=5)
    assert result.total_exact and result.total == matching > 5


def test_restricted_ranking(segmented_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    allowed = set(range(0, 200, 3))
    fast = _rank(segmented_index, "labour party", None, restrict=allowed)
    slow = _rank(segmented_index, "labour party", monkeypatch, restrict=allowed)
    assert fast.hits and {d for d, _ in fast.hits} <= allowed
    assert [d for d, _ in fast.hits] == [d for d, _ in slow.hits]


@given(st.dictionaries(st.integers(0, 500), st.sampled_from([0.5, 1.0, 1.25, 2.0, 3.5]), max_size=80),
       st.integers(1, 30))
def test_best_is_nlargest_by_score_then_lower_docnum(scores: dict[int, float], limit: int) -> None:
    expected = heapq.nlargest(limit, scores, key=lambda d: (scores[d], -d))
    assert ranking.best(scores, limit) == expected


PHRASES = ['"prime minister"', '"labour party"', '"tony blair"', '"general election"', '"said labour"',
           '"minister prime"', '"zzzqqq party"', '"the party"', '"decision on casinos"']


def _phrase_rank(index: Path, query: str, monkeypatch: pytest.MonkeyPatch | None, limit: int = 10,
                 restrict: set[int] | None = None) -> ranking.Ranking:
    return _rank(index, query, monkeypatch, limit, restrict, fast_path="phrase_scores")


@pytest.mark.parametrize("limit", [3, 10, 200])
@pytest.mark.parametrize("query", PHRASES)
def test_phrases_rank_as_whoosh_does(segmented_index: Path, query: str, limit: int,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _phrase_rank(segmented_index, query, None, limit)
    slow = _phrase_rank(segmented_index, query, monkeypatch, limit)
    assert fast.hits == slow.hits  # same articles, same order, the same floats
    assert fast.total == slow.total


def test_restricted_phrase(segmented_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    allowed = set(range(0, 200, 3))
    fast = _phrase_rank(segmented_index, '"prime minister"', None, restrict=allowed)
    slow = _phrase_rank(segmented_index, '"prime minister"', monkeypatch, restrict=allowed)
    assert fast.hits and {d for d, _ in fast.hits} <= allowed
    assert fast.hits == slow.hits and fast.total == slow.total


def test_phrase_fast_path_is_taken(segmented_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = ranking.phrase_scores
    monkeypatch.setattr(ranking, "phrase_scores", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert _phrase_rank(segmented_index, '"prime minister"', None).hits
    assert calls


LONG = "labour party plans to raise tax after the election"


def test_restricted_feedback_ranking(segmented_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    allowed = set(range(0, 200, 2))
    fast = _rank(segmented_index, LONG, None, restrict=allowed)
    slow = _rank(segmented_index, LONG, monkeypatch, restrict=allowed)
    assert fast.hits and {d for d, _ in fast.hits} <= allowed
    assert [d for d, _ in fast.hits] == [d for d, _ in slow.hits]
    assert [round(s, 9) for _, s in fast.hits] == [round(s, 9) for _, s in slow.hits]


def test_feedback_hits_beyond_typed_words(segmented_index: Path) -> None:
    """The expanded query ranks articles holding only added words too."""
    ranked = _rank(segmented_index, LONG, None, limit=1000)
    with open_index(segmented_index).searcher() as searcher:
        parsed = parse_query(LONG, searcher.schema)
        typed = set(searcher.docs_for_query(parsed.any_word))
    assert typed < {d for d, _ in ranked.hits}
    # The count is of the articles holding a typed word, as for any query.
    assert _rank(segmented_index, LONG, None, limit=10).total == len(typed)


@pytest.mark.parametrize("query", ["blair brown", "tax rise", "labour zzzqqq", "minister said government"])
def test_short_query_feedback_same_as_whoosh(segmented_index: Path, query: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Feedback for 2-4 word queries (measured, not in use: see
    FEEDBACK_MIN_WORDS) keeps the all-words tier and whoosh's scores."""
    monkeypatch.setattr(ranking, "FEEDBACK_MIN_WORDS", 2)
    fast = _rank(segmented_index, query, None)
    with pytest.MonkeyPatch.context() as patch:
        slow = _rank(segmented_index, query, patch)
    assert [d for d, _ in fast.hits] == [d for d, _ in slow.hits]
    assert [round(s, 9) for _, s in fast.hits] == [round(s, 9) for _, s in slow.hits]


def test_a_damaged_postings_tag_is_reported_as_whoosh_reports_it(segmented_index: Path) -> None:
    from whoosh.reading import CorruptIndexError

    from searchkit import wordscores

    ix = open_index(segmented_index)
    with ix.searcher() as searcher:
        sub = searcher.leaf_searchers()[0][0] if not searcher.is_atomic() else searcher
        word = max(sub.lexicon("text"), key=lambda w: sub.doc_frequency("text", w))
        leaf = wordscores._leaf(sub.reader().postings("text", word))
        assert leaf is not None and type(leaf[0]).__name__ == "W3LeafMatcher"
        matcher = leaf[0]
        assert sum(block.postings for _, block in wordscores._raw_blocks(matcher)) == sub.doc_frequency("text", word)

        real = matcher._postfile

        class Damaged:
            def get(self, position: int, length: int) -> bytes:
                return b"XXXX" + real.get(position, length)[4:]

        matcher._postfile = Damaged()
        with pytest.raises(CorruptIndexError):
            list(wordscores._raw_blocks(matcher))
