"""Rank knowledge entries against a question.

Every example question, title and keyword of an entry is a "text". A question is scored
against each text by weighted term overlap (rarer terms weigh more; covering the question
matters more than covering the example) blended with a
rapidfuzz similarity of the normalised strings; an entry's score also rewards how much of
the question its whole vocabulary covers, and how many of its examples are about the
question's terms (its focus). Words the knowledge base has never seen count
against the match, which is what keeps chatter out. Misspelt words are corrected to the
closest known word first.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from bot.core.models import Entry
from bot.core.normalise import Normalised, Normaliser
from bot.core.semantic import SemanticIndex

RECALL_WEIGHT = 2.0
"""How much more covering the question matters than the example being covered (F-beta's beta)."""
KEYWORD_FACTOR = 0.8
"""A bare keyword counts this much of an example question: many entries share keywords."""
TYPO_MIN_LENGTH = 5
"""Words this long or longer are corrected by similarity (TYPO_CUTOFF) to any known word of at
least one letter less."""
TYPO_CUTOFF = 88.0
"""The rapidfuzz ratio a correction needs: one slip in a word of eight letters or more."""
SHORT_TYPO_LENGTH = 4
"""Words this long are corrected only for one swap, slip or dropped letter (Damerau-Levenshtein
distance 1) to a known word or stopword with the same first letter ("tlak" to "talk")."""
FUZZ_SHORTLIST = 40
"""Texts scored by string similarity after the term-overlap pass (the best by overlap)."""


@dataclass(frozen=True, slots=True)
class Weights:
    """How the parts of a match add up to its confidence."""

    text: float = 0.5
    """The best single example question (term overlap and string similarity)."""
    cover: float = 0.2
    """How much of the question the entry's whole vocabulary covers."""
    focus: float = 0.3
    """How many of the entry's examples are about the question's terms."""
    unknown: float = 1.0
    """The weight of a word the knowledge base has never seen, relative to the rarest known word."""
    everyday: float = 1.0
    """The same for an everyday English word the knowledge base has never seen ("knows"). Below 1
    it says less about the topic than gibberish; measured on the routing and real-question sets,
    0.5 and 0.75 cost more rejections of chatter than they won answers, so it stays at 1."""
    lexical: float = 0.5
    """With the semantic signal on, the lexical score's share of the fused score (the cosine has the rest)."""
    floor: float = 0.35
    """With the semantic signal on, an entry whose cosine is below this keeps only its semantic part:
    shared words alone cannot carry an entry the encoder finds unrelated ("what's your name")."""
    pool: int = 10
    """With the semantic signal on, the best this many entries of each signal are fused and re-ranked."""


@dataclass(frozen=True, slots=True)
class Candidate:
    entry: Entry
    score: float
    matched: str
    """The example question or keyword that matched best."""


@dataclass(frozen=True, slots=True)
class Ranking:
    query: Normalised
    candidates: tuple[Candidate, ...]
    coverage: float
    """Share of the question's weight that the knowledge base knows at all (0..1)."""

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True, slots=True)
class _Text:
    entry: int
    raw: str
    terms: frozenset[str]
    string: str
    weight: float
    factor: float
    """1 for example questions and titles; less for bare keywords, which many entries share."""


class Matcher:
    """An index over the entries' texts, built once; `rank` is read-only and thread-safe."""

    def __init__(
        self,
        entries: tuple[Entry, ...],
        normalise: Normaliser,
        weights: Weights | None = None,
        semantic: SemanticIndex | None = None,
        everyday: frozenset[str] = frozenset(),
    ) -> None:
        """`everyday` holds common English words (lower case): never "corrected", and lighter
        when unknown (`Weights.everyday`)."""
        self.entries = entries
        self.everyday = everyday
        self.normalise = normalise
        self.weights = weights or Weights()
        self.semantic = semantic
        raw_texts: list[tuple[int, str, float]] = []
        for i, entry in enumerate(entries):
            raw_texts.extend((i, q, 1.0) for q in (*entry.questions, entry.title))
            raw_texts.extend((i, k, KEYWORD_FACTOR) for k in entry.keywords)

        normalised = [(i, raw, factor, normalise(raw)) for i, raw, factor in raw_texts]
        entry_terms: list[set[str]] = [set() for _ in entries]
        counts: list[dict[str, int]] = [defaultdict(int) for _ in entries]
        sizes = [0] * len(entries)
        self.known_words: dict[str, str] = {}
        for i, _, factor, norm in normalised:
            entry_terms[i].update(norm.terms)
            if factor == 1.0:
                sizes[i] += 1
                for term in set(norm.terms):
                    counts[i][term] += 1
            for word, term in zip(norm.words, norm.terms, strict=True):
                self.known_words.setdefault(word, term)
        self.entry_terms = [frozenset(t) for t in entry_terms]
        self.support = [{t: c / max(1, sizes[i]) for t, c in counts[i].items()} for i in range(len(entries))]

        df: dict[str, int] = defaultdict(int)
        for terms in self.entry_terms:
            for term in terms:
                df[term] += 1
        n = max(1, len(entries))
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}
        self.unknown_weight = self.weights.unknown * math.log(1 + n)
        self.everyday_weight = self.weights.everyday * self.unknown_weight

        self.texts: list[_Text] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, raw, factor, norm in normalised:
            terms = frozenset(norm.terms)
            if not terms:
                continue
            index = len(self.texts)
            self.texts.append(_Text(i, raw, terms, norm.text, sum(self.idf[t] for t in terms), factor))
            for term in terms:
                self.postings[term].append(index)
        self._vocabulary = [w for w in self.known_words if len(w) >= TYPO_MIN_LENGTH - 1]
        self._short: dict[str, list[str]] = defaultdict(list)
        for w in [*self.known_words, *normalise.lexicon.stopwords]:
            if SHORT_TYPO_LENGTH - 1 <= len(w) <= SHORT_TYPO_LENGTH + 1 and w.isalpha():
                self._short[w[0]].append(w)
        self._correct = lru_cache(maxsize=16384)(self._correct_uncached)

    def _correct_uncached(self, word: str) -> str | None:
        """The known term a misspelt word stands for; "" for a stopword (dropped); None if unsure.
        An everyday word is a real word, not a slip: it is only read as a longer or shorter form
        of itself ("australia" as "australian"), never as another word ("overnight", "oversight")."""
        everyday = word in self.everyday
        if len(word) == SHORT_TYPO_LENGTH:
            if everyday or not self.everyday:  # without a list of real words, "send" would become "seed"
                return None
            short = process.extractOne(
                word, self._short.get(word[0], []), scorer=DamerauLevenshtein.distance, score_cutoff=1
            )
            return self.known_words.get(short[0], "") if short else None
        match = process.extractOne(word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
        if match is None or (everyday and not (match[0].startswith(word) or word.startswith(match[0]))):
            return None
        return self.known_words[match[0]]

    def _misspelt(self, word: str, term: str) -> bool:
        """Could be a typo: unknown, long enough and letters only."""
        return term not in self.idf and len(word) >= SHORT_TYPO_LENGTH and word.isalpha()

    def understand(self, text: str) -> Normalised:
        """Normalise a question and correct words the knowledge base does not know."""
        norm = self.normalise(text)
        words, terms = [], []
        for word, term in zip(norm.words, norm.terms, strict=True):
            fixed = self._correct(word) if self._misspelt(word, term) else None
            if fixed == "":
                continue  # a misspelt stopword ("tlak")
            term = fixed or term
            words.append(word)
            terms.append(term)
        return Normalised(words=tuple(words), terms=tuple(terms))

    def weight(self, term: str, word: str = "") -> float:
        if term in self.idf:
            return self.idf[term]
        return self.everyday_weight if word in self.everyday else self.unknown_weight

    def rank(self, text: str, limit: int = 5, leave_out: str | None = None) -> Ranking:
        """Ranked candidates; `leave_out` ignores one example question (to audit it against the rest).
        With the semantic signal on, each score is the fused one (see `Weights.lexical`)."""
        query = self.understand(text)
        terms = frozenset(query.terms)
        if not terms:
            return Ranking(query, (), 0.0)
        weights = {t: self.weight(t, w) for w, t in zip(query.words, query.terms, strict=True)}
        q_weight = sum(weights.values())
        coverage = sum(w for t, w in weights.items() if t in self.idf) / q_weight
        lexical = self._lexical(query, weights, leave_out)
        if self.semantic is None:
            candidates = [Candidate(self.entries[e], round(s, 4), m) for e, (s, m) in lexical.items()]
        else:
            candidates = self._fuse(text, lexical, leave_out)
        candidates.sort(key=lambda c: (-c.score, c.entry.id))
        return Ranking(query, tuple(candidates[:limit]), coverage)

    def _lexical(
        self, query: Normalised, weights: dict[str, float], leave_out: str | None
    ) -> dict[int, tuple[float, str]]:
        """Entry index -> (lexical score, the text that matched best), for entries sharing a term."""
        terms = frozenset(query.terms)
        q_weight = sum(weights.values())
        shared: dict[int, float] = defaultdict(float)
        for term in terms:
            if term in self.idf:
                for index in self.postings[term]:
                    shared[index] += weights[term]
        if leave_out is not None:
            shared = defaultdict(float, {i: s for i, s in shared.items() if self.texts[i].raw != leave_out})
        if not shared:
            return {}

        overlap = {
            i: self.texts[i].factor * _f_score(s / q_weight, s / self.texts[i].weight)
            for i, s in shared.items()
        }
        shortlist = sorted(overlap, key=overlap.__getitem__, reverse=True)[:FUZZ_SHORTLIST]
        query_string = query.text
        best: dict[int, tuple[float, int]] = {}
        for i in shortlist:
            candidate = self.texts[i]
            similarity = candidate.factor * fuzz.token_sort_ratio(query_string, candidate.string) / 100
            score = 0.7 * overlap[i] + 0.3 * similarity
            if candidate.entry not in best or score > best[candidate.entry][0]:
                best[candidate.entry] = (score, i)

        out = {}
        for e, (score, text_index) in best.items():
            cover = sum(weights[t] for t in terms & self.entry_terms[e]) / q_weight
            focus = sum(w * self.support[e].get(t, 0.0) for t, w in weights.items()) / q_weight
            final = self.weights.text * score + self.weights.cover * cover + self.weights.focus * focus
            out[e] = (final, self.texts[text_index].raw)
        return out

    def _fuse(
        self, text: str, lexical: dict[int, tuple[float, str]], leave_out: str | None
    ) -> list[Candidate]:
        """The best entries of both signals, re-scored as w * lexical + (1 - w) * cosine."""
        assert self.semantic is not None
        similarity = self.semantic.similarity(self.normalise.spell_out(text), leave_out)
        pool = self.weights.pool
        lexical_top = sorted(lexical, key=lambda e: -lexical[e][0])[:pool]
        w = self.weights.lexical
        candidates = []
        for e in dict.fromkeys([*lexical_top, *similarity.top(pool)]):
            lex, matched = lexical.get(e, (0.0, ""))
            cosine = float(similarity.entries[e])
            fused = (w * lex if cosine >= self.weights.floor else 0.0) + (1 - w) * cosine
            candidates.append(Candidate(self.entries[e], round(fused, 4), matched or similarity.matched(e)))
        return candidates


def _f_score(recall: float, precision: float, beta: float = RECALL_WEIGHT) -> float:
    """Weighted harmonic mean of how much of the question and of the example are shared."""
    b2 = beta * beta
    return (1 + b2) * precision * recall / (b2 * precision + recall)
