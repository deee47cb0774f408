"""BM25 scores of plain words, read a postings block at a time.

whoosh scores one posting at a time through a dozen Python calls (leaf
matcher, deletion filter, union, collector): about 2 µs a posting, so a
common word in a large archive ("dlrs": 51,000 of 100,000 articles) took
~100 ms. Here each word's postings are read a block (up to 128) at a time
from whoosh's own segment files and scored in a tight loop with the same
formula and statistics as ranking.BM25: the same scores, several times
faster, and the number of matching articles comes out exact for free.

Only for queries made of plain words (ranking.plain_words); phrases,
wildcards and fields go through whoosh. Relies on the layout of whoosh3's
codec (pinned in pyproject.toml): where a segment is of another kind,
`word_scores` returns None and the caller uses whoosh's matchers.
"""

from __future__ import annotations

import math
import zlib
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from io import BytesIO
from itertools import accumulate
from pickle import load, loads
from struct import Struct
from typing import Any, NamedTuple

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3LeafMatcher
from whoosh.formats import Positions
from whoosh.matching.mcore import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import CorruptIndexError
from whoosh.util.numeric import byte_to_length

LENGTHS = [byte_to_length(b) for b in range(256)]


def length_bytes(reader: Any, fieldname: str) -> bytes | None:
    """The length byte of `fieldname` for every document of a segment
    (whoosh reads them one at a time through three file layers), or None
    where the segment is not whoosh3's."""
    return perdoc_length_bytes(getattr(reader, "_perdoc", None), fieldname, reader.doc_count_all())


def perdoc_length_bytes(perdoc: Any, fieldname: str, doc_count: int) -> bytes | None:
    """length_bytes from a segment's per-document reader (also the one of a
    segment being written); None where it is not whoosh3's or the field has
    no lengths."""
    try:
        column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        raw = column._dbfile.get(column._basepos, column._count)
    except (AttributeError, TypeError):
        return None
    if not isinstance(raw, bytes):
        return None
    # Documents past the column's end have the default length byte, 0.
    return raw + bytes(max(0, doc_count - len(raw)))


class WordScores(NamedTuple):
    """Per matching article (global docnum) its summed score, and if asked
    for, which articles hold every one of the words. Deleted articles are
    left out."""

    score: dict[int, float]
    every: set[int] | None


def word_scores(searcher: Any, fieldname: str, words: Sequence[tuple[str, float]],
                k1: float, b: float, *, find_every: bool = False) -> WordScores | None:
    """BM25 (Robertson–Spärck Jones idf, as ranking.BM25) of `words`, each
    (indexed word, boost), summed per article over every segment; with
    `find_every`, the articles holding all of them (a set per word, then
    their intersection: C loops, where counting words per article was a
    Python one)."""
    n = searcher.doc_count_all()
    avgfl = searcher.avg_field_length(fieldname) or 1
    field = searcher.schema[fieldname]
    encoded = [(field.to_bytes(word), boost) for word, boost in words]
    norms = [k1 * ((1 - b) + b * length / avgfl) for length in LENGTHS]
    score: dict[int, float] = {}
    holding: list[set[int]] | None = [set() for _ in encoded] if find_every else None
    deleted: set[int] = set()
    for sub, offset in leaves(searcher):
        reader = sub.reader()
        raw = None
        # No article of this segment has a score yet: the first word's
        # scores go in whole (dict.update) instead of one addition each.
        fresh = True
        for i, (word, boost) in enumerate(encoded):
            if (fieldname, word) not in reader:
                continue
            if raw is None:
                raw = length_bytes(reader, fieldname)
                if raw is None:
                    return None
            blocks = _blocks(reader.postings(fieldname, word))
            if blocks is None:
                return None
            # The whole term weight in one factor: x * w / (w + norm).
            factor = _idf(n, searcher.doc_frequency(fieldname, word)) * (k1 + 1) * boost
            get = score.get
            for ids, weights, gone in blocks:
                values = [factor * w / (w + norms[raw[d]]) for d, w in zip(ids, weights)]
                if offset:
                    ids = [d + offset for d in ids]
                if fresh:
                    score.update(zip(ids, values))
                else:
                    for d, value in zip(ids, values):
                        score[d] = get(d, 0.0) + value
                if holding is not None:
                    holding[i].update(ids)
                if gone:
                    deleted.update(d + offset for d in gone)
            fresh = False
    for d in deleted:
        score.pop(d, None)
    every = None
    if holding is not None:
        every = set.intersection(*holding) - deleted if holding else set()
    return WordScores(score, every)


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def leaves(searcher: Any) -> list[tuple[Any, int]]:
    """(segment searcher, its first global docnum) for each segment."""
    if searcher.is_atomic():
        return [(searcher, 0)]
    return list(searcher.leaf_searchers())


def _leaf(matcher: Any) -> tuple[Any, frozenset[int]] | None:
    """(the term's own matcher, the segment's deleted docnums) from what
    reader.postings gives; None for a matcher that is not whoosh3's blocks
    or postings inlined in the term table."""
    deleted: frozenset[int] = frozenset()
    if isinstance(matcher, FilterMatcher):
        if not matcher._exclude:
            return None
        deleted, matcher = matcher._ids, matcher.child
    if type(matcher) is ListMatcher or type(matcher) is W3LeafMatcher:
        return matcher, deleted
    return None


def _inlined_weights(matcher: ListMatcher) -> Sequence[float]:
    return matcher._weights or [1.0] * len(matcher._ids)


def _blocks(matcher: Any) -> Iterator[tuple[Sequence[int], Sequence[float], frozenset[int]]] | None:
    leaf = _leaf(matcher)
    if leaf is None:
        return None
    matcher, deleted = leaf
    if type(matcher) is ListMatcher:  # postings inlined in the term table
        return iter([(matcher._ids, _inlined_weights(matcher), deleted)])
    return _read_blocks(matcher, deleted)


def _read_blocks(m: Any, deleted: frozenset[int]) -> Iterator[tuple[Sequence[int], Sequence[float], frozenset[int]]]:
    for _maxid, block in _raw_blocks(m):
        ids, weights, _values = _decoded(block)
        yield ids, weights, deleted


_BLOCK_LENGTH = Struct("!i").unpack_from  # whoosh's read_int


def _raw_blocks(m: W3LeafMatcher) -> Iterator[tuple[int, _Block]]:
    """(highest docnum, the block to decode) for each postings block of a
    term. The term's postings are read in one go and split here as
    W3LeafMatcher._goto splits them; the matcher itself reads each block
    through three file layers. A fresh `search "dlrs gross"` on
    bench/speed.py's 100,000-article index, under callgrind
    (bench/README.md): 729.0 M instructions through the matcher, 674.2 M."""
    length = m._length
    if isinstance(length, tuple):  # as W3TermInfo.from_bytes leaves it: unpack_int's 1-tuple
        (length,) = length
    data = m._postfile.get(m._startoffset, length)
    if data[:len(WHOOSH3_HEADER_MAGIC)] != WHOOSH3_HEADER_MAGIC:
        raise CorruptIndexError(f"bad postings block tag at offset {m._startoffset}")
    stream = BytesIO(data)
    position, last = len(WHOOSH3_HEADER_MAGIC), False
    while not last:
        (length,) = _BLOCK_LENGTH(data, position)
        last = length < 0
        end = position + 4 + abs(length)
        stream.seek(position + 4)
        count, maxid, _maxweight, compression, _low, _high = load(stream)
        yield maxid, _Block(count, compression, data[stream.tell():end])
        position = end


class _Block(NamedTuple):
    postings: int
    compression: int
    data: bytes


def _decoded(block: _Block) -> tuple[list[int], Sequence[float], list[Any]]:
    """(docnums, weights, encoded values) of a block, as W3LeafMatcher's
    _read_ids, _read_weights and _read_values make them."""
    data = zlib.decompress(block.data) if block.compression else block.data
    deltas, weights, values = loads(data)
    if weights is None:
        weights = [1.0] * block.postings
    elif isinstance(weights, float):
        weights = [weights] * block.postings
    return list(accumulate(deltas)), weights, values


def phrase_scores(searcher: Any, fieldname: str, first: str, second: str,
                  k1: float, b: float) -> dict[int, float] | None:
    """BM25 of the two-word phrase `first second` per article holding the
    words next to each other in that order (global docnum): as whoosh scores
    it, the sum of the two words' scores. whoosh's phrase matcher steps
    through both words' postings one at a time and reads the positions of
    every article holding both (~100 ms for two common words at 100,000
    articles); here the rarer word's postings are read whole, and of the
    other word's only the blocks that can hold one of its articles.
    None where the index is not whoosh3's."""
    n = searcher.doc_count_all()
    avgfl = searcher.avg_field_length(fieldname) or 1
    field = searcher.schema[fieldname]
    if type(field.format) is not Positions:
        return None
    words = [field.to_bytes(first), field.to_bytes(second)]
    norms = [k1 * ((1 - b) + b * length / avgfl) for length in LENGTHS]
    idfs = [_idf(n, searcher.doc_frequency(fieldname, w)) for w in words]
    score: dict[int, float] = {}
    for sub, offset in leaves(searcher):
        reader = sub.reader()
        if any((fieldname, w) not in reader for w in words):
            continue  # as whoosh: no phrase matcher for this segment
        raw = length_bytes(reader, fieldname)
        rare = min((0, 1), key=lambda i: reader.doc_frequency(fieldname, words[i]))
        held = _postings(reader.postings(fieldname, words[rare]))
        if held is not None and not held:
            continue
        other = _postings(reader.postings(fieldname, words[1 - rare]), sorted(held) if held else None)
        if raw is None or held is None or other is None:
            return None
        pair = (held, other) if rare == 0 else (other, held)
        for d in sorted(held.keys() & other.keys()):
            (wa, va), (wb, vb) = pair[0][d], pair[1][d]
            # Adjacent: some position of the second word, less one, is the first's.
            if set(_positions(va)).isdisjoint(map(_LESS_ONE, _positions(vb))):
                continue
            norm = norms[raw[d]]
            # Operation for operation as ranking._BM25Scorer: the same floats.
            score[d + offset] = idfs[0] * wa * (k1 + 1) / (wa + norm) + idfs[1] * wb * (k1 + 1) / (wb + norm)
    return score


def _positions(value: bytes) -> Iterator[int]:
    """Positions.decode_positions in C loops (whoosh's is a Python loop; a
    fresh `search '"exchange rate"'`, measured as in _raw_blocks: 730.7 ->
    711.1 M instructions): a 4-byte count, then the pickled deltas, their
    STOP opcode added where a writer left it off."""
    if not value.endswith(b"."):
        value += b"."
    return accumulate(loads(value[4:]))


_LESS_ONE = (-1).__add__


def _postings(matcher: Any, among: list[int] | None = None) -> dict[int, tuple[float, bytes]] | None:
    """Segment docnum -> (weight, encoded value) of one term, deleted
    articles left out; with `among` (sorted docnums), only blocks that may
    hold one of those are read (and may bring others)."""
    leaf = _leaf(matcher)
    if leaf is None:
        return None
    matcher, deleted = leaf
    found: dict[int, tuple[float, bytes]] = {}
    if type(matcher) is ListMatcher:  # postings inlined in the term table
        values = matcher._values
        if not values or not all(isinstance(v, bytes) for v in values):
            return None
        found.update(zip(matcher._ids, zip(_inlined_weights(matcher), values)))
    else:
        below = -1  # every docnum of this block is above the last block's highest
        for maxid, block in _raw_blocks(matcher):
            if among is None or bisect_right(among, maxid) > bisect_right(among, below):
                ids, weights, values = _decoded(block)
                if not isinstance(values, (list, tuple)) or not all(isinstance(v, bytes) for v in values):
                    return None
                found.update(zip(ids, zip(weights, values)))
            below = maxid
    for d in deleted:
        found.pop(d, None)
    return found
