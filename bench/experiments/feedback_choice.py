"""Measured and dropped: which articles feed the expansion (issue 5, 2026-12-02).

TIME only (its 79 queries of 5+ words are the ones with feedback; Reuters'
and the known-item queries are shorter). Indexes TIME once with searchkit's
library, then runs the 83 queries in this process with one lever patched in
(applies to dd33267 and later, while ranking._expansion exists):

    python bench/experiments/feedback_choice.py oracle     # upper bounds, not levers
    python bench/experiments/feedback_choice.py passage    # W 50/100/200, λ 0.25/0.5/1
    python bench/experiments/feedback_choice.py lead       # W 40/100, λ 0.1/0.3
    python bench/experiments/feedback_choice.py central    # γ 0.5/1/2/4
    python bench/experiments/feedback_choice.py depth      # FEEDBACK_DOCS × FEEDBACK_TERMS
    python bench/experiments/feedback_choice.py fusion     # RRF of the runs of 9 settings
    python bench/experiments/feedback_choice.py second     # feedback from the final top 10
    python bench/experiments/feedback_choice.py relative   # weights by relative score, c 5/10/20/40
    python bench/experiments/feedback_choice.py none       # the unchanged code

oracle   the feedback articles are the query's relevant ones (equal weights),
         or the relevant ones among the first pass's top 10 (their own
         weights, or equal): how much rides on the first pass choosing them
passage  the first pass's top 20 re-ordered by score + λ · their best
         W-word window's BM25 of the typed words (windows at W/2 steps)
lead     the same with the first W words only (news puts the topic first)
central  each feedback article's score + γ · ln cos(its tf-idf vector, the
         other feedback articles' centroid): outliers weigh less
depth    the number of feedback articles and of added words, remeasured
         since the positional weights (FEEDBACK_SPAN)
fusion   reciprocal rank fusion (k 60) of runs with other feedback settings
relative article weights exp(c · (score / best − 1)) instead of exp(score −
         best): the same for any query length's score scale
second   a second round: the feedback articles are the final ranking's top
         10, weighted exp(τ · (score − best)) on the typed words' scale, by
         their first-pass scores, or exp(−τ · rank)
"""

from __future__ import annotations

import math
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import relevance  # noqa: E402

import searchkit.ranking as ranking  # noqa: E402
from searchkit.indexer import update_index  # noqa: E402
from searchkit.schema import SEARCH_FIELD, TEXT_ANALYZER  # noqa: E402

COLL = relevance.load_time()
REAL_EXPANSION = ranking._expansion
Scored = relevance.Scored
current = {"query": ""}


def run_all(index: Path) -> Scored:
    return relevance.scored_run(COLL, index, current)


def report(label: str, scored: Scored) -> None:
    m = relevance.evaluate({q: [d for d, _ in hits] for q, hits in scored.items()}, COLL)
    print(f"{label:<28} MAP {m['MAP']:.3f}  nDCG@10 {m['nDCG@10']:.3f}  P@10 {m['P@10']:.3f}"
          f"  R@100 {m['R@100']:.3f}", flush=True)


def judged_id(searcher, docnum: int) -> str:
    return relevance.doc_id(COLL, searcher.reader().stored_fields(docnum).get("path", ""))


def tokens(searcher, docnum: int) -> list[str]:
    body = searcher.reader().stored_fields(docnum).get("body", "")[:ranking.FEEDBACK_CHARS]
    return [t.text for t in TEXT_ANALYZER(body)]


def idfs(searcher, words: list[str]) -> dict[str, float]:
    n, reader = searcher.doc_count_all(), searcher.reader()
    return {w: math.log(1 + (n - reader.doc_frequency(SEARCH_FIELD, w) + 0.5)
                        / (reader.doc_frequency(SEARCH_FIELD, w) + 0.5)) for w in set(words)}


def window_score(words: list[str], idf: dict[str, float]) -> float:
    tf = Counter(t for t in words if t in idf)
    return sum(idf[t] * n * (ranking.K1 + 1) / (n + ranking.K1) for t, n in tf.items())


def reorder(score_of: Callable[..., float], keep: int = 10) -> None:
    """Feedback from the first pass's top 20 re-scored by `score_of`."""
    ranking.FEEDBACK_DOCS = 20

    def patched(searcher, top, words):
        rescored = sorted(((d, score_of(searcher, d, s, words)) for d, s in top), key=lambda x: -x[1])
        return REAL_EXPANSION(searcher, rescored[:keep], words)

    ranking._expansion = patched


def best_window(width: int, first_only: bool) -> Callable[[list[str], dict[str, float]], float]:
    def score(toks: list[str], idf: dict[str, float]) -> float:
        starts = [0] if first_only else range(0, max(1, len(toks) - width // 2), width // 2)
        return max(window_score(toks[s:s + width], idf) for s in starts)
    return score


def windows(index: Path, grid: list[tuple[int, float]], first_only: bool) -> None:
    for width, lam in grid:
        scorer = best_window(width, first_only)
        reorder(lambda searcher, d, s, words, lam=lam, scorer=scorer:
                s + lam * scorer(tokens(searcher, d), idfs(searcher, words)))
        report(f"W {width} λ {lam}", run_all(index))


def central(index: Path) -> None:
    for gamma in (0.5, 1, 2, 4):
        def patched(searcher, top, words, gamma=gamma):
            reader, n = searcher.reader(), searcher.doc_count_all()
            vectors = []
            for d, _ in top:
                tf = Counter(tokens(searcher, d))
                v = {w: (1 + math.log(c)) * math.log(n / max(1, reader.doc_frequency(SEARCH_FIELD, w)))
                     for w, c in tf.items()}
                norm = math.sqrt(sum(x * x for x in v.values())) or 1
                vectors.append({w: x / norm for w, x in v.items()})
            rescored = []
            for i, (d, s) in enumerate(top):
                centroid: Counter[str] = Counter()
                for j, v in enumerate(vectors):
                    if j != i:
                        centroid.update(v)
                size = math.sqrt(sum(x * x for x in centroid.values())) or 1
                cos = sum(x * centroid.get(w, 0) for w, x in vectors[i].items()) / size
                rescored.append((d, s + gamma * math.log(max(cos, 1e-6))))
            rescored.sort(key=lambda x: -x[1])
            return REAL_EXPANSION(searcher, rescored, words)
        ranking._expansion = patched
        report(f"γ {gamma}", run_all(index))


def oracle(index: Path) -> None:
    def patched(searcher, top, words):
        relevant = COLL.qrels[current["query"]]
        chosen = [(d, 0.0) for d in range(searcher.doc_count_all()) if judged_id(searcher, d) in relevant]
        return REAL_EXPANSION(searcher, chosen or top, words)
    ranking._expansion = patched
    report("relevant articles as feedback", run_all(index))
    for equal in (False, True):
        def within(searcher, top, words, equal=equal):
            relevant = COLL.qrels[current["query"]]
            kept = [(d, 0.0 if equal else s) for d, s in top if judged_id(searcher, d) in relevant]
            return REAL_EXPANSION(searcher, kept or top, words)
        ranking._expansion = within
        report("relevant of the top 10" + (", equal" if equal else ""), run_all(index))


def second(index: Path) -> None:
    final = run_all(index)
    from searchkit.wordscores import word_scores

    for mode, taus in (("final", (0.5, 1.0, 2.0)), ("first", (1.0,)), ("rank", (0.5, 1.0, 2.0))):
        for tau in taus:
            def patched(searcher, top, words, mode=mode, tau=tau):
                docnum = {judged_id(searcher, d): d for d in range(searcher.doc_count_all())}
                head = final[current["query"]][:10]
                if mode == "final":
                    share = ranking.ORIGINAL_WEIGHT / len(words)
                    chosen = [(docnum[i], tau * (s - head[0][1]) / share) for i, s in head]
                elif mode == "first":
                    found = word_scores(searcher, SEARCH_FIELD, [(w, 1.0) for w in words], ranking.K1, ranking.B)
                    plain = {docnum[i]: found.score.get(docnum[i], 0.0) for i, _ in head}
                    top_score = max(plain.values())
                    chosen = sorted(((d, tau * (s - top_score)) for d, s in plain.items()), key=lambda x: -x[1])
                else:
                    chosen = [(docnum[i], -tau * k) for k, (i, _) in enumerate(head)]
                return REAL_EXPANSION(searcher, chosen, words)
            ranking._expansion = patched
            report(f"{mode} τ {tau}", run_all(index))


def depth(index: Path) -> None:
    for docs in (5, 10, 15, 20):
        for terms in (15, 20, 30, 50):
            ranking.FEEDBACK_DOCS, ranking.FEEDBACK_TERMS = docs, terms
            report(f"{docs} articles, {terms} words", run_all(index))


def with_span(span: int) -> None:
    ranking._NEARNESS = [math.exp(-d * d / (2 * span**2)) for d in range(4 * span)]


def fusion(index: Path) -> None:
    settings = {"as now": {}, "5 articles": {"FEEDBACK_DOCS": 5}, "20 articles": {"FEEDBACK_DOCS": 20},
                "10 words": {"FEEDBACK_TERMS": 10}, "40 words": {"FEEDBACK_TERMS": 40},
                "typed 0.4": {"ORIGINAL_WEIGHT": 0.4}, "typed 0.6": {"ORIGINAL_WEIGHT": 0.6},
                "span 25": {"span": 25}, "span 100": {"span": 100}}
    runs = {}
    for name, change in settings.items():
        saved = {k: getattr(ranking, k) for k in change if k != "span"}
        for k, v in change.items():
            if k == "span":
                with_span(v)
            else:
                setattr(ranking, k, v)
        runs[name] = run_all(index)
        for k, v in saved.items():
            setattr(ranking, k, v)
        with_span(ranking.FEEDBACK_SPAN)
        report(name, runs[name])

    def rrf(names: list[str]) -> Scored:
        fused = {}
        for qid in COLL.queries:
            total: dict[str, float] = {}
            for name in names:
                for rank, (d, _) in enumerate(runs[name][qid]):
                    total[d] = total.get(d, 0.0) + 1 / (61 + rank)
            fused[qid] = sorted(total.items(), key=lambda x: -x[1])
        return fused

    for names in (["as now", "40 words"], ["as now", "typed 0.4", "typed 0.6"],
                  ["as now", "span 25", "span 100"], list(settings)):
        report("RRF " + " + ".join(names) if len(names) < 9 else "RRF of all 9", rrf(names))


def relative(index: Path) -> None:
    for c in (5, 10, 20, 40):
        def patched(searcher, top, words, c=c):
            best = top[0][1] if top else 1.0
            # _expansion weighs exp(score − best): give it c · (score / best − 1).
            return REAL_EXPANSION(searcher, [(d, c * (s / best - 1)) for d, s in top], words)
        ranking._expansion = patched
        report(f"c {c}", run_all(index))


def main() -> int:
    lever = sys.argv[1] if len(sys.argv) > 1 else ""
    levers = {
        "oracle": oracle,
        "passage": lambda ix: windows(ix, [(w, lam) for w in (50, 100, 200) for lam in (0.25, 0.5, 1.0)], False),
        "lead": lambda ix: windows(ix, [(w, lam) for w in (40, 100) for lam in (0.1, 0.3)], True),
        "central": central,
        "depth": depth,
        "fusion": fusion,
        "second": second,
        "relative": relative,
        "none": lambda ix: report("unchanged", run_all(ix)),
    }
    if lever not in levers:
        raise SystemExit(__doc__)
    with tempfile.TemporaryDirectory() as work:
        update_index(relevance.write_articles(COLL, Path(work)), Path(work) / "index", rebuild=True)
        print(f"TIME at {relevance.sources.repo_version()}, lever {lever}")
        levers[lever](Path(work) / "index")
    return 0


if __name__ == "__main__":
    sys.exit(main())
