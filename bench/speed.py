"""Speed (issue 6): searchkit against SQLite FTS5 and ripgrep on one corpus.

Measures, in one run, over the same article files:

- full index build: seconds, articles/s, MB/s; index size; peak memory (each
  build runs in a child process; its own ru_maxrss comes from wait4)
- incremental reindex with nothing changed, after adding 10, changing 10 and
  deleting 10 articles, then back to the corpus as it was: --reindex-rounds
  (default 3) rounds, the median of each step
- warm query latency p50/p95 over the query list (default bench/queries.txt),
  in-process: searchkit's library `search()`, one open FTS5 connection;
  ripgrep has no index, so each of its queries is a process over the files
- a fresh `search QUERY` process (median of 3 runs per query, over every
  tenth query), against a fresh Python process running the FTS5 query and
  a fresh `rg`; and on how many of those queries searchkit is slower than rg
- then many small commits: --incremental-runs (default 100) reindex runs
  of 10 new articles each, through the library; their median time, the
  index's segment count and the warm latency after them (searchkit only;
  the corpus and index are restored afterwards)
- then the issue's targets, each met or missed; the build and the fresh
  search also scaled by how much slower FTS5 ran here than in the issue

Semantics, so that the engines answer comparable questions: searchkit gets
the query line as typed. FTS5 gets the same words AND-ed (quoted phrases stay
phrases), top 10 by bm25() with a snippet. rg gets the line without quotes
as one case-insensitive literal (`rg -i -l -F`), which is what a grep user
types. The corpus comes from make_corpus.py (or --corpus).

    /tmp/v/bin/python bench/speed.py --articles 2000
    /tmp/v/bin/python bench/speed.py --articles 100000     # the issue's size
    /tmp/v/bin/python bench/speed.py --write-queries       # regenerate bench/queries.txt
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import make_corpus
import sources

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
QUERIES = BENCH / "queries.txt"
ENGINES = ("searchkit", "fts5", "rg")
QUERY_SEED = 6


# ---------------------------------------------------------------- queries


def _stop_words() -> set[str]:
    return {w.lower() for w in (sources.TIME_DIR / "TIME.STP").read_text().split()}


def write_queries(path: Path = QUERIES) -> list[str]:
    """A fixed, mixed query list drawn from the generator's source text.

    Drawn from the pools make_corpus uses, not from one generated corpus, so
    the list is the same for every --articles.
    """
    pools = make_corpus.load_pools()
    stop = _stop_words()
    texts = [" ".join(b) for b in pools.bodies]
    word = re.compile(r"[A-Za-z][A-Za-z']+")
    df: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    capital: Counter[str] = Counter()  # capitalised mid-sentence: names
    lower_seen: set[str] = set()  # ...unless the word also occurs in lower case
    doc_words: list[list[str]] = []
    for t in texts:
        tokens = [w for w in word.findall(t) if "'" not in w]
        lower = [w.lower() for w in tokens]
        df.update(set(lower))
        doc_words.append(sorted(set(lower)))
        bigrams.update({(a, b) for a, b in zip(lower, lower[1:])
                        if a not in stop and b not in stop and len(a) > 3 and len(b) > 3})
        capital.update({b for a, b in zip(tokens, tokens[1:])
                        if b[0].isupper() and b[1:].islower() and a.islower()})
        lower_seen.update(w for w in tokens if w.islower())
    rng = random.Random(QUERY_SEED)
    content = sorted(w for w in df if w not in stop and len(w) > 3 and w.isalpha())
    by_df = sorted(content, key=lambda w: (-df[w], w))
    common = rng.sample(by_df[:60], 12)
    mid_pool = sorted(w for w in content if 20 <= df[w] <= 400 and len(w) > 4)
    mid = rng.sample(mid_pool, 30)
    names = rng.sample(sorted(w for w in capital if w.lower() not in lower_seen and len(w) > 3
                              and 2 <= df[w.lower()] <= 8), 15)
    phrases = rng.sample(sorted(b for b, n in bigrams.items() if 15 <= n <= 1500), 20)
    # Two words that occur in the same story, as someone remembering it would type.
    mid_set = set(mid_pool) | set(by_df[:300])
    pairs: list[str] = []
    while len(pairs) < 25:
        pick = [w for w in doc_words[rng.randrange(len(doc_words))] if w in mid_set]
        if len(pick) >= 2:
            pairs.append(" ".join(rng.sample(pick, 2)))
    name_pairs = []
    while len(name_pairs) < 5:
        n = rng.randrange(len(texts))
        found = sorted({w for w in word.findall(texts[n]) if w in capital and len(w) > 3
                        and w.lower() not in lower_seen and df[w.lower()] <= 200})
        pick = [w for w in doc_words[n] if w in mid_set]
        if found and pick:
            name_pairs.append(f"{rng.choice(found)} {rng.choice(pick)}")
    queries = (
        [f"# common words ({len(common)})"] + common
        + [f"# one mid-frequency word ({len(mid)})"] + mid
        + [f"# rare names ({len(names)})"] + names
        + [f"# two words ({len(pairs)})"] + pairs
        + [f"# phrases ({len(phrases)})"] + [f'"{a} {b}"' for a, b in phrases]
        + [f"# name and word ({len(name_pairs)})"] + name_pairs
    )
    header = ("# Query list for bench/speed.py; generated by `speed.py --write-queries`\n"
              f"# (seed {QUERY_SEED}) from the text make_corpus.py draws on. One query per line.\n")
    path.write_text(header + "\n".join(queries) + "\n")
    return read_queries(path)


def read_queries(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def fts5_match(query: str) -> str:
    """User text -> FTS5 MATCH: quoted phrases kept, other words quoted, AND-ed."""
    parts = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', query):
        words = re.findall(r"\w+", phrase or word)
        if words:
            parts.append('"' + " ".join(words) + '"')
    return " ".join(parts)


def rg_pattern(query: str) -> str:
    return " ".join(query.replace('"', " ").split())


# ---------------------------------------------------------------- FTS5 (child modes)


def _article_files(corpus: Path) -> list[tuple[str, Path]]:
    out = []
    for folder, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".txt") and not name.startswith("."):
                p = Path(folder) / name
                out.append((p.relative_to(corpus).as_posix(), p))
    return out


def _fts5_row(path: Path) -> tuple[str, str]:
    text = sources.decode(path.read_bytes())
    headline, _, body = text.partition("\n")
    return headline.strip(), body


def fts5_index(corpus: Path, db_path: Path) -> dict[str, int]:
    """Create or update an FTS5 index of `corpus`; stat decides what changed."""
    db = sqlite3.connect(db_path)
    db.executescript(
        "CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5("
        " id UNINDEXED, headline, body, tokenize='porter unicode61');"
        "CREATE TABLE IF NOT EXISTS files(id TEXT PRIMARY KEY, size INT, mtime_ns INT, docrow INT);"
    )
    known = {r[0]: r[1:] for r in db.execute("SELECT id, size, mtime_ns, docrow FROM files")}
    counts = Counter()
    with db:
        seen = set()
        for rel, path in _article_files(corpus):
            seen.add(rel)
            st = path.stat()
            old = known.get(rel)
            if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
                counts["unchanged"] += 1
                continue
            if old:
                db.execute("DELETE FROM docs WHERE rowid = ?", (old[2],))
            cur = db.execute("INSERT INTO docs(id, headline, body) VALUES (?, ?, ?)",
                             (rel, *_fts5_row(path)))
            db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                       (rel, st.st_size, st.st_mtime_ns, cur.lastrowid))
            counts["updated" if old else "added"] += 1
        for rel in known.keys() - seen:
            db.execute("DELETE FROM docs WHERE rowid = ?", (known[rel][2],))
            db.execute("DELETE FROM files WHERE id = ?", (rel,))
            counts["removed"] += 1
    db.close()
    return dict(counts)


FTS5_SQL = ("SELECT id, headline, snippet(docs, 2, '[', ']', '...', 16) FROM docs"
            " WHERE docs MATCH ? ORDER BY rank LIMIT 10")


def fts5_search(db: sqlite3.Connection, query: str) -> list[tuple[str, str, str]]:
    match = fts5_match(query)
    return db.execute(FTS5_SQL, (match,)).fetchall() if match else []


# ---------------------------------------------------------------- measuring


def run_child(cmd: list[str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, int, int]:
    """Run `cmd`; return (wall seconds, peak RSS bytes, exit code)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=err)
        tree = TreeMemory(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        tree.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):  # 1 = no hits for search and rg
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            print(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}", file=sys.stderr)
    # wait4 reports the largest single process; a build with workers holds
    # several at once, so the sampled sum over the process tree counts too.
    return wall, max(usage.ru_maxrss * 1024, tree.peak), proc.returncode


class TreeMemory:
    """Samples the memory of a process and its descendants (Linux /proc):
    the sum of their proportional set sizes, so that pages a forked worker
    shares with its parent count once, not once per process."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        import threading

        self.pid, self.every, self.peak = pid, every, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(self.every):
            parents: dict[int, int] = {}
            for name in os.listdir("/proc"):
                if not name.isdigit():
                    continue
                try:
                    with open(f"/proc/{name}/stat", "rb") as fh:
                        parents[int(name)] = int(fh.read().rsplit(b")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
            tree, grew = {self.pid}, True
            while grew:
                grew = False
                for child, parent in parents.items():
                    if parent in tree and child not in tree:
                        tree.add(child)
                        grew = True
            self.peak = max(self.peak, sum(_pss(pid) for pid in tree))

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def size_on_disk(path: Path) -> int:
    if path.is_file():
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def searchkit_tools() -> tuple[Path, Path] | str:
    """The `searchkit` and `search` console scripts, or why they are unusable."""
    try:
        import searchkit.engine  # noqa: F401
        import searchkit.indexer  # noqa: F401
    except ImportError as exc:
        return f"searchkit library not importable ({exc})"
    bindir = Path(sys.executable).parent
    admin, hot = bindir / "searchkit", bindir / "search"
    if not (admin.exists() and hot.exists()):
        return f"no searchkit/search scripts next to {sys.executable} (pip install -e .)"
    return admin, hot


class Mutations:
    """Add, change and delete 10 articles; undo it all afterwards."""

    def __init__(self, corpus: Path, files: list[tuple[str, Path]], seed: int) -> None:
        self.corpus = corpus
        self.rng = random.Random(f"mutations:{seed}")
        picks = self.rng.sample(range(len(files)), min(20, len(files)))
        self.to_change = [files[i][1] for i in picks[:10]]
        self.to_delete = [files[i][1] for i in picks[10:20]]
        self.saved: dict[Path, bytes] = {}
        self.added: list[Path] = []
        self.first_new = len(files) + 1_000_000  # never clashes with a generated id

    def add(self) -> None:
        pools = make_corpus.load_pools()
        for i in range(self.first_new, self.first_new + 10):
            path = self.corpus / "added" / f"{i}.txt"
            path.parent.mkdir(exist_ok=True)
            path.write_text(make_corpus.article(pools, 99, i))
            self.added.append(path)

    def change(self) -> None:
        for path in self.to_change:
            self.saved[path] = data = path.read_bytes()
            path.write_bytes(data + b"\nCorrection: an earlier version of this story misstated a figure.\n")

    def delete(self) -> None:
        for path in self.to_delete:
            self.saved[path] = path.read_bytes()
            path.unlink()

    def undo(self) -> None:
        for path in self.added:
            path.unlink(missing_ok=True)
        if (self.corpus / "added").is_dir():
            (self.corpus / "added").rmdir()
        for path, data in self.saved.items():
            path.write_bytes(data)
        self.added, self.saved = [], {}


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        return child(sys.argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--corpus", type=Path, help="use this corpus instead of generating one")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--fresh-runs", type=int, default=3, help="runs per fresh-process query")
    ap.add_argument("--reindex-rounds", type=int, default=3, metavar="N",
                    help="rounds of the reindex steps; each step's median is shown")
    ap.add_argument("--incremental-runs", type=int, default=100, metavar="N",
                    help="reindex runs of 10 new articles, then warm latency again (0: skip)")
    ap.add_argument("--write-queries", action="store_true",
                    help=f"regenerate {QUERIES.relative_to(BENCH.parent)} and exit")
    args = ap.parse_args(argv)
    if args.write_queries:
        print(f"wrote {len(write_queries())} queries to {QUERIES}")
        return 0
    engines = [e for e in args.engines.split(",") if e]
    notes: dict[str, str] = {}
    sk = searchkit_tools() if "searchkit" in engines else "not selected"
    if isinstance(sk, str):
        notes["searchkit"] = sk
    rg = shutil.which("rg")
    if "rg" in engines and not rg:
        notes["rg"] = "rg not found"
        print("rg not found; its column is n/a (apt-get install ripgrep)", file=sys.stderr)
    active = [e for e in engines if e not in notes]

    corpus = args.corpus or OUT / f"corpus-{args.articles}-s{args.seed}"
    if not args.corpus:
        make_corpus.make(corpus, args.articles, args.seed)
    files = _article_files(corpus)
    n_articles = len(files)
    mb = sum(p.stat().st_size for _, p in files) / 1e6
    queries = read_queries(args.queries) if args.queries.exists() else write_queries(args.queries)
    work = OUT / f"speed-{n_articles}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sk_index, fts_db = work / "searchkit-index", work / "fts5.db"
    me = [sys.executable, str(Path(__file__).resolve())]
    print(f"corpus {corpus}: {n_articles:,} articles, {mb:.1f} MB; {len(queries)} queries;"
          f" engines {', '.join(active) or 'none'}", file=sys.stderr)

    R: dict[str, dict[str, object]] = {e: {} for e in ENGINES}

    def build_cmd(engine: str) -> list[str]:
        if engine == "searchkit":
            return [str(sk[0]), "index", "--corpus", str(corpus), "--index", str(sk_index)]
        return [*me, "_fts5-index", str(corpus), str(fts_db)]

    # Full build, each engine in its own child process.
    for engine in ("searchkit", "fts5"):
        if engine in active:
            print(f"building {engine} ...", file=sys.stderr)
            wall, rss, code = run_child(build_cmd(engine))
            R[engine].update(build_s=wall, build_rate=n_articles / wall, build_mbs=mb / wall,
                             peak_rss=rss, failed=code != 0,
                             index_size=size_on_disk(sk_index if engine == "searchkit" else fts_db))
    if "rg" in active:
        R["rg"].update(build_s=0.0, index_size=0)

    # Incremental reindex, in rounds that each end where they began.
    mut = Mutations(corpus, files, args.seed)
    steps = [("nothing", lambda: None), ("add10", mut.add), ("change10", mut.change),
             ("delete10", mut.delete), ("restore", mut.undo)]
    walls: dict[tuple[str, str], list[float]] = {}
    try:
        for _ in range(max(1, args.reindex_rounds)):
            for name, apply in steps:
                apply()
                for engine in ("searchkit", "fts5"):
                    if engine in active:
                        walls.setdefault((engine, name), []).append(run_child(build_cmd(engine))[0])
    finally:
        mut.undo()
    for (engine, name), times in walls.items():
        R[engine][f"re_{name}"] = statistics.median(times)
        R[engine][f"re_{name}_runs"] = times

    # Sanity: after the round trip both indexes hold the corpus again.
    if "searchkit" in active:
        from searchkit.engine import index_stats

        R["searchkit"]["docs"] = index_stats(sk_index).articles
    if "fts5" in active:
        with sqlite3.connect(fts_db) as con:
            R["fts5"]["docs"] = con.execute("SELECT count(*) FROM docs").fetchone()[0]

    # Warm latency: one untimed pass to warm caches, then one timed pass.
    print("warm queries ...", file=sys.stderr)
    timers = {}
    if "searchkit" in active:
        from searchkit.engine import search as sk_search

        timers["searchkit"] = lambda q: sk_search(sk_index, q, limit=10)
    if "fts5" in active:
        db = sqlite3.connect(fts_db)
        timers["fts5"] = lambda q: fts5_search(db, q)
    if "rg" in active:
        timers["rg"] = lambda q: subprocess.run(
            [rg, "-i", "-l", "-F", "--", rg_pattern(q), str(corpus)], stdout=subprocess.DEVNULL)
    errors: Counter[str] = Counter()
    for engine, fn in timers.items():
        times = []
        # rg has no index to warm beyond the page cache the builds left warm.
        for timed in ((True,) if engine == "rg" else (False, True)):
            for q in queries:
                t0 = time.perf_counter()
                try:
                    fn(q)
                except Exception as exc:
                    errors[f"{engine}: {type(exc).__name__}: {exc}"] += 1
                if timed:
                    times.append(time.perf_counter() - t0)
        R[engine].update(warm_p50=percentile(times, 0.5), warm_p95=percentile(times, 0.95),
                         warm_max=max(times), warm_slowest=queries[times.index(max(times))])

    # Fresh process per query.
    print("fresh-process queries ...", file=sys.stderr)
    if "searchkit" in active:
        # As `pip install` does: an editable install under
        # PYTHONDONTWRITEBYTECODE would otherwise compile every module anew
        # in each process (~30 ms).
        import compileall

        import searchkit

        compileall.compile_dir(Path(searchkit.__file__).parent, quiet=1)
    sample = queries[::10]
    for engine in active:
        per_query = []
        for q in sample:
            if engine == "searchkit":
                cmd = [str(sk[1]), "--index", str(sk_index), "--corpus", str(corpus), q]
            elif engine == "fts5":
                cmd = [*me, "_fts5-search", str(fts_db), q]
            else:
                cmd = [rg, "-i", "-l", "-F", "--", rg_pattern(q), str(corpus)]
            per_query.append(statistics.median(run_child(cmd)[0] for _ in range(args.fresh_runs)))
        R[engine].update(fresh_p50=statistics.median(per_query), fresh_max=max(per_query),
                         fresh_per_query=dict(zip(sample, per_query)))

    if "searchkit" in active and args.incremental_runs:
        print(f"{args.incremental_runs} incremental runs ...", file=sys.stderr)
        R["searchkit"].update(many_commits(corpus, sk_index, files, args.seed, args.incremental_runs,
                                           timers["searchkit"], queries))

    report(R, notes, n_articles, mb, len(queries), len(sample), errors)
    (OUT / f"speed-{n_articles}.json").write_text(json.dumps(
        {"articles": n_articles, "mb": mb, "queries": len(queries), "results": R, "notes": notes},
        indent=2, default=str))
    return 0


def warm_latency(fn, queries: list[str]) -> list[float]:
    """Seconds per query, after one untimed pass."""
    for q in queries:
        fn(q)
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        times.append(time.perf_counter() - t0)
    return times


def many_commits(corpus: Path, index: Path, files: list[tuple[str, Path]], seed: int, runs: int,
                 search_fn, queries: list[str]) -> dict[str, float]:
    """`runs` reindex runs of 10 new articles each; whether search stays fast."""
    from whoosh.filedb.filestore import FileStorage

    from searchkit.indexer import update_index

    def segments() -> int:
        return len(FileStorage(str(index), supports_mmap=False).open_index()._segments())

    before = segments()
    added = Mutations(corpus, files, seed)
    walls = []
    try:
        for run in range(runs):
            added.first_new = len(files) + 2_000_000 + 10 * run
            added.add()
            t0 = time.perf_counter()
            update_index(corpus, index)
            walls.append(time.perf_counter() - t0)
        after = segments()
        times = warm_latency(search_fn, queries)
    finally:
        added.undo()
        update_index(corpus, index)
    return {"many_runs": runs, "many_run_p50": statistics.median(walls), "many_run_max": max(walls),
            "segments_before": before, "segments_after": after,
            "many_warm_p50": percentile(times, 0.5), "many_warm_p95": percentile(times, 0.95)}


def _against_rg(ours: dict | None, rg: dict | None) -> str | None:
    """The issue's "never slower than ripgrep on any query", query by query."""
    if not ours or not rg:
        return None
    slower = _slower_than_rg(ours, rg)
    closest = max(ours, key=lambda q: ours[q] / rg[q])
    return (f"fresh process, searchkit slower than rg on {len(slower)} of {len(ours)} queries"
            f" (its worst against rg: {closest!r}, {ours[closest] * 1000:.0f} ms against {rg[closest] * 1000:.0f} ms)\n")


def _slower_than_rg(ours: dict, rg: dict) -> list[str]:
    """The fresh-process queries on which searchkit took at least rg's time."""
    return [q for q in ours if ours[q] >= rg[q]]


def _fmt(v: object, how: str) -> str:
    """A figure as the report prints it: "mb" (bytes), "ms" (seconds), or a format."""
    if not isinstance(v, (int, float)):
        return "n/a"
    if how == "mb":
        return f"{v / 1e6:.1f}"
    if how == "ms":
        return f"{v * 1000:.1f}" if v < 0.01 else f"{v * 1000:.0f}"
    return how.format(v)


def report(R: dict, notes: dict, n: int, mb: float, nq: int, nfresh: int, errors: Counter) -> None:
    rows = [
        ("full build (s)", "build_s", "{:.1f}", True),
        ("  articles/s", "build_rate", "{:,.0f}", False),
        ("  MB/s", "build_mbs", "{:.2f}", False),
        ("  peak memory (MB, all processes)", "peak_rss", "mb", True),
        ("index size (MB)", "index_size", "mb", True),
        ("  articles in index at the end", "docs", "{:,}", False),
        ("reindex, nothing changed (s)", "re_nothing", "{:.2f}", True),
        ("reindex, +10 articles (s)", "re_add10", "{:.2f}", True),
        ("reindex, 10 changed (s)", "re_change10", "{:.2f}", True),
        ("reindex, 10 deleted (s)", "re_delete10", "{:.2f}", True),
        ("reindex, back as it was (s)", "re_restore", "{:.2f}", True),
        (f"warm query p50 (ms, {nq} q)", "warm_p50", "ms", True),
        ("warm query p95 (ms)", "warm_p95", "ms", True),
        ("warm query max (ms)", "warm_max", "ms", True),
        (f"fresh process median (ms, {nfresh} q)", "fresh_p50", "ms", True),
        ("fresh process max (ms)", "fresh_max", "ms", True),
    ]

    def ratio(a: object, b: object) -> str:
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
            return f"{a / b:.1f}x"
        return "n/a"

    print(f"\n{n:,} articles, {mb:.1f} MB of text; searchkit at {sources.repo_version()},"
          f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    head = f"{'':<34}{'searchkit':>11}{'fts5':>11}{'rg':>11}{'sk/fts5':>9}{'sk/rg':>9}"
    print(head)
    print("-" * len(head))
    for label, key, how, ratios in rows:
        vals = [R[e].get(key) for e in ENGINES]
        line = f"{label:<34}" + "".join(f"{_fmt(v, how):>11}" for v in vals)
        if ratios:
            line += f"{ratio(vals[0], vals[1]):>9}{ratio(vals[0], vals[2]):>9}"
        print(line)
    for e in ENGINES:
        if R[e].get("warm_slowest"):
            print(f"slowest warm query, {e}: {R[e]['warm_slowest']}")
        if R[e].get("failed"):
            print(f"{e}: the build command failed; its numbers are not valid")
    for e, why in notes.items():
        print(f"{e}: n/a — {why}")
    for msg, count in errors.items():
        print(f"query error x{count}: {msg}")
    sk = R["searchkit"]
    if sk.get("re_add10_runs"):
        print(f"reindex: median of {len(sk['re_add10_runs'])} rounds; searchkit's +10 runs took "
              + ", ".join(f"{t:.2f}" for t in sk["re_add10_runs"]) + " s")
    print(_against_rg(sk.get("fresh_per_query"), R["rg"].get("fresh_per_query")) or "", end="")
    if sk.get("many_runs"):
        print(f"after {sk['many_runs']} more reindex runs of 10 new articles (library, median"
              f" {sk['many_run_p50']:.2f} s, max {sk['many_run_max']:.2f} s): segments"
              f" {sk['segments_before']} -> {sk['segments_after']}; searchkit warm p50"
              f" {sk['many_warm_p50'] * 1000:.0f} ms, p95 {sk['many_warm_p95'] * 1000:.0f} ms")
    print("rg has no index: its 'build' is 0 and every query reads all files.")
    print(targets(R, n, mb), end="")


# The targets at 100,000 articles: (label, key, format as _fmt, limit, at most?).
TARGETS = [
    ("fresh `search QUERY`, median (ms)", "fresh_p50", "ms", 0.150, True),
    ("warm p50 (ms)", "warm_p50", "ms", 0.015, True),
    ("warm p95 (ms)", "warm_p95", "ms", 0.060, True),
    ("full build (articles/s)", "build_rate", "{:,.0f}", 1500, False),
    ("peak memory (MB)", "peak_rss", "mb", 500e6, True),
    ("reindex, +10 articles (s)", "re_add10", "{:.2f}", 1.5, True),
    ("reindex, nothing changed (s)", "re_nothing", "{:.2f}", 1.0, True),
]
# FTS5's figures in the issue, from the machine its targets were set on. This
# machine's speed swings by 2x from hour to hour (FTS5's build has taken 10.8
# to 25.4 s here), so the report also scales the build and the fresh search
# by how much slower FTS5 ran at the same work in the same run.
REFERENCE_FTS5 = {"build_rate": ("build_s", 6.8), "fresh_p50": ("fresh_p50", 0.054)}


def targets(R: dict, n: int, mb: float) -> str:
    """Each target of the issue, met or not; for the build and the fresh
    search, also scaled to the speed of the machine the targets were set on."""
    sk, fts5 = R["searchkit"], R["fts5"]
    lines = [f"\ntargets{'' if n == 100_000 else ' (set for 100,000 articles)'}"]

    def line(label: str, shown: str, limit: str, met: bool) -> str:
        return f"  {label:<36}{shown:>8}  {limit:<9}{'met' if met else 'MISSED'}"

    for label, key, how, limit, at_most in TARGETS:
        v = sk.get(key)
        if not isinstance(v, (int, float)):
            continue
        text = line(label, _fmt(v, how), f"{'<=' if at_most else '>='} {_fmt(limit, how)}",
                    v <= limit if at_most else v >= limit)
        fts5_key, reference = REFERENCE_FTS5.get(key, ("", 0.0))
        here = fts5.get(fts5_key)
        if n == 100_000 and isinstance(here, (int, float)) and here:
            factor = here / reference  # how much slower FTS5 ran here
            scaled = v * factor if key == "build_rate" else v / factor
            text += f"  (FTS5 {factor:.2f}x slower here than in the issue: {_fmt(scaled, how)} at the issue's speed)"
        lines.append(text)
    if isinstance(sk.get("index_size"), (int, float)) and mb:
        ratio = sk["index_size"] / (mb * 1e6)
        lines.append(line("index size / article text", f"{ratio:.2f}", "<= 2", ratio <= 2))
    ours, rg = sk.get("fresh_per_query"), R["rg"].get("fresh_per_query")
    if ours and rg:
        slower = len(_slower_than_rg(ours, rg))
        lines.append(line("fresh queries slower than rg", str(slower), "== 0", not slower))
    if sk.get("many_runs"):
        # "Must not degrade", read as: p95 within 25% (+5 ms of noise) of before the runs.
        limit = 1.25 * sk["warm_p95"] + 0.005
        lines.append(line("warm p95 after the many runs (ms)", _fmt(sk["many_warm_p95"], "ms"),
                          f"<= {_fmt(limit, 'ms')}", sk["many_warm_p95"] <= limit))
    return "\n".join(lines) + "\n"


def child(argv: list[str]) -> int:
    """Modes run in a child process so that their time and memory are their own."""
    mode, *rest = argv
    if mode == "_fts5-index":
        print(fts5_index(Path(rest[0]), Path(rest[1])), file=sys.stderr)
        return 0
    if mode == "_fts5-search":
        rows = fts5_search(sqlite3.connect(rest[0]), rest[1])
        for row in rows:
            print(*row, sep="\t")
        return 0 if rows else 1
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    raise SystemExit(main())
