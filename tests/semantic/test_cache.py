"""Vectors are encoded once and kept on disk; a content change encodes only what changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.semantic.cache import VectorCache
from tests.support.encoder import WordBagEncoder

TEXTS = ["is my app a medical device", "who inspects care homes", "do we need ethics approval"]


def test_a_cold_cache_encodes_everything_and_a_warm_one_nothing(tmp_path: Path) -> None:
    encoder = WordBagEncoder()
    cold, report = VectorCache(tmp_path, encoder).vectors(TEXTS)
    assert (report.cached, report.encoded, encoder.encoded) == (0, 3, 3)

    warm, report = VectorCache(tmp_path, encoder).vectors(TEXTS)
    assert (report.cached, report.encoded, encoder.encoded) == (3, 0, 3)
    assert np.array_equal(cold, warm)


def test_a_changed_text_is_the_only_one_encoded_again(tmp_path: Path) -> None:
    encoder = WordBagEncoder()
    VectorCache(tmp_path, encoder).vectors(TEXTS)
    changed = [*TEXTS[:2], "do we need research ethics approval"]
    vectors, report = VectorCache(tmp_path, encoder).vectors(changed)
    assert (report.cached, report.encoded, encoder.encoded) == (2, 1, 4)
    assert np.allclose(vectors, WordBagEncoder().encode(changed))


def test_each_model_has_its_own_cache(tmp_path: Path) -> None:
    first, other = WordBagEncoder(), WordBagEncoder()
    other.model_id = "another-model"
    VectorCache(tmp_path, first).vectors(TEXTS)
    _, report = VectorCache(tmp_path, other).vectors(TEXTS)
    assert report.encoded == 3


def test_a_corrupt_cache_is_rebuilt_not_fatal(tmp_path: Path) -> None:
    encoder = WordBagEncoder()
    cache = VectorCache(tmp_path, encoder)
    cache.path.write_bytes(b"not a numpy file")
    vectors, report = cache.vectors(TEXTS)
    assert report.encoded == 3 and vectors.shape == (3, 64)
    assert VectorCache(tmp_path, encoder).vectors(TEXTS)[1].encoded == 0
