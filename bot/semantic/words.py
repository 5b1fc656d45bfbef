"""Everyday English words, from the encoder's own vocabulary (plain JSON, no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

TOKENIZER = Path(__file__).resolve().parent / "model" / "tokenizer.json"


def everyday_words(tokenizer: Path = TOKENIZER) -> frozenset[str]:
    """The whole words of the WordPiece vocabulary (about 21,000): words common enough in English
    text to have a token of their own. Empty if the file cannot be read."""
    try:
        vocab = json.loads(tokenizer.read_text())["model"]["vocab"]
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()
    return frozenset(w for w in vocab if len(w) >= 2 and w.isascii() and w.isalpha())
