"""The semantic signal: sentence vectors for questions and the knowledge base's texts.

The `Encoder` port turns texts into L2-normalised vectors (an ONNX model in production, a
fake in some tests). `SemanticIndex` holds the vectors of every example question and title,
built once, and scores entries against a question by cosine similarity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from bot.core.models import Entry

Vectors = npt.NDArray[np.float32]
"""One L2-normalised row per text."""


class Encoder(Protocol):
    model_id: str
    """Names the model and its exact weights; vector caches are keyed by it."""

    def encode(self, texts: Sequence[str]) -> Vectors: ...


SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
LONG_MESSAGE = 25
"""Words from which a message counts as long: its question sentences are also encoded alone."""
SECOND_WEIGHT = 0.15
"""An entry's closeness is its best text's cosine, blended this much with its second best: an
entry that several of its example questions place near the message is surer than one lucky match."""
MAX_PARTS = 3
"""Besides the whole message, at most this many of its sentences are encoded (latency bound)."""


def index_texts(entries: Sequence[Entry]) -> list[tuple[int, str]]:
    """(entry index, text) for every example question and title, entry by entry."""
    return [(i, text) for i, entry in enumerate(entries) for text in (*entry.questions, entry.title)]


def parts(text: str) -> list[str]:
    """The texts a message is encoded as: the whole of it and, when it is long, the sentences that
    ask (or else the last one), so one question in a paragraph of context is heard on its own."""
    whole = " ".join(text.split())
    if len(whole.split()) < LONG_MESSAGE:
        return [whole]
    sentences = [" ".join(s.split()) for s in SENTENCE.split(text.strip()) if len(s.split()) >= 3]
    asking = [s for s in sentences if s.endswith("?")] or sentences[-1:]
    return [whole, *[s for s in asking if s != whole][-MAX_PARTS:]]


@dataclass(frozen=True, slots=True)
class Similarity:
    """How close a message is to every entry, by the cosines of the entry's texts."""

    entries: npt.NDArray[np.float32]
    """Per entry, the cosine of its closest text, blended with its second closest (SECOND_WEIGHT)."""
    texts: npt.NDArray[np.float32]
    """Per text, its cosine to the closest part of the message."""
    index: SemanticIndex

    def top(self, limit: int) -> list[int]:
        """The indices of the `limit` closest entries, closest first."""
        if limit >= len(self.entries):
            return [int(e) for e in np.argsort(-self.entries, kind="stable")]
        top = np.argpartition(-self.entries, limit)[:limit]
        return [int(e) for e in top[np.argsort(-self.entries[top], kind="stable")]]

    def matched(self, entry: int) -> str:
        """The entry's text closest to the message."""
        lo, hi = self.index.bounds[entry]
        return self.index.raw[lo + int(np.argmax(self.texts[lo:hi]))]


class SemanticIndex:
    """The vectors of every example question and title; `similarity` is read-only and thread-safe."""

    def __init__(self, entries: Sequence[Entry], encoder: Encoder, vectors: Vectors | None = None) -> None:
        texts = index_texts(entries)
        self.encoder = encoder
        self.raw = [t for _, t in texts]
        self.vectors = vectors if vectors is not None else encoder.encode(self.raw)
        if self.vectors.shape != (len(texts), self.vectors.shape[1]) or not len(entries):
            raise ValueError(f"{self.vectors.shape[0]} vectors for {len(texts)} texts")
        starts: list[int] = []
        for k, (i, _) in enumerate(texts):
            if i == len(starts):
                starts.append(k)
        self.starts = np.array(starts, dtype=np.int64)
        self.bounds = list(zip(starts, [*starts[1:], len(texts)], strict=True))
        self.owner = np.repeat(np.arange(len(starts)), [hi - lo for lo, hi in self.bounds])

    def similarity(self, text: str, leave_out: str | None = None) -> Similarity:
        queries = self.encoder.encode(parts(text))
        # einsum's own loop: as fast as BLAS at 150,000 texts, and it starts no threads, which for
        # the real knowledge base cost ten times the arithmetic
        sims = np.einsum("td,qd->tq", self.vectors, queries).max(axis=1)
        if leave_out is not None:
            sims[[k for k, raw in enumerate(self.raw) if raw == leave_out]] = -1.0
        best = np.maximum.reduceat(sims, self.starts)
        at_best = sims >= best[self.owner]
        second = np.maximum.reduceat(np.where(at_best, -1.0, sims), self.starts)
        tied = np.add.reduceat(at_best.astype(np.int64), self.starts) > 1
        second = np.where(tied | (second < 0), best, second)  # a tie, or an entry with one text
        entries = (1 - SECOND_WEIGHT) * best + SECOND_WEIGHT * second
        return Similarity(entries.astype(np.float32), sims, self)
