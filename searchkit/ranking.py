"""How articles are ranked: every choice in one place, with its measured effect.

Figures are from `python bench/relevance.py` (TIME: 423 docs, 83 queries;
Reuters-21578 test split judged by TOPICS, 20 topic queries; BBC known-item,
200 queries of 3 distinctive words), one change at a time, each kept only if
it helped TIME and did not hurt the others. Baseline (whoosh BM25F over
separate headline and body fields, AND-first): TIME MAP 0.657, nDCG@10 0.721;
Reuters MAP 0.511; known-item MRR 0.941. The closing note of issue 5 has the
full table.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from whoosh import scoring
from whoosh.query import And, Not, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from searchkit.schema import SEARCH_FIELD, TEXT_ANALYZER
from searchkit.wordscores import LENGTHS, leaves, length_bytes, phrase_scores, word_scores

# --- What is indexed --------------------------------------------------------

# Headline and body are one searched field, the headline repeated: a word in
# the headline counts more (BM25F's field weight, applied before term
# frequency saturation). Adding separately computed headline and body
# scores let a short headline with one query word beat an article holding
# all of them. Weight 2 vs 1 or 3: Reuters nDCG@10 0.875 vs 0.882 / 0.863,
# TIME and known-item unchanged (TIME has no real headlines).
HEADLINE_WEIGHT = 2

# The lead (first words of the body) is indexed once more: news puts the
# topic first. 40 words: TIME MAP 0.735 → 0.737, Reuters MAP 0.529 → 0.535
# and nDCG@10 0.894 → 0.908; known-item MRR 0.947 → 0.944. 20 and 80 words
# were worse on TIME.
LEAD_WORDS = 40


# A name and its initials are one term ("United Nations", "U.N.", "UN"; the
# same for the US and the UK; searchkit/analysis.py): TIME MAP 0.740 →
# 0.741, nDCG@10 0.791 → 0.792 (0.743 / 0.794 with "UN" kept apart from
# "U.N.": analysis_levers.py aliases=none; but then a query typed "un" misses articles that say "U.N.", and
# TIME's three "UN"s are Kim Sung Un, UN-ARAB and D'UN); Reuters and
# known-item unchanged. Before it, "US" was the stop word "us".
# Accents of Latin letters are dropped ("Beyonce" finds "Beyoncé") and a
# letter joined to a word by a hyphen is one word ("e-mail" is "email"):
# the judged sets' figures are unchanged (their text is ASCII, and their
# one-letter compounds are few); tests/test_accents.py and
# tests/test_search_bbc.py hold what a reader sees.
# Tried and dropped (bench/experiments/analysis_levers.py, at 3d9afe2; the
# plural stemmer remeasured once the script kept the names rule working: TIME
# MAP / nDCG@10, Reuters MAP / nDCG@10, known-item MRR, against 0.741 /
# 0.792, 0.535 / 0.908, 0.944):
# - Nationality words as their country ("Albanian" → albania, "Chinese" →
#   china; 85 countries): TIME 0.725 / 0.769; the others unchanged.
# - Porter's original stemmer instead of Porter2: 0.740 / 0.792, 0.535 /
#   0.908, 0.947 — a wash. A plural-only stemmer: 0.676 / 0.726, 0.528 /
#   0.897, but known-item 0.961 (its queries are words copied from the
#   article, which a light stemmer keeps apart). Krovetz (dictionary-checked,
#   light): 0.686 / 0.739, 0.518 / 0.900, 0.955; Lancaster (harsher than
#   Porter2): 0.687 / 0.739, 0.520 / 0.888, 0.927 (at dd33267).
# - No stop words: 0.705 / 0.757, 0.539 / 0.910, 0.944.
# - Feedback article weights sharper or flatter with query length, exp(τ ·
#   (score − best)) with τ = (n/10)^±0.5 for n words: 0.741 / 0.791 (−0.5),
#   0.738 / 0.788 (+0.5).
# - TIME's dates: relevant articles cluster in time, but no more than the
#   top articles already do; re-ordering the top 50 by closeness in date to
#   the feedback articles (σ 7–60 days, λ 0.02–0.2) gave 0.727–0.741 MAP,
#   0.780–0.793 nDCG@10 (best σ 30, λ 0.02: 0.741 / 0.793).


# The byline and the dateline are searched too, once each, after the body,
# unless the lead already holds them (a text file's "JAKARTA, March 2 -"
# dateline stays in its body): `search "Lee Moran"` lists Lee Moran's
# articles (HuffPost names her as author of 332 of its first 4,782 records,
# and its text names her in none), `Jakarta cocoa` finds the Reuters story
# datelined JAKARTA that never says "Jakarta" (as notmuch searches From:
# with the text). The judged sets' figures are unchanged: TIME and BBC have
# no bylines or datelines, and bench/relevance.py gives Reuters as text
# files, whose datelines are in the lead.


def compose_text(headline: str, body: str, *names: str | None) -> str:
    """The searched text of an article: weighted headline, lead, body, then
    `names` (its author and dateline) that the lead does not hold."""
    lead = " ".join(body.split(maxsplit=LEAD_WORDS)[:LEAD_WORDS])
    folded = lead.casefold()
    added = [name for name in names if name and name.casefold() not in folded]
    return "\n".join([headline] * HEADLINE_WEIGHT + [lead, body] + added)


# --- Scoring ----------------------------------------------------------------

# Okapi BM25. K1 1.2 / B 0.75 (the textbook values) against 0.9–2.0 and
# 0.4–0.9: K1 2.0 helped TIME alone (+0.005 MAP) and nothing else; B 0.6
# lost 0.011 MAP on TIME, B 0.9 lost 0.014 MAP on Reuters.
K1 = 1.2
B = 0.75


class _BM25Scorer(scoring.WeightLengthScorer):
    def __init__(self, searcher: Any, fieldname: str, text: str, qf: int) -> None:
        parent = searcher.get_parent()
        n = parent.doc_count_all()
        df = parent.doc_frequency(fieldname, text)
        # Robertson–Spärck Jones idf (+1 inside the log, as Lucene). whoosh's
        # own log(N/(df+1))+1 over-rewards common words: TIME MAP 0.659 → 0.681.
        self.idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        self.avgfl = parent.avg_field_length(fieldname) or 1
        self.qf = qf  # a word typed twice counts twice; whoosh ignores it
        self.setup(searcher, fieldname, text)
        self.dfl = field_lengths(searcher.reader(), fieldname) or self.dfl

    def _score(self, weight: float, length: int) -> float:
        norm = K1 * ((1 - B) + B * length / self.avgfl)
        return self.qf * self.idf * weight * (K1 + 1) / (weight + norm)


def field_lengths(reader: Any, fieldname: str) -> Callable[[int], int] | None:
    """docnum -> length of `fieldname` in a segment, read in one go.

    whoosh looks each length up through three layers of file objects: a
    third of the time of a one-word query on 100,000 articles. None where
    the segment is not whoosh3's (the caller keeps whoosh's own lookup).
    """
    raw = length_bytes(reader, fieldname)
    if raw is None:
        return None
    return lambda docnum: LENGTHS[raw[docnum]]


class BM25(scoring.WeightingModel):
    """Okapi BM25 over the one searched field."""

    def supports_block_quality(self) -> bool:
        return True

    def scorer(self, searcher: Any, fieldname: str, text: str, qf: int = 1) -> scoring.BaseScorer:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return _BM25Scorer(searcher, fieldname, text, qf)


def weighting() -> scoring.WeightingModel:
    return BM25()


# --- Which articles come first ----------------------------------------------

# Up to this many distinct query words, articles holding all of them come
# first (a person typing a few words expects each to be there; known-item
# MRR 0.907 with plain OR → 0.947). Longer queries are descriptions, not
# word lists: requiring every word ranks long documents that happen to hold
# them all first (TIME MAP 0.717 with AND-first for all lengths vs 0.729).
ALL_WORDS_FIRST_MAX = 4

# Adjacent query words found close together (within PROXIMITY_SLOP
# positions) add a small bonus, relative to the query's total weight of 1.
# TIME MAP 0.729 → 0.735 and Reuters nDCG@10 0.875 → 0.878 at 0.05; 0.1
# and above lost on TIME (0.721 at 0.1, 0.609 at 0.5); slop 3 lost 0.008.
# Only queries long enough for feedback get it: on 2–3 word queries it
# changed no figure beyond ±0.001 but whoosh's phrase matching is slow on
# common pairs (20,000 articles: "oil prices" 41 → 79 ms, "interest rates
# rise" 46 → 194 ms).
PROXIMITY_BOOST = 0.05
PROXIMITY_SLOP = 1

# Pseudo-relevance feedback (RM3): the words that characterise the top
# FEEDBACK_DOCS articles of a first pass are added to the query, weighted
# by how much of those articles they make up (each article weighted by
# exp(score - best score)); the typed words keep ORIGINAL_WEIGHT of the
# total. TIME MAP 0.687 → 0.729, nDCG@10 0.745 → 0.777. 10 docs / 20
# words / 0.5 are the usual RM3 settings; 5 or 20 docs, 10 or 40 words,
# 0.6 or 0.7 and a flatter article weighting were each worse or no better.
# The expanded query is scored by wordscores (_fed_back; whoosh's matchers
# only where wordscores cannot read the index), the typed words' postings
# read once for both passes, the proximity pairs read only at the best
# PROXIMITY_CANDIDATES: the same scores and the same TIME figures, TIME's 83
# queries at 1000 hits 17.5 → 11.4 s, 20 TIME queries on 100,000 articles
# p50 5.4 → 0.50 s, p95 8.6 → 1.3 s.
# Only descriptions of 5+ words get it. For 2+ words (all-words tier kept,
# no proximity pairs: FEEDBACK_MIN_WORDS 2) TIME 0.739 / 0.790 (its three
# 4-word and one 3-word queries), Reuters MAP 0.535 → 0.580, nDCG@10 0.908
# → 0.934, known-item MRR 0.944 → 0.949; from 3 words 0.540 / 0.912, 0.949;
# from 4 words no change. But the 20 added words hold ~400,000 postings on
# 100,000 articles: a 2-word query ~25 → ~375 ms (bench/queries.txt p95 60 →
# 445 ms). Letting the added words hold at most 1 / 2 / 5 / 20% of the
# articles' count in postings between them favours rare words (numbers,
# names): Reuters 0.541 / 0.898, 0.539 / 0.913, 0.555 / 0.928, 0.552 /
# 0.933, known-item 0.942, 0.945, 0.946 (S@10 0.995), 0.947, and even at 5%
# 2-word queries took ~25 → ~38 ms (p50 13 → 19 ms, p95 57 → 68 ms): the
# analysis of the feedback articles and the added words' lookups cost ~10 ms
# at any budget. 5 added words instead of 20 (from 2 words): Reuters 0.564
# / 0.934, known-item 0.946, but 2-word queries ~25 → ~130 ms. Dropped.
FEEDBACK_MIN_WORDS = 5
FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 20
ORIGINAL_WEIGHT = 0.5
# Words in more than this share of all articles say nothing about a topic.
FEEDBACK_MAX_DF = 0.5
# Feedback reads each article's opening only: the words that characterise
# it are there, and a huge article must not slow every query.
FEEDBACK_CHARS = 20_000
# Within a feedback article, each occurrence of a word counts by how close it
# stands to the nearest typed word: exp(-d²/2σ²) at d positions, σ =
# FEEDBACK_SPAN (a positional relevance model, Lv & Zhai 2010), instead of
# counting every occurrence alike: a long article's other topics no longer
# feed the expansion. TIME MAP 0.739 → 0.740, nDCG@10 0.788 → 0.791, P@10
# 0.304 → 0.306 (Reuters and known-item queries are too short for feedback:
# unchanged); σ 35–100 and mixing half plain counts back in gave the same
# within ±0.001 MAP, σ 10 lost 0.002 MAP. Counting only the words near a
# typed word, typed words left out, lost 0.008 MAP. ~5% longer per feedback
# query (TIME ~173 → ~180 ms at 1000 hits).
FEEDBACK_SPAN = 50
_NEARNESS = [math.exp(-d * d / (2 * FEEDBACK_SPAN**2)) for d in range(4 * FEEDBACK_SPAN)]

# Tried for 5+ word queries and dropped (TIME MAP / nDCG@10 against 0.740 /
# 0.791; Reuters and known-item queries are shorter, so none reaches them):
# - Feedback articles taken from the first pass plus the proximity pairs:
#   0.735 / 0.788.
# - Typed words held by over half the articles left out of both passes:
#   0.732 / 0.785 ("nation", "govern" go); over 60–80%: unchanged.
# - A query-side stop list of ~150 English function words ("what", "which",
#   "has", "its", "between"…): 0.732 / 0.786; out of the final pass's typed
#   words only, unchanged. Rewriting the first pass as a flat OR of the
#   words alone costs 0.735 / 0.785: a typed AND ("ISRAEL AND SYRIA") helps
#   there. Keeping the typed query's AND in the final pass too: 0.738 / 0.787.
# - Expansion weights times idf (the final BM25 has idf already): 0.726 /
#   0.776; times √idf: 0.732 / 0.782.
# - Typed words weighted by idf^p: p 0.5 0.736 / 0.786, 1 0.737 / 0.786,
#   -0.5 0.737 / 0.789.
# - A document-length prior, score × (length/average)^γ: γ 0.02 0.735 /
#   0.787, 0.05 0.721 / 0.774, -0.02 0.732 / 0.784.
# - BM25+ (δ·idf for each word held): δ 0.25 0.726 / 0.778, 1 0.654 / 0.705.
# - Sequential dependence: unordered 8-position windows of adjacent typed
#   words besides the ordered pairs, boost 0.01 / 0.02 / 0.05: 0.736 / 0.789,
#   0.735 / 0.790, 0.722 / 0.776; 4-position windows at 0.02: 0.732 / 0.785.
# - ORIGINAL_WEIGHT 0.3 / 0.4 / 0.6 / 0.7: 0.733 / 0.778, 0.738 / 0.786,
#   0.735 / 0.786, 0.731 / 0.786; 0.5 is best or tied within each length
#   band (5–8, 9–11, 12–14, 15+ words): no case for a length-dependent weight.
# - Article weight exp(τ·(score − best)): τ 2 0.728 / 0.779, 0.7 0.734 / 0.788.
# - FEEDBACK_MAX_DF 0.3 / 0.7: 0.732 / 0.781, 0.733 / 0.785.
# - A second feedback round from the expanded query's top articles: 0.721 /
#   0.774.
# - Feedback articles chosen by query likelihood (Dirichlet, μ 100–2000):
#   0.685–0.718 MAP, best μ 500: 0.718 / 0.766.
# - Nearness measured to the less common typed words only (in ≤ 50 / 30 / 20%
#   of articles): 0.739 / 0.791, 0.737 / 0.789, 0.737 / 0.789.
# - Proximity pairs only between words in ≤ 50% of articles: 0.739 / 0.791.
# - Own K1 / B for the long-query passes: K1 0.9 / 1.6 / 2.0 / 2.5 0.720 /
#   0.774, 0.730 / 0.786, 0.723 / 0.779, 0.718 / 0.770; B 0.85 0.731 / 0.784.
# - Re-ranking the top 20 by their best passage (idf sum of the typed words
#   in a 50-word window, weight 0.2 / 0.5 of the normalised score): 0.739 /
#   0.791, 0.733 / 0.785; 30- or 100-word windows at 0.1: 0.740 / 0.791,
#   0.737 / 0.790.
# How the feedback articles are chosen, measured at dd33267 with
# bench/experiments/feedback_choice.py (TIME; against 0.741 / 0.792). With
# the query's relevant articles as feedback TIME would reach 0.881 / 0.915,
# with only the relevant ones of the first pass's top 10 0.808 / 0.849: the
# choice among the top ten is where the gap to 0.80 lies. Nothing measured
# picks them better:
# - The top 20 re-ordered by score + λ · their best W-word window's BM25 of
#   the typed words: W 50 / 100 / 200 at λ 0.25 0.727 / 0.780, 0.731 /
#   0.780, 0.738 / 0.786 (larger λ worse); by their first 40 / 100 words
#   (the lead) at λ 0.1: 0.738 / 0.789, 0.738 / 0.787.
# - Each article's score + γ · ln cos(it, the other feedback articles'
#   centroid), outliers weighing less: γ 0.5 / 1 / 2: 0.735 / 0.788, 0.732 /
#   0.785, 0.718 / 0.772 (the relevant ones are few among the ten).
# - Feedback from the final ranking's top 10 (a second round), weighted on
#   the typed words' scale, by their first-pass scores or by rank: 0.735 /
#   0.783, 0.735 / 0.785, 0.736 / 0.787.
# - Article weights by relative score, exp(c · (score / best − 1)), alike
#   for any query length: c 5 / 10 / 20 / 40 0.728 / 0.780, 0.733 / 0.784,
#   0.728 / 0.780, 0.722 / 0.776.
# - FEEDBACK_DOCS 5 / 15 / 20 × FEEDBACK_TERMS 15 / 30 / 50, remeasured with
#   the positional weights: 0.730–0.740 / 0.783–0.791 (10 / 20 stays best);
#   RRF of the runs of nine such settings: 0.741 / 0.791.
# Measured in-process (engine.search, 1000 hits, bench/relevance.py's TIME
# loader and metrics; the unchanged code reproduces 0.740 / 0.791):
# - DFR or other models for the first pass (feedback articles and their
#   weights exp(score − best)), final pass BM25: DPH 0.704 / 0.755 (with
#   rank-based article weights 0.689 / 0.745), PL2 c 1 0.698 / 0.748,
#   In_expC2 c 1 0.744 / 0.794 (its scores in nats: 0.742 / 0.790),
#   In_expB2 c 1 0.744 / 0.795, InL2 0.732 / 0.785, IFB2 0.705 / 0.764,
#   DLH13 0.710 / 0.756, DFRee 0.688 / 0.735, LGD 0.722 / 0.774, SPL 0.696 /
#   0.749, F2EXP 0.700 / 0.758, BM25L (δ 0.5) 0.686 / 0.741. Without feedback
#   In_expB2 beats BM25 (0.715 / 0.772 vs 0.696 / 0.750), but after it the
#   gain is noise (per query nDCG@10 −0.31 to +0.41) and all of it comes from
#   the article weights: In_expB2's articles with BM25's weights 0.740 / 0.791,
#   BM25's articles with In_expB2's weights 0.744 / 0.795 (a sharper
#   weighting, as τ above).
# - The same models for the final pass (first pass BM25): DPH 0.733 / 0.781,
#   PL2 0.727 / 0.775, In_expC2 0.742 / 0.788, BM25L 0.736 / 0.785; for both
#   passes: DPH 0.696 / 0.742, In_expC2 0.743 / 0.791, In_expB2 0.746 / 0.792
#   (its proximity bonus In_expB2 too: 0.741 / 0.788), LGD 0.708 / 0.762, SPL
#   0.685 / 0.740, F2EXP 0.676 / 0.740, BM25L 0.685 / 0.743. Only the typed
#   words by In_expB2: 0.740 / 0.792; only the added words by In_expC2 /
#   BM25L: 0.740 / 0.789, 0.740 / 0.786.
# - Fusing the final ranking with a second run. Reciprocal rank fusion (k 60)
#   with the no-feedback run 0.725 / 0.779, In_expC2+RM3 0.738 / 0.789,
#   In_expB2-first-pass+RM3 0.738 / 0.792, DPH+RM3 0.712 / 0.759, Dirichlet LM
#   (μ 1000)+RM3 0.701 / 0.752; CombSUM of max-normalised scores with the
#   no-feedback run 0.729 / 0.786 (no-feedback In_expB2 0.733 / 0.789),
#   In_expC2+RM3 0.741 / 0.793, In_expB2+RM3 0.737 / 0.789 (min-max the
#   same), DPH+RM3 0.726 / 0.774. Feedback articles by CombSUM or RRF of the
#   BM25 and In_expB2 first passes: 0.740 / 0.791 (the same: beyond the top
#   two or three the weights leave an article little say); feedback words
#   averaged over both passes' articles: 0.741 / 0.796.
# - Article weights uniform 0.645 / 0.706, ∝ score 0.666 / 0.726, by
#   Dirichlet query likelihood (μ 1000 / 2000) of the same articles 0.709 /
#   0.760, 0.684 / 0.739.
# - Own BM25 saturation for the added words only: K1 0.6 / 2.0 0.731 / 0.784,
#   0.737 / 0.789; B 0.4 / 1.0 0.735 / 0.783, 0.736 / 0.787.
# - Each article's feedback counts not summing to 1 (raw nearness mass): 0.729
#   / 0.785; divided by √mass 0.732 / 0.786, by its length 0.738 / 0.789;
#   Dirichlet-smoothed (μ 100 / 1000) 0.737 / 0.791, 0.718 / 0.776.
# - Other expansion models in place of RM3 (typed words kept at 0.5): DFR Bo1
#   from 10 articles 0.545 / 0.617, Terrier's 3 articles / 10 words 0.605 /
#   0.668; KL 0.537 / 0.606 (with nearness counts 0.551 / 0.619, 0.543 /
#   0.611); mixture-model feedback (Zhai & Lafferty, λ 0.5 / 0.1) 0.734 /
#   0.784, 0.738 / 0.789.
# - The typed words' share split by their feedback weight instead of evenly
#   (25 / 50 / 100%): 0.740 / 0.792, 0.737 / 0.786, 0.734 / 0.780; typed words
#   in none of the feedback articles left out: 0.740 / 0.791.
# - Added words chosen by weight × idf / × √idf (weighted as now): 0.731 /
#   0.780, 0.736 / 0.787; only words in ≥ 2 / ≥ 3 feedback articles: 0.740 /
#   0.789, 0.730 / 0.781.
# - Soft coordination, score × (typed words held / typed)^γ: γ 1 0.697 /
#   0.748, 0.5 0.715 / 0.766.
# - Score regularisation of the top 10 / 20 towards their 3 / 5 nearest
#   (tf-idf cosine) neighbours, α 0.5 / 0.3–0.5: 0.727 / 0.780, 0.727 / 0.776,
#   0.725 / 0.772.
# - A word typed twice counted once, or saturated (BM25's k3 7): 0.740 /
#   0.791 both.
# - BM25TP proximity (Rasolofo & Savoy: every pair of distinct typed words
#   within 5 positions, Σ 1/d², saturated by K1, times the pair's lower idf,
#   at a typed word's weight) added to the pairs: 0.733 / 0.789; instead of
#   them: 0.733 / 0.786.
# - Local context analysis (Xu & Croft; 300-word passages of the feedback
#   articles, δ 0.1) in place of RM3: 20 concepts 0.660 / 0.719, 70 concepts
#   0.684 / 0.745.
# The levers below were measured with the switches in
# bench/experiments/feedback_levers.diff (applied to 1c3c056; its head says how):
# - In_expB2's article weights and feedback words averaged over the BM25 and
#   In_expB2 passes' articles together: 0.743 / 0.795 (each alone 0.743 /
#   0.795, 0.741 / 0.794: the two top tens nearly coincide).
# - Final pass only: BM25 on 1 + ln tf 0.721 / 0.770; pivoted length
#   normalisation s 0.1 / 0.2 / 0.3 0.731 / 0.780, 0.730 / 0.779, 0.723 / 0.774.
# - Expansion weights × the share of the feedback articles holding the word
#   0.725 / 0.777, and with 30 added words 0.727 / 0.778 (30 words alone 0.735
#   / 0.787).
# - Feedback text cut at the body's first 200 / 500 words: 0.723 / 0.772,
#   0.733 / 0.784.
# - The top 50 re-ranked by α·score + (1 − α)·cosine of tf-idf vectors with
#   the expanded query (each max-normalised), α 0 / 0.5 / 0.8: 0.693 / 0.748,
#   0.726 / 0.775, 0.733 / 0.784.
# - Nearness summed over every typed-word occurrence (Lv & Zhai's own form),
#   not the nearest only: 0.732 / 0.783.
# - Added words held by at least 2 / 3 / 5 articles of the archive: 0.740 /
#   0.791, 0.731 / 0.784, 0.729 / 0.783.
# These with the switches in bench/experiments/positional_levers.diff (applied
# to 7e4a80c):
# - A position prior in the feedback articles (news puts the topic first),
#   each occurrence's nearness × exp(−pos/L), L 100 / 300 / 1000: 0.728 /
#   0.776, 0.736 / 0.785, 0.740 / 0.788; × 1/(1 + pos/L): 0.733 / 0.782,
#   0.739 / 0.788, 0.742 / 0.789.
# - A bonus for an added word within 3 positions of a typed word, β × its
#   weight × its BM25, β 0.02 / 0.05 / 0.1: 0.740 / 0.792, 0.736 / 0.790,
#   0.737 / 0.788 (within 1 or 8 positions at 0.02: 0.740 / 0.792, 0.740 /
#   0.791). Pairs of a typed word and one of the 1 / 3 strongest added words
#   as proximity pairs, 0.02: 0.730 / 0.783, 0.726 / 0.778.
# - The feedback articles' 5 / 10 commonest adjacent pairs (both words in ≤
#   50% of articles; "viet cong", "north borneo") as proximity pairs at 0.02:
#   0.727 / 0.776, 0.721 / 0.771; 5 at 0.05: 0.706 / 0.757. They reward
#   articles on the broad topic, not those answering the query.
# - ORIGINAL_WEIGHT per query, 0.4 or 0.6 by how much articles 2–10 weigh
#   beside the best one (median 0.247: for most queries one article feeds
#   the expansion) or by the typed words' mean idf, either way round, or
#   in between: 0.736–0.738 / 0.785–0.788.
# - RM2 (Lavrenko & Croft 2001) word weights in place of RM3's, μ 200 / 1000
#   / 2500: 0.678 / 0.737, 0.716 / 0.771, 0.712 / 0.769 (R@100 up, 0.975 →
#   0.988); its product over typed words as a geometric mean, μ 2500: 0.741 /
#   0.791. Prior, bonus and tempered RM2 together: 0.743 / 0.792.
# Re-ranking what comes back, with bench/experiments/reranking.py (at 29d1351;
# the 79 queries of 5+ words score 0.748 / 0.796 as they are):
# - A linear re-ranker of the final top 30 (features: the score, the typed
#   words' BM25, the idf share of them held, the best 50-word window's and the
#   lead's BM25, length, adjacent typed pairs, rank), trained by coordinate
#   ascent on nDCG@10: in-sample 0.747 / 0.799, 5-fold cross-validated 0.744–
#   0.746 / 0.794–0.797. The relevant articles the first pass misses look like
#   the others to every such feature.
# - Static word embeddings (WordLlama l2_supercat, 256 dims, bundled in its
#   wheel; all 83 queries against 0.741 / 0.792): the query–article cosine
#   alone 0.569 / 0.640; z-scored into the final top 100 at 0.1 / 0.3 / 0.5
#   0.742 / 0.795, 0.742 / 0.795, 0.736 / 0.788; choosing the feedback
#   articles (top 20 by score + λ · z-cosine) at λ 1 / 2 / 4 0.740 / 0.787,
#   0.749 / 0.795, 0.723 / 0.774; as a re-ranker feature, cross-validated,
#   0.740–0.748 / 0.786–0.799. Not worth a 40 MB optional dependency.
# A sentence-embedding model, with bench/experiments/semantic.py (at d57439e):
# all-MiniLM-L6-v2, each article's best 120-word passage (MaxP), its cosine
# z-scored against BM25's score, for the 79 queries of 5+ words only:
# - Cosine alone 0.679 / 0.747. Choosing the feedback articles (top 20 by
#   score + λf · cosine) and re-ordering the final top 100 (score + λr ·
#   cosine): every λr ≥ 1 gives 0.757–0.771 / 0.803–0.823; λf, λr chosen by
#   5-fold cross-validation 0.767–0.768 / 0.818–0.820 (λ 4 / 1.5 in most
#   folds). Only each article's first 2 passages (a fifth of the encoding):
#   cross-validated 0.741–0.750 / 0.796–0.804; the later passages matter.
# - On every query instead, shorter ones too (first 120 words): Reuters
#   nDCG@10 0.908 → 0.876–0.901, known-item MRR 0.944 → 0.842–0.904 (a bag of
#   three rare words has no meaning to embed); hence the 5-word gate.
# Measured there with torch and sentence-transformers (~1.2 GB installed; a
# fresh process spends 7–10 s importing and loading them, `semantic.py
# startup`). Shipped instead as an option that needs only numpy:
# searchkit/embeddings.py computes the same vectors (`semantic.py agree`:
# lowest cosine between the two 0.9999999 over 206 texts, the same token
# ids), loads the model in ~0.1 s, and encodes ~23 passages a second here
# (a worker per core; TIME's 4,602 in 202 s).

# --- Meaning (optional: `searchkit index --semantic MODEL`) -----------------
#
# Where the index has passage vectors (passages.py), feedback queries (5+
# words) use each candidate's best passage's cosine with the query twice,
# z-scored: the first pass's top MEANING_FEEDBACK_POOL are re-ordered by
# score + MEANING_FEEDBACK_WEIGHT · cosine to pick the FEEDBACK_DOCS
# feedback articles, and the final top MEANING_RERANK_DEPTH by z-scored
# score + MEANING_FINAL_WEIGHT · cosine, articles holding every typed word
# first (MEANING_ALL_WORDS_FIRST). The weights are those 5-fold
# cross-validation chose in most folds (see above). With all-MiniLM-L6-v2,
# against the same index without vectors (`bench/relevance.py --semantic
# DIR` for TIME; `bench/experiments/semantic.py long` for two known-item
# sets of 5+-word queries on 742 BBC articles whose headlines were taken
# out: their real headlines, and 6 of their mid-frequency body words):
#
#                        TIME MAP / nDCG@10   headline MRR   6 words MRR
#   no vectors              0.741 / 0.792        0.877          0.990
#   all words first         0.757 / 0.812        0.897          0.995
#   cosine alone decides    0.771 / 0.823        0.908          0.981
#
# Without the all-words rule a bag of rare words remembered from one article
# lost its article to ones "about" the same thing (S@1 0.980 → 0.965); with
# it every set gains. Reuters and BBC's 3-word known-item queries are too
# short to be touched. The headline is a passage of its own: prefixed to
# the first one, TIME's placeholder headlines ("TIME 017") cost 0.771 / 0.823
# → 0.750 / 0.803 (cosine alone).
MEANING_FEEDBACK_POOL = 20
MEANING_FEEDBACK_WEIGHT = 4.0
MEANING_RERANK_DEPTH = 100
MEANING_FINAL_WEIGHT = 1.5
MEANING_ALL_WORDS_FIRST = True


class Meaning(Protocol):
    def cosines(self, digests: list[str]) -> dict[str, float] | None: ...


class Ranking(NamedTuple):
    hits: list[tuple[int, float]]  # (docnum, score), best first
    total: int  # how many articles match at all
    query: Query | None = None  # what scored the hits (read by --explain)
    total_exact: bool = False  # else `total` may be whoosh's estimate


def plain_words(query: Query) -> list[str] | None:
    """The analysed words of a query made only of plain words (no phrases,
    wildcards, fields or NOT), in typed order; None for any other query."""
    words: list[str] = []

    def walk(q: Query) -> bool:
        if isinstance(q, Term):
            if q.fieldname != SEARCH_FIELD or q.boost != 1.0:
                return False
            words.append(q.text.decode() if isinstance(q.text, bytes) else q.text)
            return True
        if isinstance(q, (And, Or)) and not isinstance(q, Not):
            return all(walk(child) for child in q.children())
        return False

    return words if walk(query) else None


def rank(searcher: Searcher, all_words: Query, any_word: Query, limit: int,
         restrict: set[int] | None = None, meaning: Meaning | None = None) -> Ranking:
    """Rank for a parsed query: all-words articles first for short queries,
    feedback expansion and proximity for plain multi-word ones.

    `restrict` (the docnums that dates, authors… let through) limits which
    articles may be hits; it does not score. Feedback is taken from the
    restricted first pass. `meaning` (passages.Meaning) gives the query's
    cosine with the articles' passages, used for feedback queries where the
    index has passage vectors (see "Meaning" above).
    """
    if restrict is not None:
        restrict = nothing_if_empty(restrict)
    words = plain_words(any_word)
    if words is None:
        phrase = _phrase(searcher, all_words, any_word, limit, restrict)
        if phrase is not None:
            return phrase
        # Query syntax in use: honour it as typed; all-words tier first.
        return _tiered(searcher, all_words, all_words, any_word, limit, restrict)
    distinct = list(dict.fromkeys(words))
    tiered = 1 < len(distinct) <= ALL_WORDS_FIRST_MAX
    if len(distinct) < FEEDBACK_MIN_WORDS:
        fast = _plain(searcher, any_word, words, limit, restrict, tiered)
        if fast is not None:
            return fast
    else:
        fast = _fed_back(searcher, all_words, any_word, words, limit, restrict, tiered, meaning)
        if fast is not None:
            return fast
    # whoosh's matchers (segments wordscores cannot read): slow, same scores.
    scoring_query: Query = any_word
    if len(distinct) >= FEEDBACK_MIN_WORDS:
        first = _first_pass(searcher, all_words, any_word, words, restrict, tiered)
        expansion = _expansion(searcher, first, words)
        if expansion is not None:
            scoring_query = Or([Term(SEARCH_FIELD, w, boost=x) for w, x in expansion])
        pairs = _pairs(words) if not tiered else []
        if pairs:
            scoring_query = Or([scoring_query, *pairs])
    if tiered and scoring_query is not any_word:
        return _tiered_by(searcher, scoring_query, all_words, any_word, limit, restrict)
    if tiered:
        return _tiered(searcher, any_word, all_words, any_word, limit, restrict)
    results = searcher.search(scoring_query, limit=limit, filter=restrict)
    hits = [(h.docnum, h.score) for h in results]
    return Ranking(hits, _total(searcher, any_word, hits, limit, restrict), scoring_query)


def _tiered_by(searcher: Searcher, scoring_query: Query, all_words: Query, any_word: Query,
               limit: int, restrict: set[int] | None) -> Ranking:
    """Articles matching `all_words` first, then the rest, both ranked by
    `scoring_query` (the reference for _fed_back's tiers; lists every
    all-words article: slow)."""
    holding = set(searcher.docs_for_query(all_words))
    if restrict is not None:
        holding &= restrict
    first = searcher.search(scoring_query, filter=nothing_if_empty(holding), limit=limit)
    hits = [(h.docnum, h.score) for h in first]
    if len(hits) < limit:
        rest = searcher.search(scoring_query, filter=restrict, mask=nothing_if_empty(holding),
                               limit=limit - len(hits))
        hits += [(h.docnum, h.score) for h in rest]
    matching = len(set(searcher.docs_for_query(any_word)) & (restrict or set(range(searcher.doc_count_all()))))
    return Ranking(hits, max(len(hits), matching), scoring_query, total_exact=True)


def _pairs(words: list[str]) -> list[Phrase]:
    """The proximity bonus queries: adjacent typed words, in order."""
    return [
        Phrase(SEARCH_FIELD, [a, b], slop=PROXIMITY_SLOP, boost=PROXIMITY_BOOST)
        for a, b in zip(words, words[1:])
        if a != b
    ]


def _first_pass(searcher: Searcher, all_words: Query, any_word: Query, words: list[str],
                restrict: set[int] | None, tiered: bool) -> list[tuple[int, float]]:
    """The feedback articles: the typed query's top FEEDBACK_DOCS."""
    fast = _plain(searcher, any_word, words, FEEDBACK_DOCS, restrict, tiered)
    if fast is not None:
        return fast.hits
    if tiered and _plain_or(any_word):  # as _plain's tiers
        return _tiered(searcher, any_word, all_words, any_word, FEEDBACK_DOCS, restrict).hits
    query = all_words if tiered else any_word
    return [(h.docnum, h.score) for h in searcher.search(query, limit=FEEDBACK_DOCS, filter=restrict)]


def _fed_back(searcher: Searcher, all_words: Query, any_word: Query, words: list[str],
              limit: int, restrict: set[int] | None, tiered: bool,
              meaning: Meaning | None = None) -> Ranking | None:
    """The feedback-expanded ranking, scored by wordscores (the same scores
    as whoosh's matchers over Or([expanded words, *proximity pairs])); None
    where wordscores cannot read the index. The typed words' postings are
    read once, for the first pass and the final one."""
    found = word_scores(searcher, SEARCH_FIELD, [(w, 1.0) for w in words], K1, B,
                        find_every=tiered or (meaning is not None and MEANING_ALL_WORDS_FIRST))
    if found is None:
        return None
    plain, every = found.score, found.every
    # Articles holding any typed word (the added words' own come after).
    matching = len(plain) if restrict is None else len(plain.keys() & restrict)
    pool = FEEDBACK_DOCS if meaning is None else MEANING_FEEDBACK_POOL
    if _plain_or(any_word):
        first = [(d, plain[d]) for d in _best(plain, every, tiered, restrict, pool)]
    else:  # a typed AND: honoured in the first pass
        first_query = all_words if tiered else any_word
        first = [(h.docnum, h.score)
                 for h in searcher.search(first_query, limit=pool, filter=restrict)]
    if meaning is not None:
        first = _closer_in_meaning(searcher, first, meaning)
    expansion = _expansion(searcher, first, words)
    share = 1.0
    if expansion is None:
        expansion = [(w, float(c)) for w, c in Counter(words).items()]
    else:
        # The typed words' part of the expanded query is their plain score
        # times `share`: the added words are summed into `plain` over
        # `share` (the same order, no pass over every match) and the hits'
        # scores scaled back.
        share = ORIGINAL_WEIGHT / len(words)
        added = [(w, x / share) for w, x in expansion[len(set(words)):]]
        extra = word_scores(searcher, SEARCH_FIELD, added, K1, B)
        if extra is None:
            return None
        get = plain.get
        for d, x in extra.score.items():
            plain[d] = get(d, 0.0) + x
    scores = plain
    # Tiered (short) queries get no proximity bonus (see PROXIMITY_BOOST).
    pairs = _pairs(words) if not tiered else []
    query: Query = Or([Term(SEARCH_FIELD, w, boost=x) for w, x in expansion])
    if pairs:
        query = Or([query, *pairs])
        shortlist = _best(scores, every, tiered, restrict, max(limit, PROXIMITY_CANDIDATES))
        for d, bonus in _proximity(searcher, words, shortlist).items():
            scores[d] += bonus / share
        top = _best({d: scores[d] for d in shortlist}, every, tiered, None, max(limit, _reordered(meaning)))
    else:
        top = _best(scores, every, tiered, restrict, max(limit, _reordered(meaning)))
    if meaning is not None:
        top = _reorder_by_meaning(searcher, top, scores, meaning, every)[:limit]
    return Ranking([(d, share * scores[d]) for d in top], max(len(top), matching), query,
                   total_exact=True)


def _reordered(meaning: Meaning | None) -> int:
    return 0 if meaning is None else MEANING_RERANK_DEPTH


def _cosines(searcher: Searcher, docnums: list[int], meaning: Meaning) -> list[float] | None:
    """Each article's best passage's cosine with the query, z-scored among
    `docnums` (0, the mean, for an article without vectors); None if the
    index's vectors cannot be used."""
    reader = searcher.reader()
    digests = [reader.stored_fields(d).get("digest", "") for d in docnums]
    found = meaning.cosines(digests)
    if not found:
        return None
    mean = sum(found.values()) / len(found)
    return zscores([found.get(digest, mean) for digest in digests])


def _closer_in_meaning(searcher: Searcher, first: list[tuple[int, float]],
                       meaning: Meaning) -> list[tuple[int, float]]:
    """The FEEDBACK_DOCS of the first pass's best that are also nearest the
    query in meaning: score + MEANING_FEEDBACK_WEIGHT · z-scored cosine."""
    cosines = _cosines(searcher, [d for d, _ in first], meaning)
    if cosines is None:
        return first[:FEEDBACK_DOCS]
    boosted = [(d, s + MEANING_FEEDBACK_WEIGHT * c) for (d, s), c in zip(first, cosines)]
    return sorted(boosted, key=lambda ds: -ds[1])[:FEEDBACK_DOCS]


def _reorder_by_meaning(searcher: Searcher, top: list[int], scores: dict[int, float],
                        meaning: Meaning, every: set[int] | None = None) -> list[int]:
    """The best MEANING_RERANK_DEPTH re-ordered by their z-scored score +
    MEANING_FINAL_WEIGHT · z-scored cosine; the rest after them as they were."""
    head = top[:MEANING_RERANK_DEPTH]
    cosines = _cosines(searcher, head, meaning) if len(head) > 1 else None
    if cosines is None:
        return top
    mixed = [z + MEANING_FINAL_WEIGHT * c for z, c in zip(zscores([scores[d] for d in head]), cosines)]
    holds_all = every if every is not None and MEANING_ALL_WORDS_FIRST else set()
    order = sorted(range(len(head)), key=lambda i: (head[i] not in holds_all, -mixed[i], head[i]))
    return [head[i] for i in order] + top[MEANING_RERANK_DEPTH:]


def zscores(values: list[float]) -> list[float]:
    """`values` on a common scale (mean 0, standard deviation 1), to mix two scores."""
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
    return [(v - mean) / sd for v in values]


def _best(scores: dict[int, float], every: set[int] | None, tiered: bool,
          restrict: set[int] | None, k: int) -> list[int]:
    """The `k` best of `scores` (among `restrict`), best first; those in
    `every` (holding all the words) first if `tiered`. Ties by docnum."""
    if restrict is not None:
        scores = {d: scores[d] for d in scores.keys() & restrict}
    if not tiered:
        return best(scores, k)
    assert every is not None
    top = best({d: scores[d] for d in every & scores.keys()}, k)
    if len(top) < k:
        top += best({d: s for d, s in scores.items() if d not in every}, k - len(top))
    return top


# How many of the best-scored articles the proximity bonus is read for
# (whoosh's phrase matching over every article holding both words was the
# slow part): at least the hits asked for, so the benchmarks' 1000 hits get
# the exact whoosh ranking; at 10 hits an article below the 100th would need
# a bonus larger than the gap.
PROXIMITY_CANDIDATES = 100


def _proximity(searcher: Searcher, words: list[str], docnums: list[int]) -> dict[int, float]:
    """The proximity bonus of each of `docnums` (as _pairs' Phrase queries
    score it in whoosh: PROXIMITY_BOOST × both words' BM25 where the second
    follows the first within PROXIMITY_SLOP positions), reading the two
    words' postings only at those articles."""
    bonus: dict[int, float] = {}
    pairs = [(a, b) for a, b in zip(words, words[1:]) if a != b]
    field = searcher.schema[SEARCH_FIELD]
    by_leaf = leaves(searcher)
    ordered = sorted(docnums)
    for i, (sub, offset) in enumerate(by_leaf):
        end = by_leaf[i + 1][1] if i + 1 < len(by_leaf) else offset + sub.doc_count_all()
        local = [d - offset for d in ordered if offset <= d < end]
        if not local:
            continue
        reader = sub.reader()
        for a, b in pairs:
            ta, tb = field.to_bytes(a), field.to_bytes(b)
            if (SEARCH_FIELD, ta) not in reader or (SEARCH_FIELD, tb) not in reader:
                continue
            ma, mb = sub.postings(SEARCH_FIELD, ta), sub.postings(SEARCH_FIELD, tb)
            for d in local:
                if not ma.is_active() or not mb.is_active():
                    break
                ma.skip_to(d)
                if not ma.is_active():
                    break
                if ma.id() != d:
                    continue
                mb.skip_to(d)
                if not mb.is_active():
                    break
                if mb.id() != d:
                    continue
                after = {p + 1 for p in ma.value_as("positions")}
                if any(p - q in after for p in mb.value_as("positions") for q in range(PROXIMITY_SLOP)):
                    bonus[d + offset] = bonus.get(d + offset, 0.0) + PROXIMITY_BOOST * (ma.score() + mb.score())
    return bonus


def _plain(searcher: Searcher, any_word: Query, words: list[str], limit: int,
           restrict: set[int] | None, tiered: bool) -> Ranking | None:
    """The ranking of a plain-words query from wordscores (same scores as
    whoosh's, several times faster; see there); None where it cannot read
    the index, or for a query that is not a plain OR of words (`a AND b`)."""
    if not _plain_or(any_word):
        return None
    found = word_scores(searcher, SEARCH_FIELD, [(w, 1.0) for w in words], K1, B, find_every=tiered)
    if found is None:
        return None
    scores = found.score
    top = _best(scores, found.every, tiered, restrict, limit)
    matching = len(scores) if restrict is None else len(scores.keys() & restrict)
    return Ranking([(d, scores[d]) for d in top], matching, any_word, total_exact=True)


def best(scores: dict[int, float], limit: int) -> list[int]:
    """The `limit` highest-scoring docnums, ties to the lower docnum: as
    heapq.nlargest(limit, scores, key=lambda d: (scores[d], -d)), but the
    cut-off score is found among bare floats (no key function per article:
    ~8 ms for 50,000 matches) and only articles reaching it are sorted."""
    if len(scores) > limit:
        cutoff = heapq.nlargest(limit, scores.values())[-1]
        scores = {d: s for d, s in scores.items() if s >= cutoff}
    return sorted(scores, key=lambda d: (-scores[d], d))[:limit]


def _phrase(searcher: Searcher, all_words: Query, any_word: Query, limit: int,
            restrict: set[int] | None) -> Ranking | None:
    """The ranking of a query that is one two-word phrase ("cash flow"), from
    wordscores.phrase_scores: what `_tiered` gets from whoosh's phrase
    matcher (same hits, scores and count), several times faster. None for
    any other query, or where the index cannot be read that way."""
    if not (type(all_words) is Phrase and all_words == any_word and all_words.fieldname == SEARCH_FIELD
            and all_words.boost == 1.0 and all_words.slop == 1 and len(all_words.words) == 2
            and all_words.words[0] != all_words.words[1]):
        return None
    first, second = all_words.words
    found = phrase_scores(searcher, SEARCH_FIELD, first, second, K1, B)
    if found is None:
        return None
    if restrict is not None:
        found = {d: s for d, s in found.items() if d in restrict}
    hits = [(d, found[d]) for d in best(found, limit)]
    return Ranking(hits, _total(searcher, any_word, hits, limit, restrict), all_words)


def _plain_or(query: Query) -> bool:
    """Whether `query` is one word or a plain OR of words."""
    return isinstance(query, Term) or (
        type(query) is Or and query.boost == 1.0
        and all(isinstance(q, Term) for q in query.children()))


# whoosh reads an empty filter set as no filter at all: a set holding only
# this docnum, which no article has, lets nothing through.
NO_ARTICLE = -1


def nothing_if_empty(docnums: set[int]) -> set[int]:
    """`docnums`, safe to pass to whoosh as a filter even when empty."""
    return docnums or {NO_ARTICLE}


def _tiered(searcher: Searcher, scoring_query: Query, all_words: Query, any_word: Query,
            limit: int, restrict: set[int] | None = None) -> Ranking:
    """Articles matching `all_words` first, then the rest of `any_word`'s.

    `scoring_query` is `any_word` (plain words) or `all_words` (query
    syntax): either way an article holding all the words scores the same
    under `all_words`, which whoosh ranks by skipping through the rarest
    word's postings. Neither tier lists every all-words match first: that
    cost 76 ms a query on 100,000 articles for two common words.
    """
    assert scoring_query is any_word or scoring_query is all_words
    first = searcher.search(all_words, filter=restrict, limit=limit)
    hits = [(h.docnum, h.score) for h in first]
    if all_words is not any_word and len(hits) < limit:
        # The first tier holds every all-words article: the rest are the
        # best `any_word` articles not in it.
        shown = {docnum for docnum, _ in hits}
        rest = searcher.search(any_word, filter=restrict, limit=limit)
        hits += [(h.docnum, h.score) for h in rest if h.docnum not in shown][: limit - len(hits)]
    return Ranking(hits, _total(searcher, any_word, hits, limit, restrict), scoring_query)


def _total(searcher: Searcher, query: Query, hits: list[tuple[int, float]], limit: int,
           restrict: set[int] | None = None) -> int:
    """How many articles match: exact when they all fit in the page, else
    whoosh's estimate (counting every match exactly would cost more than the
    search itself on a large index)."""
    if len(hits) < limit:
        return len(hits)
    estimate = query.estimate_size(searcher.reader())
    if restrict is not None:
        estimate = min(estimate, len(restrict - {NO_ARTICLE}))
    return max(len(hits), min(estimate, searcher.doc_count()))


def _expansion(searcher: Searcher, top: list[tuple[int, float]],
               words: list[str]) -> list[tuple[str, float]] | None:
    """RM3: the typed words plus the words characterising the feedback
    articles `top` (docnum, score; best first), each with its weight; the
    weights sum to 1, typed words first. None if there is nothing to add."""
    if not top:
        return None
    best = top[0][1]
    typed = Counter(words)
    weights: dict[str, float] = {}
    for docnum, score in top:
        fields = searcher.reader().stored_fields(docnum)
        text = f"{fields.get('headline', '')}\n{fields.get('body', '')[:FEEDBACK_CHARS]}"
        article_weight = math.exp(score - best)
        for word, share in _near_typed([t.text for t in TEXT_ANALYZER(text)], typed).items():
            weights[word] = weights.get(word, 0.0) + article_weight * share
    n_docs = searcher.doc_count_all()
    expansion: list[tuple[str, float]] = []
    reader = searcher.reader()
    for word, weight in heapq.nlargest(FEEDBACK_TERMS * 10, weights.items(), key=lambda kv: kv[1]):
        df = reader.doc_frequency(SEARCH_FIELD, word)
        if 0 < df <= n_docs * FEEDBACK_MAX_DF:
            expansion.append((word, weight))
            if len(expansion) == FEEDBACK_TERMS:
                break
    if not expansion:
        return None
    expansion_total = sum(w for _, w in expansion)
    parts = [(word, ORIGINAL_WEIGHT * count / len(words)) for word, count in typed.items()]
    parts += [(word, (1 - ORIGINAL_WEIGHT) * weight / expansion_total) for word, weight in expansion]
    return parts


def _near_typed(tokens: list[str], typed: Counter[str] | set[str]) -> dict[str, float]:
    """Each word's share of an article for feedback: its occurrences, each
    weighted by its nearness to the closest typed word (see FEEDBACK_SPAN).
    Empty when no typed word is in `tokens`."""
    reach = len(_NEARNESS)
    distance = [reach] * len(tokens)
    last: int | None = None
    for i, token in enumerate(tokens):
        if token in typed:
            last = i
        if last is not None:
            distance[i] = i - last
    last = None
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i] in typed:
            last = i
        if last is not None and last - i < distance[i]:
            distance[i] = last - i
    shares: dict[str, float] = {}
    for token, d in zip(tokens, distance):
        if d < reach:
            shares[token] = shares.get(token, 0.0) + _NEARNESS[d]
    total = sum(shares.values())
    return {word: w / total for word, w in shares.items()} if total else {}
