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
    Skipped,
    Timeline,
)

# The words are plain.py's (shared with the rich-free output); styles are here.
from searchkit.plain import _date, duplicates_text, explain_rows, meta_text
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


def meta_line(hit: Hit | Article) -> Text:
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


def report_line(report: IndexReport) -> str:
    if report.rebuilt:
        noun = "article" if report.added == 1 else "articles"
        return f"{report.added:,} {noun} indexed in {report.seconds:.1f} s"
    return (
        f"{report.added:,} added, {report.updated:,} updated, {report.removed:,} removed, "
        f"{report.unchanged:,} unchanged in {report.seconds:.1f} s"
    )


# Up to this many skipped paths (or partly indexed articles) get a warning
# line each; beyond it they are summarised by reason, with a few examples.
MAX_LISTED = 20
MAX_REASONS = 8
EXAMPLES = 3


def index_report_lines(report: IndexReport, *, prefix: str = "", table: bool = True) -> list[Text]:
    """The end of `searchkit index`: warnings, the counts line, then what was
    read (articles per format, without date, without author) and what was skipped.

    `searchkit watch` prefixes the counts line with the time and leaves the table out.
    """
    lines = _listed(report.skipped, "skipped ") + _listed(report.warnings, "")
    lines.append(Text(prefix + report_line(report)))
    if table:
        lines += _read_table(report)
    lines += _grouped(report.skipped, "skipped", "file or folder", "files or folders")
    lines += _grouped(report.warnings, "indexed in part", "article", "articles")
    return lines


def _listed(items: list[Skipped], verb: str) -> list[Text]:
    if len(items) > MAX_LISTED:
        return []
    return [Text(f"warning: {verb}{safe(item.path)}: {safe(item.reason)}") for item in items]


def _read_table(report: IndexReport) -> list[Text]:
    total = sum(report.per_format.values())
    if not total:
        return []
    files = "file" if report.files_read == 1 else "files"
    where = "" if report.rebuilt else " this run (new and changed files only)"
    lines = [Text(f"Read{where}: {total:,} {'article' if total == 1 else 'articles'} "
                  f"from {report.files_read:,} {files}")]
    rows = [("format", "articles", "no date", "no author")]
    for fmt, n in sorted(report.per_format.items(), key=lambda kv: (-kv[1], kv[0])):
        rows.append((fmt, f"{n:,}", f"{report.undated.get(fmt, 0):,}", f"{report.no_author.get(fmt, 0):,}"))
    if len(report.per_format) > 1:
        rows.append(("all", f"{total:,}", f"{sum(report.undated.values()):,}",
                     f"{sum(report.no_author.values()):,}"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for n, row in enumerate(rows):
        cells = [f"{row[0]:<{widths[0]}}"] + [f"{cell:>{w}}" for cell, w in zip(row[1:], widths[1:])]
        lines.append(Text("  " + "  ".join(safe(c) for c in cells), style=META_STYLE if n == 0 else ""))
    return lines


def _grouped(items: list[Skipped], verb: str, one: str, many: str) -> list[Text]:
    """Counts by reason; examples too when there were too many to list above."""
    if not items:
        return []
    by_reason: dict[str, list[str]] = {}
    for item in items:
        by_reason.setdefault(item.reason, []).append(item.path)
    listed = len(items) <= MAX_LISTED
    head = f"{verb.capitalize()}: {len(items):,} {one if len(items) == 1 else many}"
    lines = [Text(head + (" (listed above)" if listed else ", by reason:"))]
    if listed:
        return lines
    groups = sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for reason, paths in groups[:MAX_REASONS]:
        examples = ", ".join(safe(p) for p in paths[:EXAMPLES]) + (", …" if len(paths) > EXAMPLES else "")
        lines.append(Text(f"  {len(paths):,} × {safe(reason)}: {examples}"))
    rest = groups[MAX_REASONS:]
    if rest:
        n = sum(len(paths) for _, paths in rest)
        lines.append(Text(f"  {n:,} × {len(rest):,} other reasons"))
    return lines


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
