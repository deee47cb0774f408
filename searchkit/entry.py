"""Console-script entry points, kept tiny: Ctrl-C while the CLI is still
importing exits 130 with one line instead of a Python traceback."""

from __future__ import annotations

import sys


def _interrupted() -> None:
    sys.stderr.write("searchkit: interrupted\n")
    sys.exit(130)


def search() -> None:
    try:
        from searchkit.cli import search_command

        search_command()
    except KeyboardInterrupt:
        _interrupted()


def main() -> None:
    try:
        from searchkit.cli import main as searchkit_main

        searchkit_main()
    except KeyboardInterrupt:
        _interrupted()
