"""Crash trials (issue 7): kill -9 `searchkit index` at random moments.

Each trial builds a synthetic corpus, brings an index to a known state,
changes the corpus, starts `searchkit index` in a child process (a first
build, a `--rebuild`, or an incremental run), and SIGKILLs it after a random
delay spread over the whole run. Then it checks:

1. the index opens (or, for a first build killed before its first commit,
   is reported missing, so the next `search` builds it — nothing was
   committed, so nothing can be lost);
2. the articles found are exactly those of a committed state: the state
   before the run or the state it was making, and searches agree with a
   fresh build of that state (so every article committed before the kill
   is still found);
3. the next `searchkit index` completes (exit 0) and reaches exactly the
   corpus state: same ids and search results as a fresh build, a further
   run changes nothing, and no files a killed writer left behind remain.

With --sigint the child gets Ctrl-C instead: it must exit 130 (0 if it had
finished; -SIGINT if Python itself was still starting or already shutting
down) and leave the index as before the run, or complete if the commit had
already begun.

    /tmp/v/bin/python bench/crash_trials.py --trials 50
    /tmp/v/bin/python bench/crash_trials.py --trials 20 --sigint --seed 7

Prints one line per failure and a summary `trials: N, failures: F`.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from searchkit.engine import open_index, search
from searchkit.errors import IndexMissingError
from searchkit.indexer import update_index

WORDS = ["harbour", "election", "inflation", "minister", "court", "treaty", "storm", "river", "council", "budget", "railway", "drought", "vaccine", "strike", "festival", "merger", "tariff", "summit", "border", "refugee", "satellite", "glacier", "orchard", "senate", "pension", "museum", "tunnel", "copper", "wheat", "lottery"]
QUERIES = ["harbour", "election minister", "storm OR drought", "copper NOT wheat", "mus*"]
# A shell's background job starts with Ctrl-C ignored; the child restores it.
CLI = (
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from searchkit.cli import main; main()"
)
MODES = ("build", "rebuild", "incremental")


@dataclass
class Outcome:
    ok: bool
    detail: str = ""
    killed: bool = False  # the signal landed before the run finished
    state: str = ""  # what the kill left: "old", "new", "empty", "none"


def article(rng: random.Random, n: int, version: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(80, 400)))
    return f"Story {n} v{version} {rng.choice(WORDS)}\n\nUnique{n}v{version} {words}.\n"


def make_corpus(root: Path, rng: random.Random, files: int) -> None:
    root.mkdir(parents=True)
    for n in range(files):
        folder = root / f"f{n % 7}"
        folder.mkdir(exist_ok=True)
        (folder / f"a{n}.txt").write_text(article(rng, n, 0), encoding="utf-8")


def mutate(root: Path, rng: random.Random, files: int) -> None:
    """Change about a third of the corpus: add, edit, delete."""
    existing = sorted(root.rglob("*.txt"))
    for path in rng.sample(existing, k=max(1, len(existing) // 10)):
        path.unlink()
    for path in rng.sample(sorted(root.rglob("*.txt")), k=max(1, len(existing) // 10)):
        path.write_text(article(rng, int(path.stem[1:]), 1), encoding="utf-8")
    for n in range(files, files + max(1, files // 10)):
        (root / "new").mkdir(exist_ok=True)
        (root / "new" / f"a{n}.txt").write_text(article(rng, n, 0), encoding="utf-8")


def fingerprint(index: Path) -> tuple[frozenset[str], tuple[frozenset[str], ...]] | None:
    """(all ids, ids per query), or None when there is no index."""
    try:
        ix = open_index(index)
    except IndexMissingError:
        return None
    with ix.reader() as reader:
        ids = frozenset(f["id"] + "@" + f.get("digest", "") for f in reader.all_stored_fields())
    results = tuple(
        frozenset(h.id for h in search(index, q, limit=100_000, snippets=0).hits) for q in QUERIES
    )
    return ids, results


def reference(corpus: Path, scratch: Path) -> tuple[frozenset[str], tuple[frozenset[str], ...]] | None:
    ref = scratch / "ref"
    shutil.rmtree(ref, ignore_errors=True)
    update_index(corpus, ref)
    return fingerprint(ref)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, *args], capture_output=True, text=True, timeout=300, check=False
    )


def spawn(index: Path, corpus: Path, rebuild: bool) -> subprocess.Popen[str]:
    args = ["index", "--index", str(index), "--corpus", str(corpus), "--wait", "30"]
    return subprocess.Popen(
        [sys.executable, "-c", CLI, *args, *(["--rebuild"] if rebuild else [])],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def leftovers(index: Path) -> list[str]:
    """Files in the index folder that the current table of contents does not use."""
    ix = open_index(index)
    toc = ix._read_toc()
    used = {s.segment_id() for s in toc.segments}
    extra = []
    for name in os.listdir(index):
        if name in ("searchkit.json", "searchkit.lock", "MAIN_WRITELOCK", f"_MAIN_{toc.generation}.toc"):
            continue
        seg = re.match(r"(MAIN_[0-9a-z]+)\.", name)
        if seg and seg.group(1) in used:
            continue
        extra.append(name)
    return extra


def trial(work: Path, seed: int, files: int, mode: str, sig: int, duration: dict[str, float]) -> Outcome:
    rng = random.Random(seed)
    corpus, index = work / "corpus", work / "index"
    make_corpus(corpus, rng, files)
    if mode != "build":
        update_index(corpus, index)
        mutate(corpus, rng, files)
    before = fingerprint(index)
    target = reference(corpus, work)

    started = time.monotonic()
    child = spawn(index, corpus, rebuild=(mode == "rebuild"))
    # Spread over the run: imports, scanning, parsing, writing, commit, manifest.
    # A fifth of the kills land in the startup (imports), the rest over the indexing.
    startup = duration.get("startup", 0.0)
    delay = (
        rng.uniform(0.0, startup) if rng.random() < 0.2 else rng.uniform(startup, 1.1 * duration[mode])
    ) if mode in duration else None
    try:
        child.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        child.send_signal(sig)
    code = child.wait()
    stderr = child.stderr.read() if child.stderr else ""
    if delay is None:  # calibration run: how long does this mode take?
        duration[mode] = time.monotonic() - started
        delay = duration[mode]
    where = f"seed={seed} mode={mode} signal={signal.Signals(sig).name} after {delay:.2f}s (exit {code})"

    # Ctrl-C while Python itself starts or shuts down (imports, before click
    # runs our handler) ends with Python's own KeyboardInterrupt traceback and
    # -SIGINT; searchkit code has not run or has finished, so only the state
    # of the index is judged then.
    in_python = sig == signal.SIGINT and (
        code == -signal.SIGINT
        or stderr.rstrip().endswith("KeyboardInterrupt")
        or "Exception ignored in" in stderr
    )
    if sig == signal.SIGINT and code not in (0, 130) and not (in_python and code == -signal.SIGINT):
        return Outcome(False, f"{where}: Ctrl-C gave exit {code}: {stderr.strip()[-300:]}")
    if "Traceback" in stderr and not in_python:
        return Outcome(False, f"{where}: traceback: {stderr.strip()[-300:]}")
    try:
        after = fingerprint(index)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
        return Outcome(False, f"{where}: index does not open after the kill: {type(exc).__name__}: {exc}")
    allowed = [before, target]  # a first build killed before its commit leaves no index: None
    # Exit 130 leaves the index as before, or complete if Ctrl-C came after the
    # commit had begun (the commit is atomic; the manifest catches up next run).
    if sig == signal.SIGINT and code == 130 and after not in (before, target):
        return Outcome(False, f"{where}: Ctrl-C left a state that is neither before nor done")
    if after not in allowed:
        return Outcome(False, f"{where}: index after the kill is neither the old nor the new state")
    state = "new" if after == target else "none" if after is None else "old"

    result = run_cli("index", "--index", str(index), "--corpus", str(corpus))
    if result.returncode != 0:
        return Outcome(False, f"{where}: next index run failed ({result.returncode}): {result.stderr[-300:]}")
    if fingerprint(index) != target:
        return Outcome(False, f"{where}: next index run did not reach the corpus state")
    again = update_index(corpus, index)
    if again.changed or again.wrote:
        return Outcome(False, f"{where}: a further run still changes things: {again}")
    extra = leftovers(index)
    if extra:
        return Outcome(False, f"{where}: files left behind: {extra}")
    return Outcome(True, where, killed=code != 0, state=state)


def run_trials(
    trials: int, seed: int, files: int, sig: int = signal.SIGKILL, verbose: bool = False,
    duration: dict[str, float] | None = None,
) -> list[Outcome]:
    """Run `trials` trials; `duration` (seconds per mode and "startup") skips calibration."""
    if duration is None:
        duration = calibrate(seed, files, sig)
    outcomes: list[Outcome] = []
    for n in range(trials):
        with tempfile.TemporaryDirectory(prefix="searchkit-crash-") as tmp:
            outcome = trial(Path(tmp), seed + n, files, MODES[n % len(MODES)], sig, duration)
        outcomes.append(outcome)
        if verbose or not outcome.ok:
            print(("ok   " if outcome.ok else "FAIL ") + outcome.detail, flush=True)
    return outcomes


def calibrate(seed: int, files: int, sig: int) -> dict[str, float]:
    """Seconds for the interpreter to start, and for one uninterrupted run per mode."""
    started = time.monotonic()
    run_cli("--version")
    duration = {"startup": time.monotonic() - started}
    with tempfile.TemporaryDirectory(prefix="searchkit-crash-") as tmp:
        for n, mode in enumerate(MODES):
            calibration = trial(Path(tmp) / mode, seed - 1 - n, files, mode, sig, duration)
            if not calibration.ok:
                print("FAIL (calibration) " + calibration.detail, flush=True)
    return duration


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--files", type=int, default=300, help="articles per corpus")
    parser.add_argument("--sigint", action="store_true", help="send Ctrl-C instead of kill -9")
    parser.add_argument("-v", "--verbose", action="store_true", help="a line per trial")
    args = parser.parse_args()
    sig = signal.SIGINT if args.sigint else signal.SIGKILL
    started = time.monotonic()
    outcomes = run_trials(args.trials, args.seed, args.files, sig, args.verbose)
    failures = sum(not o.ok for o in outcomes)
    killed = sum(o.killed for o in outcomes)
    states = {s: sum(o.state == s for o in outcomes if o.killed) for s in ("none", "old", "new")}
    print(f"trials: {len(outcomes)}, failures: {failures} "
          f"({signal.Signals(sig).name}, {args.files} articles, {time.monotonic() - started:.0f} s; "
          f"{killed} stopped mid-run, leaving: "
          + ", ".join(f"{n} {s}" for s, n in states.items()) + ")")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
