"""Find the passages of a text that match a query: Snippet(text, spans).

Returns data only (character offsets); styling is render.py's job.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection

from whoosh.analysis import Analyzer

from searchkit.models import Snippet

# Highlighting analyses text at query time; a huge single-line article must
# not make a search slow, so only its beginning is looked at.
MAX_ANALYZED_CHARS = 200_000
ELLIPSIS = "…"


def match_spans(text: str, terms: Collection[str], analyzer: Analyzer) -> list[tuple[int, int]]:
    """Character ranges in `text` whose analysed token is one of `terms`.

    `terms` are analysed forms (stems), so `elections` in the text matches
    the query word `election`.
    """
    if not terms or not text:
        return []
    spans = []
    for token in analyzer(text[:MAX_ANALYZED_CHARS], chars=True, mode="index"):
        if token.text in terms:
            spans.append((token.startchar, token.endchar))
    return spans


def whole_text(text: str, terms: Collection[str], analyzer: Analyzer) -> Snippet:
    """The whole text with its matches marked (headlines, `show --highlight`)."""
    return Snippet(text, tuple(match_spans(text, terms, analyzer)))


def best_passages(
    text: str,
    terms: Collection[str],
    analyzer: Analyzer,
    *,
    count: int = 3,
    width: int = 240,
) -> list[Snippet]:
    """Up to `count` passages of about `width` characters, best first by the
    number of distinct query words they hold, returned in document order.

    With no match at all, the opening of the text is returned so a hit still
    shows what it is about.
    """
    spans = match_spans(text, terms, analyzer)
    if not spans:
        start, end = 0, _word_end(text, min(len(text), width))
        return [_cut(text, start, end, [])] if text.strip() else []

    # Spans are sorted and do not overlap, so the ones inside a window are a
    # slice: found by bisection, linear overall even for 100,000 matches.
    starts = [a for a, _ in spans]
    ends = [b for _, b in spans]
    windows = []
    for start, _end in spans:
        w_start = _word_start(text, max(0, start - width // 3))
        w_end = _word_end(text, min(len(text), w_start + width))
        inside = spans[bisect_left(starts, w_start) : bisect_right(ends, w_end)]
        distinct = len({text[a:b].lower() for a, b in inside})
        windows.append((distinct, len(inside), -start, w_start, w_end, inside))
    windows.sort(reverse=True)

    chosen: list[tuple[int, int, list[tuple[int, int]]]] = []
    for _d, _n, _s, w_start, w_end, inside in windows:
        if all(w_end <= c_start or w_start >= c_end for c_start, c_end, _ in chosen):
            chosen.append((w_start, w_end, inside))
            if len(chosen) == count:
                break
    chosen.sort()
    return [_cut(text, a, b, inside) for a, b, inside in chosen]


def _cut(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    """The passage text[start:end] on one line, with ellipses where it was cut."""
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    # Same-length whitespace folding keeps the span offsets valid.
    passage = re.sub(r"\s", " ", text[start:end])
    shift = len(prefix) - start
    inside = sorted({(a + shift, b + shift) for a, b in spans if a >= start and b <= end})
    return Snippet(prefix + passage + suffix, tuple(inside))


def _word_start(text: str, pos: int) -> int:
    """Move `pos` forward to the start of a word (never splits a word)."""
    if pos == 0:
        return 0
    match = re.compile(r"\s").search(text, pos, min(len(text), pos + 40))
    return match.end() if match else pos


def _word_end(text: str, pos: int) -> int:
    """Move `pos` back to the end of a word."""
    if pos >= len(text):
        return len(text)
    cut = text.rfind(" ", max(0, pos - 40), pos)
    return cut if cut > 0 else pos
