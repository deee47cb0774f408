"""The `search` and `searchkit` commands: parse options with click, check
how they combine, call one library function and render. What the commands
share without click (consoles, error messages and exit codes, the whole
`search` command) is in commands.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from searchkit import commands, config, plain
from searchkit.commands import corpus_for, encode_with_progress, errors, index_with_progress, say
from searchkit.errors import SearchkitError
from searchkit.status import ExitStatus

if TYPE_CHECKING:
    from searchkit.records import IndexReport


F = TypeVar("F", bound=Callable[..., Any])


def _exit(status: ExitStatus) -> None:
    raise click.exceptions.Exit(status)


# Domain errors become one-line messages and exit codes; Ctrl-C exits 130.
handle_errors = commands.reporting_errors(_exit)


index_option = click.option(
    "--index", "index_dir", metavar="DIR", envvar=config.INDEX_ENV, show_envvar=True,
    help="Index folder [default: ./index].",
)
corpus_option = click.option(
    "--corpus", "corpus_dir", metavar="DIR", envvar=config.CORPUS_ENV, show_envvar=True,
    help="Folder of articles [default: the one the index was built from, else ./corpus].",
)


def _date_option(kind: str) -> Callable[[F], F]:
    word = "on or after" if kind == "since" else "on or before"
    return click.option(
        f"--{kind}", metavar="DATE",
        help=f"Only articles dated {word} DATE: 2021-11-23, 2021-11, 2021, '23 Nov 2021', "
             "yesterday, 'last week', 7d, '3 months ago'. Whole units: --until 2021-11 "
             "includes Nov 30. Undated articles are left out.",
    )


def _names_option(name: str, example: str) -> Callable[[F], F]:
    return click.option(
        f"--{name}", f"{name}s", multiple=True, metavar="NAME",
        help=f"Only articles whose {name} is NAME (any case; repeat for any of several), e.g. {example}.",
    )


def _facet_list(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    from searchkit.models import FACET_FIELDS

    if not value:
        return ()
    names = tuple(dict.fromkeys(n.strip().lower() for n in value.split(",") if n.strip()))
    unknown = [n for n in names if n not in FACET_FIELDS]
    if unknown or not names:
        raise click.BadParameter(
            f"{', '.join(unknown) or repr(value)} — choose from {','.join(FACET_FIELDS)}, e.g. --facets author,year"
        )
    return names


class _WordsCommand(click.Command):
    """`search Blair -election` unquoted: the shell passes `-election` as an
    argument of its own, which click reads as the options -e -l -e…; when
    that fails, say how to write it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # click's parser consumes `args`
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            at = next((i for i, a in enumerate(given)
                       if a.startswith("-") and len(a) > 3 and a[1:].isalpha()), None)
            if at is None:
                raise
            word = given[at]
            example = " ".join([*self._words(given[:at]), word])
            # A query that starts with "-" needs `--` before it, quoted or not.
            command = f"search '{example}'" if example[0] != "-" else f"search -- '{example}'"
            raise click.UsageError(
                f"{exc.format_message()} To leave out the articles holding {word[1:]!r}, put the"
                f" whole query in quotes: {command} (or write NOT {word[1:]})", ctx) from exc

    def _words(self, args: list[str]) -> list[str]:
        """The query words among `args`: neither options nor their values."""
        valued = {name for p in self.params if isinstance(p, click.Option) and not p.is_flag
                  for name in p.opts}
        words, value_next = [], False
        for arg in args:
            if value_next:
                value_next = False
            elif arg.startswith("-"):
                value_next = arg in valued
            else:
                words.append(arg)
        return words


@click.command("search", cls=_WordsCommand, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("query", nargs=-1)
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(1, 10_000),
              help="How many hits to show (per page).")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 100_000), metavar="N",
              help="Show the Nth page of -n hits.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance",
              show_default=True,
              help="Order: best first, or by date (articles with all the words first; undated last).")
@_date_option("since")
@_date_option("until")
@_names_option("author", '--author "Jane Doe"')
@_names_option("source", "--source Reuters")
@_names_option("dateline", '--dateline "NEW YORK"')
@click.option("--facets", callback=_facet_list, metavar="author,source,dateline,year",
              help="Under the hits, count all matches by these fields (top 10 each).")
@click.option("--timeline", is_flag=True,
              help="Under the hits, a bar chart of all matches per day, month or year.")
@click.option("--count", "count_only", is_flag=True, help="Print only the number of matching articles.")
@click.option("-l", "--files-with-matches", "paths_only", is_flag=True,
              help="Print only the paths of the hits, each once, best first.")
@click.option("--json", "json_", is_flag=True,
              help="Print hits as a JSON array (an object with hits, facets and timeline "
                   "when --facets or --timeline is given).")
@click.option("--jsonl", is_flag=True, help="Print one JSON object per hit, one per line.")
@click.option("--all", "show_all", is_flag=True,
              help="Show every copy of a story as a hit of its own (by default copies and "
                   "re-sent versions show once, with \"+N similar\").")
@click.option("--like", "like_id", metavar="ID",
              help="Instead of words, find the articles closest to this one (same as `searchkit similar ID`).")
@click.option("--explain", is_flag=True,
              help="Under each hit, its score term by term: tf, idf and share (an `explain` object in JSON).")
@click.option("--no-semantic", is_flag=True,
              help="Rank by words alone, even where the index keeps passage vectors (`searchkit index --semantic`).")
@index_option
@corpus_option
@handle_errors
def search_command(query: tuple[str, ...], limit: int, page: int, sort: str, since: str | None,
                   until: str | None, authors: tuple[str, ...], sources: tuple[str, ...],
                   datelines: tuple[str, ...], facets: tuple[str, ...], timeline: bool,
                   count_only: bool, paths_only: bool, json_: bool, jsonl: bool, show_all: bool,
                   like_id: str | None, explain: bool, no_semantic: bool, index_dir: str | None,
                   corpus_dir: str | None) -> None:
    """Search the news archive; best articles first.

    Words must all appear for the top results; articles with only some of
    them follow. whoosh query syntax works: "exact phrase", OR, NOT (or
    -word), headline:word, author:name, wildcards (elect*), and date:2021-11,
    date:2021-01..2021-06, date:2019.. for dates. With only filters
    (--author, --since, date:…) and no words, every article passing them
    matches, newest first.

    \b
    Examples:
      search "Western Sahara"
      search '"interest rates" NOT mortgage' -n 5
      search 'Blair -election'
      search headline:election --json
      search cocoa --since 1987-03-01 --until 1987-03-31 --sort newest
      search trump --author "Lee Moran" --facets author,year --timeline
      search --like sport/181.txt -n 5
      search "Desailly Blues" --explain
    """
    modes = [flag for flag, on in (("--json", json_), ("--jsonl", jsonl), ("--count", count_only),
                                   ("--files-with-matches", paths_only)) if on]
    if len(modes) > 1:
        raise click.UsageError(f"{' and '.join(modes)} cannot be combined — choose one output")
    if (facets or timeline) and modes and modes[0] != "--json":
        raise click.UsageError(f"--facets and --timeline print with the hits or --json, not with {modes[0]}")
    if like_id is not None:
        if query:
            raise click.UsageError("--like takes an article id instead of query words — drop the words")
        if count_only or facets or timeline:
            raise click.UsageError("--like lists hits; --count, --facets and --timeline need query words")
    status = commands.run_search(
        query=query, limit=limit, page=page, sort=sort, since=since, until=until, authors=authors,
        sources=sources, datelines=datelines, facets=facets, timeline=timeline,
        count_only=count_only, paths_only=paths_only, json_=json_, jsonl=jsonl,
        show_all=show_all, like_id=like_id, explain=explain, no_semantic=no_semantic,
        index_dir=index_dir, corpus_dir=corpus_dir)
    if status:
        raise click.exceptions.Exit(status)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="searchkit")
def main() -> None:
    """searchkit: full-text search for news archives.

    \b
    Examples:
      searchkit index                     # make new and changed articles searchable
      searchkit search "Western Sahara"   # same as: search "Western Sahara"
      searchkit show politics/261.txt --highlight election
    """


main.add_command(search_command)


def _folder_argument(command: F) -> F:
    """`searchkit index FOLDER`: the corpus folder, as --corpus gives it."""
    return click.argument("folder", required=False, metavar="[FOLDER]")(command)


def _corpus_given(folder: str | None, corpus_dir: str | None) -> str | None:
    """FOLDER, else --corpus (or $SEARCHKIT_CORPUS, which FOLDER overrides)."""
    typed = click.get_current_context().get_parameter_source("corpus_dir") is click.core.ParameterSource.COMMANDLINE
    if folder and corpus_dir and typed and Path(folder).absolute() != Path(corpus_dir).absolute():
        raise click.UsageError(f"two corpus folders given: {folder} and --corpus {corpus_dir} — give one")
    return folder or corpus_dir


@main.command("index")
@_folder_argument
@click.option("--rebuild", is_flag=True, help="Start over instead of updating.")
@click.option("--semantic", "model_dir", metavar="MODEL_DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="Also keep passage vectors made with this sentence-transformers BERT model folder "
                   "(all-MiniLM-L6-v2): long queries then rank by meaning too. Slow: ~23 passages a "
                   "second. Needs `pip install 'searchkit[semantic]'`.")
@click.option("--no-semantic", is_flag=True, help="Drop the passage vectors and stop making them.")
@click.option("--wait", type=click.FloatRange(0), default=None, metavar="SECONDS",
              help="How long to wait for another writer to finish [default: 10].")
@index_option
@corpus_option
@handle_errors
def index_command(folder: str | None, rebuild: bool, model_dir: Path | None, no_semantic: bool,
                  wait: float | None, index_dir: str | None, corpus_dir: str | None) -> None:
    """Bring the index up to date with the corpus folder (FOLDER, or --corpus).

    Only new and changed files are read; deleted files leave the index.
    Prints what it did, e.g. "3 added, 1 updated, 2 removed, 2,225 unchanged in 0.8 s".
    An index holds one folder's articles: to add articles, put them in it.

    \b
    Examples:
      cp ~/new/*.txt corpus/ && searchkit index
      searchkit index ~/news --index ~/news-index     # another archive, its own index
      searchkit index --semantic ~/models/all-MiniLM-L6-v2
    """
    from searchkit import passages

    if model_dir and no_semantic:
        raise click.UsageError("--semantic and --no-semantic: give one")
    index = config.resolve_index(index_dir)
    if no_semantic:
        passages.disable(index)
    elif model_dir:
        passages.enable(index, model_dir)  # loads the model: a bad folder is refused before indexing
    index_with_progress(index, corpus_for(index, _corpus_given(folder, corpus_dir)), rebuild=rebuild, wait=wait)
    encode_with_progress(index, wait=wait)


@main.command("watch")
@_folder_argument
@click.option("--poll", is_flag=True,
              help="Scan for changes instead of using file-system events (e.g. on network folders).")
@click.option("--interval", type=click.FloatRange(0.1), default=2.0, show_default=True, metavar="SECONDS",
              help="Seconds between scans when polling.")
@click.option("--debounce", type=click.FloatRange(0), default=1.0, show_default=True, metavar="SECONDS",
              help="Update once the corpus has been quiet this long (at most 5 s after a change).")
@index_option
@corpus_option
@handle_errors
def watch_command(folder: str | None, poll: bool, interval: float, debounce: float,
                  index_dir: str | None, corpus_dir: str | None) -> None:
    """Keep the index current while articles are added, changed, renamed or deleted.

    Updates the index now, then after each burst of changes: copying 500
    files in is one update. Searches keep working meanwhile. Uses file-system
    events when the `watchdog` package is installed, else scans every
    --interval seconds. Ctrl-C stops it.

    \b
    Example:
      searchkit watch &
      cp ~/new/*.txt corpus/     # searchable about a second later
    """
    import datetime

    from searchkit import render
    from searchkit.watch import MAX_DELAY, watch

    index = config.resolve_index(index_dir)
    corpus = corpus_for(index, _corpus_given(folder, corpus_dir))
    err = render.make_console(stderr=True)
    first = True

    def on_report(report: IndexReport) -> None:
        nonlocal first
        if first or report.changed or report.skipped or report.warnings:
            clock = datetime.datetime.now().strftime("%H:%M:%S ")
            for line in render.index_report_lines(report, prefix=clock, table=first):
                err.print(line)
        first = False

    def on_error(exc: SearchkitError) -> None:
        err.print(render.Text(render.safe(f"searchkit: {exc}")))

    def on_ready(method: str) -> None:
        err.print(render.Text(render.safe(f"Watching {corpus} ({method}); Ctrl-C to stop.")))

    watch(corpus, index, on_report=on_report, on_error=on_error, on_ready=on_ready,
          use_watchdog=False if poll else None, poll_interval=interval,
          debounce=debounce, max_delay=max(MAX_DELAY, debounce))


@main.command("similar")
@click.argument("article_id")
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(1, 10_000),
              help="How many hits to show.")
@click.option("--all", "show_all", is_flag=True, help="Show every copy of a story as a hit of its own.")
@click.option("--explain", is_flag=True, help="Under each hit, its score term by term.")
@click.option("--json", "json_", is_flag=True, help="Print hits as a JSON array.")
@index_option
@handle_errors
def similar_command(article_id: str, limit: int, show_all: bool, explain: bool, json_: bool,
                    index_dir: str | None) -> None:
    """List the articles closest to one article (more like this), best first.

    The article's key terms (frequent in it, rare in the archive) are
    searched together; the article itself and its copies are left out.

    \b
    Example:
      searchkit similar sport/181.txt -n 5
    """
    from searchkit import render
    from searchkit.engine import similar
    from searchkit.models import SearchOptions

    options = SearchOptions(limit=limit, collapse=not show_all, explain=explain)
    result = similar(config.resolve_index(index_dir), article_id, options)
    out = render.make_console()
    if json_:
        out.print(render.to_json(result.hits), soft_wrap=True)
    else:
        render.print_hits(out, result)
        say(errors(), plain.summary_line(result), meta=True)
    if not result.hits:
        raise click.exceptions.Exit(ExitStatus.NO_HITS)


@main.command("show")
@click.argument("article_id")
@click.option("--highlight", "highlight_query", metavar="QUERY", help="Highlight these words.")
@click.option("--json", "json_", is_flag=True, help="Print the article as JSON.")
@index_option
@handle_errors
def show_command(article_id: str, highlight_query: str | None, json_: bool, index_dir: str | None) -> None:
    """Print one whole article: headline, metadata and body.

    \b
    Example:
      searchkit show 000_a209fd0b7f63471a.txt --highlight "Western Sahara"
    """
    from searchkit import render
    from searchkit.engine import get_article, query_terms
    from searchkit.highlight import match_spans
    from searchkit.schema import TEXT_ANALYZER

    index = config.resolve_index(index_dir)
    article = get_article(index, article_id)
    out = render.make_console()
    if json_:
        out.print(render.to_json(article), soft_wrap=True)
        return
    spans: dict[int, tuple[tuple[int, int], ...]] = {}
    headline_spans: tuple[tuple[int, int], ...] = ()
    if highlight_query:
        terms = query_terms(index, highlight_query)
        headline_spans = tuple(match_spans(article.headline, terms, TEXT_ANALYZER))
        for n, paragraph in enumerate(article.body.split("\n\n")):
            spans[n] = tuple(match_spans(paragraph, terms, TEXT_ANALYZER))
    out.print(render.article_renderable(article, spans, headline_spans))


@main.command("stats")
@click.option("--json", "json_", is_flag=True, help="Print the counts as JSON.")
@index_option
@handle_errors
def stats_command(json_: bool, index_dir: str | None) -> None:
    """Print counts: articles, files, authors, date span, index size.

    \b
    Example:
      searchkit stats
    """
    from searchkit import render
    from searchkit.engine import index_stats

    stats = index_stats(config.resolve_index(index_dir))
    out = render.make_console()
    out.print(render.to_json(stats) if json_ else render.stats_renderable(stats), soft_wrap=json_)


