"""Duplicate detection: fingerprints computed at index time, compared at query time.

Each article gets, when it is indexed:

- an exact key: a digest of its words (headline and body, lower-cased,
  punctuation and spacing ignored). Articles with the same key are copies.
- a sketch of its word 3-grams ("shingles"): the SKETCH_SIZE smallest of
  their 32-bit hashes, from which the resemblance (Jaccard similarity) of
  two articles' shingle sets is estimated (Broder's bottom-k MinHash).
- LSH band keys: one-permutation MinHash (the smallest hash in each of BINS
  bins), cut into bands of ROWS bins; two articles with resemblance 0.8
  share at least one band key with probability 0.985, articles with 0.3
  with 0.06. The band keys are BANDS 32-bit values, one bytes string per
  article (`Fingerprint.bands`), kept in an index column that a search for
  one article's copies scans (copies.py). Exact copies share every band
  key; a text too short for bands gets its exact digest repeated instead,
  so it meets only its exact copies. (They were indexed terms, nearly all
  of them unique: 60% of the terms of a 100,000-article index, and each
  term costs the build more than a column value.)
- the hashes of the body's number tokens: a wire service repeats its
  templates daily ("The Federal Reserve entered the U.S. Government
  securities market to arrange 1.5 billion dlrs...") and only the figures
  tell the stories apart.

Two articles are near-duplicates when a band key is shared, the estimated
resemblance is at least NEAR_RESEMBLANCE, their body numbers agree
(NUMBERS_RESEMBLANCE) and, when both are dated, they are at most
MAX_DAYS_APART apart. The thresholds were checked by eye on Reuters-21578,
where they keep revised and corrected re-sends together and keep apart
market tables and daily reports that differ in their figures.

Pure computation: no whoosh, no I/O.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections.abc import Iterable
from datetime import datetime
from itertools import filterfalse
from typing import Any, NamedTuple
from zlib import crc32

WORD = re.compile(r"\w+")
# WORD's words of lower-cased ASCII text, as bytes, without the regex:
# letters lowered, every other byte but digits and "_" blanked, then split
# (build figures: analysis._ASCII_WORD). The hashes are those of the same
# words as str.
_ASCII_WORD = bytes(c + 32 if 65 <= c <= 90 else c if chr(c).isalnum() or c == 95 else 32
                    for c in range(128)) + b" " * 128
SHINGLE = 3  # words per shingle
# Fingerprinting cost grows with length; the opening words decide.
MAX_WORDS = 1000
SKETCH_SIZE = 48
BINS = 32
ROWS = 4  # bins per band
BANDS = BINS // ROWS  # band keys per article
KEY_BYTES = array("I").itemsize  # 4
BANDS_BYTES = BANDS * KEY_BYTES
# Below this many distinct shingles an estimate says little (a two-line
# earnings table resembles every other one): only exact copies count.
MIN_SHINGLES = 25
NEAR_RESEMBLANCE = 0.8
NUMBERS_RESEMBLANCE = 0.9
MAX_NUMBERS = 64
MAX_DAYS_APART = 3

EXACT_PREFIX = "x"


class Fingerprint(NamedTuple):
    """What is stored for an article: its lookup keys and its sketch."""

    bands: bytes  # BANDS 32-bit band keys (BANDS_BYTES); empty for an article without words
    exact: str | None  # the exact key (None for an article without words)
    sketch: bytes  # sorted 32-bit shingle hashes (array "I"); empty when short
    numbers: bytes  # sorted 16-bit hashes of the body's number tokens (array "H")


def fingerprint(headline: str, body: str) -> Fingerprint:
    """The fingerprint of an article's text (cheap: one pass over its words, one sort)."""
    words: list[Any] = _words(f"{headline}\n{body}")
    if not words:
        return Fingerprint(b"", None, b"", b"")
    of_bytes = isinstance(words[0], bytes)  # ASCII text: _words gave bytes
    space: Any = b" " if of_bytes else " "
    joined = space.join(words) if of_bytes else space.join(words).encode("utf-8", "surrogatepass")
    digest = hashlib.blake2b(joined, digest_size=12)
    exact = EXACT_PREFIX + digest.hexdigest()
    repeated = digest.digest() * -(-BANDS_BYTES // digest.digest_size)
    head = len(_words(headline))
    # 16 bits: two of an article's numbers rarely share a hash (all Reuters
    # pairs sharing a band key are judged as with 32), and the stored fields
    # of 10,000 generated articles shrank from 14.7 to 14.4 MB.
    number_hashes = {h & 0xFFFF for h in _hashes(filterfalse(type(space).isalpha, words[head:]), of_bytes)}
    numbers = _pack(sorted(number_hashes)[:MAX_NUMBERS], "H")
    words = words[:MAX_WORDS]
    shingles = map(space.join, zip(*(words[i:] for i in range(SHINGLE))))
    hashes = sorted(set(_hashes(shingles, of_bytes)), reverse=True)
    if len(hashes) < MIN_SHINGLES:
        return Fingerprint(repeated[:BANDS_BYTES], exact, b"", numbers)
    # Descending order: the last hash written to a bin is its minimum.
    mins = dict(zip(map(BINS.__rmod__, hashes), hashes))  # {h % BINS: h} in C
    values = _densified(mins)
    # Bins far apart in a band: near bins of a short text borrow from the same hash.
    bands = [crc32(array("I", values[band::BANDS]).tobytes()) for band in range(BANDS)]
    sketch = _pack(hashes[: -SKETCH_SIZE - 1 : -1])
    return Fingerprint(_pack(bands), exact, sketch, numbers)


def band_keys(bands: bytes) -> list[bytes]:
    """An article's band keys, each with its band's number (a key only
    matches the same band of another article)."""
    return [bytes([i]) + bands[i * KEY_BYTES : (i + 1) * KEY_BYTES] for i in range(len(bands) // KEY_BYTES)]


def share_a_band(a: bytes, b: bytes) -> bool:
    return any(a[i : i + KEY_BYTES] == b[i : i + KEY_BYTES] for i in range(0, min(len(a), len(b)), KEY_BYTES))


def _densified(mins: dict[int, int]) -> list[int]:
    """One value per bin: an empty bin borrows the next non-empty bin's
    minimum, shifted by the distance (Shrivastava and Li's densified
    one-permutation hashing), so that short texts do not share bands of
    empty bins."""
    if len(mins) == BINS:  # no bin empty: most texts
        return [mins[i] for i in range(BINS)]
    values = [0] * BINS
    borrowed, distance = 0, 0
    for i in range(2 * BINS - 1, -1, -1):
        own = mins.get(i % BINS)
        if own is not None:
            borrowed, distance = own, 0
        else:
            distance += 1
        if i < BINS:
            values[i] = (borrowed + distance * 0x9E3779B1) & 0xFFFFFFFF
    return values


def _words(text: str) -> list[Any]:
    """WORD's words of `text`, lower-cased: bytes for ASCII text, else str."""
    if text.isascii():
        return text.encode().translate(_ASCII_WORD).split()
    return WORD.findall(text.lower())


def _hashes(strings: Iterable[Any], of_bytes: bool) -> Iterable[int]:
    """crc32 of each string (bytes, or str as UTF-8): lazily for bytes."""
    if of_bytes:
        return map(crc32, strings)
    items = list(strings)
    try:
        return list(map(crc32, map(str.encode, items)))
    except UnicodeEncodeError:  # a lone surrogate from a badly decoded file
        return [crc32(s.encode("utf-8", "surrogatepass")) for s in items]


def _pack(values: list[int], typecode: str = "I") -> bytes:
    return array(typecode, values).tobytes()


def _unpack(data: bytes, typecode: str = "I") -> list[int]:
    values = array(typecode)
    values.frombytes(data)
    return values.tolist()


def resemblance(sketch_a: bytes, sketch_b: bytes) -> float:
    """Estimated Jaccard similarity of two articles' shingle sets (bottom-k)."""
    a, b = set(_unpack(sketch_a)), set(_unpack(sketch_b))
    union = sorted(a | b)[:SKETCH_SIZE]
    if not union:
        return 0.0
    return sum(1 for h in union if h in a and h in b) / len(union)


def _jaccard(a: bytes, b: bytes) -> float:
    sa, sb = set(_unpack(a, "H")), set(_unpack(b, "H"))
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def near_duplicates(
    a: Fingerprint, b: Fingerprint, date_a: datetime | None = None, date_b: datetime | None = None
) -> bool:
    """Whether two articles are copies of one story (see the module docstring)."""
    if a.exact is not None and a.exact == b.exact:
        return True
    if not a.sketch or not b.sketch or not share_a_band(a.bands, b.bands):
        return False
    apart = abs(date_a - date_b) if date_a is not None and date_b is not None else None
    if apart is not None and apart.total_seconds() > MAX_DAYS_APART * 86400:
        return False
    return (
        _jaccard(a.numbers, b.numbers) >= NUMBERS_RESEMBLANCE
        and resemblance(a.sketch, b.sketch) >= NEAR_RESEMBLANCE
    )
