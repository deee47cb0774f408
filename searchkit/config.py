"""Where the index and the corpus live: option, then env var, then default."""

from __future__ import annotations

import os
from pathlib import Path

INDEX_ENV = "SEARCHKIT_INDEX"
CORPUS_ENV = "SEARCHKIT_CORPUS"


def resolve_index(option: str | os.PathLike[str] | None = None) -> Path:
    """The index folder: `--index`, else $SEARCHKIT_INDEX, else ./index."""
    value = option or os.environ.get(INDEX_ENV) or "index"
    return Path(value).expanduser().absolute()


def resolve_corpus(
    option: str | os.PathLike[str] | None = None, recorded: str | None = None
) -> Path:
    """The corpus folder: `--corpus`, else $SEARCHKIT_CORPUS, else the corpus
    the index was built from, else ./corpus."""
    value = option or os.environ.get(CORPUS_ENV) or recorded or "corpus"
    return Path(value).expanduser().absolute()
