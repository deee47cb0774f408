"""A stand-in for whoosh.lang.morph_en until its one function is called.

whoosh.query imports it for the Variations query, which searchkit never
builds, and importing it compiles its suffix rules into ~50 regular
expressions. A fresh `search "Western Sahara"` on bench/speed.py's
100,000-article index, under `PYTHONHASHSEED=0 valgrind --tool=callgrind`:
602.7 M instructions before, 558.1 M with the stand-in. The first call of
`variations` imports the real module and hands over to it.
"""

from __future__ import annotations

import importlib
import sys
import types

NAME = "whoosh.lang.morph_en"


def variations(word: str) -> object:
    return real_module().variations(word)


def real_module() -> types.ModuleType:
    if sys.modules.get(NAME) is _STAND_IN:
        del sys.modules[NAME]
    return importlib.import_module(NAME)


_STAND_IN = types.ModuleType(NAME, __doc__)
_STAND_IN.variations = variations  # type: ignore[attr-defined]


def install() -> None:
    """Put the stand-in in place, unless whoosh has imported the real one already."""
    sys.modules.setdefault(NAME, _STAND_IN)
