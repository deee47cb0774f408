"""Measured and dropped: re-ranking the final list (issue 5, 2026-12-02).

TIME only. Indexes TIME once with searchkit's library, runs the 83 queries
(1000 hits) and re-orders what comes back; searchkit itself is unchanged
(applies to 29d1351 and later):

    python bench/experiments/reranking.py learned        # a linear re-ranker, 5-fold CV
    python bench/experiments/reranking.py dense          # needs: pip install wordllama
    python bench/experiments/reranking.py learned dense  # the re-ranker with a dense feature

learned  a linear model over features of the final top 30 (its score / the
         best, the typed words' BM25 / the best of the 30, the idf share of
         typed words held, the best 50-word window's and the first 40 words'
         BM25, log length, adjacent typed pairs, −log rank), trained by
         coordinate ascent on nDCG@10 of the 5+-word queries: in-sample, and
         5-fold cross-validated (3 splits) as the honest figure
dense    WordLlama's static embeddings (l2_supercat, 256 dims; its wheel
         holds the weights, so it runs offline): the cosine of query and
         article alone, interpolated with the final score (both z-scored over
         the top 100), and choosing the feedback articles (the first pass's
         top 20 re-ordered by score + λ · z-scored cosine, top 10 kept)
"""

from __future__ import annotations

import math
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import relevance  # noqa: E402

import searchkit.ranking as ranking  # noqa: E402
from searchkit.indexer import update_index  # noqa: E402
from searchkit.schema import TEXT_ANALYZER  # noqa: E402

COLL = relevance.load_time()
TEXT = {d.id: f"{d.headline}\n{d.body}" for d in COLL.docs}
TOP = 30  # how deep the learned re-ranker re-orders
Scored = relevance.Scored
current = {"query": ""}


def run_all(index: Path) -> Scored:
    return relevance.scored_run(COLL, index, current)


def report(label: str, run: dict[str, list[str]], only: list[str] | None = None) -> None:
    coll = COLL if only is None else relevance.Collection(
        COLL.name, COLL.docs, {q: COLL.queries[q] for q in only}, {q: COLL.qrels[q] for q in only})
    m = relevance.evaluate(run, coll)
    print(f"{label:<44} MAP {m['MAP']:.3f}  nDCG@10 {m['nDCG@10']:.3f}  P@10 {m['P@10']:.3f}", flush=True)


# --- dense ------------------------------------------------------------------

def embedder() -> Any:
    import wordllama
    from wordllama import WordLlama

    # wordllama 0.4 looks for its bundled tokenizer under "tokenizer/" but ships
    # it under "tokenizers/"; as a cache directory the package's own folder has both.
    return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)


def cosines() -> tuple[dict[str, Any], dict[str, Any]]:
    model = embedder()
    docs = dict(zip(TEXT, model.embed([t.lower() for t in TEXT.values()], norm=True)))
    queries = {q: model.embed([t.lower()], norm=True)[0] for q, t in COLL.queries.items()}
    return docs, queries


def dense(index: Path) -> None:
    docs, queries = cosines()
    alone = {q: sorted(docs, key=lambda d, v=v: -float(docs[d] @ v)) for q, v in queries.items()}
    report("dense cosine alone", alone)
    final = run_all(index)
    report("searchkit", {q: [d for d, _ in hits] for q, hits in final.items()})
    for lam in (0.1, 0.3, 0.5, 1.0):
        run = {}
        for q, hits in final.items():
            top = hits[:100]
            mixed = [s + lam * c for s, c in zip(ranking.zscores([s for _, s in top]),
                                                  ranking.zscores([float(docs[d] @ queries[q]) for d, _ in top]))]
            order = sorted(range(len(top)), key=lambda i: -mixed[i])
            run[q] = [top[i][0] for i in order] + [d for d, _ in hits[100:]]
        report(f"final z-score + {lam} · z-cosine (top 100)", run)
    real = ranking._expansion
    ranking.FEEDBACK_DOCS = 20
    for lam in (0.5, 1.0, 2.0, 4.0):
        def patched(searcher: Any, top: list[tuple[int, float]], words: list[str], lam: float = lam) -> Any:
            ids = [relevance.doc_id(COLL, searcher.reader().stored_fields(d)["path"]) for d, _ in top]
            cos = ranking.zscores([float(docs[i] @ queries[current["query"]]) for i in ids])
            chosen = sorted(((d, s + lam * c) for (d, s), c in zip(top, cos)), key=lambda x: -x[1])
            return real(searcher, chosen[:10], words)
        ranking._expansion = patched
        report(f"feedback: top 20 by score + {lam} · z-cosine", {q: [d for d, _ in h] for q, h in run_all(index).items()})
    ranking._expansion, ranking.FEEDBACK_DOCS = real, 10


# --- learned ----------------------------------------------------------------

def features(final: Scored, with_dense: bool) -> dict[str, tuple[list[str], list[list[float]]]]:
    tokens = {d: [t.text for t in TEXT_ANALYZER(text)] for d, text in TEXT.items()}
    n = len(tokens)
    df = Counter(w for ts in tokens.values() for w in set(ts))
    idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}
    average = sum(map(len, tokens.values())) / n

    def bm25(ts: list[str], words: set[str]) -> float:
        tf = Counter(t for t in ts if t in words)
        norm = ranking.K1 * (1 - ranking.B + ranking.B * len(ts) / average)
        return sum(idf[w] * c * (ranking.K1 + 1) / (c + norm) for w, c in tf.items())

    docs, queries = cosines() if with_dense else ({}, {})
    table = {}
    for q, hits in final.items():
        words = {t.text for t in TEXT_ANALYZER(COLL.queries[q])}
        if len(words) < ranking.FEEDBACK_MIN_WORDS:
            continue
        rows = []
        for i, (d, score) in enumerate(hits[:TOP]):
            ts = tokens[d]
            held = set(ts)
            rows.append([
                score / hits[0][1],
                bm25(ts, words),
                sum(idf.get(w, 0.0) for w in words & held) / sum(idf.get(w, 0.0) for w in words),
                max(bm25(ts[s:s + 50], words) for s in range(0, max(1, len(ts) - 25), 25)),
                bm25(ts[:40], words),
                math.log(len(ts)),
                math.log1p(sum(1 for a, b in zip(ts, ts[1:]) if a != b and a in words and b in words)),
                -math.log(i + 1),
                *([float(docs[d] @ queries[q])] if with_dense else []),
            ])
        for j in (1, 3, 4):  # unbounded: scaled by the query's best
            top = max(r[j] for r in rows) or 1.0
            for r in rows:
                r[j] /= top
        table[q] = ([d for d, _ in hits], rows)
    return table


def learned(index: Path, with_dense: bool) -> None:
    final = run_all(index)
    table = features(final, with_dense)
    queries = list(table)
    width = len(next(iter(table.values()))[1][0])

    def reordered(q: str, weights: list[float]) -> list[str]:
        ids, rows = table[q]
        score = [sum(w * x for w, x in zip(weights, r)) for r in rows]
        order = sorted(range(len(rows)), key=lambda i: -score[i])
        return [ids[i] for i in order] + ids[len(rows):]

    def quality(qs: list[str], weights: list[float]) -> float:
        return sum(relevance.ndcg(reordered(q, weights), COLL.qrels[q]) for q in qs) / len(qs)

    def train(qs: list[str]) -> list[float]:
        weights = [1.0] + [0.0] * (width - 1)
        best = quality(qs, weights)
        for _ in range(3):
            for j in range(1, width):
                for g in (-2, -1, -0.5, -0.25, -0.1, -0.05, 0, 0.05, 0.1, 0.25, 0.5, 1, 2):
                    trial = weights[:j] + [g] + weights[j + 1:]
                    value = quality(qs, trial)
                    if value > best + 1e-9:
                        best, weights = value, trial
        return weights

    print(f"{len(queries)} queries of {ranking.FEEDBACK_MIN_WORDS}+ words; the final top {TOP} re-ordered")
    report("searchkit", {q: table[q][0] for q in queries}, queries)
    weights = train(queries)
    print("weights:", [round(w, 2) for w in weights])
    report("learned, in-sample", {q: reordered(q, weights) for q in queries}, queries)
    for seed in range(3):
        shuffled = queries[:]
        random.Random(seed).shuffle(shuffled)
        folds = [shuffled[k::5] for k in range(5)]
        run = {}
        for k, held_out in enumerate(folds):
            w = train([q for j, f in enumerate(folds) if j != k for q in f])
            run.update({q: reordered(q, w) for q in held_out})
        report(f"learned, 5-fold cross-validated (split {seed})", run, queries)


def main() -> int:
    args = sys.argv[1:]
    if not args or args[0] not in ("learned", "dense"):
        raise SystemExit(__doc__)
    with tempfile.TemporaryDirectory() as work:
        update_index(relevance.write_articles(COLL, Path(work)), Path(work) / "index", rebuild=True)
        if args[0] == "dense":
            dense(Path(work) / "index")
        else:
            learned(Path(work) / "index", "dense" in args[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
