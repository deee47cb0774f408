"""Generate a realistic synthetic news corpus for the speed benchmark (issue 6).

Articles recombine real text from ../shared/corpora: headlines from Reuters,
BBC and HuffPost; body paragraphs as runs of consecutive paragraphs from
Reuters and BBC stories (a long article continues into a second story); an
optional HuffPost teaser as the first paragraph; `Date:` and `Author:` lines
drawn from Reuters and HuffPost. Files are searchkit's plain-text format:

    Headline line
    Date: 2018-05-26
    Author: Melissa Jeltsen

    First paragraph.

    Second paragraph.

Article i lives in `DIR/<i // 1000:03d>/<i:06d>.txt` and depends only on
(seed, i), so a smaller corpus is a prefix of a larger one and the same seed
gives byte-identical files. Sizes follow a log-normal around the issue's
reference corpus (100,000 articles = 151 MB, about 1.5 KB each).

    /tmp/v/bin/python bench/make_corpus.py --articles 2000 --out bench/out/corpus-2000
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sources

PER_FOLDER = 1000
MARKER = ".make_corpus.json"  # hidden: searchkit and rg skip it
# Log-normal body length in characters; mean exp(MU + SIGMA^2 / 2) ~ 1,330,
# which with headline and header lines averages ~1.5 KB per file.
MU = math.log(960)
SIGMA = 0.75
MIN_BODY, MAX_BODY = 200, 20_000
_MONTHS = {m: n for n, m in enumerate(
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}


@dataclass
class Pools:
    headlines: list[str]
    bodies: list[tuple[str, ...]]
    teasers: list[str]
    authors: list[str]
    dates: list[str]


def _title_case(upper: str) -> str:
    """Reuters headlines are upper case; newspapers print them in title case."""
    small = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}
    words = upper.lower().split()
    return " ".join(
        w if (n and w in small) else (w.upper() if w in {"u.s.", "uk", "ec", "opec", "gatt"}
                                      else w[:1].upper() + w[1:])
        for n, w in enumerate(words)
    )


def _reuters_date(raw: str) -> str | None:
    """'26-FEB-1987 15:01:01.79' -> '1987-02-26T15:01:01Z'."""
    try:
        day, mon, rest = raw.split("-", 2)
        year, clock = rest.split()[:2]
        hh, mm, ss = clock.split(".")[0].split(":")
        return datetime(int(year), _MONTHS[mon.upper()], int(day), int(hh), int(mm),
                        int(ss)).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, KeyError, IndexError):
        return None


def load_pools() -> Pools:
    """Everything the generator draws from, in a fixed order."""
    headlines: list[str] = []
    bodies: list[tuple[str, ...]] = []
    authors: list[str] = []
    dates: list[str] = []
    for r in sources.reuters_docs():
        if r.title:
            headlines.append(_title_case(r.title))
        if len(r.paragraphs) >= 2:
            bodies.append(r.paragraphs)
        if r.author:
            a = r.author.removeprefix("by ").removeprefix("By ")
            authors.append(a)
        d = _reuters_date(r.date)
        if d:
            dates.append(d)
    for b in sources.bbc_docs():
        headlines.append(b.headline)
        bodies.append(b.paragraphs)
    teasers: list[str] = []
    for h in sources.huffpost_records():
        if h.get("headline"):
            headlines.append(" ".join(h["headline"].split()))
        if h.get("short_description"):
            teasers.append(" ".join(h["short_description"].split()))
        if h.get("authors"):
            authors.append(" ".join(h["authors"].split()))
        if h.get("date"):
            dates.append(h["date"])
    return Pools(headlines, bodies, teasers, authors, dates)


def article(pools: Pools, seed: int, i: int) -> str:
    """The text of article i; a function of (seed, i) only."""
    rng = random.Random(f"searchkit-bench:{seed}:{i}")
    lines = [rng.choice(pools.headlines)]
    if rng.random() < 0.85:
        lines.append(f"Date: {rng.choice(pools.dates)}")
    if rng.random() < 0.5:
        lines.append(f"Author: {rng.choice(pools.authors)}")
    target = min(MAX_BODY, max(MIN_BODY, int(rng.lognormvariate(MU, SIGMA))))
    paragraphs: list[str] = []
    if rng.random() < 0.2:
        paragraphs.append(rng.choice(pools.teasers))
    size = sum(len(p) for p in paragraphs)
    while size < target:
        body = rng.choice(pools.bodies)
        start = 0 if rng.random() < 0.7 else rng.randrange(len(body))
        for p in body[start:]:
            paragraphs.append(p)
            size += len(p) + 2
            if size >= target:
                break
    return "\n".join(lines) + "\n\n" + "\n\n".join(paragraphs) + "\n"


def relpath(i: int) -> str:
    return f"{i // PER_FOLDER:03d}/{i:06d}.txt"


def generate(out: Path, articles: int, seed: int = 0, start: int = 0,
             pools: Pools | None = None) -> int:
    """Write articles start..start+articles-1 under `out`; return bytes written."""
    pools = pools or load_pools()
    total = 0
    made: set[Path] = set()
    for i in range(start, start + articles):
        path = out / relpath(i)
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        data = article(pools, seed, i).encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


def is_complete(out: Path, articles: int, seed: int) -> bool:
    """True when `out` holds exactly this generator's corpus (by its marker)."""
    try:
        meta = json.loads((out / MARKER).read_text())
    except (OSError, ValueError):
        return False
    return meta == {"articles": articles, "seed": seed, "complete": True}


def make(out: Path, articles: int, seed: int = 0, quiet: bool = False) -> Path:
    """Generate the corpus unless `out` already holds it."""
    if is_complete(out, articles, seed):
        return out
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).unlink(missing_ok=True)
    t0 = time.perf_counter()
    written = generate(out, articles, seed)
    (out / MARKER).write_text(json.dumps({"articles": articles, "seed": seed, "complete": True}))
    if not quiet:
        print(f"wrote {articles:,} articles, {written / 1e6:.1f} MB "
              f"({written / articles:,.0f} B each) to {out} in {time.perf_counter() - t0:.1f}s",
              file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.articles < 1:
        ap.error("--articles must be at least 1")
    if args.out.exists() and any(args.out.iterdir()) and not (args.out / MARKER).exists():
        ap.error(f"{args.out} exists and was not made by this script; choose another --out")
    make(args.out, args.articles, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
