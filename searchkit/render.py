"""Hits, articles and reports → rich renderables or JSON.

The only module that styles text. Article text never passes through rich
markup: it is built as `Text` and styled by character spans, after control
characters have been made visible (same length, so spans stay valid).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from rich.console import Console, Group
from rich.text import Text as Text

from searchkit.models import Article, Hit, IndexReport, IndexStats, SearchResult

MATCH_STYLE = "bold yellow"
HEADLINE_STYLE = "bold"
META_STYLE = "dim"

# C0 controls (but tab and newline), DEL, C1 controls, and the bidi/format
# characters that can reorder or hide text in a terminal.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def _visible(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␍ for CR, ␈ for backspace…
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def safe(text: str) -> str:
    """Text made inert for a terminal, one character for one character."""
    return _UNSAFE.sub(lambda m: _visible(m.group()), text)


def styled(text: str, spans: Iterable[tuple[int, int]], style: str = "", match: str = MATCH_STYLE) -> Text:
    out = Text(safe(text), style=style)
    for start, end in spans:
        out.stylize(match, start, end)
    return out


def make_console(stderr: bool = False) -> Console:
    console = Console(stderr=stderr, highlight=False, markup=False, emoji=False)
    # Piped output is for other programs: no wrapping at an imaginary 80 columns.
    console.soft_wrap = not console.is_terminal
    return console


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def meta_line(hit: Hit | Article) -> Text:
    parts = [_date(hit.date), hit.author, hit.dateline, hit.source, hit.path]
    return Text(" · ".join(safe(p) for p in parts if p), style=META_STYLE)


def hit_renderable(hit: Hit) -> Group:
    title = Text(f"{hit.rank:>2}. ", style=HEADLINE_STYLE)
    title.append_text(styled(hit.headline, hit.headline_spans, HEADLINE_STYLE))
    lines: list[Text] = [title, Text("    ").append_text(meta_line(hit))]
    for snippet in hit.snippets:
        lines.append(Text("    ").append_text(styled(snippet.text, snippet.spans)))
    lines.append(Text(""))
    return Group(*lines)


def print_hits(console: Console, result: SearchResult) -> None:
    for hit in result.hits:
        console.print(hit_renderable(hit))


def summary_line(result: SearchResult) -> str:
    shown = len(result.hits)
    if not shown:
        return f"No articles match {result.query!r}."
    return f"{shown} of {result.total:,} matching articles shown."


def article_renderable(article: Article, spans_by_paragraph: dict[int, tuple[tuple[int, int], ...]] | None = None,
                       headline_spans: tuple[tuple[int, int], ...] = ()) -> Group:
    lines: list[Text] = [styled(article.headline, headline_spans, HEADLINE_STYLE)]
    for label, value in (
        ("Author", article.author),
        ("Date", article.date.isoformat() if article.date else None),
        ("Dateline", article.dateline),
        ("Source", article.source),
        ("URL", article.url),
        ("Path", article.path),
    ):
        if value:
            lines.append(Text(f"{label}: ", style=META_STYLE).append(safe(value)))
    lines.append(Text(""))
    for n, paragraph in enumerate(article.body.split("\n\n")):
        spans = (spans_by_paragraph or {}).get(n, ())
        lines.append(styled(paragraph, spans))
        lines.append(Text(""))
    return Group(*lines)


def report_line(report: IndexReport) -> str:
    if report.rebuilt:
        noun = "article" if report.added == 1 else "articles"
        return f"{report.added:,} {noun} indexed in {report.seconds:.1f} s"
    return (
        f"{report.added:,} added, {report.updated:,} updated, {report.removed:,} removed, "
        f"{report.unchanged:,} unchanged in {report.seconds:.1f} s"
    )


def stats_renderable(stats: IndexStats) -> Group:
    span = (
        f"{_date(stats.first_date)} … {_date(stats.last_date)}" if stats.first_date else "no dates"
    )
    rows = [
        ("Index", stats.index),
        ("Corpus", stats.corpus or "unknown"),
        ("Articles", f"{stats.articles:,}"),
        ("Files", f"{stats.files:,}"),
        ("Authors", f"{stats.authors:,}"),
        ("Dates", span),
        ("Undated articles", f"{stats.undated:,}"),
        ("Index size", f"{stats.size_bytes / 1_048_576:,.1f} MB"),
    ]
    rows += [(f"  {fmt}", f"{n:,}") for fmt, n in sorted(stats.per_format.items())]
    width = max(len(label) for label, _ in rows)
    return Group(*(Text(f"{label:<{width}}  ", style=META_STYLE).append(safe(value)) for label, value in rows))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(value: Any) -> str:
    """`asdict` of the same dataclasses the terminal shows; datetimes as ISO 8601."""
    if isinstance(value, (list, tuple)):
        data: Any = [asdict(v) for v in value]
    else:
        data = asdict(value)
    return json.dumps(data, default=_json_default, ensure_ascii=True, indent=2)


