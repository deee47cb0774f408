"""Markdown articles (`.md`, `.markdown`) with optional front matter.

Front matter is the `---` block at the top (`+++` TOML-style is read too).
Only the flat subset that article front matter uses is understood —
`key: value`, quoted strings, `key: [a, b]` and `- item` lists — so no YAML
library is needed; nested mappings are ignored rather than misread.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from searchkit.errors import ParseError
from searchkit.formats.meta import (
    decode,
    find_dateline,
    first_line,
    join_authors,
    looks_binary,
    parse_date,
    split_byline,
    strip_boilerplate,
    strip_control,
)
from searchkit.models import Article

FrontMatter = dict[str, "str | list[str]"]

_FENCE = {"---": re.compile(r"^(?:---|\.\.\.)\s*$"), "+++": re.compile(r"^\+\+\+\s*$")}
_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*[:=]\s*(.*)$")
_AUTHOR_LINE = re.compile(r"^(?:\*\*|__|\*|_)?(?:by|author:)\s+(.{1,80}?)(?:\*\*|__|\*|_)?$", re.IGNORECASE)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return re.sub(r"\s+#.*$", "", value)  # a trailing YAML comment


def _inline_list(value: str) -> list[str]:
    inner = value.strip()[1:-1]
    items = re.findall(r"""\s*('[^']*'|"[^"]*"|[^,]+)""", inner)
    return [_unquote(v) for v in items if v.strip()]


def front_matter(text: str) -> tuple[FrontMatter, str]:
    """(front matter keys lower-cased, the rest of the text)."""
    lines = text.split("\n")
    fence = lines[0].strip() if lines else ""
    if fence not in _FENCE:
        return {}, text
    end = next((i for i in range(1, len(lines)) if _FENCE[fence].match(lines[i])), None)
    if end is None:
        return {}, text  # an opening rule with no close: a horizontal rule, not front matter
    meta: FrontMatter = {}
    key: str | None = None
    for line in lines[1:end]:
        item = re.match(r"^\s+-\s+(.*)$|^-\s+(.*)$", line)
        if item and key is not None:
            value = meta.get(key)
            values = value if isinstance(value, list) else []
            values.append(_unquote(item.group(1) or item.group(2)))
            meta[key] = values
            continue
        match = _KEY.match(line)
        if not match:
            continue  # nested mappings, block scalars' lines, comments
        key = match.group(1).lower()
        raw = match.group(2).strip()
        if raw.startswith("[") and raw.endswith("]"):
            meta[key] = _inline_list(raw)
        elif raw in ("", "|", ">", "|-", ">-"):
            meta[key] = []
        else:
            meta[key] = _unquote(raw)
    return meta, "\n".join(lines[end + 1 :])


def _get(meta: FrontMatter, *keys: str) -> str | None:
    for key in keys:
        value = meta.get(key)
        if isinstance(value, list):
            value = join_authors(value) if value else None
        if value:
            return value
    return None


# Inline patterns are bounded ({1,300}) so that a line full of unmatched `[`
# or `*` stays linear, and very long lines (minified junk) are left as they are.
_MAX_INLINE = 20_000
_INLINE = [
    (re.compile(r"!\[([^\]\n]{0,300})\]\([^)\n]{0,500}\)"), r"\1"),  # images → alt text
    (re.compile(r"\[([^\]\n]{1,300})\]\([^)\n]{0,500}\)"), r"\1"),  # links → text
    (re.compile(r"\[([^\]\n]{1,300})\]\[[^\]\n]{0,100}\]"), r"\1"),  # reference links
    (re.compile(r"<[^<>\n]{1,300}>"), ""),  # inline HTML
    (re.compile(r"(\*\*|__)(?=\S)(.{1,300}?)(?<=\S)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?=\S)(.{1,300}?)(?<=\S)\*(?!\w)"), r"\1"),  # *em*
    (re.compile(r"(?<!\w)_(?=\S)(.{1,300}?)(?<=\S)_(?!\w)"), r"\1"),  # _em_, not snake_case
    (re.compile(r"`([^`\n]{1,300})`"), r"\1"),  # code
]


def _inline(line: str) -> str:
    for pattern, replacement in _INLINE:
        line = pattern.sub(replacement, line)
    return line


def plain(markdown: str) -> str:
    """Markdown reduced to readable text: markup dropped, words and code kept."""
    out: list[str] = []
    in_code = False
    for line in markdown.split("\n"):
        if re.match(r"^\s*(```|~~~)", line):
            in_code = not in_code
            out.append("")
            continue
        if in_code:
            out.append(line)
            continue
        if re.match(r"^\s*\[[^\]]+\]:\s*\S+", line):  # a reference link definition
            continue
        if len(line) < 200 and re.match(r"^\s*([-*_])(\s*\1){2,}\s*$", line):  # a rule
            out.append("")
            continue
        heading = re.match(r"^\s{0,3}#{1,6}\s+", line)
        if heading:  # ATX heading: drop the hashes at both ends
            line = line[heading.end() :].rstrip().rstrip("#").rstrip()
        line = re.sub(r"^\s*>\s?", "", line)  # block quotes
        bullet = re.match(r"^\s*(?:[-*+]|\d+[.)])\s+", line)
        if bullet:  # each list item its own paragraph; numbers kept, bullets dropped
            out.append("")
            line = line[bullet.end() :] if line.lstrip()[0] in "-*+" else line.strip()
        if len(line) <= _MAX_INLINE:
            line = _inline(line)
        out.append(line)
    return "\n".join(out)


def _paragraphs(text: str) -> list[str]:
    chunks = re.split(r"\n\s*\n", text)
    return [" ".join(c.split()) if "\n " not in c else c.strip("\n") for c in chunks if c.strip()]


def parse(data: bytes, relpath: str) -> Iterator[Article]:
    """A Markdown file holds one article.

    Headline: front matter `title`, else the first `# ` heading (removed from
    the body), else the first line. Author, date, source, url, tags come from
    front matter (`author`/`authors`/`byline`, `date`/`published`,
    `tags`/`categories`), else a `By …` line and a dateline in the text.
    """
    if looks_binary(data):
        raise ParseError("binary data, not Markdown text")
    text = strip_control(decode(data))
    if not text.strip():
        return
    meta, rest = front_matter(text)
    headline = _get(meta, "title", "headline")
    if not headline:
        heading = re.search(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", rest, re.MULTILINE)
        if heading:
            headline = heading.group(1)
            rest = rest[: heading.start()] + rest[heading.end() :]
    elif re.match(rf"^\s*#\s+{re.escape(headline)}\s*#*\s*$", rest.lstrip("\n").split("\n", 1)[0]):
        rest = rest.lstrip("\n").split("\n", 1)[1] if "\n" in rest.lstrip("\n") else ""

    byline = _get(meta, "author", "authors", "byline")
    body: list[str] = []
    for paragraph in _paragraphs(plain(rest)):
        line = _AUTHOR_LINE.match(paragraph)
        if line and len(body) < 3:  # a byline sits near the top
            byline = byline or line.group(1)
            continue
        body.append(paragraph)
    body = strip_boilerplate(body)
    headline = " ".join(plain(headline or "").split()) or first_line("\n".join(body))
    if not headline and not body:
        return
    author, credit = split_byline(byline)
    dateline = _get(meta, "dateline")
    wire = None
    for paragraph in body[:2]:
        found = find_dateline(paragraph)
        if found:
            dateline, wire = dateline or found[0], found[1]
            break
    tags: list[str] = []
    for key in ("tags", "categories", "category", "keywords"):
        value = meta.get(key)
        values = value if isinstance(value, list) else (value or "").split(",")
        for tag in (t.strip() for t in values):
            if tag and tag not in tags:
                tags.append(tag)
    yield Article(
        id=relpath,
        path=relpath,
        headline=headline or relpath,
        body="\n\n".join(body),
        author=author,
        date=parse_date(_get(meta, "date", "published", "pubdate", "publishdate")),
        dateline=dateline,
        source=_get(meta, "source", "publisher") or credit or wire,
        url=_get(meta, "url", "link", "canonical"),
        standfirst=_get(meta, "standfirst", "description", "summary", "subtitle"),
        tags=tuple(tags),
        format="markdown",
    )
