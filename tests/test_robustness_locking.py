"""One writer at a time; readers never wait and never see half an update."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from searchkit.cli import main, search_command
from searchkit.engine import search
from searchkit.errors import IndexLockedError
from searchkit.indexer import update_index
from searchkit.locking import LOCK_NAME, holder_pid, write_lock
from searchkit.status import ExitStatus

HOLD = """
import sys, time
from pathlib import Path
from searchkit.locking import write_lock
with write_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def run(command: click.Command, *args: str) -> Result:
    return CliRunner().invoke(command, list(args), catch_exceptions=False)


def hold_lock(index: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(index), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "locked\n"
    return proc


def write(corpus: Path, name: str, text: str) -> None:
    (corpus / name).write_text(text, encoding="utf-8")


def test_second_writer_waits_then_exits_locked(corpus: Path, index_dir: Path) -> None:
    write(corpus, "a.txt", "Alpha\n\nHarbour news.\n")
    holder = hold_lock(index_dir, 30)
    try:
        result = run(main, "index", "--wait", "0.3")
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == ExitStatus.INDEX_LOCKED
    lines = result.stderr.splitlines()
    assert lines[0] == f"waiting for the index lock held by pid {holder.pid}…"
    assert lines[1].startswith("searchkit: the index at ")
    assert f"being written by process {holder.pid}" in lines[1] and "run the command again" in lines[1]


def test_second_writer_proceeds_when_the_first_finishes(corpus: Path, index_dir: Path) -> None:
    write(corpus, "a.txt", "Alpha\n\nHarbour news.\n")
    holder = hold_lock(index_dir, 0.4)
    result = run(main, "index", "--wait", "20")
    holder.wait()
    assert result.exit_code == 0, result.stderr
    assert "waiting for the index lock held by pid" in result.stderr
    assert "1 article indexed" in result.stderr


def test_lock_of_a_killed_writer_is_recovered(corpus: Path, index_dir: Path) -> None:
    write(corpus, "a.txt", "Alpha\n\nHarbour news.\n")
    holder = hold_lock(index_dir, 30)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert (index_dir / LOCK_NAME).exists() and holder_pid(index_dir) == holder.pid
    started = time.monotonic()
    result = run(main, "index", "--wait", "5")
    assert result.exit_code == 0 and "waiting" not in result.stderr
    assert time.monotonic() - started < 4


def test_library_reports_the_wait_through_a_callback(corpus: Path, index_dir: Path) -> None:
    write(corpus, "a.txt", "Alpha\n\nHarbour news.\n")
    seen: list[int | None] = []
    holder = hold_lock(index_dir, 30)
    try:
        with pytest.raises(IndexLockedError, match=f"process {holder.pid}"):
            update_index(corpus, index_dir, lock_timeout=0.1, on_wait=seen.append)
    finally:
        holder.kill()
        holder.wait()
    assert seen == [holder.pid]


def test_lock_is_reentrant_across_sequential_runs(tmp_path: Path) -> None:
    for _ in range(3):
        with write_lock(tmp_path / "ix", timeout=0):
            pass


def test_search_works_while_a_writer_holds_the_lock(corpus: Path, index_dir: Path) -> None:
    write(corpus, "a.txt", "Alpha\n\nHarbour news.\n")
    update_index(corpus, index_dir)
    holder = hold_lock(index_dir, 30)
    try:
        result = run(search_command, "harbour")
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 0 and "a.txt" in result.stdout


WRITER = """
import sys, time
from pathlib import Path
from searchkit.indexer import update_index
corpus, index, seconds = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
deadline = time.monotonic() + seconds
n = 0
while time.monotonic() < deadline:
    extra = corpus / f"extra{n % 3}.txt"
    if extra.exists():
        extra.unlink()
    else:
        extra.write_text(f"Extra {n}\\n\\nPassing words.\\n")
    update_index(corpus, index, rebuild=(n % 4 == 0))
    n += 1
print(n, flush=True)
"""


def test_readers_see_only_committed_states_while_indexing(corpus: Path, index_dir: Path) -> None:
    """Every search during rebuilds and incremental commits sees all base articles."""
    for i in range(40):
        write(corpus, f"base{i}.txt", f"Base {i}\n\nSteady harbour report number {i}.\n")
    update_index(corpus, index_dir)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(corpus), str(index_dir), "1.2"],
        stdout=subprocess.PIPE, text=True,
    )
    searches = 0
    while writer.poll() is None:
        result = search(index_dir, "harbour", limit=100)
        assert result.total == 40 and len(result.hits) == 40
        searches += 1
    assert writer.returncode == 0
    assert writer.stdout is not None and int(writer.stdout.read()) >= 2
    assert searches >= 5
