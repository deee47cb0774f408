"""Result text without rich: the words render.py styles, and plain output.

Where rich would not style a stream (output piped or redirected, the usual
case for `search … | head`, scripts and benchmarks), `search` writes through
`Console` here and never imports rich: that import is ~20 ms of a fresh
`search` process. What is written is what rich writes there, character for
character (tests/test_plain.py compares the two). Where rich would style,
or might (FORCE_COLOR, TTY_COMPATIBLE, Jupyter), render.py and rich do it.

Stdlib only; no styles, no markup.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from searchkit.models import Explanation, Hit, IndexReport, SearchResult, Skipped

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


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def meta_text(hit: Any) -> str:
    """Date · author · dateline · source · id of a hit: the id is what
    `searchkit show` and `similar` take, and for a file of many articles (a
    feed, `reut2-000.sgm#17`) more than its path."""
    parts = [_date(hit.date), hit.author, hit.dateline, hit.source, hit.id]
    return " · ".join(safe(p) for p in parts if p)


# Copies named on a hit's "+N similar" line; --json lists them all.
LISTED_COPIES = 3


def duplicates_text(ids: tuple[str, ...]) -> str:
    shown = ", ".join(safe(i) for i in ids[:LISTED_COPIES])
    more = ", …" if len(ids) > LISTED_COPIES else ""
    return f"+{len(ids)} similar: {shown}{more}"


def explain_rows(explain: Explanation) -> list[str]:
    """A small table, header first: each term's tf, idf and share of the score, largest first."""
    rows = [("term", "field", "tf", "idf", "score")]
    rows += [(t.term, t.field, f"{t.tf:g}", f"{t.idf:.2f}", f"{t.score:.3f}") for t in explain.terms]
    if explain.other:
        rows.append(("(proximity, phrases, wildcards)", "", "", "", f"{explain.other:.3f}"))
    rows.append(("total", "", "", "", f"{explain.score:.3f}"))
    return _columns(rows, left=2)


def _columns(rows: Sequence[Sequence[str]], left: int) -> list[str]:
    """Rows as aligned text, two spaces apart: the first `left` columns to
    the left, the rest (numbers) to the right; made inert for a terminal."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [safe("  ".join(f"{cell:<{w}}" if i < left else f"{cell:>{w}}"
                           for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
            for row in rows]


def hit_lines(hit: Hit) -> list[str]:
    """A hit as the terminal shows it, unstyled, ending with a blank line."""
    lines = [f"{hit.rank:>2}. {safe(hit.headline)}", f"    {meta_text(hit)}"]
    if hit.duplicates:
        lines.append(f"    {duplicates_text(hit.duplicates)}")
    lines += [f"    {safe(snippet.text)}" for snippet in hit.snippets]
    if hit.explain is not None:
        lines += [f"    {row}" for row in explain_rows(hit.explain)]
    lines.append("")
    return lines


def spelling_texts(result: SearchResult) -> list[str]:
    """What the search did about spelling, for stderr."""
    lines = []
    if result.searched_suggestion and result.suggestion is not None:
        lines.append(safe(f"No articles match {result.query!r}; showing articles for "
                          f"{result.suggestion!r} instead."))
    elif result.suggestion is not None:
        lines.append(safe(f"Did you mean: {result.suggestion}?"))
    if result.variants:
        spellings = " or ".join(safe(v) for v in result.variants)
        lines.append(f"Also showing, after the matches, articles that spell it {spellings}.")
    return lines


def summary_line(result: SearchResult) -> str:
    shown = len(result.hits)
    if not shown and result.page > 1 and result.total:
        return f"No hits on page {result.page}: {result.total:,} articles match {result.query!r}."
    if not shown:
        return f"No articles match {result.query!r}."
    # A query with syntax (phrases, wildcards…) on a large index is counted
    # by whoosh's estimate beyond the page.
    total = f"{result.total:,}" if result.total_exact else f"about {result.total:,}"
    if result.page > 1:
        first = result.hits[0].rank
        return f"Hits {first:,}–{first + shown - 1:,} of {total} matching articles shown."
    return f"{shown} of {total} matching articles shown."


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _data(value: Any) -> Any:
    """A record (models.py's named tuples, records.py's dataclasses) as
    dicts and lists all the way down, fields in their order."""
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {name: _data(v) for name, v in zip(value._fields, value)}
    if hasattr(type(value), "__dataclass_fields__"):
        from dataclasses import fields  # loaded already: `value` is a dataclass

        return {f.name: _data(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_data(v) for v in value]
    if isinstance(value, dict):
        return {k: _data(v) for k, v in value.items()}
    return value


def to_json(value: Any) -> str:
    """The records the terminal shows (one, or a list), as JSON; datetimes as ISO 8601."""
    return json.dumps(_data(value), default=_json_default, ensure_ascii=True, indent=2)


def to_json_line(value: Any) -> str:
    """One record as one line of JSON (for --jsonl)."""
    return json.dumps(_data(value), default=_json_default, ensure_ascii=True)


# --- What `searchkit index` reports ------------------------------------


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


def index_report_texts(report: IndexReport, *, prefix: str = "", table: bool = True) -> list[tuple[str, bool]]:
    """The end of `searchkit index`: warnings, the counts line, then what was
    read (articles per format, without date, without author) and what was skipped.

    `searchkit watch` prefixes the counts line with the time and leaves the table out.
    Each line is (text, whether it is the table's header: metadata).
    """
    lines = _listed(report.skipped, "skipped ") + _listed(report.warnings, "")
    lines.append((prefix + report_line(report), False))
    if table:
        lines += _read_table(report)
    lines += _grouped(report.skipped, "skipped", "file or folder", "files or folders")
    lines += _grouped(report.warnings, "indexed in part", "article", "articles")
    return lines


def _listed(items: list[Skipped], verb: str) -> list[tuple[str, bool]]:
    if len(items) > MAX_LISTED:
        return []
    return [(f"warning: {verb}{safe(item.path)}: {safe(item.reason)}", False) for item in items]


def _read_table(report: IndexReport) -> list[tuple[str, bool]]:
    total = sum(report.per_format.values())
    if not total:
        return []
    files = "file" if report.files_read == 1 else "files"
    where = "" if report.rebuilt else " this run (new and changed files only)"
    lines = [(f"Read{where}: {total:,} {'article' if total == 1 else 'articles'} "
              f"from {report.files_read:,} {files}", False)]
    rows = [("format", "articles", "no date", "no author")]
    for fmt, n in sorted(report.per_format.items(), key=lambda kv: (-kv[1], kv[0])):
        rows.append((fmt, f"{n:,}", f"{report.undated.get(fmt, 0):,}", f"{report.no_author.get(fmt, 0):,}"))
    if len(report.per_format) > 1:
        rows.append(("all", f"{total:,}", f"{sum(report.undated.values()):,}",
                     f"{sum(report.no_author.values()):,}"))
    lines += [("  " + text, n == 0) for n, text in enumerate(_columns(rows, left=1))]
    return lines


def _grouped(items: list[Skipped], verb: str, one: str, many: str) -> list[tuple[str, bool]]:
    """Counts by reason; examples too when there were too many to list above."""
    if not items:
        return []
    by_reason: dict[str, list[str]] = {}
    for item in items:
        by_reason.setdefault(item.reason, []).append(item.path)
    listed = len(items) <= MAX_LISTED
    head = f"{verb.capitalize()}: {len(items):,} {one if len(items) == 1 else many}"
    lines = [(head + (" (listed above)" if listed else ", by reason:"), False)]
    if listed:
        return lines
    groups = sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for reason, paths in groups[:MAX_REASONS]:
        examples = ", ".join(safe(p) for p in paths[:EXAMPLES]) + (", …" if len(paths) > EXAMPLES else "")
        lines.append((f"  {len(paths):,} × {safe(reason)}: {examples}", False))
    rest = groups[MAX_REASONS:]
    if rest:
        n = sum(len(paths) for _, paths in rest)
        lines.append((f"  {n:,} × {len(rest):,} other reasons", False))
    return lines


# --- Writing where rich would not style ----------------------------------


def unstyled(file: IO[str]) -> bool:
    """Whether rich's Console would treat `file` as no terminal (rich's
    `Console.is_terminal`, same environment variables, same order): then
    it writes the bare text, as `Console` here does. False when in doubt."""
    if getattr(sys.stdin, "__module__", "").startswith("idlelib"):
        return True  # rich: Idle claims to be a tty but is not one
    if "get_ipython" in vars(builtins):
        return False  # maybe Jupyter, which rich renders its own way
    tty_compatible = os.environ.get("TTY_COMPATIBLE", "")
    if tty_compatible in ("0", "1"):
        return tty_compatible == "0"
    force_color = os.environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color == ""
    isatty = getattr(file, "isatty", None)
    try:
        return isatty is None or not isatty()
    except ValueError:  # closed
        return True


# rich's Text drops these control codes (rich.control.strip_control_codes).
_STRIPPED = {7: None, 8: None, 11: None, 12: None, 13: None}
TAB_SIZE = 8


def _expand_tabs(line: str) -> str:
    """As rich's Text.expand_tabs: tab stops every 8 cells of the line."""
    if line.isascii():
        return line.expandtabs(TAB_SIZE)
    from rich.cells import cell_len  # wide characters: rich's own widths

    out, position = [], 0
    for part in line.split("\t")[:-1]:
        position += cell_len(part) + 1
        out.append(part + " " * (1 + (-position) % TAB_SIZE))
        position += (-position) % TAB_SIZE
    out.append(line.rsplit("\t", 1)[-1])
    return "".join(out)


class Console:
    """Writes text to stdout (or stderr) as rich does to a non-terminal with
    soft wrapping: no styles, no wrapping, tabs expanded, one line per print."""

    is_terminal = False

    def __init__(self, stderr: bool = False) -> None:
        self.stderr = stderr

    @property
    def file(self) -> IO[str]:
        return sys.stderr if self.stderr else sys.stdout

    def print(self, text: str, soft_wrap: bool | None = None) -> None:
        """Like rich's `Console.print` of one str (soft wrapping is all there is here)."""
        text = text.translate(_STRIPPED)
        if "\t" in text:
            text = "\n".join(_expand_tabs(line) for line in text.split("\n"))
        file = self.file
        file.write(text + "\n")
        file.flush()

    def print_hits(self, result: SearchResult) -> None:
        for hit in result.hits:
            self.print("\n".join(hit_lines(hit)))
