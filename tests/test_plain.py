"""plain.py writes what rich writes to a stream that is not a terminal, and
`search` with piped output never imports rich."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchkit import plain, render
from searchkit.models import Explanation, Hit, SearchResult, Snippet, TermScore

AWKWARD = [
    "", "plain", "tab\there", "\tlead", "a\tb\tc\td", "1234567\t8", "12345678\t9",
    "wide 東京\tnext", "東\t京\t", "emoji 🎉\tx", "combining e\u0301\tx", "line\nbreak\tx\n",
    "\n", "a\n\nb", "trailing  ", "bell\x07 back\x08 vt\x0b ff\x0c cr\x0d end",
    "esc \x1b[31m red", "[b]not markup[/b] [sic]", ":smile: no emoji", "http://example.com 123",
]


def rich_out(*texts: str, hits: SearchResult | None = None) -> str:
    console = render.Console(file=io.StringIO(), highlight=False, markup=False, emoji=False)
    console.soft_wrap = not console.is_terminal
    assert not console.is_terminal
    for text in texts:
        console.print(render.Text(text))
    if hits is not None:
        render.print_hits(console, hits)
    return console.file.getvalue()  # type: ignore[attr-defined]


def plain_out(*texts: str, hits: SearchResult | None = None, monkeypatch: pytest.MonkeyPatch) -> str:
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stdout", buffer)
    console = plain.Console()
    for text in texts:
        console.print(text)
    if hits is not None:
        console.print_hits(hits)
    return buffer.getvalue()


@pytest.mark.parametrize("text", AWKWARD)
def test_text_as_rich_writes_it(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert plain_out(text, monkeypatch=monkeypatch) == rich_out(text)


@given(st.text(alphabet=st.sampled_from(list("ab \t\n東🎉\x07\x0d\u0301é")), max_size=40))
def test_any_text_as_rich_writes_it(text: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        assert plain_out(text, monkeypatch=mp) == rich_out(text)


def _hit(rank: int, text: str, **extra: object) -> Hit:
    return Hit(rank=rank, id=f"{text}.txt", path=f"dir/{text}.txt", headline=f"Head\t{text}",
               score=1.5, snippets=(Snippet(f"…snip {text}\tend…", ((1, 5),)), Snippet("two")),
               headline_spans=((0, 4),), **extra)  # type: ignore[arg-type]


def test_hits_as_rich_writes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    when = datetime(2021, 11, 23, tzinfo=timezone.utc)
    explain = Explanation(2.0, (TermScore("body", "sahara", 3, 1.25, 1.5),), other=0.5)
    hits = (
        _hit(1, "東京", author="A\x1b[2J", date=when, dateline="LONDON", source="Reuters"),
        _hit(2, "x", duplicates=("a", "b", "c", "d")),
        _hit(10, "y", explain=explain),
        Hit(rank=11, id="e", path="e", headline="", score=0.0),
    )
    result = SearchResult(query="q", hits=hits, total=4, page=1, total_exact=True)
    assert plain_out(hits=result, monkeypatch=monkeypatch) == rich_out(hits=result)


@pytest.mark.parametrize(("env", "tty", "expected"), [
    ({}, False, True),
    ({}, True, False),
    ({"FORCE_COLOR": "1"}, False, False),
    ({"FORCE_COLOR": ""}, True, True),
    ({"TTY_COMPATIBLE": "1"}, False, False),
    ({"TTY_COMPATIBLE": "0"}, True, True),
    ({"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"}, False, True),
])
def test_unstyled_where_rich_sees_no_terminal(env: dict[str, str], tty: bool, expected: bool,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    stream = Stream()
    assert plain.unstyled(stream) is expected
    assert render.Console(file=stream).is_terminal is (not expected)


def test_piped_search_never_imports_rich(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from searchkit.indexer import update_index

    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_text("Sahara talks\n\nTalks on the Western Sahara resumed.\n")
    update_index(corpus, tmp_path / "index")
    code = ("import os, sys; from searchkit.entry import search\n"
            "def _exit(code):\n    raise SystemExit(code)\n"
            "os._exit = _exit  # a plain search ends with os._exit: look before it does\n"
            "try:\n    search()\nexcept SystemExit as e:\n    code = e.code\n"
            "print('rich' in sys.modules, code, file=sys.stderr)")
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    proc = subprocess.run([sys.executable, "-c", code, "--index", str(tmp_path / "index"), "sahara"],
                          capture_output=True, text=True, env=env, check=True)
    assert "Western Sahara" in proc.stdout
    assert proc.stderr.splitlines()[-1] == "False 0", proc.stderr


def test_index_report_as_rich_writes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit.models import IndexReport, Skipped

    report = IndexReport("c", "i")
    report.added, report.unchanged, report.files_read = 3, 2_225, 3
    report.per_format = {"text": 2, "jsonl\t東京": 1}
    report.undated, report.no_author = {"text": 1}, {"jsonl\t東京": 1}
    report.skipped = [Skipped("bad\x1b[2J.txt", "empty file")]
    report.warnings = [Skipped(f"a{n}", "article is long\tvery") for n in range(25)]
    texts = [text for text, _meta in plain.index_report_texts(report, prefix="12:00:00 ")]
    console = render.Console(file=io.StringIO(), highlight=False, markup=False, emoji=False)
    console.soft_wrap = True
    for line in render.index_report_lines(report, prefix="12:00:00 "):
        console.print(line)
    assert plain_out(*texts, monkeypatch=monkeypatch) == console.file.getvalue()  # type: ignore[attr-defined]
    assert "12:00:00 3 added, 0 updated, 0 removed, 2,225 unchanged in 0.0 s" in texts


def test_piped_index_never_imports_rich(tmp_path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_text("Sahara talks\n\nTalks on the Western Sahara resumed.\n")
    (corpus / "b.txt").write_bytes(b"")
    code = ("import sys; from searchkit.entry import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
            "print('rich' in sys.modules, code, file=sys.stderr)")
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    proc = subprocess.run([sys.executable, "-c", code, "index", "--index", str(tmp_path / "index"),
                           "--corpus", str(corpus)], capture_output=True, text=True, env=env, check=True)
    lines = proc.stderr.splitlines()
    assert lines[0] == "warning: skipped b.txt: empty file"
    assert lines[1].startswith("1 article indexed in ")
    assert lines[-1] == "False 0", proc.stderr
