"""Parse throughput per input format (issue 3): articles/s, best of 3.

Reads the shared corpora through `searchkit.formats` (parsing only, no index).

    python bench/parse_speed.py
"""

from __future__ import annotations

import time
from pathlib import Path

from searchkit.formats import reader_for

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
SETS = {
    "text (BBC)": sorted((CORPORA / "bbc").glob("*/*.txt")),
    "reuters (SGML)": sorted((CORPORA / "reuters21578").glob("*.sgm")),
    "json lines (HuffPost)": sorted((CORPORA / "huffpost_news_category").glob("*.jsonl")),
    "feeds (RSS/Atom)": sorted((CORPORA / "feeds").glob("*.rss")) + sorted((CORPORA / "feeds").glob("*.atom")),
    "html pages": sorted((CORPORA / "html").glob("*.html")),
}


def main() -> None:
    print(f"{'format':<24}{'files':>7}{'articles':>10}{'articles/s':>12}")
    for name, paths in SETS.items():
        if not paths:
            print(f"{name:<24} not found under {CORPORA}")
            continue
        blobs = [(p, p.read_bytes()) for p in paths]
        best, count = float("inf"), 0
        for _ in range(3):
            started = time.perf_counter()
            count = 0
            for path, data in blobs:
                parser = reader_for(path)
                assert parser is not None
                count += sum(1 for _ in parser(data, path.name))
            best = min(best, time.perf_counter() - started)
        print(f"{name:<24}{len(paths):>7,}{count:>10,}{count / best:>12,.0f}")


if __name__ == "__main__":
    main()
