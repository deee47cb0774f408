"""Bad input files: none crashes the run or drops other articles; each file
skipped is one warning line on stderr naming it and the reason."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searchkit import corpus as corpus_module
from searchkit.cli import main
from searchkit.corpus import CorpusFile
from searchkit.engine import get_article, search
from searchkit.indexer import update_index
from searchkit.limits import MAX_BODY_CHARS
from searchkit.status import ExitStatus


def index_cli() -> Result:
    return CliRunner().invoke(main, ["index"], catch_exceptions=False)


def ids(index: Path, query: str) -> list[str]:
    return sorted(h.id for h in search(index, query, limit=10_000, snippets=0).hits)


def good(corpus: Path, n: int = 2) -> list[str]:
    names = []
    for i in range(n):
        (corpus / f"good{i}.txt").write_text(f"Good {i}\n\nOrdinary harbour news {i}.\n", encoding="utf-8")
        names.append(f"good{i}.txt")
    return names


def warnings(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning:")]


def test_binary_files_are_skipped(corpus: Path, index_dir: Path) -> None:
    names = good(corpus)
    rng = random.Random(7)
    for name in ("photo.txt", "archive.json", "page.html", "notes.md", "feed.xml", "dump.sgm"):
        (corpus / name).write_bytes(bytes(rng.randrange(256) for _ in range(20_000)))
    result = index_cli()
    assert result.exit_code == 0
    assert len(warnings(result)) == 6
    for line in warnings(result):
        assert line.startswith("warning: skipped ") and ("binary" in line or "not" in line), line
    assert ids(index_dir, "harbour") == names


@pytest.mark.parametrize("content", [b"", b"\n\n  \t\n", b"\xef\xbb\xbf"])
def test_empty_files_warn_and_others_are_indexed(corpus: Path, index_dir: Path, content: bytes) -> None:
    names = good(corpus)
    (corpus / "empty.txt").write_bytes(content)
    result = index_cli()
    assert result.exit_code == 0
    assert warnings(result) == ["warning: skipped empty.txt: empty file"]
    assert ids(index_dir, "harbour") == names
    assert index_cli().stderr.count("warning") == 0  # remembered: warned once


def test_50_mb_single_line_is_bounded(corpus: Path, index_dir: Path) -> None:
    names = good(corpus)
    (corpus / "huge.txt").write_bytes(b"alpha " + b"filler " * (50_000_000 // 7) + b"omega")
    started = time.monotonic()
    result = index_cli()
    took = time.monotonic() - started
    assert result.exit_code == 0 and took < 30
    [line] = warnings(result)
    assert line.startswith("warning: huge.txt: headline of ")
    assert f"only the first {MAX_BODY_CHARS:,} are indexed" in line
    article = get_article(index_dir, "huge.txt")
    assert len(article.headline) < 200 and len(article.body) <= MAX_BODY_CHARS
    assert ids(index_dir, "alpha") == ["huge.txt"]
    assert ids(index_dir, "omega") == []  # beyond the cap
    started = time.monotonic()
    hits = search(index_dir, "filler OR harbour", limit=5).hits
    assert time.monotonic() - started < 5
    assert {h.id for h in hits} == {"huge.txt", *names}
    assert all(len(s.text) < 400 for h in hits for s in h.snippets)


def test_invalid_utf8_and_mixed_encodings(corpus: Path, index_dir: Path) -> None:
    good(corpus)
    (corpus / "latin1.txt").write_bytes("Caf\xe9 story\n\nThe caf\xe9 near the harbour.\n".encode("latin-1"))
    (corpus / "mixed.txt").write_bytes("Mixed\n\nNa\u00efve text ".encode("utf-8") + b"then \xff\xfe\x80 bytes harbour.\n")
    (corpus / "utf16.txt").write_bytes("UTF sixteen\n\nharbour in utf-16\n".encode("utf-16"))
    result = index_cli()
    assert result.exit_code == 0 and warnings(result) == []
    assert {"latin1.txt", "mixed.txt", "utf16.txt"} <= set(ids(index_dir, "harbour"))
    assert get_article(index_dir, "latin1.txt").headline == "Café story"


def test_nul_bytes(corpus: Path, index_dir: Path) -> None:
    names = good(corpus)
    # NULs at the top: not a text file
    (corpus / "nul_head.txt").write_bytes(b"Head\x00line\n\nharbour \x00\x00 text\n")
    # a stray NUL deep inside a long text: the text is kept, the NUL dropped
    (corpus / "nul_deep.txt").write_bytes(b"Deep\n\n" + b"word " * 1000 + b"harbour\x00side.\n")
    result = index_cli()
    assert warnings(result) == ["warning: skipped nul_head.txt: binary data, not text"]
    assert ids(index_dir, "harbourside") == ["nul_deep.txt"]
    assert "\x00" not in get_article(index_dir, "nul_deep.txt").body
    assert set(names) <= set(ids(index_dir, "harbour"))


def scan_then(action):  # type: ignore[no-untyped-def]
    real = corpus_module.scan_corpus

    def scan(root: Path, warn: list[tuple[str, str]] | None = None) -> Iterator[CorpusFile]:
        files = list(real(root, warn))
        action(root)
        return iter(files)

    return scan


def test_file_deleted_between_scan_and_read(
    corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = good(corpus)
    (corpus / "gone.txt").write_text("Gone\n\nharbour vanishing.\n")
    with monkeypatch.context() as patch:  # (undo() would also undo the isolated env)
        patch.setattr("searchkit.indexer.scan_corpus", scan_then(lambda root: (root / "gone.txt").unlink()))
        result = index_cli()
    assert result.exit_code == 0
    assert warnings(result) == ["warning: skipped gone.txt: cannot read: No such file or directory"]
    assert ids(index_dir, "harbour") == names
    assert not update_index(corpus, index_dir).wrote


def test_file_changed_between_scan_and_read(
    corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good(corpus)
    path = corpus / "moving.txt"
    path.write_text("Moving\n\nfirst draft.\n")

    def change(root: Path) -> None:
        path.write_text("Moving\n\nsecond and longer draft, harbour.\n")

    with monkeypatch.context() as patch:
        patch.setattr("searchkit.indexer.scan_corpus", scan_then(change))
        assert index_cli().exit_code == 0
    assert "moving.txt" in ids(index_dir, "harbour")
    # the stat recorded is the one scanned, older than the content: the next
    # run looks again, finds the same content and writes nothing
    report = update_index(corpus, index_dir)
    assert (report.changed, report.wrote) == (0, False)
    assert update_index(corpus, index_dir).changed == 0


def test_unreadable_folder_is_skipped(corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = good(corpus)
    (corpus / "secret").mkdir()
    (corpus / "secret" / "a.txt").write_text("Secret\n\nharbour.\n")
    real_scandir, real_open = os.scandir, os.open

    # root ignores chmod: simulate, where the folder is listed by path or opened to list it
    def scandir(path):  # type: ignore[no-untyped-def]
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    def open_(path, flags, *args):  # type: ignore[no-untyped-def]
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr("searchkit.corpus.os.scandir", scandir)
    monkeypatch.setattr("searchkit.corpus.os.open", open_)
    result = index_cli()
    assert warnings(result) == ["warning: skipped secret: cannot list folder: Permission denied"]
    assert ids(index_dir, "harbour") == names


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file permissions")
def test_unreadable_file_really_chmodded(corpus: Path, index_dir: Path) -> None:
    names = good(corpus)
    (corpus / "locked.txt").write_text("Locked\n\nharbour.\n")
    (corpus / "locked.txt").chmod(0)
    result = index_cli()
    assert warnings(result) == ["warning: skipped locked.txt: cannot read: Permission denied"]
    assert ids(index_dir, "harbour") == names


def test_symlink_loops_and_links_outside(corpus: Path, index_dir: Path, tmp_path: Path) -> None:
    names = good(corpus)
    (corpus / "sub").mkdir()
    (corpus / "sub" / "inner.txt").write_text("Inner\n\nharbour inside.\n")
    os.symlink("self.txt", corpus / "self.txt")  # a link to itself
    os.symlink("b.txt", corpus / "a.txt")
    os.symlink("a.txt", corpus / "b.txt")
    os.symlink("..", corpus / "sub" / "up")  # back to the corpus root
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.txt").write_text("Private\n\nharbour elsewhere.\n")
    os.symlink(outside, corpus / "elsewhere")
    os.symlink(outside / "private.txt", corpus / "private.txt")
    result = index_cli()
    assert result.exit_code == 0
    assert sorted(warnings(result)) == [
        "warning: skipped a.txt: broken symlink or symlink loop; not followed",
        "warning: skipped b.txt: broken symlink or symlink loop; not followed",
        "warning: skipped elsewhere: symlink points outside the corpus; not followed",
        "warning: skipped private.txt: symlink points outside the corpus; not followed",
        "warning: skipped self.txt: broken symlink or symlink loop; not followed",
        "warning: skipped sub/up: symlink to a folder already scanned (a loop?); not followed",
    ]
    assert ids(index_dir, "harbour") == sorted(names + ["sub/inner.txt"])


def test_deeply_nested_and_truncated_json(corpus: Path, index_dir: Path) -> None:
    names = good(corpus)
    (corpus / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    (corpus / "truncated.json").write_text('[{"title": "Cut", "body": "harbour')
    (corpus / "lines.jsonl").write_text('{"title": "Ok", "body": "harbour line"}\n{"title": "Cut", "bo')
    result = index_cli()
    assert result.exit_code == 0
    skipped = {line.split(":")[1].split()[-1] for line in warnings(result)}
    assert {"deep.json", "truncated.json"} <= skipped
    assert set(names) <= set(ids(index_dir, "harbour"))


def test_thousands_of_files_in_one_folder(corpus: Path, index_dir: Path) -> None:
    for n in range(2000):
        (corpus / f"n{n:05}.txt").write_text(f"Item {n}\n\nShort note {n} harbour.\n")
    result = index_cli()
    assert result.exit_code == 0 and "2,000 articles indexed" in result.stderr
    assert search(index_dir, "harbour").total == 2000
    assert not update_index(corpus, index_dir).wrote


def test_a_failing_run_never_reports_success(corpus: Path) -> None:
    (corpus / "x.txt").write_bytes(b"\x00" * 10)
    result = index_cli()
    assert result.exit_code == ExitStatus.OK  # a skipped file is a warning, not a failure
    assert warnings(result) == ["warning: skipped x.txt: binary data, not text"]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")
def test_scanning_leaves_no_folder_open(tmp_path: Path) -> None:
    from searchkit.corpus import scan_corpus

    root = tmp_path / "many"
    for n in range(30):
        (root / f"d{n:02}" / "sub").mkdir(parents=True)
        (root / f"d{n:02}" / "sub" / "a.txt").write_text("A\n\nb.\n")
        (root / f"d{n:02}" / "b.txt").write_text("B\n\nc.\n")
    before = len(os.listdir("/proc/self/fd"))
    found = [f.relpath for f in scan_corpus(root)]
    assert found[:3] == ["d00/b.txt", "d00/sub/a.txt", "d01/b.txt"] and len(found) == 60
    stopped = scan_corpus(root)
    next(stopped)
    stopped.close()  # a caller that stops early
    assert len(os.listdir("/proc/self/fd")) == before
