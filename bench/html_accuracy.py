"""Body-text accuracy of the HTML parser against the reference text in
shared/corpora/html/expected_text/, with trafilatura and with the stdlib fallback.

    python bench/html_accuracy.py [path/to/shared/corpora/html]

Prints, per page and as a mean: token-level precision, recall and F1 (bags of
lower-cased word tokens) and difflib's ratio over the token sequences.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections import Counter
from pathlib import Path

from searchkit.formats import html

# cnn.txt belongs to cnn_article.html; other names match.
PAGES = {
    "cnn_article.html": "cnn.txt",
    "huffingtonpost.com1.html": "huffingtonpost.com1.txt",
    "reuters.com2.html": "reuters.com2.txt",
    "reuters.com3.html": "reuters.com3.txt",
    "theatlantic.com2.html": "theatlantic.com2.txt",
}


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def scores(got: str, want: str) -> tuple[float, float, float, float]:
    g, w = tokens(got), tokens(want)
    overlap = sum((Counter(g) & Counter(w)).values())
    p = overlap / len(g) if g else 0.0
    r = overlap / len(w) if w else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    ratio = difflib.SequenceMatcher(None, g, w, autojunk=False).ratio()
    return p, r, f1, ratio


def main() -> None:
    default = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "html"
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    if not root.is_dir():
        sys.exit(f"no HTML corpus at {root} — pass its path as the first argument")
    have_trafilatura = html.have_trafilatura()
    modes = [("trafilatura", True)] if have_trafilatura else []
    modes.append(("fallback", False))
    if not have_trafilatura:
        print("trafilatura is not importable; measuring the fallback only")
    print(f"{'extractor':<12} {'page':<26} {'P':>5} {'R':>5} {'F1':>5} {'ratio':>5}")
    for name, use in modes:
        rows = []
        for page, expected in PAGES.items():
            article = html.extract((root / page).read_bytes(), page, use_trafilatura=use)
            got = article.body if article else ""
            want = (root / "expected_text" / expected).read_text(encoding="utf-8")
            row = scores(got, want)
            rows.append(row)
            print(f"{name:<12} {page:<26} " + " ".join(f"{v:5.2f}" for v in row))
        mean = [sum(col) / len(col) for col in zip(*rows)]
        print(f"{name:<12} {'MEAN':<26} " + " ".join(f"{v:5.2f}" for v in mean))


if __name__ == "__main__":
    main()
