"""Measured and dropped: analysis and feedback levers of 2026-12-02 (issue 5).

Runs bench/relevance.py with one lever switched on by patching searchkit in
this process (applies to 3d9afe2 and later, while the patched names exist):

    python bench/experiments/analysis_levers.py demonyms [relevance.py args]
    python bench/experiments/analysis_levers.py stemmer=porter --only time
    python bench/experiments/analysis_levers.py stemmer=plural
    python bench/experiments/analysis_levers.py stemmer=krovetz   # or lancaster
    python bench/experiments/analysis_levers.py stops=none
    python bench/experiments/analysis_levers.py aliases=none   # "UN" apart from "U.N."
    python bench/experiments/analysis_levers.py tau=1:-0.5 --only time
    python bench/experiments/analysis_levers.py temporal   # its own table, TIME only
    python bench/experiments/analysis_levers.py none       # the unchanged code

demonyms      "Albanian", "Chinese"... indexed and searched as the country
stemmer=NAME  a PyStemmer algorithm ("porter": Porter's original),
              "plural" (only -s / -es / -ies removed), "krovetz" (a
              dictionary-checked light stemmer; pip install KrovetzStemmer)
              or "lancaster" (Paice/Husk, harsher than Porter2; pip install
              nltk)
stops=none    no stop words at all
aliases=none  "U.N." / "United Nations" one term, "UN" another (and so for
              the UK): the analyzer as 61e7af8 had it before its "un" / "uk"
tau=A:B       feedback articles weighted exp(A · (n/10)^B · (score − best))
              for a query of n distinct words, instead of exp(score − best)
temporal      the ranking re-ordered in its top 50 by how close each article's
              date is to the feedback articles' dates (a Gaussian kernel of
              σ days, weight λ on its log), for σ and λ in a grid
"""

from __future__ import annotations

import inspect
import math
import re
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import Stemmer  # noqa: E402

import searchkit.analysis as analysis  # noqa: E402
import searchkit.ranking as ranking  # noqa: E402

DEMONYMS = """
afghanistan afghan afghans | albania albanian albanians | algeria algerian algerians
argentina argentine argentinian | australia australian australians | austria austrian austrians
belgium belgian belgians | brazil brazilian brazilians | britain british briton britons
bulgaria bulgarian bulgarians | burma burmese | cambodia cambodian cambodians
canada canadian canadians | chile chilean chileans | china chinese | congo congolese
cuba cuban cubans | cyprus cypriot cypriots | czechoslovakia czechoslovak czechoslovaks
denmark danish dane danes | egypt egyptian egyptians | ethiopia ethiopian ethiopians
finland finnish finn finns | france french frenchman frenchmen | germany german germans
ghana ghanaian ghanaians | greece greek greeks | hungary hungarian hungarians
india indian indians | indonesia indonesian indonesians | iran iranian iranians
iraq iraqi iraqis | ireland irish | israel israeli israelis | italy italian italians
japan japanese | jordan jordanian jordanians | kenya kenyan kenyans | korea korean koreans
laos laotian laotians | lebanon lebanese | libya libyan libyans | mexico mexican mexicans
morocco moroccan moroccans | netherlands dutch | nigeria nigerian nigerians
norway norwegian norwegians | pakistan pakistani pakistanis | poland polish pole poles
portugal portuguese | romania romanian romanians | russia russian russians
saudi saudis | somalia somali somalis | spain spanish spaniard spaniards | sudan sudanese
sweden swedish swede swedes | switzerland swiss | syria syrian syrians
thailand thai thais | tunisia tunisian tunisians | turkey turkish turk turks
uganda ugandan ugandans | venezuela venezuelan venezuelans | vietnam vietnamese
yemen yemeni yemenis | yugoslavia yugoslav yugoslavs yugoslavian
"""


class _Stems:
    """A stand-in for PyStemmer's stemmer, stemming with `stem_word`."""

    def __init__(self, stem_word) -> None:
        self.stemWord = stem_word


def demonyms() -> None:
    real = analysis._stemmer.stemWord
    table = {}
    for group in DEMONYMS.split("|"):
        country, *forms = group.split()
        for form in forms:
            table[real(form)] = real(country)
    analysis._stemmer = _Stems(lambda w: table.get(real(w), real(w)))


def plural(word: str) -> str:
    if word.endswith("ies") and not word.endswith(("eies", "aies")) and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")) and len(word) > 3:
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")) and len(word) > 3:
        return word[:-1]
    return word


def other_stemmer(name: str):
    if name == "plural":
        return _Stems(plural)
    if name == "krovetz":  # pip install KrovetzStemmer
        import krovetzstemmer

        return _Stems(krovetzstemmer.Stemmer().stem)
    if name == "lancaster":  # pip install nltk
        from nltk.stem import LancasterStemmer

        return _Stems(LancasterStemmer().stem)
    return Stemmer.Stemmer(name)


def switch(lever: str) -> None:
    name, _, value = lever.partition("=")
    if name == "none":
        return
    if name == "demonyms":
        demonyms()
    elif name == "stemmer":
        analysis._stemmer = other_stemmer(value)
    elif name == "stops" and value == "none":
        analysis._STOPS = frozenset()
        analysis.NewsAnalyzer.__init__.__defaults__ = (frozenset(),)
        from searchkit import schema

        schema.TEXT_ANALYZER.stoplist = frozenset()
    elif name == "aliases" and value == "none":
        analysis._ALIASES = {}
    elif name == "tau":
        a, b = map(float, value.split(":"))
        source = inspect.getsource(ranking._expansion).replace(
            "article_weight = math.exp(score - best)",
            f"article_weight = math.exp({a} * (len(set(words)) / 10) ** ({b}) * (score - best))")
        exec(source, vars(ranking))
    else:
        raise SystemExit(f"unknown lever {lever!r}; see this file's docstring")
    analysis._stems.clear()
    analysis._TERMS.clear()
    # The names rule finds "united" by its stem: the stemmer's own.
    analysis._UNITED_TERM = analysis._stemmer.stemWord(analysis._UNITED).encode()


def temporal() -> None:
    """TIME's dates as a re-ranking signal (see the docstring)."""
    import tempfile

    import relevance
    import sources

    from searchkit.indexer import update_index

    coll = relevance.load_time()
    dated = {}
    for line in (sources.TIME_DIR / "docmap.tsv").read_text().splitlines()[1:]:
        position, _no, raw, _page, _qrel = line.split("\t")
        month, day, year = re.split(r"[/ ]", raw)[:3]
        dated[f"{int(position):03d}"] = date(1900 + int(year), int(month), int(day)).toordinal()
    with tempfile.TemporaryDirectory() as work:
        update_index(relevance.write_articles(coll, Path(work)), Path(work) / "index", rebuild=True)
        scored = relevance.scored_run(coll, Path(work) / "index")

    def evaluate(sigma: float, lam: float) -> tuple[float, float]:
        ap = nd = 0.0
        for qid, hits in scored.items():
            head = hits[:50]
            ranked = hits
            # Only where the top 50 are in score order (long queries: no tiers).
            if lam and all(head[i][1] >= head[i + 1][1] for i in range(len(head) - 1)):
                best = head[0][1]
                weights = [(dated[d], math.exp(s - best)) for d, s in head[:10]]
                total = sum(w for _, w in weights)

                density = {d: sum(w * math.exp(-(((dated[d] - u) / sigma) ** 2) / 2) for u, w in weights) / total
                           for d, _ in head}
                ranked = sorted(head, key=lambda x: -(x[1] + lam * math.log(density[x[0]] + 1e-3)))
                ranked += hits[50:]
            ids = [d for d, _ in ranked]
            ap += relevance.average_precision(ids, coll.qrels[qid])
            nd += relevance.ndcg(ids, coll.qrels[qid])
        return ap / len(scored), nd / len(scored)

    print("TIME, unchanged: MAP %.3f nDCG@10 %.3f" % evaluate(30, 0))
    for sigma in (7, 14, 30, 60):
        print(f"σ {sigma:>2} days:", "  ".join(
            f"λ {lam}: %.3f / %.3f" % evaluate(sigma, lam) for lam in (0.02, 0.05, 0.1, 0.2)))


def main() -> int:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    lever, rest = sys.argv[1], sys.argv[2:]
    if lever == "temporal":
        temporal()
        return 0
    switch(lever)
    import relevance

    return relevance.main(["--engines", "searchkit", *rest])


if __name__ == "__main__":
    sys.exit(main())
