"""Duplicate fingerprints: copies and re-sent wire stories match, templated
stories with other figures and unrelated articles do not."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from searchkit.duplicates import (
    BANDS_BYTES,
    BINS,
    ROWS,
    band_keys,
    fingerprint,
    near_duplicates,
    resemblance,
    share_a_band,
)

STORY = (
    "Chancellor of the Exchequer Nigel Lawson criticised media coverage of comments he made "
    "yesterday on the exchange rate, saying the reports had exaggerated their significance. "
    "He told a parliamentary committee that the government had no fixed target for sterling "
    "and that the markets should not read too much into remarks made in passing. Dealers said "
    "the pound rose on the news, and analysts expect the Bank of England to keep rates steady "
    "at 10 pct for the rest of the month, with 2.5 billion stg of bills offered on Thursday."
)
FED = (
    "The Federal Reserve entered the U.S. Government securities market to arrange {amount} "
    "billion dlrs of customer repurchase agreements, a Fed spokesman said. Dealers said Federal "
    "funds were trading at {rate} pct when the Fed began its temporary and indirect supply of "
    "reserves to the banking system."
)
DAY = datetime(1987, 4, 2, 11, tzinfo=timezone.utc)


def test_a_copy_with_other_spacing_and_case_is_exact() -> None:
    a = fingerprint("Lawson says comments insignificant", STORY)
    b = fingerprint("LAWSON SAYS COMMENTS INSIGNIFICANT", "  " + STORY.replace(". ", ".\n\n"))
    assert a.exact == b.exact
    assert near_duplicates(a, b)


def test_a_re_sent_story_with_a_new_headline_and_a_word_changed() -> None:
    a = fingerprint("Lawson says sterling target comments insignificant", STORY)
    b = fingerprint("Lawson says comments insignificant", STORY.replace("criticised", "attacked"))
    assert a.exact != b.exact
    assert resemblance(a.sketch, b.sketch) > 0.8
    assert near_duplicates(a, b, DAY, DAY + timedelta(hours=3))


def test_other_figures_make_another_story() -> None:
    a = fingerprint("Fed adds reserves", FED.format(amount="1.5", rate="6-1/4"))
    b = fingerprint("Fed adds reserves", FED.format(amount="two", rate="6-1/8"))
    assert not near_duplicates(a, b, DAY, DAY)


def test_copies_days_apart_are_separate_unless_identical() -> None:
    a = fingerprint("Lawson", STORY)
    b = fingerprint("Lawson", STORY.replace("criticised", "attacked"))
    assert not near_duplicates(a, b, DAY, DAY + timedelta(days=10))
    assert near_duplicates(a, fingerprint("Lawson", STORY), DAY, DAY + timedelta(days=10))


def test_unrelated_and_short_texts_are_not_near_duplicates() -> None:
    a = fingerprint("Lawson", STORY)
    b = fingerprint("Fed", FED.format(amount="1.5", rate="6"))
    assert not near_duplicates(a, b)
    short_a = fingerprint("MAGMA RAISES COPPER PRICE", "Magma Copper said it is raising its price.")
    short_b = fingerprint("MAGMA LOWERS COPPER PRICE", "Magma Copper said it is lowering its price.")
    assert not short_a.sketch
    assert not share_a_band(short_a.bands, short_b.bands)
    assert not near_duplicates(short_a, short_b)


def test_band_keys() -> None:
    fp = fingerprint("Lawson", STORY)
    assert fp.exact is not None and fp.exact.startswith("x")
    assert len(fp.bands) == BANDS_BYTES == 4 * BINS // ROWS
    keys = band_keys(fp.bands)
    assert len(set(keys)) == BINS // ROWS and all(len(k) == 5 for k in keys)
    edited = fingerprint("Lawson", STORY.replace("criticised", "attacked"))
    assert share_a_band(fp.bands, edited.bands) and fp.bands != edited.bands
    # Too short for bands: the exact digest, so only exact copies share a key.
    short = fingerprint("Lawson", "Lawson spoke.")
    assert len(short.bands) == BANDS_BYTES
    assert short.bands == fingerprint("LAWSON", "lawson  spoke").bands
    assert not share_a_band(short.bands, fingerprint("Lawson", "Lawson spoke again.").bands)
    assert fingerprint("", "  \n ").bands == b""


@given(st.text(max_size=400), st.text(max_size=2000))
def test_fingerprint_never_fails(headline: str, body: str) -> None:
    fp = fingerprint(headline, body)
    assert near_duplicates(fp, fp) == (fp.exact is not None)


def test_a_lone_surrogate_is_hashed() -> None:
    assert fingerprint("x", "a badly \ud800 decoded " * 20).bands


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60),
       st.text(alphabet=st.sampled_from("ab AB 1 2.5 x_y, -\nthe of"), min_size=100, max_size=900)
       | st.text(alphabet=st.characters(max_codepoint=127), max_size=900))
def test_ascii_text_gets_the_fingerprint_of_the_regex_path(headline: str, body: str) -> None:
    # An em dash is no word character: the same words, read by the regex path.
    assert fingerprint(headline, body) == fingerprint(headline, body + " \u2014")
    assert fingerprint("Lawson", STORY) == fingerprint("Lawson", STORY + "\u2014")
