"""`search WORDS` runs without click (entry.plain_search_args), reading each
command line as click does and printing what the click command prints."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchkit.cli import search_command
from searchkit.commands import run_search
from searchkit.config import CORPUS_ENV, INDEX_ENV
from searchkit.entry import plain_search_args

DEFAULTS = {name: p.default for name, p in inspect.signature(run_search).parameters.items()}


def clicks_reading(argv: list[str], environ: Mapping[str, str]) -> dict[str, object]:
    with pytest.MonkeyPatch.context() as mp:
        for name in (INDEX_ENV, CORPUS_ENV):
            mp.delenv(name, raising=False)
        for name, value in environ.items():
            mp.setenv(name, value)
        return search_command.make_context("search", list(argv)).params


def test_run_search_takes_clicks_options_with_clicks_defaults() -> None:
    assert clicks_reading(["word"], {}) == DEFAULTS | {"query": ("word",)}


@pytest.mark.parametrize(("argv", "options"), [
    (["Western Sahara"], {"query": ("Western Sahara",)}),
    (["Western", "Sahara"], {"query": ("Western", "Sahara")}),
    (["--index", "ix", "cocoa"], {"query": ("cocoa",), "index_dir": "ix"}),
    (["--index=ix", "cocoa", "--corpus", "c"], {"query": ("cocoa",), "index_dir": "ix", "corpus_dir": "c"}),
    (['"interest rates" NOT mortgage'], {"query": ('"interest rates" NOT mortgage',)}),
])
def test_plain_command_lines_skip_click(argv: list[str], options: dict[str, object]) -> None:
    assert plain_search_args(argv, {}) == {"index_dir": None, "corpus_dir": None} | options


@pytest.mark.parametrize("argv", [
    [], ["-n", "3", "cocoa"], ["cocoa", "--json"], ["--", "-cocoa"], ["-h"], ["--index"],
    ["--index", "a", "--index", "b", "cocoa"], ["--index", "-x", "cocoa"], ["--index=", "cocoa"],
    ["--index", "ix"], ["-"],
])
def test_other_command_lines_go_to_click(argv: list[str]) -> None:
    assert plain_search_args(argv, {}) is None


def test_the_environment_as_click_reads_it() -> None:
    assert plain_search_args(["w"], {INDEX_ENV: "envix", CORPUS_ENV: ""})["index_dir"] == "envix"  # type: ignore[index]
    assert plain_search_args(["w", "--index", "ix"], {INDEX_ENV: "envix"})["index_dir"] == "ix"  # type: ignore[index]
    assert plain_search_args(["w"], {"_SEARCH_COMPLETE": "bash_complete"}) is None


TOKENS = st.sampled_from([
    "--index", "--corpus", "--index=ix", "--corpus=c", "--index=", "--corpus=-c", "-n", "3", "--json",
    "--", "-", "-x", "cocoa", "Western Sahara", "", "é", "a=b", "--INDEX", "--ind", "-h", "--limit=2",
    "dir", "--index=a=b",
]) | st.text(max_size=4)
ENVIRON = st.fixed_dictionaries({}, optional={
    INDEX_ENV: st.sampled_from(["", "envix"]), CORPUS_ENV: st.sampled_from(["", "envc"]),
})


@given(argv=st.lists(TOKENS, max_size=6), environ=ENVIRON)
def test_every_plain_command_line_is_read_as_click_reads_it(argv: list[str], environ: dict[str, str]) -> None:
    options = plain_search_args(argv, environ)
    if options is not None:
        assert clicks_reading(argv, environ) == DEFAULTS | options


RUN = """
import os, sys
from searchkit import entry
kind = sys.argv.pop(1)
if kind == "click":
    sys.argv[1:1] = ["search"]

def _exit(code):  # the plain path ends with os._exit: look before it does
    raise SystemExit(code)

os._exit = _exit
try:
    entry.search() if kind == "plain" else entry.main()
except SystemExit as exc:
    loaded = [name for name in ("click", "dataclasses", "rich") if name in sys.modules]
    sys.stderr.write(f"exit {exc.code}; loaded: {loaded}\\n")
"""


def run(kind: str, argv: list[str], env: dict[str, str]) -> tuple[str, list[str]]:
    done = subprocess.run([sys.executable, "-c", RUN, kind, *argv], capture_output=True, text=True,
                          env=env, timeout=60)
    return done.stdout, done.stderr.splitlines()


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from searchkit.indexer import update_index

    root = tmp_path_factory.mktemp("plain")
    (root / "corpus").mkdir()
    (root / "corpus" / "a.txt").write_text("Sahara talks\n\nTalks on the Western Sahara resumed.\n\nAuthor: Jo Bloggs\n")
    (root / "corpus" / "b.txt").write_text("Cocoa prices\n\nCocoa rose in Ghana; talks went on.\n")
    update_index(root / "corpus", root / "index")
    return root / "index"


@pytest.mark.parametrize("argv", [
    ["Western Sahara"], ["talks"], ["--index=INDEX", "cocoa"], ["nowhere"], ["the"], ["saharra"],
])
def test_plain_search_prints_what_the_click_command_prints(small_index: Path, argv: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env[INDEX_ENV] = str(small_index)
    argv = [a.replace("INDEX", str(small_index)) for a in argv]
    out, err = run("plain", argv, env)
    click_out, click_err = run("click", argv, env)
    # Nor dataclasses (~8 ms with `inspect`), nor rich where it would not style.
    assert err[-1].endswith("loaded: []") and click_err[-1].endswith("loaded: ['click']")
    assert (out, err[:-1], err[-1].split(";")[0]) == (click_out, click_err[:-1], click_err[-1].split(";")[0])
    assert out or err[:-1]  # something was said


@pytest.mark.parametrize("kind", ["plain", "click"])
def test_a_closed_pipe_ends_a_search_quietly(small_index: Path, kind: str) -> None:
    """`search … | head`: exit 1 without a word, as click's own handling."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone
    try:
        done = subprocess.run([sys.executable, "-c", RUN, kind, "--index", str(small_index), "talks"],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    finally:
        os.close(write_end)
    assert done.stderr.startswith("exit 1; loaded: ") and done.stderr.count("\n") == 1


def test_a_plain_search_exits_with_its_status_and_all_its_output(small_index: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    code = "from searchkit.entry import search; search()"
    for word, status in (("talks", 0), ("nowhere", 1), ("the", 2)):
        done = subprocess.run([sys.executable, "-c", code, "--index", str(small_index), word],
                              capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == status, done.stderr
        assert done.stderr.endswith("\n")
        assert (done.stdout.count(". ") >= 2) is (status == 0)  # "1. Sahara talks", "2. Cocoa prices"
