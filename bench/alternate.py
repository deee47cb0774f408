"""Two versions of searchkit timed in turn, as a person runs them (issue 6):
fresh `search` processes, or `searchkit index` with nothing changed and
with 10 new articles.

This machine's speed drifts by 20-30% over minutes; timing the two trees
one after the other, round after round, lets the drift hit both alike. The
wall-time figures in commit messages and comments come from here.

    python bench/alternate.py --base HEAD~1 search --runs 5
    python bench/alternate.py --base HEAD~1 index --runs 6

`--base` is checked out in a temporary git worktree and compared with this
working tree, or with `--head`, checked out the same way (one commit's
effect: `--base C~1 --head C`). Needs the corpus and index that `python bench/speed.py
--articles 100000` leaves in bench/out (`--articles` for another size).
Search: the fresh-process queries of speed.py (every tenth of queries.txt),
median of each query's runs, then the median and maximum over queries.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from speed import OUT, QUERIES, read_queries

REPO = Path(__file__).resolve().parents[1]
SEARCH = "from searchkit.entry import search; search()"
SEARCHKIT = "from searchkit.entry import main; main()"


def timed(tree: Path, code: str, args: list[str], cwd: str) -> float:
    """Wall seconds of one fresh process running `code` on `tree`'s searchkit
    (from `cwd`, an empty folder: no tree is on sys.path as the current one)."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=cwd, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["search", "index"])
    ap.add_argument("--base", required=True, help="git revision to compare with")
    ap.add_argument("--head", help="git revision to compare it with [default: this working tree]")
    ap.add_argument("--runs", type=int, default=5, help="rounds (each times both trees)")
    ap.add_argument("--articles", type=int, default=100_000)
    args = ap.parse_args()
    corpus = OUT / f"corpus-{args.articles}-s0"
    index = OUT / f"speed-{args.articles}" / "searchkit-index"
    if not index.is_dir():
        print(f"no index at {index}: run `python bench/speed.py --articles {args.articles}` first",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        trees = {args.base: Path(scratch) / "base"}
        if args.head:
            trees[args.head] = Path(scratch) / "head"
        for rev, tree in trees.items():
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "-q", "--detach", str(tree), rev],
                           check=True)
        if not args.head:
            trees["this tree"] = REPO
        try:
            for tree in trees.values():  # as pip install does: no compiling in every process
                compileall.compile_dir(tree / "searchkit", quiet=1)
            rounds = _search if args.mode == "search" else _index
            results = rounds(trees, corpus, index, args.runs, scratch)
        finally:
            for tree in trees.values():
                if tree != REPO:
                    subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                                   check=True)
    for name, figures in results.items():
        print(f"{name:>12}: " + "; ".join(f"{what} {value * 1000:,.1f} ms" for what, value in figures.items()))
    return 0


def _search(trees: dict[str, Path], corpus: Path, index: Path, runs: int,
            cwd: str) -> dict[str, dict[str, float]]:
    queries = read_queries(QUERIES)[::10]
    times: dict[str, dict[str, list[float]]] = {name: {q: [] for q in queries} for name in trees}
    for _ in range(runs):
        for q in queries:
            for name, tree in trees.items():
                times[name][q].append(timed(tree, SEARCH, ["--index", str(index), "--corpus", str(corpus), q], cwd))
    results = {}
    for name in trees:
        per_query = [statistics.median(t) for t in times[name].values()]
        results[name] = {"median": statistics.median(per_query), "max": max(per_query)}
    return results


def _index(trees: dict[str, Path], corpus: Path, index: Path, runs: int,
           cwd: str) -> dict[str, dict[str, float]]:
    args = ["index", "--index", str(index), "--corpus", str(corpus)]
    new = corpus / "zz_alternate"
    samples = sorted((corpus / "050").glob("*.txt"))[:10]
    times: dict[str, dict[str, list[float]]] = {name: {"nothing changed": [], "+10": []} for name in trees}
    timed(REPO, SEARCHKIT, args, cwd)  # the index as the corpus is now
    try:
        for r in range(runs):
            for name, tree in trees.items():
                times[name]["nothing changed"].append(timed(tree, SEARCHKIT, args, cwd))
                new.mkdir()
                for i, sample in enumerate(samples):
                    shutil.copy(sample, new / f"{r}-{i}.txt")
                times[name]["+10"].append(timed(tree, SEARCHKIT, args, cwd))
                shutil.rmtree(new)
                timed(tree, SEARCHKIT, args, cwd)  # the 10 removed again
    finally:
        if new.exists():
            shutil.rmtree(new)
            timed(REPO, SEARCHKIT, args, cwd)
    return {name: {what: statistics.median(t) for what, t in steps.items()} for name, steps in times.items()}


if __name__ == "__main__":
    sys.exit(main())
