"""The ONNX encoder gives the vectors the torch model gives (reference made once by export.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.semantic.onnx import MAX_TOKENS, OnnxEncoder
from tests.conftest import FIXTURES

REFERENCE = json.loads((FIXTURES / "semantic" / "reference.json").read_text())


@pytest.fixture(scope="module")
def encoder() -> OnnxEncoder:
    return OnnxEncoder()


def test_vectors_match_the_torch_model_to_a_hundredth_of_cosine(encoder: OnnxEncoder) -> None:
    got = encoder.encode([r["text"] for r in REFERENCE])
    want = np.array([r["vector"] for r in REFERENCE], dtype=np.float32)
    cosines = (got * want).sum(axis=1)
    assert cosines.min() >= 0.985, dict(zip([r["text"] for r in REFERENCE], cosines.round(4), strict=True))


def test_vectors_are_unit_length_and_do_not_depend_on_the_other_texts(encoder: OnnxEncoder) -> None:
    """int8 activations are scaled over the whole input, so texts are encoded one by one: a text's
    vector is the same alone, among others, and whatever the knowledge base around it holds."""
    texts = [r["text"] for r in REFERENCE]
    together = encoder.encode(texts)
    alone = np.stack([encoder.encode([t])[0] for t in texts])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-4)
    assert np.array_equal(together, alone)
    assert np.array_equal(encoder.encode([*reversed(texts), "recipe for soup"])[: len(texts)], alone[::-1])


def test_a_text_longer_than_the_model_takes_is_cut_not_refused(encoder: OnnxEncoder) -> None:
    long = "we have built a remote monitoring service for care homes " * 100
    assert len(encoder.tokenizer.encode(long).ids) == MAX_TOKENS
    assert encoder.encode([long]).shape == (1, 384)


def test_related_questions_are_closer_than_unrelated_ones(encoder: OnnxEncoder) -> None:
    device, app, soup = encoder.encode(
        ["is my app a medical device", "does our phone software need to be regulated", "recipe for soup"]
    )
    assert float(device @ app) > float(device @ soup) + 0.2


def test_the_model_id_names_the_exact_weights(encoder: OnnxEncoder) -> None:
    assert encoder.model_id.startswith("minilm-l6-") and encoder.model_id == OnnxEncoder().model_id


def test_text_no_utf8_string_may_hold_is_encoded_not_refused(encoder: OnnxEncoder) -> None:
    """A lone surrogate can arrive in a JSON payload ("\\ud800"); the tokenizer refuses it raw."""
    vectors = encoder.encode(["is my app a medical device \ud800", "\udfff"])
    assert vectors.shape == (2, 384) and np.isfinite(vectors).all()


def test_a_prepared_graph_is_written_once_then_read_and_gives_the_same_vectors(tmp_path: Path) -> None:
    texts = [r["text"] for r in REFERENCE]
    first = OnnxEncoder(prepared=tmp_path)
    (saved,) = tmp_path.iterdir()
    assert saved.name.startswith(first.model_id) and saved.suffix == ".onnx"
    written = saved.stat().st_mtime_ns
    second = OnnxEncoder(prepared=tmp_path)
    assert saved.stat().st_mtime_ns == written, "the prepared graph is read, not written again"
    assert np.array_equal(first.encode(texts), second.encode(texts))
    assert np.array_equal(second.encode(texts), OnnxEncoder().encode(texts))


def test_a_damaged_prepared_graph_is_replaced_not_fatal(tmp_path: Path) -> None:
    OnnxEncoder(prepared=tmp_path)
    (saved,) = tmp_path.iterdir()
    saved.write_bytes(b"not a model")
    encoder = OnnxEncoder(prepared=tmp_path)
    assert encoder.encode(["is my app a medical device"]).shape == (1, 384)
    assert saved.stat().st_size > 1_000_000 and [p.name for p in tmp_path.iterdir()] == [saved.name]


def test_a_folder_that_cannot_be_written_costs_the_prepared_graph_not_the_encoder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    encoder = OnnxEncoder(prepared=blocked / "cache")
    assert encoder.encode(["is my app a medical device"]).shape == (1, 384)
    assert "Could not keep the optimised model" in caplog.text
