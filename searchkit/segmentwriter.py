"""A whoosh segment writer that collects postings by term instead of one by one.

whoosh's own SegmentWriter pickles every posting into a sorting pool (and its
positions once more inside it), spills sorted runs, merges them posting by
posting and writes each posting through three layers of calls: over half
the time of building an index (cProfile of a 10,000-article build). This
writer keeps, per field, a dict from term to a flat list of its postings
(docnum, weight, encoded value) as documents arrive; a full pool spills to a
run file as term-sorted marshal chunks; at the end, runs are merged term by
term and each term is written in one go: whoosh3's blocks and term info
(`_write_term`), or its postings inlined in the term table for a rare term.
The segments hold what whoosh's own writer puts there, as a reader sees it
(tests/test_parallel_build.py reads an index built both ways); the bytes
differ only where whoosh3 allows (inlined postings, the pickle protocol).

Searched text goes through `analysis.index_terms` (one loop, no Token
objects) instead of whoosh's Format.word_values; other fields index as
whoosh indexes them.
"""

from __future__ import annotations

import heapq
import marshal
import os
import struct
import sys
import zlib
from array import array
from collections.abc import Iterable, Iterator
from operator import itemgetter, sub
from pickle import dumps
from typing import Any

from whoosh import columns, formats
from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.structfile import StructFile
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from searchkit.analysis import NewsAnalyzer, forget_spellings, index_terms
from searchkit.wordscores import perdoc_length_bytes

# Postings per marshal chunk in a run file: large enough for marshal to be
# fast, small enough that merging many runs holds little in memory: the
# merge holds a chunk of every run, and a worker's runs grow in number with
# the corpus. Chunks of 4,096 terms held ~30 MB each (a 100,000-article
# build peaked at 290 MB a worker). Read back from marshal version 2
# (_MARSHAL_VERSION), every posting has objects of its own: peak memory of
# the 100,000-article build (all its processes) in `python bench/speed.py
# --articles 100000` was 447 MB at version 2 and 20,000 postings (6a55659),
# 363 MB at version 2 and 5,000 (c749013), against 364-379 MB at version 4
# and 20,000. At 200,000 articles (`bench/speed.py --articles 200000
# --engines searchkit --incremental-runs 0`; a worker writes a run each
# time its pool fills) 5,000 postings peaked at 562.6 MB, 1,000 at 501.0
# MB; instructions the same (`bench/build_cost.py --articles 3000
# --memory-mb 20` under callgrind: 18,553.0 -> 18,544.8 M).
_CHUNK_POSTINGS = 1_000
_LENGTH = struct.Struct("<I")
_BLOCK_SIZE = struct.Struct("!i")  # whoosh's write_int
_TERM_INFO = W3TermInfo._struct
# Rough bytes of memory per term and per posting in the pool (dict entry and
# list; list slots, the value bytes object), for the spill limit.
_TERM_BYTES = 170
_POSTING_BYTES = 70
_FREQUENCY, _VALUE = itemgetter(1), itemgetter(3)
# Distinct values of a field whose postings are remembered (NewsWriter._named).
_MEMO_VALUES = 20_000


# whoosh3 pickles posting blocks, inlined postings and stored fields at
# protocol 2, which writes every bytes object (each posting's encoded
# positions, a fingerprint) as a call to codecs.encode on a latin-1 string.
# Its readers unpickle whatever protocol they find. At protocol 4, for
# 10,000 generated articles (`python bench/build_cost.py --articles 10000`
# before and after, 3c3e717 and 7ed5d16): postings 24.0 -> 13.2 MB, stored
# fields 15.7 -> 14.1 MB.
PICKLE_PROTOCOL = 4
# Terms in at most this many documents keep their postings in the term
# table, not in a block of their own. The same command at 1 / 4 / 8 / 16:
# postings and terms 18.9 / 18.5 / 18.8 / 19.4 MB, CPU the same within noise.
INLINE_POSTINGS = 4


def _fast_text(field: Any) -> bool:
    return isinstance(field.analyzer, NewsAnalyzer) and type(field.format) is formats.Positions


class TermPool:
    """Postings grouped by (field, term), spilling to term-sorted runs."""

    def __init__(self, tempstore: Any, limitmb: int) -> None:
        self.tempstore = tempstore
        self.limit = limitmb * 2**20
        self.size = 0
        self.fields: dict[str, dict[bytes, list[Any]]] = {}
        self.runs: list[str] = []

    def add_terms(self, fieldname: str, docnum: int,
                  items: Iterable[tuple[bytes, int, float, bytes]]) -> int:
        """Add one document's postings in a field; returns their total frequency."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        if not isinstance(items, (list, tuple)):  # whoosh's field.index gives a generator
            items = list(items)
        get = terms.get
        new = 0
        for tbytes, _freq, weight, vbytes in items:
            postings = get(tbytes)
            if postings is None:
                terms[tbytes] = [docnum, weight, vbytes]
                new += 1
            else:
                postings += (docnum, weight, vbytes)
        # Counted in one go (C loops): the term bytes of new terms are left
        # out of the estimate, which is rough anyway.
        self.size += (len(items) * _POSTING_BYTES + new * (_TERM_BYTES - _POSTING_BYTES)
                      + sum(map(len, map(_VALUE, items))))
        if self.size > self.limit:
            self.save()
        return sum(map(_FREQUENCY, items))

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """whoosh's pool interface: one posting (used when merging segments)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        self.add_terms(fieldname, docnum, ((tbytes, 0, weight, vbytes or b""),))

    def _sorted_terms(self) -> Iterator[tuple[str, bytes, list[Any]]]:
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                yield fieldname, tbytes, terms[tbytes]

    def save(self) -> None:
        """Write the pool to a new run file, term-sorted, and empty it."""
        if not self.fields:
            return
        name = f"{os.getpid()}-{len(self.runs)}.termrun"
        f = self.tempstore.create_file(name)
        try:
            chunk: list[tuple[str, bytes, list[Any]]] = []
            held = 0
            for entry in self._sorted_terms():
                chunk.append(entry)
                held += len(entry[2])
                if held >= 3 * _CHUNK_POSTINGS:
                    _write_chunk(f, chunk)
                    chunk, held = [], 0
            if chunk:
                _write_chunk(f, chunk)
        finally:
            f.close()
        self.runs.append(name)
        self.fields = {}
        self.size = 0

    def iter_terms(self) -> Iterator[tuple[str, bytes, list[Any]]]:
        """Every (field, term, flat postings) in order; a term's postings in
        docnum order (documents arrive in docnum order, runs in turn)."""
        if not self.runs:
            yield from self._sorted_terms()
            return
        # What is still in memory is merged as the last run (heapq.merge
        # keeps equal terms in the order of its inputs), not written out and
        # read back: `bench/build_cost.py --articles 3000 --memory-mb 20`
        # under callgrind (its docstring), 18,892.8 -> 18,562.1 M instructions.
        runs = [*map(self._read_run, self.runs), self._sorted_terms()]
        last: tuple[str, bytes] | None = None
        merged: list[Any] = []
        for fieldname, tbytes, postings in heapq.merge(*runs, key=itemgetter(0, 1)):
            key = (fieldname, tbytes)
            if key != last:
                if last is not None:
                    yield last[0], last[1], merged
                last, merged = key, postings
            else:
                merged += postings
        if last is not None:
            yield last[0], last[1], merged

    def _read_run(self, name: str) -> Iterator[tuple[str, bytes, list[Any]]]:
        f = self.tempstore.open_file(name).raw_file()
        try:
            while header := f.read(_LENGTH.size):
                (n,) = _LENGTH.unpack(header)
                yield from marshal.loads(f.read(n))
        finally:
            f.close()

    def cleanup(self) -> None:
        for name in self.runs:
            try:
                self.tempstore.delete_file(name)
            except OSError:
                pass
        self.runs = []


# marshal's version 2 writes no back-references: its default (4) looks up
# every object it writes (each posting's weight and encoded positions) to
# write the ones it has seen as references. 100,000 generated articles built
# as `python bench/build_cost.py --articles 100000 --workers` builds them,
# 726a443 and 6a55659 alternating: 68.0 / 60.4 s at version 4, 63.8 / 59.1 s
# at version 2 (the run files are ~40% larger).
_MARSHAL_VERSION = 2


def _write_chunk(f: Any, chunk: list[tuple[str, bytes, list[Any]]]) -> None:
    data = marshal.dumps(chunk, _MARSHAL_VERSION)
    f.write(_LENGTH.pack(len(data)))
    f.write(data)


class NewsWriter(SegmentWriter):
    """whoosh's SegmentWriter with a TermPool and whole-block posting writes.

    Fields with term vectors or separate spelling (searchkit has neither)
    would need whoosh's own add_document: the constructor refuses them.
    """

    def __init__(self, ix: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: term vectors and spelling are not supported")
        self.pool.cleanup()
        self.pool = TermPool(self._tempstorage, limitmb)
        self._fast = {name for name, field in self.schema.items() if _fast_text(field)}
        columns_ = self.perdocwriter._colwriters
        columns_["_stored"] = _StoredWriter(columns_["_stored"]._child)
        fieldwriter = self.fieldwriter
        fieldwriter._postfile = _Positioned(fieldwriter._postfile)
        fieldwriter._tindex.dbfile = _Positioned(fieldwriter._tindex.dbfile)
        self._memo: dict[str, dict[str, list[Any]]] = {}
        # Segments other writers (workers) finished, committed with this one's.
        self.extra_segments: list[Any] = []

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        if any(name.startswith("_") for name in fields):
            raise ValueError("boosts and _stored_ values are not supported")
        schema = self.schema
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        add_terms = self.pool.add_terms
        fieldnames = sorted(fields)
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    if fieldname in self._fast:
                        items: Iterable[Any] = index_terms(value, field.analyzer.stoplist)
                    elif field.unique or not isinstance(value, str):
                        items = field.index(value)
                    else:
                        items = self._named(fieldname, field, value)
                    total = add_terms(fieldname, docnum, items)
                    if field.scorable:
                        length = total
                perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        except ValueError:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _named(self, fieldname: str, field: Any, value: str) -> list[Any]:
        """whoosh's postings of a value that recurs from article to article
        (an author, a source, a dateline, tags, a format), made once."""
        memo = self._memo.get(fieldname)
        if memo is None:
            memo = self._memo[fieldname] = {}
        items = memo.get(value)
        if items is None:
            if len(memo) >= _MEMO_VALUES:
                memo.clear()
            items = memo[value] = list(field.index(value))
        return items

    def finish_alone(self) -> Any:
        """Finish this writer's segment for another writer to commit (a
        worker's part of a build); None if it holds no document."""
        if not self._added:
            self._close_segment()
            return None
        return self._finalize_segment()

    def _commit_toc(self, segments: list[Any]) -> None:
        super()._commit_toc([*segments, *self.extra_segments])

    def _flush_segment(self) -> None:
        # The merge below reuses their memory: 200,000 articles (the
        # command at _CHUNK_POSTINGS) peaked at 501.0 MB with them kept,
        # 468.6 MB without.
        forget_spellings()
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        _write_postings(self.fieldwriter, self.schema, lengths, self.pool.iter_terms())
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()


def _write_postings(fieldwriter: Any, schema: Any, lengths: Any,
                    terms: Iterable[tuple[str, bytes, list[Any]]]) -> None:
    """Write term-sorted postings into whoosh3's postings file and term
    table, as its FieldWriter.add_postings would (W3PostingsWriter's blocks,
    W3TermInfo's statistics), each term in one go rather than posting by
    posting through four layers of calls.

    A term in at most INLINE_POSTINGS documents keeps its postings in the
    term table instead of a block of its own ("inlined", which whoosh3 reads;
    its own writer's inlining calls a misnamed method)."""
    codec = fieldwriter._codec
    limit, compression = codec._blocklimit, codec._compression
    postfile = fieldwriter._postfile
    add_term = fieldwriter._tindex.add
    current = None
    field_lengths = b""
    fixedsize: int | None = None
    prefix = b""
    for fieldname, tbytes, flat in terms:
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            current = fieldname
            field_lengths = _field_lengths(lengths, fieldname)
            fixedsize = schema[fieldname].format.fixed_value_size()
            prefix = pack_ushort(fieldwriter._fieldid)
        if len(flat) <= 3 * INLINE_POSTINGS:
            add_term(prefix + tbytes, _inlined_info(flat, field_lengths))
        else:
            add_term(prefix + tbytes, _write_term(postfile, flat, field_lengths, limit, compression,
                                                  fixedsize))
    if current is not None:
        fieldwriter.finish_field()


def _field_lengths(lengths: Any, fieldname: str) -> bytes:
    """The length bytes (whoosh's length_to_byte) of `fieldname` in the
    segment being written, by docnum; all 0 without length stats."""
    if lengths is None:
        return b""
    count = lengths.doc_count_all()
    raw = perdoc_length_bytes(lengths, fieldname, count)
    if raw is None:  # no lengths for this field, or not whoosh3's layout
        length = lengths.doc_field_length_reader(fieldname)
        raw = bytes(length_to_byte(length(d)) for d in range(count))
    return raw


def _length_range(field_lengths: bytes, docnums: list[int]) -> tuple[int, int]:
    """The smallest and largest non-zero length byte of these documents (0, 0 for none)."""
    nonzero = [b for d in docnums if (b := field_lengths[d])] if field_lengths else []
    return (min(nonzero), max(nonzero)) if nonzero else (0, 0)


def _term_info(inlined: bool, docnums: list[int], weights: list[float], minlength: int,
               maxlength: int, maxweight: float) -> bytes:
    """W3TermInfo.to_bytes's fixed part: the term's statistics, lengths as length bytes."""
    return _TERM_INFO.pack(inlined, float(sum(weights)), len(docnums), minlength, maxlength,
                           maxweight, docnums[0], docnums[-1])


def _inlined_info(flat: list[Any], field_lengths: bytes) -> bytes:
    """The term-table entry of a term whose postings are inlined: the term
    info whoosh3's writer would compute (W3TermInfo.add_block, to_bytes),
    its postings pickled at PICKLE_PROTOCOL."""
    docnums, weights, values = flat[0::3], flat[1::3], flat[2::3]
    minlength, maxlength = _length_range(field_lengths, docnums)
    info = _term_info(True, docnums, weights, minlength, maxlength, max(0, max(weights)))
    return info + dumps((tuple(docnums), tuple(weights), tuple(filter(None, values))), PICKLE_PROTOCOL)


def _write_term(postfile: Any, flat: list[Any], field_lengths: bytes, limit: int, compression: int,
                fixedsize: int | None) -> bytes:
    """Write a term's postings as whoosh3's blocks of `limit` postings
    (W3PostingsWriter._write_block), their data pickled at PICKLE_PROTOCOL;
    return its term-table entry (W3TermInfo.to_bytes)."""
    docnums, weights, values = flat[0::3], flat[1::3], flat[2::3]
    start = postfile.tell()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    n = len(docnums)
    lows, highs, maxweights = [], [], []
    for first in range(0, n, limit):
        ids = docnums[first : first + limit]
        block_weights = weights[first : first + limit]
        deltas = tuple(map(sub, ids, [0, *ids[:-1]]))
        top = block_weights[0]
        if any(w != top for w in block_weights):
            mini_weights: Any = tuple(block_weights)
        else:
            mini_weights = None if top == 1.0 else float(top)
        if fixedsize is None or fixedsize < 0:
            mini_values: Any = tuple(filter(None, values[first : first + limit]))
        elif fixedsize == 0:
            mini_values = None
        else:
            mini_values = b"".join(values[first : first + limit])
        data = dumps((deltas, mini_weights, mini_values), PICKLE_PROTOCOL)
        # Below this size zlib makes a block bigger (whoosh3's own rule).
        level = compression if len(data) >= COMPRESSION_MIN_SIZE else 0
        if level:
            data = zlib.compress(data, level)
        low, high = _length_range(field_lengths, ids)
        maxweight = max(0, max(block_weights))
        # The block's header stays at protocol 2, as whoosh writes it.
        header = dumps((len(ids), ids[-1], maxweight, level, low, high), 2)
        size = len(header) + len(data)
        postfile.write(_BLOCK_SIZE.pack(-size if first + limit >= n else size) + header + data)
        if low:
            lows.append(low)
        highs.append(high)
        maxweights.append(maxweight)
    info = _term_info(False, docnums, weights, min(lows, default=0), max(highs), max(maxweights))
    return info + pack_long(start) + pack_int(postfile.tell() - start)


class _StoredWriter(columns.PickleColumn.Writer):
    """whoosh3's stored-fields column writer, pickling at PICKLE_PROTOCOL."""

    def add(self, docnum: int, v: Any) -> None:
        self._child.add(docnum, b"" if v is None else dumps(v, PICKLE_PROTOCOL))


class _Positioned(StructFile):
    """A file being written that counts its bytes to know its position.

    The file's own tell() is an lseek call, and whoosh's postings and term
    writers ask before and after every term: 3.9% of a 10,000-article build
    (py-spy)."""

    def __init__(self, inner: StructFile) -> None:
        super().__init__(inner.file, inner._name, inner.onclose)
        self._at = inner.tell()

    def write(self, data: bytes) -> None:  # type: ignore[override]
        self._at += len(data)
        self.file.write(data)

    def write_pickle(self, obj: Any, protocol: int = -1) -> None:
        self.write(dumps(obj, protocol))

    def write_array(self, arry: array) -> None:
        if sys.byteorder == "little":
            arry = array(arry.typecode, arry)
            arry.byteswap()
        self.write(arry.tobytes())

    def tell(self) -> int:  # type: ignore[override]
        return self._at

    def seek(self, *args: Any) -> None:
        raise OSError("a file being written in order cannot seek")
