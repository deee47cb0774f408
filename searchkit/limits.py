"""Bounds on what one file or article may cost the indexer.

A 50 MB single-line "article" is almost always a mistake (a log, a dump, a
file without line breaks); indexing all of it would make the run and every
later highlight slow. Its beginning is indexed and stored, with a warning.
"""

from __future__ import annotations

import dataclasses

from searchkit.models import Article

MAX_FILE_BYTES = 512 * 1024 * 1024  # larger files are skipped unread
MAX_BODY_CHARS = 1_000_000  # about 150,000 words: a long book chapter
MAX_HEADLINE_CHARS = 500
MAX_META_CHARS = 1_000  # author, dateline, source, url, standfirst
# When a file has no line breaks its whole text is the "headline": keep a
# short headline and index the text as the body.
SHORT_HEADLINE_CHARS = 120


def cut(text: str, limit: int) -> str:
    """`text` shortened to at most `limit` characters, at a space if one is near."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", max(0, limit - 200), limit)
    return text[: space if space > 0 else limit]


def bound_article(article: Article) -> tuple[Article, str | None]:
    """The article with oversized fields cut, and a warning if any was."""
    headline, body = article.headline, article.body
    notes = []
    if len(headline) > MAX_HEADLINE_CHARS:
        if not body.strip():
            body = headline
            headline = cut(headline, SHORT_HEADLINE_CHARS) + "…"
        else:
            headline = cut(headline, MAX_HEADLINE_CHARS) + "…"
        notes.append(f"headline of {len(article.headline):,} characters shortened")
    if len(body) > MAX_BODY_CHARS:
        notes.append(f"text is {len(body):,} characters; only the first {MAX_BODY_CHARS:,} are indexed")
        body = cut(body, MAX_BODY_CHARS)
    def meta(name: str, value: str | None) -> str | None:
        if value is not None and len(value) > MAX_META_CHARS:
            notes.append(f"{name} of {len(value):,} characters shortened")
            return cut(value, MAX_META_CHARS)
        return value

    author, dateline = meta("author", article.author), meta("dateline", article.dateline)
    source, url = meta("source", article.source), meta("url", article.url)
    standfirst = meta("standfirst", article.standfirst)
    if not notes:
        return article, None
    bounded = dataclasses.replace(
        article, headline=headline, body=body, author=author, dateline=dateline,
        source=source, url=url, standfirst=standfirst,
    )
    return bounded, "; ".join(notes)
