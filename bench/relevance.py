"""Ranking quality (issue 5): searchkit against SQLite FTS5 and plain whoosh.

Three judged sets, all built from ../shared:

- time     TIME test collection: 423 docs, 83 queries, binary qrels
           (TIME.REL ids are positions; mapped through docmap.tsv).
- reuters  Reuters-21578, ModApte test split (LEWISSPLIT=TEST, TOPICS=YES,
           3299 stories). Queries are the 20 most frequent TOPICS labels
           written as a user would type them (`crude` -> "crude oil");
           relevant = stories carrying that label.
- known    Known-item search on BBC: 200 articles drawn with a fixed seed,
           3 mid-document-frequency words from each as the query; reports the
           mean reciprocal rank of the source article (byte-identical twins
           count as the source).

Every engine sees the same documents as (id, headline, body) and the same
query text. searchkit gets them as plain-text article files
(`<coll>/<id>.txt`: headline line, blank line, body) indexed by
`searchkit.indexer.update_index` and searched by `searchkit.engine.search`,
the library path the CLI uses. TIME has no headline of its own (section and
headline run into the body), so its headline line is the neutral
"TIME <text_no>" and the whole text stays in the body.

Reference rows (TIME): FTS5 OR MAP 0.703 nDCG@10 0.756 P@10 0.288; whoosh
BM25F OR MAP 0.684 nDCG@10 0.748 P@10 0.289; the README's plain BM25 MAP 0.668
(`--engines bm25` reproduces that one exactly).

Metrics: MAP, nDCG@10, P@10, Recall@100 with binary relevance; rankings are
cut at 1000; a query with no hits scores 0.

    /tmp/v/bin/python bench/relevance.py
    /tmp/v/bin/python bench/relevance.py --only time --engines fts5,whoosh
"""

from __future__ import annotations

import argparse
import inspect
import math
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sources

DEPTH = 1000


@dataclass(frozen=True)
class Doc:
    id: str
    headline: str
    body: str


Run = dict[str, list[str]]  # query id -> doc ids, best first
Scored = dict[str, list[tuple[str, float]]]  # query id -> (doc id, score), best first
Qrels = dict[str, set[str]]


@dataclass
class Collection:
    name: str
    docs: list[Doc]
    queries: dict[str, str]
    qrels: Qrels
    known_item: bool = False


# ---------------------------------------------------------------- metrics


def average_precision(ranked: list[str], relevant: set[str]) -> float:
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked[:DEPTH], start=1):
        if doc in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant) if relevant else 0.0


def ndcg(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1 / math.log2(i + 1) for i, d in enumerate(ranked[:k], start=1) if d in relevant)
    ideal = sum(1 / math.log2(i + 1) for i in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def precision(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    return sum(1 for d in ranked[:k] if d in relevant) / k


def recall(ranked: list[str], relevant: set[str], k: int = 100) -> float:
    return sum(1 for d in ranked[:k] if d in relevant) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: list[str], relevant: set[str]) -> float:
    for i, doc in enumerate(ranked[:DEPTH], start=1):
        if doc in relevant:
            return 1 / i
    return 0.0


def evaluate(run: Run, coll: Collection) -> dict[str, float]:
    qids = list(coll.qrels)
    n = len(qids)

    def mean(fn: Callable[[list[str], set[str]], float]) -> float:
        return sum(fn(run.get(q, []), coll.qrels[q]) for q in qids) / n

    if coll.known_item:
        return {
            "MRR": mean(reciprocal_rank),
            "S@1": mean(lambda r, rel: float(bool(set(r[:1]) & rel))),
            "S@10": mean(lambda r, rel: float(bool(set(r[:10]) & rel))),
        }
    return {
        "MAP": mean(average_precision),
        "nDCG@10": mean(ndcg),
        "P@10": mean(precision),
        "R@100": mean(recall),
    }


# ---------------------------------------------------------------- collections


def load_time() -> Collection:
    docs = [Doc(f"{d.position:03d}", f"TIME {d.text_no}", d.text) for d in sources.time_docs()]
    id_of = {d.qrel_docid: f"{d.position:03d}" for d in sources.time_docs()}
    qrels = {q: {id_of[r] for r in rel} for q, rel in sources.time_qrels().items()}
    return Collection("time", docs, sources.time_queries(), qrels)


# The 20 most frequent topics of the ModApte test split, as a user would type
# them. Names follow cat-descriptions_120396.txt where it has one; the commodity
# codes (wheat, corn, ...) are their own names there.
REUTERS_QUERIES = {
    "earn": "earnings",
    "acq": "mergers and acquisitions",
    "crude": "crude oil",
    "money-fx": "foreign exchange",
    "grain": "grain",
    "interest": "interest rates",
    "trade": "trade",
    "ship": "shipping",
    "wheat": "wheat",
    "corn": "corn",
    "oilseed": "oilseed",
    "dlr": "dollar",
    "veg-oil": "vegetable oil",
    "sugar": "sugar",
    "gnp": "gross national product",
    "money-supply": "money supply",
    "soybean": "soybean",
    "nat-gas": "natural gas",
    "gold": "gold",
    "bop": "balance of payments",
}


def load_reuters() -> Collection:
    stories = [
        s for s in sources.reuters_docs() if s.lewissplit == "TEST" and s.topics_attr == "YES"
    ]
    docs = []
    for s in stories:
        headline = s.title or (s.paragraphs[0][:80] if s.paragraphs else f"Reuters {s.newid}")
        docs.append(Doc(f"{s.newid:05d}", headline, "\n\n".join(s.paragraphs)))
    qrels: Qrels = {t: set() for t in REUTERS_QUERIES}
    for s in stories:
        for t in s.topics:
            if t in qrels:
                qrels[t].add(f"{s.newid:05d}")
    return Collection("reuters", docs, dict(REUTERS_QUERIES), qrels)


KNOWN_ITEMS = 200
KNOWN_SEED = 5
WORDS = re.compile(r"[a-z]+")


def load_known() -> Collection:
    bbc = sources.bbc_docs()
    docs = [Doc(b.relpath.removesuffix(".txt"), b.headline, "\n\n".join(b.paragraphs)) for b in bbc]
    stop = {w.strip().lower() for w in (sources.TIME_DIR / "TIME.STP").read_text().split()}
    words_of = {d.id: set(WORDS.findall(f"{d.headline} {d.body}".lower())) for d in docs}
    df = Counter(w for ws in words_of.values() for w in ws)
    same_text: dict[str, set[str]] = {}
    for d in docs:
        same_text.setdefault(d.headline + "\n" + d.body, set()).add(d.id)
    rng = random.Random(KNOWN_SEED)
    queries, qrels = {}, {}
    for n, d in enumerate(rng.sample(docs, KNOWN_ITEMS), start=1):
        # Mid-frequency: in 3..50 of the 2225 articles, not a stop word.
        pool = sorted(w for w in words_of[d.id] if 3 <= df[w] <= 50 and len(w) > 3 and w not in stop)
        if len(pool) < 3:
            pool = sorted(w for w in words_of[d.id] if df[w] >= 2 and w not in stop)
        qid = f"k{n:03d}"
        queries[qid] = " ".join(rng.sample(pool, 3))
        qrels[qid] = same_text[d.headline + "\n" + d.body]
    return Collection("known", docs, queries, qrels, known_item=True)


LOADERS = {"time": load_time, "reuters": load_reuters, "known": load_known}


# ---------------------------------------------------------------- engines

# Seconds spent building the index by the engine that ran last; the rest of
# its wall time is querying.
BUILD_SECONDS = [0.0]


class build_timer:
    def __enter__(self) -> None:
        self.t0 = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        BUILD_SECONDS[0] = time.perf_counter() - self.t0



def terms(query: str) -> list[str]:
    return re.findall(r"\w+", query.lower())


def run_fts5(coll: Collection, work: Path) -> Run:
    """SQLite FTS5, porter+unicode61, bm25(), query words ORed."""
    db = sqlite3.connect(work / "fts5.db")
    with build_timer():
        db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, headline, body,"
            " tokenize='porter unicode61')"
        )
        db.executemany(
            "INSERT INTO docs VALUES (?, ?, ?)", [(d.id, d.headline, d.body) for d in coll.docs]
        )
        db.commit()
    run: Run = {}
    for qid, text in coll.queries.items():
        match = " OR ".join(f'"{t}"' for t in terms(text))
        rows = db.execute(
            "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, DEPTH)
        ).fetchall() if match else []
        run[qid] = [r[0] for r in rows]
    db.close()
    return run


def run_whoosh(coll: Collection, work: Path, porter2: bool = False) -> Run:
    """Plain whoosh: StemmingAnalyzer, default BM25F, OrGroup over both fields."""
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.lang.porter2 import stem as stem2
    from whoosh.qparser import MultifieldParser, OrGroup

    # whoosh's default stemmer (whoosh.lang.porter) skips Porter step 1b's
    # double-consonant rule (`_step1b.match` where `search` is meant):
    # "shipping" -> "shipp", "running" -> "runn", so they never meet "ship",
    # "run". The porter2 variant shows what fixing that is worth.
    analyzer = StemmingAnalyzer(stemfn=stem2) if porter2 else StemmingAnalyzer()
    schema = Schema(
        id=ID(stored=True, unique=True),
        headline=TEXT(analyzer=analyzer),
        body=TEXT(analyzer=analyzer),
    )
    folder = work / "whoosh"
    folder.mkdir()
    with build_timer():
        ix = index.create_in(str(folder), schema)
        writer = ix.writer()
        for d in coll.docs:
            writer.add_document(id=d.id, headline=d.headline, body=d.body)
        writer.commit()
    parser = MultifieldParser(["headline", "body"], schema, group=OrGroup)
    run: Run = {}
    with ix.searcher() as searcher:
        for qid, text in coll.queries.items():
            # Lower case so that the parser does not read AND/OR/NOT in the
            # upper-case TIME queries as operators; whoosh tokenizes the rest.
            q = parser.parse(text.lower())
            run[qid] = [h["id"] for h in searcher.search(q, limit=DEPTH)]
    return run


def run_bm25(coll: Collection, work: Path) -> Run:
    """The TIME README's sanity check: BM25 (k1=1.2, b=0.75, Lucene idf),
    TIME.STP stop words, no stemming, one text field. Validates the metrics
    and the qrel mapping: the README reports MAP 0.668 on TIME."""
    stop = {w.lower() for w in (sources.TIME_DIR / "TIME.STP").read_text().split()}

    def tok(text: str) -> list[str]:
        return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in stop]

    postings: dict[str, list[tuple[str, int]]] = {}
    length: dict[str, int] = {}
    BUILD_SECONDS[0] = 0.0
    for d in coll.docs:
        tf = Counter(tok(f"{d.headline} {d.body}"))
        length[d.id] = sum(tf.values())
        for w, n in tf.items():
            postings.setdefault(w, []).append((d.id, n))
    avg = sum(length.values()) / len(length)
    n_docs = len(length)
    run: Run = {}
    for qid, text in coll.queries.items():
        scores: Counter[str] = Counter()
        for w in tok(text):
            plist = postings.get(w, [])
            idf = math.log((n_docs - len(plist) + 0.5) / (len(plist) + 0.5) + 1)
            for doc, n in plist:
                scores[doc] += idf * n * 2.2 / (n + 1.2 * (0.25 + 0.75 * length[doc] / avg))
        run[qid] = [doc for doc, _ in sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:DEPTH]]
    return run


def write_articles(coll: Collection, work: Path) -> Path:
    """`coll` as searchkit's plain-text article files (`corpus/<coll>/<id>.txt`:
    headline line, blank line, body) under `work`; returns the corpus folder."""
    corpus = work / "corpus"
    folder = corpus / coll.name
    folder.mkdir(parents=True)
    for d in coll.docs:
        target = folder / f"{d.id}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"{d.headline}\n\n{d.body}\n", encoding="utf-8")
    return corpus


def doc_id(coll: Collection, article_id: str) -> str:
    """The judged set's id of a searchkit article (or path) that write_articles wrote."""
    return article_id.removeprefix(f"{coll.name}/").removesuffix(".txt")


# The model folder of `--semantic DIR`, for the searchkit-semantic engine.
SEMANTIC_MODEL: list[Path] = []


def run_searchkit(coll: Collection, work: Path, semantic: bool = False) -> Run:
    """searchkit's library: update_index over article files, then search();
    with `semantic`, passage vectors too (`searchkit index --semantic`)."""
    from searchkit.engine import search
    from searchkit.indexer import update_index

    corpus = write_articles(coll, work)
    with build_timer():
        update_index(corpus, work / "sk-index", rebuild=True)
        if semantic:
            from searchkit import passages

            passages.enable(work / "sk-index", SEMANTIC_MODEL[0])
            passages.update(work / "sk-index")
    # Snippets do not change the ranking but cost ~3 ms per hit (each body is
    # re-analysed), i.e. seconds per query at limit=1000: skip them if we can.
    extra = {"snippets": 0} if "snippets" in inspect.signature(search).parameters else {}
    run: Run = {}
    for qid, text in coll.queries.items():
        # The query exactly as written: this is what a user types.
        result = search(work / "sk-index", text, limit=DEPTH, **extra)
        # A hit stands for its collapsed copies ("+N similar"): they are
        # ranked right behind it, as a reader who opens the group sees them.
        ids = [i for h in result.hits for i in (h.id, *getattr(h, "duplicates", ()))]
        run[qid] = [doc_id(coll, i) for i in ids][:DEPTH]
    return run


def scored_run(coll: Collection, index: Path, current: dict[str, str] | None = None) -> Scored:
    """searchkit's hits for every query, with their scores, for the scripts in
    experiments/ that re-order them; a hit's collapsed copies follow it, as in
    run_searchkit. `current["query"]` names the query being run, for the
    patches that need it."""
    from searchkit.engine import search

    scored = {}
    for qid, text in coll.queries.items():
        if current is not None:
            current["query"] = qid
        hits = search(index, text, limit=DEPTH, snippets=0).hits
        scored[qid] = [(doc_id(coll, i), h.score) for h in hits for i in (h.id, *h.duplicates)]
    return scored


ENGINES: dict[str, Callable[[Collection, Path], Run]] = {
    "fts5": run_fts5,
    "whoosh": run_whoosh,
    "searchkit": run_searchkit,
    "searchkit-semantic": lambda coll, work: run_searchkit(coll, work, semantic=True),
    "bm25": run_bm25,
    "whoosh-porter2": lambda coll, work: run_whoosh(coll, work, porter2=True),
}


def searchkit_available() -> str | None:
    """None when searchkit's library API is importable, else why not."""
    try:
        from searchkit.engine import search  # noqa: F401
        from searchkit.indexer import update_index  # noqa: F401
    except ImportError as exc:
        return f"searchkit API not available ({exc})"
    return None


# ---------------------------------------------------------------- main


def worst_queries(run: Run, coll: Collection, n: int = 5) -> list[tuple[str, float]]:
    fn = reciprocal_rank if coll.known_item else average_precision
    scores = sorted((fn(run.get(q, []), coll.qrels[q]), q) for q in coll.qrels)
    return [(q, s) for s, q in scores[:n]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=sorted(LOADERS), action="append",
                    help="run one collection (repeatable); default all")
    ap.add_argument("--engines", default="fts5,whoosh,searchkit",
                    help="comma-separated: fts5, whoosh, searchkit; also bm25 (the TIME README's"
                         " check) and whoosh-porter2 (whoosh with the porter2 stemmer)")
    ap.add_argument("--worst", type=int, default=0, metavar="N",
                    help="also list each engine's N worst queries")
    ap.add_argument("--semantic", type=Path, metavar="MODEL_DIR",
                    help="also run searchkit-semantic: searchkit with passage vectors from this model"
                         " folder (`searchkit index --semantic`; needs numpy; TIME's take ~4 min to encode)")
    args = ap.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if args.semantic:
        SEMANTIC_MODEL.append(args.semantic)
        if "searchkit-semantic" not in engines:
            engines.append("searchkit-semantic")
    elif "searchkit-semantic" in engines:
        ap.error("searchkit-semantic needs --semantic MODEL_DIR")
    for e in engines:
        if e not in ENGINES:
            ap.error(f"unknown engine {e!r}; choose from {', '.join(ENGINES)}")
    sys.path.insert(0, str(sources.REPO))
    missing = searchkit_available() if any(e.startswith("searchkit") for e in engines) else None

    print(f"searchkit at {sources.repo_version()}")
    for name in args.only or ["time", "reuters", "known"]:
        t0 = time.perf_counter()
        coll = LOADERS[name]()
        print(f"\n== {name}: {len(coll.docs)} docs, {len(coll.qrels)} queries"
              f" (loaded in {time.perf_counter() - t0:.1f}s)")
        rows = []
        for engine in engines:
            if engine.startswith("searchkit") and missing:
                rows.append((engine, None, 0.0, missing))
                continue
            with tempfile.TemporaryDirectory(prefix=f"relevance-{name}-") as tmp:
                t0 = time.perf_counter()
                BUILD_SECONDS[0] = 0.0
                try:
                    run = ENGINES[engine](coll, Path(tmp))
                except Exception as exc:  # a broken engine must not hide the others
                    rows.append((engine, None, time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"))
                    continue
                wall = time.perf_counter() - t0
                note = f"build {BUILD_SECONDS[0]:.1f}s, queries {wall - BUILD_SECONDS[0]:.1f}s"
                rows.append((engine, run, wall, note))
        metric_names = list(evaluate({}, coll))
        print(f"{'engine':<19}" + "".join(f"{m:>9}" for m in metric_names) + f"{'wall s':>9}")
        for engine, run, secs, note in rows:
            if run is None:
                print(f"{engine:<19}" + "".join(f"{'n/a':>9}" for _ in metric_names)
                      + f"{secs:>9.1f}  {note}")
                continue
            scores = evaluate(run, coll)
            print(f"{engine:<19}" + "".join(f"{scores[m]:>9.3f}" for m in metric_names)
                  + f"{secs:>9.1f}  {note}")
        runs = {engine: run for engine, run, _, _ in rows if run is not None}
        if args.worst and "searchkit" in runs and "fts5" in runs:
            fn = reciprocal_rank if coll.known_item else average_precision
            gaps = sorted((fn(runs["searchkit"].get(q, []), rel) - fn(runs["fts5"].get(q, []), rel), q)
                          for q, rel in coll.qrels.items())
            print("  searchkit behind fts5 most: " + ", ".join(
                f"{q} {d:+.2f} [{coll.queries[q][:40]}]" for d, q in gaps[: args.worst] if d < 0))
        for engine, run, _, _ in rows:
            if run is not None and args.worst:
                worst = ", ".join(f"{q}={s:.2f} [{coll.queries[q][:40]}]"
                                  for q, s in worst_queries(run, coll, args.worst))
                print(f"  worst {engine}: {worst}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
