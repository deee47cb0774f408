"""Properties (hypothesis): parsers and the query layer raise nothing but our
own errors on arbitrary input; reindexing twice is a no-op."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchkit.engine import open_index, search
from searchkit.errors import SearchkitError
from searchkit.formats import FORMAT_MODULES, reader_for
from searchkit.indexer import update_index
from searchkit.query import parse_query
from searchkit.schema import build_schema

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Bytes that look a little like articles, and bytes that do not.
article_bytes = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=1500).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(
        lambda head, body, enc: f"{head}\n\nAuthor: {head}\n\n{body}\n".encode(enc, "replace"),
        st.text(max_size=80), st.text(max_size=800), st.sampled_from(["utf-8", "cp1252", "utf-16"]),
    ),
)

query_text = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(['"', "(", ")", "*", "?", "~", "^", ":", "[", "]", "{", "}", "TO", "AND", "OR",
                         "NOT", "headline:", "author:", "date:", "nosuch:", "election", "a", "e*", "\\",
                         "-", "+", "2020", "99999", "~2", "\x00", "\x1b"]),
        max_size=25,
    ).map(" ".join),
)


@FAST
@given(data=article_bytes, ext=st.sampled_from(sorted(FORMAT_MODULES)))
def test_parsers_raise_only_our_errors(data: bytes, ext: str) -> None:
    parser = reader_for(f"x{ext}")
    assert parser is not None
    try:
        articles = list(parser(data, f"x{ext}"))
    except SearchkitError:
        return
    for article in articles:
        assert isinstance(article.headline, str) and isinstance(article.body, str)


@FAST
@given(text=query_text)
def test_parse_query_raises_only_our_errors_without_an_index(text: str) -> None:
    try:
        parse_query(text, build_schema())
    except SearchkitError:
        pass


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("prop")
    (root / "corpus").mkdir()
    for n, words in enumerate(["election harbour", "Anna Smith wrote", "budget 2020 rates"]):
        (root / "corpus" / f"{n}.txt").write_text(f"Title {n}\nAuthor: Anna Smith\nDate: 2020-01-0{n + 1}\n\n{words}.\n")
    update_index(root / "corpus", root / "index")
    return root / "index"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=query_text)
def test_queries_against_an_index_raise_only_our_errors(small_index: Path, text: str) -> None:
    try:
        with open_index(small_index).searcher() as searcher:
            parse_query(text, searcher.schema, searcher.reader())
        search(small_index, text, limit=3)
    except SearchkitError:
        pass


corpus_files = st.dictionaries(
    st.from_regex(r"[a-z]{1,8}(/[a-z]{1,5})?\.(txt|md|json|html)", fullmatch=True),
    article_bytes,
    max_size=6,
)


@settings(max_examples=15, deadline=None)
@given(files=corpus_files)
def test_reindexing_twice_is_a_no_op(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        for name, data in files.items():
            path = corpus / name
            if path.parent.is_file():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.is_dir():
                path.write_bytes(data)
        update_index(corpus, index)
        before = sorted(p.name for p in index.iterdir())
        again = update_index(corpus, index)
        assert (again.changed, again.wrote) == (0, False)
        assert sorted(p.name for p in index.iterdir()) == before
