"""HTML article pages (`.html`, `.htm`): headline, author, date and main text.

Metadata comes from the page's own tags (`<meta>` author/date/title, Open
Graph, `parsely-page`, JSON-LD, `rel="author"`), read with the stdlib parser.
The body comes from trafilatura when it is installed (the optional `html`
extra); without it, or if it fails on a page, a stdlib fallback keeps the
`<p>` text of the element holding most of the page's paragraph text, outside
nav/header/footer/aside/forms and comment/share/related blocks. Run
`python bench/html_accuracy.py` to compare the two against reference text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from searchkit.errors import ParseError
from searchkit.formats.meta import (
    decode,
    first_line,
    looks_binary,
    paragraph_dateline,
    parse_date,
    split_byline,
    strip_boilerplate,
    strip_control,
)
from searchkit.models import Article

_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)
_SKIP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe", "button", "select", "option", "svg", "figure", "figcaption"]
)
_SKIP_ATTR = re.compile(
    r"comment|share|sharing|social|related|promo|newsletter|advert|\bads?\b|sidebar|"
    r"footer|\bnav|menu|breadcrumb|subscribe|popup|modal|caption|byline|author|"
    r"disqus|outbrain|taboola|recommend|trending|most-?popular",
    re.IGNORECASE,
)
_BLOCK = frozenset(
    ["p", "div", "section", "article", "main", "blockquote", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "td", "th", "pre", "dd", "dt", "dl", "br", "hr"]
)
_SPACE = re.compile(r"\s+")


class _Page(HTMLParser):
    """One pass over a page collecting metadata and candidate paragraphs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self.h1 = ""
        self.rel_author = ""
        self.json_ld: list[str] = []
        # (text, ancestor element numbers, inside <article>)
        self.paragraphs: list[tuple[str, tuple[int, ...], bool]] = []
        self._stack: list[tuple[str, int, bool]] = []  # (tag, element number, skip)
        self._open: dict[str, int] = {}  # open elements per tag, for stray end tags
        self._count = 0
        self._skip = 0
        self._capture: str | None = None  # what the current text belongs to
        self._buffer: list[str] = []
        self._in_ld = False
        self._in_article = 0

    # -- element bookkeeping -------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("name") or a.get("property") or a.get("itemprop") or "").lower()
            if key and a.get("content") and key not in self.meta:
                self.meta[key] = a["content"]
            return
        if tag == "script" and "ld+json" in a.get("type", "").lower():
            self._in_ld = True
        if tag in ("p", "h1", "title") or (
            tag in _BLOCK and tag != "br" and self._capture == "p"
        ):
            self._end_capture()
        rel = a.get("rel", "").lower()
        if tag == "a" and "author" in rel and not self.rel_author and not self._capture:
            self._start_capture("rel_author")
        if tag in _VOID:
            if tag == "br" and self._capture:
                self._buffer.append(" ")
            return
        marker = " ".join((a.get("class", ""), a.get("id", ""), a.get("role", "")))
        skip = tag in _SKIP_TAGS or bool(_SKIP_ATTR.search(marker))
        self._count += 1
        self._stack.append((tag, self._count, skip))
        self._open[tag] = self._open.get(tag, 0) + 1
        self._skip += skip
        self._in_article += tag == "article"
        if tag == "title" and not self.title:
            self._start_capture("title")
        elif tag == "h1" and not self.h1:
            self._start_capture("h1")
        elif tag == "p" and not self._skip:
            self._start_capture("p")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_ld = False
        if tag in ("p", "h1", "title") or (tag in _BLOCK and tag != "br") or tag == "a" and self._capture == "rel_author":
            self._end_capture()
        if not self._open.get(tag):
            return  # a stray end tag
        while self._stack:
            top, _, skip = self._stack.pop()
            self._open[top] -= 1
            self._skip -= skip
            self._in_article -= top == "article"
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld.append(data)
        elif self._capture:
            self._buffer.append(data)

    # -- text capture ----------------------------------------------------------
    def _start_capture(self, what: str) -> None:
        self._end_capture()
        self._capture = what
        self._buffer = []

    def _end_capture(self) -> None:
        what, self._capture = self._capture, None
        if not what:
            return
        text = _SPACE.sub(" ", "".join(self._buffer)).strip()
        self._buffer = []
        if not text:
            return
        if what == "p":
            ancestors = tuple(n for _, n, _ in self._stack)
            self.paragraphs.append((text, ancestors, self._in_article > 0))
        elif what == "rel_author":
            self.rel_author = text
        elif what == "title":
            self.title = text
        elif what == "h1":
            self.h1 = text


def _main_paragraphs(page: _Page) -> list[str]:
    """The paragraphs under the element that holds most paragraph text."""
    paragraphs = [p for p in page.paragraphs if len(p[0]) > 1]
    if any(in_article for _, _, in_article in paragraphs):
        paragraphs = [p for p in paragraphs if p[2]]
    scores: dict[int, float] = {}
    for text, ancestors, _ in paragraphs:
        weight = len(text)
        for depth, element in enumerate(reversed(ancestors[:-1] or ancestors)):
            scores[element] = scores.get(element, 0.0) + weight / (1 + depth)
            if depth >= 2:
                break
    if not scores:
        return []
    best = max(scores, key=lambda element: scores[element])
    return strip_boilerplate([t for t, ancestors, _ in paragraphs if best in ancestors])


def _ld_objects(page: _Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for raw in page.json_ld:
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        stack = [value]
        while stack and len(found) < 50:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                stack.extend(v for k, v in item.items() if k == "@graph")
    return found


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return " and ".join(names) if names else None
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _metadata(page: _Page) -> dict[str, str | None]:
    """headline/author/date/url/description/site from the page's own tags."""
    meta = page.meta
    parsely: dict[str, Any] = {}
    try:
        loaded = json.loads(meta.get("parsely-page", "{}"))
        parsely = loaded if isinstance(loaded, dict) else {}
    except (ValueError, RecursionError):
        pass
    ld = next(
        (o for o in _ld_objects(page) if "headline" in o or "datePublished" in o), {}
    )

    def pick(*values: Any) -> str | None:
        for value in values:
            if isinstance(value, str) and value.strip() and not value.startswith("http"):
                return value.strip()
        return None

    return {
        "headline": pick(
            meta.get("og:title"), ld.get("headline"), parsely.get("title"),
            meta.get("headline"), meta.get("twitter:title"), page.h1, page.title,
        ),
        "author": pick(
            parsely.get("author"), meta.get("author"), _name(ld.get("author")),
            meta.get("article:author"), meta.get("byl"), meta.get("dc.creator"),
            page.rel_author,
        ),
        "date": pick(
            meta.get("article:published_time"), ld.get("datePublished"),
            parsely.get("pub_date"), meta.get("pubdate"), meta.get("datepublished"),
            meta.get("date"), meta.get("dc.date"), meta.get("sailthru.date"),
            meta.get("revision_date"), meta.get("article:modified_time"),
        ),
        "url": meta.get("og:url") or parsely.get("link") or None,
        "description": pick(meta.get("og:description"), meta.get("description")),
        "site": pick(meta.get("og:site_name"), _name(ld.get("publisher"))),
    }


def have_trafilatura() -> bool:
    """Whether the optional extractor can be imported."""
    try:
        import trafilatura  # noqa: F401
    except Exception:  # noqa: BLE001 -- ImportError, or a broken lxml install
        return False
    return True


def trafilatura_text(text: str) -> tuple[str, dict[str, str | None]] | None:
    """Body text and metadata from trafilatura, or None if it is absent or fails."""
    if not have_trafilatura():
        return None
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            text, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception:  # noqa: BLE001 -- a third-party extractor; any failure means "use the fallback"
        return None
    if doc is None:
        return None
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = data.get("text") or ""
    meta = {k: data.get(k) for k in ("title", "author", "date", "url", "sitename")}
    return body, meta


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def extract(
    data: bytes, relpath: str, *, use_trafilatura: bool = True
) -> Article | None:
    """One HTML page as an Article, or None when it has neither headline nor text."""
    text = strip_control(decode(data))
    page = _Page()
    try:
        page.feed(text)
        page.close()
    except (AssertionError, ValueError) as exc:  # html.parser on pathological markup
        raise ParseError(f"unreadable HTML ({exc})") from exc
    meta = _metadata(page)
    extracted = trafilatura_text(text) if use_trafilatura else None
    if extracted is not None and extracted[0].strip():
        body_text, extra = extracted
        paragraphs = _paragraphs(body_text)
        for key, theirs in (("headline", "title"), ("author", "author"), ("date", "date"),
                            ("url", "url")):
            meta[key] = meta[key] or extra.get(theirs)
        site_guess = extra.get("sitename")  # "Reuters_Co_Uk": the last resort only
    else:
        paragraphs = _main_paragraphs(page)
        site_guess = None
    headline = meta["headline"] or first_line("\n".join(paragraphs))
    if paragraphs and headline and paragraphs[0] == headline:
        paragraphs = paragraphs[1:]  # extractors often repeat the headline
    body = "\n\n".join(paragraphs)
    if not headline and not body:
        return None
    author, credit = split_byline(meta["author"])
    dateline, wire = paragraph_dateline(body)
    return Article(
        id=relpath,
        path=relpath,
        headline=headline or relpath,
        body=body,
        author=author,
        date=parse_date(meta["date"]),
        dateline=dateline,
        source=meta["site"] or credit or wire or site_guess,
        url=meta["url"],
        standfirst=meta["description"],
        format="html",
    )


def parse(data: bytes, relpath: str) -> Iterator[Article]:
    """An HTML file holds one article page."""
    if not data.strip():
        return
    if looks_binary(data):
        raise ParseError("binary data, not HTML")
    article = extract(data, relpath)
    if article is not None:
        yield article


def html_to_text(fragment: str) -> str:
    """An HTML fragment (a feed's description) as plain text, one paragraph per block."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    parts: list[str] = []

    class _Text(HTMLParser):
        skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style"):
                self.skip += 1
            elif tag in _BLOCK:
                parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style"):
                self.skip = max(0, self.skip - 1)
            elif tag in _BLOCK:
                parts.append("\n")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                parts.append(data)

    parser = _Text(convert_charrefs=True)
    try:
        parser.feed(fragment)
        parser.close()
    except (AssertionError, ValueError):
        return re.sub(r"<[^>]*>", " ", fragment).strip()
    return "\n\n".join(_paragraphs(strip_control("".join(parts))))
