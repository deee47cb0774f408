"""Hits, articles and reports → rich renderables or JSON.

The only module that styles text. Article text never passes through rich
markup: it is built as `Text` and styled by character spans, after control
characters have been made visible (same length, so spans stay valid).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group
from rich.text import Text as Text

from searchkit.models import (
    Article,
    Explanation,
    Facet,
    Hit,
    IndexReport,
    IndexStats,
    SearchResult,
    Timeline,
)

# The words are plain.py's (shared with the rich-free output); styles are here.
from searchkit.plain import _date, duplicates_text, explain_rows, index_report_texts, meta_text
from searchkit.plain import safe as safe
from searchkit.plain import to_json as to_json

MATCH_STYLE = "bold yellow"
HEADLINE_STYLE = "bold"
META_STYLE = "dim"


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


def meta_line(hit: Hit) -> Text:
    return Text(meta_text(hit), style=META_STYLE)


def hit_renderable(hit: Hit) -> Group:
    title = Text(f"{hit.rank:>2}. ", style=HEADLINE_STYLE)
    title.append_text(styled(hit.headline, hit.headline_spans, HEADLINE_STYLE))
    lines: list[Text] = [title, Text("    ").append_text(meta_line(hit))]
    if hit.duplicates:
        lines.append(Text("    ").append_text(duplicates_line(hit.duplicates)))
    for snippet in hit.snippets:
        lines.append(Text("    ").append_text(styled(snippet.text, snippet.spans)))
    if hit.explain is not None:
        lines += [Text("    ").append_text(line) for line in explain_lines(hit.explain)]
    lines.append(Text(""))
    return Group(*lines)


def duplicates_line(ids: tuple[str, ...]) -> Text:
    return Text(duplicates_text(ids), style=META_STYLE)


def explain_lines(explain: Explanation) -> list[Text]:
    """A small table: each term's tf, idf and share of the score, largest first."""
    return [Text(row, style=META_STYLE if n == 0 else "") for n, row in enumerate(explain_rows(explain))]


def print_hits(console: Console, result: SearchResult) -> None:
    for hit in result.hits:
        console.print(hit_renderable(hit))


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


def index_report_lines(report: IndexReport, *, prefix: str = "", table: bool = True) -> list[Text]:
    """plain.index_report_texts as rich Text, the table's header dimmed."""
    return [Text(text, style=META_STYLE if meta else "")
            for text, meta in index_report_texts(report, prefix=prefix, table=table)]


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
        ("Semantic ranking", f"{stats.semantic_articles:,} of {stats.articles:,} articles encoded, "
                             f"with {stats.semantic_model}" if stats.semantic_model else "off"),
    ]
    rows += [(f"  {fmt}", f"{n:,}") for fmt, n in sorted(stats.per_format.items())]
    width = max(len(label) for label, _ in rows)
    return Group(*(Text(f"{label:<{width}}  ", style=META_STYLE).append(safe(value)) for label, value in rows))


# --- Facets and timeline ----------------------------------------------------

FACET_VALUE_WIDTH = 40
BAR_STYLE = "cyan"
BAR = "█"
PEAK_MARK = "← peak"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def facets_renderable(facets: Iterable[Facet]) -> Group:
    """Per facet a heading and `value  count` rows, then other and missing."""
    lines: list[Text] = []
    for facet in facets:
        lines.append(Text(f"By {facet.name}", style=HEADLINE_STYLE))
        rows = [(safe(_clip(c.value, FACET_VALUE_WIDTH)), c.count, "") for c in facet.counts]
        if facet.other:
            rows.append(("(other)", facet.other, META_STYLE))
        if facet.missing:
            rows.append((f"(no {facet.name})", facet.missing, META_STYLE))
        if not rows:
            lines.append(Text("  (no matches)", style=META_STYLE))
        width = max((len(value) for value, _, _ in rows), default=0)
        digits = max((len(f"{n:,}") for _, n, _ in rows), default=0)
        for value, n, style in rows:
            lines.append(Text(f"  {value:<{width}}  {n:>{digits},}", style=style))
        lines.append(Text(""))
    return Group(*lines)


def timeline_renderable(timeline: Timeline, width: int = 80) -> Group:
    """A horizontal bar per day/month/year, scaled to the peak, which is labelled."""
    title = Text(f"Matching articles per {timeline.unit}", style=HEADLINE_STYLE)
    if timeline.undated:
        title.append(f" ({timeline.undated:,} undated not shown)", style=META_STYLE)
    lines = [title]
    if not timeline.buckets:
        lines.append(Text("  (no dated matches)", style=META_STYLE))
        return Group(*lines)
    peak = max(b.count for b in timeline.buckets)
    label_width = max(len(b.label) for b in timeline.buckets)
    digits = len(f"{peak:,}")
    room = max(10, width - label_width - digits - len(PEAK_MARK) - 6)
    peak_shown = False
    for bucket in timeline.buckets:
        line = Text(f"{bucket.label:<{label_width}} ")
        size = round(bucket.count / peak * room) if peak else 0
        bar = BAR * size if size else ("▏" if bucket.count else "")
        line.append(bar, style=BAR_STYLE)
        line.append(f" {bucket.count:,}", style="" if bucket.count else META_STYLE)
        if bucket.count == peak and not peak_shown:
            line.append(f"  {PEAK_MARK}", style=HEADLINE_STYLE)
            peak_shown = True
        lines.append(line)
    return Group(*lines)
