"""Readers for the shared test data, for the benchmarks only.

The benches parse the raw data themselves (regexes, json) so that they do not
depend on `searchkit.formats`: a bug there must not hide behind the numbers it
is measured by. Nothing here writes anywhere.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = SHARED / "corpora"
TIME_DIR = SHARED / "eval" / "time"


def repo_version() -> str:
    """The commit the numbers were measured at (`+dirty` with local edits)."""
    import subprocess

    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--",
                                "searchkit"], capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def require(path: Path) -> Path:
    """Exit with a clear message when the shared data is not there."""
    if not path.exists():
        raise SystemExit(f"missing test data: {path} (the benches read ../shared next to the repo)")
    return path


# ---------------------------------------------------------------- TIME


@dataclass(frozen=True)
class TimeDoc:
    position: int  # 1-based order in TIME.ALL
    text_no: str
    date: str
    qrel_docid: int
    text: str  # the lines joined by spaces, as in the file (upper case)


def time_docs() -> list[TimeDoc]:
    """The 423 TIME documents, with the qrel id from docmap.tsv."""
    require(TIME_DIR)
    qrel_of: dict[int, int] = {}
    for line in (TIME_DIR / "docmap.tsv").read_text().splitlines()[1:]:
        position, _text_no, _date, _page, qrel = line.split("\t")
        qrel_of[int(position)] = int(qrel)
    raw = (TIME_DIR / "TIME.ALL").read_text(encoding="latin-1")
    docs: list[TimeDoc] = []
    for n, chunk in enumerate(re.split(r"^\*TEXT\s+", raw, flags=re.M)[1:], start=1):
        header, _, body = chunk.partition("\n")
        fields = header.split()
        body = body.split("*STOP")[0]
        text = " ".join(line.strip() for line in body.splitlines() if line.strip())
        docs.append(TimeDoc(n, fields[0], fields[1], qrel_of[n], text))
    return docs


def time_queries() -> dict[str, str]:
    """Query id -> text, as in TIME.QUE (upper case, spaced punctuation)."""
    raw = (require(TIME_DIR) / "TIME.QUE").read_text(encoding="latin-1").split("*STOP")[0]
    out: dict[str, str] = {}
    for chunk in re.split(r"^\*FIND\s+", raw, flags=re.M)[1:]:
        qid, _, text = chunk.partition("\n")
        out[qid.strip()] = " ".join(text.split())
    return out


def time_qrels() -> dict[str, set[int]]:
    """Query id -> the relevant qrel doc ids."""
    out: dict[str, set[int]] = {}
    for line in (require(TIME_DIR) / "TIME.REL").read_text().splitlines():
        parts = line.split()
        if parts:
            out[parts[0]] = {int(p) for p in parts[1:]}
    return out


# ---------------------------------------------------------------- Reuters


@dataclass(frozen=True)
class ReutersDoc:
    newid: int
    lewissplit: str
    topics_attr: str  # "YES" when the story was indexed for topics
    topics: tuple[str, ...]
    date: str
    title: str
    dateline: str
    author: str
    paragraphs: tuple[str, ...]


_REUTERS = re.compile(r"<REUTERS ([^>]*)>(.*?)</REUTERS>", re.S)
_TEXT = re.compile(r"<TEXT[^>]*>(.*?)</TEXT>", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _tag(block: str, name: str) -> str:
    m = re.search(rf"<{name}>(.*?)</{name}>", block, re.S)
    return m.group(1) if m else ""


def _clean(text: str) -> str:
    return _CONTROL.sub("", html.unescape(text))


def _reuters_paragraphs(body: str) -> tuple[str, ...]:
    """Reuters marks a new paragraph by a line indented with spaces."""
    body = _clean(body)
    body = re.sub(r"\s*reuter\s*$", "", body.strip(), flags=re.I)
    paras = re.split(r"\n(?=[ \t]+\S)", body)
    return tuple(" ".join(p.split()) for p in paras if p.strip())


def reuters_docs() -> list[ReutersDoc]:
    """All 21578 stories, in NEWID order (files read as Latin-1)."""
    folder = require(CORPORA / "reuters21578")
    docs: list[ReutersDoc] = []
    for path in sorted(folder.glob("reut2-*.sgm")):
        raw = path.read_text(encoding="latin-1")
        for m in _REUTERS.finditer(raw):
            attrs = dict(_ATTR.findall(m.group(1)))
            block = m.group(2)
            tm = _TEXT.search(block)
            text = tm.group(1) if tm else ""
            body = _tag(text, "BODY")
            if not body and "<TITLE>" not in text:  # UNPROC: the text is the body
                body = text
            docs.append(
                ReutersDoc(
                    newid=int(attrs["NEWID"]),
                    lewissplit=attrs.get("LEWISSPLIT", ""),
                    topics_attr=attrs.get("TOPICS", ""),
                    topics=tuple(re.findall(r"<D>(.*?)</D>", _tag(block, "TOPICS"))),
                    date=" ".join(_tag(block, "DATE").split()),
                    title=" ".join(_clean(_tag(text, "TITLE")).split()),
                    dateline=" ".join(_clean(_tag(text, "DATELINE")).split()).rstrip(" -"),
                    author=" ".join(_clean(_tag(text, "AUTHOR")).split()),
                    paragraphs=_reuters_paragraphs(body),
                )
            )
    return docs


def reuters_topic_names() -> dict[str, str]:
    """Topic code (lower case) -> its name in cat-descriptions, e.g.
    'crude' -> 'Crude Oil'."""
    path = require(CORPORA / "reuters21578" / "cat-descriptions_120396.txt")
    out: dict[str, str] = {}
    for m in re.finditer(r"^\s*(\S.*?)\s*\(([A-Z0-9.-]+)\)\s*$", path.read_text("latin-1"), re.M):
        out.setdefault(m.group(2).lower(), m.group(1))
    return out


# ---------------------------------------------------------------- BBC, HuffPost


def decode(data: bytes) -> str:
    """UTF-8, else cp1252 (one BBC file is Latin-1)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class BBCDoc:
    relpath: str  # e.g. "business/001.txt"
    headline: str
    paragraphs: tuple[str, ...]


def bbc_docs() -> list[BBCDoc]:
    folder = require(CORPORA / "bbc")
    docs: list[BBCDoc] = []
    for path in sorted(folder.glob("*/*.txt")):
        text = decode(path.read_bytes()).replace("\r\n", "\n")
        headline, _, rest = text.strip().partition("\n")
        paras = tuple(" ".join(p.split()) for p in re.split(r"\n\s*\n", rest) if p.strip())
        docs.append(BBCDoc(path.relative_to(folder).as_posix(), headline.strip(), paras))
    return docs


def huffpost_records() -> list[dict[str, str]]:
    folder = require(CORPORA / "huffpost_news_category")
    out: list[dict[str, str]] = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line))
    return out
