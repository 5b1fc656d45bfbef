"""Turn a question into comparable terms: case, punctuation, spelling, acronyms and stems."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from bot.core.models import Lexicon

WORD = re.compile(r"[a-z0-9_]+")
CONTRACTION = re.compile(r"(?<=[a-z])['’](?:s|re|ve|ll|d|m)\b")
NEGATION = re.compile(r"n['’]t\b")
DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")

_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Stem a word; tokens with digits or underscores (dcb0129, northern_ireland) stay whole."""
    if not word.isalpha():
        return word
    return str(_stemmer.stemWord(word))


@dataclass(frozen=True, slots=True)
class Normalised:
    words: tuple[str, ...]
    """Canonical words, stopwords removed, not stemmed (for typo correction)."""
    terms: tuple[str, ...]
    """Stemmed content terms, in order, duplicates kept."""

    @property
    def text(self) -> str:
        return " ".join(self.terms)


class Normaliser:
    """Applies a lexicon: multi-word phrases first, then single-word rewrites, then stemming."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for phrase, canonical in lexicon.phrases.items():
            key = tuple(self.tokens(phrase))
            if key:
                self._phrases[key] = tuple(self.tokens(canonical)) if canonical else ()
        self._sizes: dict[str, list[int]] = defaultdict(list)
        """First word of a phrase -> the lengths of phrases starting with it, longest first."""
        for key in sorted(self._phrases, key=len, reverse=True):
            if len(key) > 1 and len(key) not in self._sizes[key[0]]:
                self._sizes[key[0]].append(len(key))
        self._capitals = (
            re.compile(r"\b(" + "|".join(map(re.escape, lexicon.capitals)) + r")\b")
            if lexicon.capitals
            else None
        )
        self._concepts: dict[str, tuple[str, ...]] = {}
        for word, ideas in lexicon.concepts.items():
            self._concepts[stem(word)] = self._concepts.get(stem(word), ()) + ideas

    @staticmethod
    def tokens(text: str) -> list[str]:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
        text = DOTTED.sub(lambda m: m.group(0).replace(".", "") + " ", text)
        text = NEGATION.sub(" not", text)
        text = CONTRACTION.sub("", text)
        return WORD.findall(text.replace("'", ""))

    def spell_out(self, text: str) -> str:
        """The text with words that name something only in capitals written out ("HIS" as
        "healthcare improvement scotland"), for the sentence encoder as much as for matching."""
        if self._capitals is None or not self._capitals.search(text) or _shouted(text):
            return text
        return self._capitals.sub(lambda m: self.lexicon.capitals[m.group(1)], text)

    def canonical_words(self, text: str) -> list[str]:
        """Tokens with phrases and words rewritten, stopwords still in."""
        tokens = self.tokens(self.spell_out(text))
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for size in self._sizes.get(tokens[i], ()):
                replacement = self._phrases.get(tuple(tokens[i : i + size]))
                if replacement is not None:
                    out.extend(replacement)
                    i += size
                    break
            else:
                out.extend(self._phrases.get((tokens[i],), (tokens[i],)))
                i += 1
        return [self.lexicon.words.get(word, word) for word in out]

    def __call__(self, text: str) -> Normalised:
        words: list[str] = []
        terms: list[str] = []
        for word in self.canonical_words(text):
            if word in self.lexicon.stopwords:
                continue
            term = stem(word)
            words.append(word)
            terms.append(term)
            for idea in self._concepts.get(term, ()):
                words.append(idea)
                terms.append(idea)
        return Normalised(words=tuple(words), terms=tuple(terms))


def _shouted(text: str) -> bool:
    """A sentence written mostly in capitals, where "HIS" is just "his" (a bare "HIS" is the name)."""
    letters = [c for c in text if c.isalpha()]
    return len(text.split()) > 2 and sum(c.isupper() for c in letters) > len(letters) / 2
