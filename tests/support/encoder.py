"""A deterministic stand-in for the sentence encoder: a bag of hashed words, L2-normalised."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

from bot.core.semantic import Vectors

DIMENSIONS = 64


class WordBagEncoder:
    """Texts that share words get close vectors; counts how many texts it was asked to encode."""

    model_id = "word-bag-64"

    def __init__(self) -> None:
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.encoded += len(texts)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                out[row, zlib.crc32(word.encode()) % DIMENSIONS] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm:
                out[row] /= norm
        return out
