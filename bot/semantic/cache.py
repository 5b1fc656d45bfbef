"""The knowledge base's vectors on disk, so start-up does not encode ~3,000 texts every time.

One file per model (`<model id>.npz` in the cache folder), holding a vector per text keyed by
the SHA-256 of the text: a content change encodes only the texts that changed. Writes go to a
temporary file first and are renamed into place, so a crash never leaves a torn cache.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.core.semantic import Encoder, Vectors

log = logging.getLogger(__name__)


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class CacheReport:
    cached: int
    encoded: int


class VectorCache:
    def __init__(self, folder: Path, encoder: Encoder) -> None:
        self.folder = folder
        self.encoder = encoder
        self.path = folder / f"{encoder.model_id}.npz"

    def _read(self) -> dict[str, Vectors]:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("The vector cache %s is unreadable (%s); rebuilding it.", self.path, exc)
            return {}
        return {str(k): v for k, v in zip(keys, vectors, strict=True)}

    def vectors(self, texts: Sequence[str]) -> tuple[Vectors, CacheReport]:
        """A vector per text, from the cache where it has one; new vectors are encoded and saved."""
        known = self._read()
        keys = [text_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in known))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            fresh = self.encoder.encode([text_of[k] for k in missing])
            known.update(zip(missing, fresh, strict=True))
            self._write(known)
        return np.stack([known[k] for k in keys]).astype(np.float32), CacheReport(
            len(set(keys)) - len(missing), len(missing)
        )

    def _write(self, known: dict[str, Vectors]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".npz.tmp")
            with os.fdopen(fd, "wb") as f:
                np.savez(f, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
            os.replace(tmp, self.path)
        except OSError as exc:  # a read-only disk costs start-up time, never an answer
            log.warning("Could not write the vector cache %s (%s).", self.path, exc)
