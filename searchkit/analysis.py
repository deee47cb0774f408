"""The English analyzer for searched text: words → lower case → stop words
dropped → Snowball English (Porter2) stems; "US", "U.S." and "United States"
are one term, as are "UN", "U.N." and "United Nations", and "UK", "U.K." and
"United Kingdom".

It does what whoosh's StemmingAnalyzer does in one loop instead of a chain of
generators, and stems with PyStemmer (Snowball's own C code) instead of a
pure-Python stemmer: analysis was most of the indexing time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from operator import sub
from pickle import dumps
from struct import Struct
from typing import Any, cast

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type hints
from whoosh.analysis import Analyzer, Token
from whoosh.analysis.filters import STOP_WORDS

# whoosh's default token pattern (keeps "u.s" and wildcards like "elect*" whole)
WORD = re.compile(r"[\w\*]+(\.?[\w\*]+)*")
# The same words, for findall, without WORD's optional dot (a word's letters
# run on anyway), which findall matches faster; tests/test_analysis.py
# checks that both give the same terms.
WORD_TEXT = re.compile(r"[\w*]+(?:\.[\w*]+)*")
# ASCII text (most news) is split without a regex (`_spellings`): a byte
# table lowers letters and blanks every byte that is no word character, "*"
# or "."; then dots that do not join two word characters are blanked too,
# which leaves the words WORD_TEXT finds. With the same for the fingerprint
# (duplicates._words), the whole build under callgrind (bench/build_cost.py
# --articles 1000, as its docstring says): 7.963 G -> 7.024 G instructions.
_ASCII_WORD = bytes(
    c + 32 if 65 <= c <= 90 else c if chr(c).isalnum() or chr(c) in "_*." else 32
    for c in range(128)
) + b" " * 128
MIN_WORD = 2
# Longer "words" are junk (base64, URLs run together) and would bloat the index.
MAX_WORD = 64
_stemmer = Stemmer.Stemmer("english")

def folded(word: str) -> str:
    """`word` without the accents of its Latin letters ("beyoncé" → "beyonce",
    as SQLite FTS5's unicode61 tokenizer does): people type names without
    them, and sources differ. Other scripts' marks stay (й is not и)."""
    if word.isascii():
        return word
    kept: list[str] = []
    latin = False
    for char in unicodedata.normalize("NFD", word):
        if unicodedata.combining(char):
            if latin:
                continue
        else:
            latin = char.isascii()
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


# "US" in capitals is the country, not the stop word "us", unless the words
# around it are capitals too ("LET US GO"; TIME's all-capitals text spells
# the country "U.S."): it is indexed and searched as "U.S." is, so that
# `search "US election"` does not search for "election" alone.
# (The lookbehind follows the literal: the regex engine scans fast only for
# a pattern that starts with one. With the lookbehind first and regex
# searches for the neighbours, the build cost +1.35% instructions, against
# +0.25% now: bench/build_cost.py --articles 1000 under callgrind.)
_US = re.compile(r"US(?<![\w*.]US)(?![\w*]|\.[\w*])")
_ALNUM = re.compile(r"\w+")
_COUNTRY = "U.S"


def _is_country(value: str, start: int, end: int) -> bool:
    """Whether the "US" at value[start:end] is the country (see _US)."""
    around = _ALNUM.findall(value, max(0, start - 32), start)[-1:] + _ALNUM.findall(value, end, end + 32)[:1]
    return not around or not all(word.isupper() for word in around)


def _with_country(value: str) -> str:
    """`value` with each "US" that is the country written "U.S"."""
    if "US" not in value:
        return value
    return _US.sub(lambda m: _COUNTRY if _is_country(value, m.start(), m.end()) else "US", value)


# "United States", "United Nations" and "United Kingdom" are one word each,
# the same as "U.S." (and "US", above), "U.N." / "UN" and "U.K." / "UK": one
# spelling finds the others. The dotless "un" and "uk" are the terms of the
# last two (_ALIASES), so that a query typed in lower case finds them all.
_UNITED = "united"
_UNITED_TERM = _stemmer.stemWord(_UNITED).encode()
_NAMED = {"states": "u.s", "nations": "u.n", "kingdom": "u.k"}
_ALIASES = {"u.n": "un", "u.k": "uk"}


def initials(first: str | bytes, second: str | bytes) -> str | None:
    """The initials two words stand for as one ("United", "States" → "u.s"), or None."""
    return _NAMED.get(_word_of(second)) if _word_of(first) == _UNITED else None


def _may_name(value: str) -> bool:
    """Whether `value` may hold "United States"…: a quick test before any
    word is looked at (bench/build_cost.py --articles 1000 under callgrind:
    +0.35% with it, +3.2% with a pass over every word). Both analysis paths
    use it, so that odd casings ("UNited") are left alone by both."""
    return "nited" in value or "NITED" in value


def _word_of(spelling: str | bytes) -> str:
    """A spelling as a word: lower case (ASCII bytes are already), accents dropped."""
    return spelling.decode() if isinstance(spelling, bytes) else folded(spelling.lower())


def _joined_names(spellings: list[Any], mapped: list[bytes], terms: dict[str | bytes, bytes],
                  stops: frozenset[str]) -> list[bytes]:
    """`mapped` (the terms of `spellings`) with each "united" + "states"…
    pair made one term, that of its initials."""
    pieces: list[list[bytes]] = []
    last = 0
    i = -1
    while True:
        try:  # a scan in C: "unit" is in a fifth of news articles
            i = mapped.index(_UNITED_TERM, i + 1)
        except ValueError:
            break
        name = initials(spellings[i], spellings[i + 1]) if i + 1 < len(spellings) else None
        if name is not None:
            pieces += [mapped[last:i], [_term_of(name, terms, stops)]]
            last = i + 2
            i += 1
    if not pieces:
        return mapped
    pieces.append(mapped[last:])
    return [term for piece in pieces for term in piece]


# A letter and a word joined by a hyphen are one word: "e-mail" is "email"
# (BBC writes "e-mail" 224 times, "email" 17), "x-ray" is "xray". A single
# letter is no word of its own (MIN_WORD), so nothing else is lost. The
# pattern finds, in text, what NewsAnalyzer finds among its tokens: a
# one-letter word, "-", then a word of two characters or more.
_LETTER = re.compile(r"[^\W\d_]")
# (It starts with the "-", which the regex engine scans for fast; the letter
# and what stands before it are lookbehinds. Led by the lookbehinds it cost
# the build +7.3% instructions, against +0.30%, measured as above.)
_LETTER_HYPHEN = re.compile(
    r"-(?<=[^\W\d_]-)(?<![\w*][^\W\d_]-)(?<![\w*]\.[^\W\d_]-)(?=[\w*](?:[\w*]|\.[\w*]))")


def _after_hyphen(value: str, end: int) -> re.Match[str] | None:
    """The word of 2+ characters right after a "-" at value[end], if any."""
    if not value.startswith("-", end):
        return None
    after = WORD.match(value, end + 1)
    return after if after is not None and after.end() - after.start() >= 2 else None


def _with_letters_joined(value: str) -> str:
    return _LETTER_HYPHEN.sub("", value) if "-" in value else value


_STOPS = frozenset(STOP_WORDS)
# Spelling (str, or lower-case ASCII bytes) -> term bytes, b"" if not indexed.
_TERMS: dict[str | bytes, bytes] = {}
_stems: dict[str, str] = {}


def forget_spellings() -> None:
    """Drop the remembered spellings and stems, which grow with the
    vocabulary: a writer calls this once its documents are analysed, so
    that merging their postings can reuse the memory."""
    _TERMS.clear()
    _stems.clear()


def stem(word: str) -> str:
    """The stem of a lower-case word (memoised: news vocabulary repeats)."""
    stemmed = _stems.get(word)
    if stemmed is None:
        if len(_stems) > 200_000:
            _stems.clear()
        stemmed = _stems[word] = _ALIASES.get(word) or _stemmer.stemWord(word)
    return stemmed


_pack_count = Struct("!I").pack  # as whoosh.formats.Positions encodes
# Most words occur once in an article: their encoded positions, made on
# first use (index_terms), not at import: a search would pay ~1 ms for them.
_ONCE: list[bytes] = []
_ONCE_MAX = 4096


def _make_once() -> list[bytes]:
    _ONCE[:] = [_pack_count(1) + dumps([p], 2) for p in range(_ONCE_MAX)]
    return _ONCE


def _spellings(value: str) -> list[Any]:
    """The words of `value` as WORD_TEXT finds them: lower-cased ASCII bytes
    for ASCII text, else str as written (tests/test_analysis.py)."""
    if not value.isascii():
        return WORD_TEXT.findall(value)
    blanked = b" " + value.encode().translate(_ASCII_WORD) + b" "
    return blanked.replace(b"..", b"  ").replace(b". ", b"  ").replace(b" .", b"  ").split()


def _term_of(spelling: str | bytes, terms: dict[str | bytes, bytes], stops: frozenset[str]) -> bytes:
    """The term of a spelling not looked up yet (or earlier in this text), remembered in `terms`."""
    term = terms.get(spelling)
    if term is None:
        word = _word_of(spelling)
        if len(word) < MIN_WORD or len(word) > MAX_WORD or word in stops:
            term = terms[spelling] = b""
        else:
            term = terms[spelling] = stem(word).encode("utf-8")
    return term


def _positions(mapped: list[bytes]) -> dict[bytes, list[int]]:
    """Each term's positions; positions count indexed words only."""
    positions: dict[bytes, list[int]] = {}
    get = positions.get
    for pos, term in enumerate(filter(None, mapped)):
        found = get(term)
        if found is None:
            positions[term] = [pos]
        else:
            found.append(pos)
    return positions


def index_terms(value: str, stoplist: frozenset[str] | None = None
                ) -> list[tuple[bytes, int, float, bytes]]:
    """What whoosh's Positions format makes of `value` under NewsAnalyzer —
    (term bytes, frequency, weight, encoded positions) per distinct term —
    without its Token objects and generators (the same values:
    tests/test_analysis.py)."""
    stops = _STOPS if stoplist is None else stoplist
    # Each distinct spelling is lowered, checked and stemmed once: `terms`
    # maps it to its term's bytes, or b"" for a word not indexed.
    terms: dict[str | bytes, bytes] = _TERMS if stops == _STOPS else {}
    if len(terms) > 500_000:
        terms.clear()
    spellings = _spellings(_with_letters_joined(_with_country(value)))
    # Known spellings looked up in one C loop; the rest (few, once a build
    # is under way) made here.
    found = list(map(terms.get, spellings))
    if None in found:
        mapped = [_term_of(s, terms, stops) if t is None else t for s, t in zip(spellings, found)]
    else:
        mapped = cast(list[bytes], found)
    if _may_name(value):
        mapped = _joined_names(spellings, mapped, terms, stops)
    positions = _positions(mapped)
    items = []
    once = _ONCE or _make_once()
    for term, poslist in positions.items():
        n = len(poslist)
        if n == 1 and poslist[0] < len(once):
            items.append((term, 1, 1.0, once[poslist[0]]))
            continue
        deltas = [poslist[0]]
        deltas += map(sub, poslist[1:], poslist)
        items.append((term, n, float(n), _pack_count(n) + dumps(deltas, 2)))
    return items


class NewsAnalyzer(Analyzer):
    """Tokens for whoosh: positions and character offsets as its own analyzers give."""

    def __init__(self, stoplist: frozenset[str] = STOP_WORDS) -> None:
        self.stoplist = frozenset(stoplist)

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        stoplist = self.stoplist
        if not tokenize:  # a wildcard's or fuzzy word's text: "e-mail*" is "email*"
            matches: Any = [_Whole(_with_letters_joined(value))]
        else:
            matches = WORD.finditer(value)
        # Positions count kept words only, as whoosh's StopFilter renumbers
        # them: "decision on casinos" matches the phrase "decision casinos".
        pos = start_pos
        fold = not value.isascii()
        # "US" and "United States"… are looked at only in a value that may
        # hold them: this loop runs over every hit's body for its snippets.
        names = tokenize and _may_name(value)  # the same test as index_terms'
        special = names or (tokenize and "US" in value)
        skip_to = 0  # the words before this offset were joined into the last token
        for match in matches:
            if skip_to:
                if match.start() < skip_to:
                    continue
                skip_to = 0
            original = match.group(0)
            word = original.lower()
            if fold and not word.isascii():
                word = folded(word)
            joined_end = 0
            if len(original) == 1 and tokenize and _LETTER.match(original):
                after = _after_hyphen(value, match.end())
                if after is not None:  # "e-mail": the one word "email"
                    joined_end = after.end()
                    original = value[match.start():joined_end]
                    word = folded((original[0] + original[2:]).lower())
            if special and (word == "us" or word == _UNITED):
                if original == "US" and _is_country(value, match.start(), match.end()):
                    word = _COUNTRY.lower()
                elif names and word == _UNITED and (
                        after := WORD.search(value, joined_end or match.end())) is not None:
                    name = initials(word, after.group(0))
                    if name is not None:
                        word, joined_end = name, after.end()
                        original = value[match.start():joined_end]
            if joined_end:
                skip_to = joined_end
            if len(word) < MIN_WORD or len(word) > MAX_WORD or word in stoplist:
                if removestops:
                    continue
                token.stopped = True
                token.text = word
                token_pos = pos
            else:
                token.stopped = False
                token.text = stem(word)
                token_pos = pos
                pos += 1
            token.boost = 1.0
            if keeporiginal:
                token.original = original  # type: ignore[attr-defined]
            if positions:
                token.pos = token_pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + (joined_end or match.end())
            yield token


class _Whole:
    """A whole value posing as a regex match (for tokenize=False)."""

    def __init__(self, value: str) -> None:
        self.value = value

    def group(self, _n: int) -> str:
        return self.value

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self.value)
