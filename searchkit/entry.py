"""Console-script entry points, kept tiny: Ctrl-C while the CLI is still
importing exits 130 with one line instead of a Python traceback.

`search` with nothing but words (and --index/--corpus) is what people type
most; that command line is read here and run without importing click. A
fresh `search "Western Sahara"` on bench/speed.py's 100,000-article index,
under callgrind (bench/README.md): 557.8 M instructions through click,
508.4 M without. Any other command line goes to click (cli.py), and
tests/test_entry.py checks that click reads each plain one the same way.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from searchkit.config import CORPUS_ENV, INDEX_ENV

# Options of a plain search: the parameter each sets, and the environment
# variable it falls back to (as click's `envvar` in cli.py).
_PLAIN_OPTIONS = {"--index": ("index_dir", INDEX_ENV), "--corpus": ("corpus_dir", CORPUS_ENV)}


def plain_search_args(argv: Sequence[str], environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The options of `search` for a command line of words, `--index DIR`
    and `--corpus DIR` (or `--index=DIR`), each at most once, as click would
    read them; None for any other command line (options, `--`, a word or a
    folder starting with "-", no words) or when the shell asks click to
    complete one."""
    if "_SEARCH_COMPLETE" in environ:
        return None
    words: list[str] = []
    given: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        if not arg.startswith("-"):
            words.append(arg)
            continue
        name, equals, value = arg.partition("=")
        if name not in _PLAIN_OPTIONS or name in given:
            return None
        if not equals:
            value = next(args, "")
        if not value or value.startswith("-"):
            return None
        given[name] = value
    if not words:
        return None
    options: dict[str, Any] = {"query": tuple(words)}
    for name, (param, envvar) in _PLAIN_OPTIONS.items():
        options[param] = given.get(name) or environ.get(envvar) or None
    return options


def _interrupted() -> None:
    sys.stderr.write("searchkit: interrupted\n")
    sys.exit(130)


def search() -> None:
    try:
        options = plain_search_args(sys.argv[1:], os.environ)
        if options is None:
            from searchkit.cli import search_command

            search_command()
            return
        from searchkit.commands import run_search

        try:
            status: int = run_search(**options)
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:
            # As click does: the reader went away (`search … | head`); exit 1
            # without a word, and without Python's complaint at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        # Nothing to tear down: the index was only read (or, on first use,
        # built, committed and its workers joined), and the output is
        # flushed. Freeing every module and object on the way out is 7.8% of
        # a fresh `search "Western Sahara"` (callgrind as bench/README.md
        # says, on bench/speed.py's 100,000-article index: 433.1 M
        # instructions ending with sys.exit, 399.3 M with os._exit).
        os._exit(status)
    except KeyboardInterrupt:
        _interrupted()


def main() -> None:
    try:
        from searchkit.cli import main as searchkit_main

        searchkit_main()
    except KeyboardInterrupt:
        _interrupted()
