"""What one article costs the build (issue 6), in one process.

Builds a generated corpus with `update_index`, workers off (--workers: on,
as `searchkit index` builds), and prints CPU seconds per article and the index's parts on disk. CPU time on a shared
machine varies by ±10% from run to run; for comparing two versions of the
code, count instructions instead, which vary by well under 1%:

    python -m compileall -q searchkit bench
    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python bench/build_cost.py --articles 1000      # "Collected : N" instructions

(a 1,000-article build runs ~60 s under callgrind; `--articles 0` gives the
start-up alone, to subtract). Compile first: where PYTHONDONTWRITEBYTECODE
is set, every changed module is compiled again in each run, which counts
(~0.1 G instructions). For where the time goes:
`py-spy record -f raw -o out.txt -- python bench/build_cost.py`.

    python bench/build_cost.py --articles 10000
    python bench/build_cost.py --articles 100000 --workers   # as `searchkit index` builds
    python bench/build_cost.py --articles 20000 --python-gc   # GC as Python sets it
    python bench/build_cost.py --articles 3000 --memory-mb 20 # spilling, as a worker does
    python bench/build_cost.py --articles 100000 --memory-mb 40 --traced 20
        # what is held when the postings merge begins, by line (tracing makes
        # the build ~4x slower: 5.5 ms CPU an article, 577 s in all)
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import make_corpus

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--python-gc", action="store_true",
                    help="keep Python's garbage-collection thresholds (the indexer raises them)")
    ap.add_argument("--workers", action="store_true",
                    help="build as `searchkit index` does, a worker per core (CPU counts the workers)")
    ap.add_argument("--memory-mb", type=float,
                    help="the one-process writer's pool (indexer.WRITER_MEMORY_MB): smaller spills"
                         " term runs to disk sooner, as each worker of a large build does")
    ap.add_argument("--traced", type=int, metavar="N",
                    help="trace allocations (one process) and print the N lines holding the most"
                         " memory when the writer begins merging its postings")
    args = ap.parse_args()

    from searchkit import indexer

    if not args.workers:
        indexer.PARALLEL_MIN_FILES = sys.maxsize  # one process: the cost of an article, not of a split
    if args.memory_mb is not None:
        indexer.WRITER_MEMORY_MB = args.memory_mb  # type: ignore[assignment]
    if args.python_gc:
        indexer._fewer_collections = contextlib.nullcontext  # type: ignore[assignment]
    if args.traced:
        _trace_at_merge(args.traced)
    collections = _time_collections()
    corpus = OUT / f"corpus-{args.articles}-s{args.seed}"
    make_corpus.make(corpus, args.articles, args.seed, quiet=True)
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        before = _cpu()
        started = time.perf_counter()
        indexer.update_index(corpus, index)
        wall = time.perf_counter() - started
        cpu = _cpu() - before
        per = 1000 * cpu / max(args.articles, 1)
        print(f"{args.articles:,} articles: {wall:.2f} s wall, {cpu:.2f} s CPU, {per:.3f} ms CPU an article")
        print(f"  garbage collection {collections[0]:.2f} s in {collections[1]:,} collections"
              + (" (this process; not the workers')" if args.workers else ""))
        for name, size in sorted(_parts(index).items(), key=lambda kv: -kv[1]):
            print(f"  {name:12} {size / 1e6:8.2f} MB")
        shutil.rmtree(index, ignore_errors=True)


def _trace_at_merge(top: int) -> None:
    """Print what is held, by line, as NewsWriter starts its final merge."""
    import tracemalloc

    from searchkit import segmentwriter

    flush = segmentwriter.NewsWriter._flush_segment

    def traced_flush(self: object) -> None:
        gc.collect()
        held = tracemalloc.take_snapshot().statistics("lineno")
        print(f"held when the merge begins: {sum(s.size for s in held) / 1e6:.1f} MB traced")
        for stat in held[:top]:
            frame = stat.traceback[0]
            print(f"  {stat.size / 1e6:7.2f} MB {stat.count:>9,}  {frame.filename}:{frame.lineno}")
        flush(self)  # type: ignore[arg-type]

    segmentwriter.NewsWriter._flush_segment = traced_flush  # type: ignore[method-assign]
    tracemalloc.start()


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the workers)."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def _time_collections() -> list[float]:
    """[seconds, count] of the garbage collections from now on (gc.callbacks)."""
    totals = [0.0, 0]
    started = [0.0]

    def on_collection(phase: str, _info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            totals[0] += time.perf_counter() - started[0]
            totals[1] += 1

    gc.callbacks.append(on_collection)
    return totals


def _parts(index: Path) -> dict[str, int]:
    """Bytes on disk by kind: postings, term tables, stored fields, columns."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(index))
    sizes: dict[str, int] = {}
    for segment in ix._segments():
        storage = segment.open_compound_file(ix.storage)
        for name in storage.list():
            kind = "stored" if name.endswith("._stored.col") else name.rsplit(".", 1)[-1]
            kind = {"pst": "postings", "trm": "terms", "col": "columns"}.get(kind, kind)
            sizes[kind] = sizes.get(kind, 0) + storage.file_length(name)
    ix.close()
    return sizes


if __name__ == "__main__":
    main()
