from __future__ import annotations

from datetime import datetime, timezone

import pytest

from searchkit.formats.meta import (
    author_key,
    clean_author,
    clean_dateline,
    decode,
    find_dateline,
    looks_binary,
    paragraph_dateline,
    parse_date,
    repair_mojibake,
    split_byline,
)

UTC = timezone.utc


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("café £5".encode(), "café £5"),
        (b"\xef\xbb\xbfcaf\xc3\xa9", "café"),
        (b"caf\xe9 \x80", "café €"),  # cp1252
        (b"\x81\xe9", "\x81é"),  # not cp1252 either: Latin-1
        ("café".encode("utf-16"), "café"),
        (b"a\x00b", "ab"),
    ],
)
def test_decode(data: bytes, text: str) -> None:
    assert decode(data) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("26-FEB-1987 15:01:01.79", datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=UTC)),
        ("  3-MAR-1987  09:15:05.40", datetime(1987, 3, 3, 9, 15, 5, 400000, tzinfo=UTC)),
        ("Wed, 31 Jan 2018 20:15:15 GMT", datetime(2018, 1, 31, 20, 15, 15, tzinfo=UTC)),
        ("Tue, 30 Dec 2014 10:00:00 EST", datetime(2014, 12, 30, 15, 0, tzinfo=UTC)),
        ("2016-02-01T17:22:00+01:00", datetime(2016, 2, 1, 16, 22, tzinfo=UTC)),
        ("2013-11-27T08:36:32Z", datetime(2013, 11, 27, 8, 36, 32, tzinfo=UTC)),
        ("Tue Dec 30 03:51:13 UTC 2014", datetime(2014, 12, 30, 3, 51, 13, tzinfo=UTC)),
        ("2018-05-26", datetime(2018, 5, 26, tzinfo=UTC)),
        # never guessed: missing year/month/day, unknown zone, nonsense
        ("Feb 26", None),
        ("May 2018", None),
        ("2018", None),
        ("Tue, 30 Dec 2014 10:00:00 XYZ", None),
        ("yesterday", None),
        ("1e400", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value: str | None, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_parse_date_dayfirst() -> None:
    assert parse_date("03/04/2014", dayfirst=True) == datetime(2014, 4, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("byline", "author", "credit"),
    [
        ("by Janie Gabbett, Reuters", "Janie Gabbett", "Reuters"),
        ("BY MARJORIE SHAFFER, REUTERS", "MARJORIE SHAFFER", "Reuters"),
        ("By Gail Appleson, Reuter", "Gail Appleson", "Reuters"),
        ("Steve Holland, Reuters", "Steve Holland", "Reuters"),
        ("Associated Press", None, "AP"),
        ("Stateline, Editorial Partner", "Stateline, Editorial Partner", None),
        ("Julia Craven and Taryn Finley", "Julia Craven and Taryn Finley", None),
        (
            "Dana A. Ford, Chien-Ming Wang, and Tom Watkins, CNN",
            "Dana A. Ford, Chien-Ming Wang, and Tom Watkins",
            "CNN",
        ),
        ("", None, None),
        (None, None, None),
    ],
)
def test_split_byline(byline: str | None, author: str | None, credit: str | None) -> None:
    assert split_byline(byline) == (author, credit)


def test_author_display_and_key() -> None:
    assert clean_author("By JANE DOE") == "JANE DOE"
    assert author_key("By  JANE   DOE") == "jane doe"


@pytest.mark.parametrize(
    ("raw", "dateline"),
    [
        ("    BAHIA BLANCA, Argentina, Feb 26 - ", "BAHIA BLANCA, Argentina"),
        ("    SALVADOR, Feb 26 - ", "SALVADOR"),
        ("    PORTLAND, Ore., Feb 26 - ", "PORTLAND, Ore."),
        ("    SANTA CRUZ, Calif., Feb 26 -\n", "SANTA CRUZ, Calif."),
        ("    LONDON, April 1 - Enquiries - ", "LONDON"),
        ("    WASHINGTON - ", "WASHINGTON"),
        (" APRIL 7  - ", None),
        (" MAR8  --     --", None),
        ("", None),
    ],
)
def test_clean_dateline(raw: str, dateline: str | None) -> None:
    assert clean_dateline(raw) == dateline


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("JAKARTA (Reuters) - Countries around Asia...", ("JAKARTA", "Reuters")),
        ("Teaser line.\nSURABAYA, Indonesia/JAKARTA (Reuters) - Rescuers",
         ("SURABAYA, Indonesia/JAKARTA", "Reuters")),
        ("KYIV, Ukraine (AP) — Text", ("KYIV, Ukraine", "AP")),
        ("No dateline here.", (None, None)),
    ],
)
def test_paragraph_dateline(body: str, expected: tuple[str | None, str | None]) -> None:
    assert paragraph_dateline(body) == expected


def test_find_dateline_keeps_text_py_contract() -> None:
    assert find_dateline("LONDON (Reuters) - Shares fell") == ("LONDON", "Reuters")


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("Itâ€™s a cafÃ© for Â£5", "It’s a café for £5"),
        ("It’s a café", "It’s a café"),  # clean text is left alone
        ("Ã and ✓", "Ã and ✓"),  # cannot round-trip: unchanged
    ],
)
def test_repair_mojibake(text: str, fixed: str) -> None:
    assert repair_mojibake(text) == fixed


@pytest.mark.parametrize(
    ("data", "binary"),
    [
        (b"plain text\n", False),
        ("café".encode("utf-16"), False),
        (b"caf\xe9", False),
        (b"\x00\x01\x02", True),
        (bytes(range(1, 32)) * 10, True),
        (b"", False),
    ],
)
def test_looks_binary(data: bytes, binary: bool) -> None:
    assert looks_binary(data) is binary
