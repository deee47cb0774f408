"""What the commands do once their options are parsed: consoles, error
messages and exit codes, and the whole `search` command.

No click here: a plain `search WORDS` is parsed by entry.py and run from
this module without importing click, while cli.py parses every other
command line and calls the same functions.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from searchkit import config, plain
from searchkit.errors import (
    ArticleNotFoundError,
    CorpusChangedError,
    CorpusMissingError,
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    IndexVersionError,
    IndexWriteError,
    QuerySyntaxError,
    SearchkitError,
)
from searchkit.status import ExitStatus

if TYPE_CHECKING:
    from rich.console import Console

    from searchkit.models import SearchResult

_EXIT_FOR: list[tuple[type[SearchkitError], ExitStatus]] = [
    (QuerySyntaxError, ExitStatus.USAGE),
    (ArticleNotFoundError, ExitStatus.NO_HITS),
    (IndexLockedError, ExitStatus.INDEX_LOCKED),
    (IndexWriteError, ExitStatus.WRITE_ERROR),
    (CorpusMissingError, ExitStatus.CORPUS_ERROR),
    (CorpusChangedError, ExitStatus.CORPUS_ERROR),
    (IndexMissingError, ExitStatus.INDEX_ERROR),
    (IndexCorruptError, ExitStatus.INDEX_ERROR),
    (IndexVersionError, ExitStatus.INDEX_ERROR),
]


def console(stderr: bool = False, *, plain_ok: bool = True) -> plain.Console | Console:
    """rich's console for the stream; plain.py's where rich would not style
    it (no rich import: ~20 ms of a fresh `search`)."""
    if plain_ok and plain.unstyled(sys.stderr if stderr else sys.stdout):
        return plain.Console(stderr)
    from searchkit import render

    return render.make_console(stderr)


def errors() -> plain.Console | Console:
    return console(stderr=True)


def say(out: plain.Console | Console, text: str, *, meta: bool = False,
        soft_wrap: bool | None = None) -> None:
    """One line of text (no markup), dimmed as metadata if `meta` where the console styles."""
    if isinstance(out, plain.Console):
        out.print(text)
    else:
        from searchkit import render

        out.print(render.Text(text, style=render.META_STYLE if meta else ""), soft_wrap=soft_wrap)


def report_error(exc: SearchkitError | KeyboardInterrupt) -> ExitStatus:
    """Say what went wrong in one line on stderr; the exit status for it."""
    if isinstance(exc, KeyboardInterrupt):
        say(errors(), "searchkit: interrupted")
        return ExitStatus.INTERRUPTED
    say(errors(), plain.safe(f"searchkit: {exc}"))
    return next((s for cls, s in _EXIT_FOR if isinstance(exc, cls)), ExitStatus.INDEX_ERROR)


def corpus_for(index: Path, corpus_dir: str | None) -> Path:
    from searchkit.manifest import read_meta

    _version, recorded = read_meta(index)
    return config.resolve_corpus(corpus_dir, recorded)


def index_with_progress(index: Path, corpus: Path, rebuild: bool = False,
                        wait: float | None = None) -> None:
    """Index with a progress bar on stderr; print the report and warnings there.
    Where stderr is no terminal there is no bar, and no rich: `searchkit
    index` with nothing changed on bench/speed.py's 100,000-article index,
    under callgrind, 3,056.0 M instructions with rich, 2,944.2 M without."""
    from searchkit.indexer import update_index
    from searchkit.locking import DEFAULT_TIMEOUT

    timeout = DEFAULT_TIMEOUT if wait is None else wait
    err = errors()

    def on_wait(pid: int | None) -> None:
        holder = f"pid {pid}" if pid else "another process"
        say(err, f"waiting for the index lock held by {holder}…")

    if isinstance(err, plain.Console):
        report = update_index(corpus, index, rebuild=rebuild, on_wait=on_wait, lock_timeout=timeout)
        for text, _meta in plain.index_report_texts(report):
            err.print(text)
        return
    from searchkit import render

    with progress_bar(err, "Reading articles") as progress:
        report = update_index(corpus, index, rebuild=rebuild, progress=progress, on_wait=on_wait,
                              lock_timeout=timeout)
    for line in render.index_report_lines(report):
        err.print(line)


@contextmanager
def progress_bar(err: Console, description: str) -> Iterator[Callable[[int, int], None]]:
    """A bar on stderr (none where it is no terminal), fed by progress(done, total)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=err, transient=True, disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def encode_with_progress(index: Path, wait: float | None = None) -> int:
    """Encode the passages of articles the index keeps no vectors for (where
    it keeps them: `searchkit index --semantic`), with a bar on stderr."""
    import time

    from searchkit import passages
    from searchkit.locking import DEFAULT_TIMEOUT

    if passages.PassageStore(index).model() is None:
        return 0
    err = errors()
    started = time.perf_counter()
    timeout = DEFAULT_TIMEOUT if wait is None else wait
    if isinstance(err, plain.Console):
        done = passages.update(index, timeout=timeout)
    else:
        with progress_bar(err, "Encoding passages") as progress:
            done = passages.update(index, progress, timeout=timeout)
    if done:
        say(err, f"passages of {done:,} article{'s' if done != 1 else ''} encoded for semantic ranking "
                 f"in {time.perf_counter() - started:.1f} s")
    return done


F = TypeVar("F", bound=Callable[..., Any])


def reporting_errors(on_error: Callable[[ExitStatus], Any]) -> Callable[[F], F]:
    """A decorator: domain errors and Ctrl-C inside the function are reported
    in one line, and it returns `on_error(exit status)` (which may raise:
    click's commands exit that way)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except (SearchkitError, KeyboardInterrupt) as exc:
                return on_error(report_error(exc))

        return wrapper  # type: ignore[return-value]

    return decorate


def _status(status: ExitStatus) -> ExitStatus:
    return status


@reporting_errors(_status)
def run_search(query: tuple[str, ...] = (), limit: int = 10, page: int = 1, sort: str = "relevance",
               since: str | None = None, until: str | None = None, authors: tuple[str, ...] = (),
               sources: tuple[str, ...] = (), datelines: tuple[str, ...] = (),
               facets: tuple[str, ...] = (), timeline: bool = False, count_only: bool = False,
               paths_only: bool = False, json_: bool = False, jsonl: bool = False,
               show_all: bool = False, like_id: str | None = None, explain: bool = False,
               no_semantic: bool = False, index_dir: str | None = None,
               corpus_dir: str | None = None) -> ExitStatus:
    """The `search` command from its options (cli.search_command's, which
    checks how they combine; the defaults are its defaults): search, print,
    and return the exit status."""
    from searchkit import dates
    from searchkit.engine import search, similar
    from searchkit.filters import filters_given
    from searchkit.models import SearchOptions
    from searchkit.query import EMPTY_QUERY

    options = SearchOptions(
        limit=limit, page=page, sort=sort,
        since=dates.since(since) if since is not None else None,
        until=dates.until(until) if until is not None else None,
        authors=authors, sources=sources, datelines=datelines,
        snippets=0 if (paths_only or count_only) else 3,
        facets=facets, timeline=timeline, count_only=count_only, collapse=not show_all,
        explain=explain, semantic=not no_semantic,
    )
    index = config.resolve_index(index_dir)
    if like_id is None and not "".join(query).strip() and not filters_given(options):
        # Said before the index is opened: not after building one on first use.
        raise QuerySyntaxError(EMPTY_QUERY)

    def run() -> SearchResult:
        if like_id is not None:
            return similar(index, like_id, options)
        return search(index, " ".join(query), options)

    try:
        result = run()
    except IndexMissingError:
        # First search in this folder: build the index, then answer. (Asked
        # this way round so a normal search never imports the indexer.)
        corpus = corpus_for(index, corpus_dir)
        say(errors(), plain.safe(f"No index at {index} yet — indexing {corpus} first."))
        index_with_progress(index, corpus)
        result = run()
    for line in plain.spelling_texts(result):
        say(errors(), line)
    for note in result.notes:
        say(errors(), plain.safe(f"searchkit: {note}"))
    # Facets and the timeline are rich renderables.
    out = console(plain_ok=json_ or not (facets or timeline))
    if count_only:
        out.print(f"{result.total}")
        return ExitStatus.OK if result.total else ExitStatus.NO_HITS
    if paths_only:
        for path in dict.fromkeys(hit.path for hit in result.hits):
            say(out, plain.safe(path), soft_wrap=True)
    elif jsonl:
        for hit in result.hits:
            out.print(plain.to_json_line(hit), soft_wrap=True)
    elif json_:
        out.print(plain.to_json(result if (facets or timeline) else result.hits), soft_wrap=True)
    elif isinstance(out, plain.Console):
        out.print_hits(result)
    else:
        from searchkit import render

        render.print_hits(out, result)
        if result.facets:
            out.print(render.facets_renderable(result.facets))
        if result.timeline is not None:
            out.print(render.timeline_renderable(result.timeline, out.width))
    if not (json_ or jsonl or paths_only):
        say(errors(), plain.summary_line(result), meta=True)
    return ExitStatus.OK if result.hits else ExitStatus.NO_HITS
