"""all-MiniLM-L6-v2 served by onnxruntime and tokenizers: sentence vectors without torch."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

from bot.core.semantic import Vectors

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "model"
MAX_TOKENS = 256
"""The model's own limit (sentence-transformers' max_seq_length); longer texts are cut."""
THREADS = 1
"""onnxruntime threads per encode: one, so several conversations can be answered at once."""
DIMENSIONS = 384


class OnnxEncoder:
    """Encodes texts to L2-normalised 384-dimensional vectors (mean pooling is in the graph)."""

    def __init__(
        self,
        model: Path = MODEL_DIR / "model.onnx",
        tokenizer: Path | None = None,
        prepared: Path | None = None,
    ) -> None:
        """`prepared`: a folder that keeps the graph once onnxruntime has optimised it, so later
        starts load it ready (0.05 s instead of about 0.25 s); without it, every start optimises."""
        tokenizer = tokenizer or model.parent / "tokenizer.json"
        digest = hashlib.sha256()
        for path in (model, tokenizer):
            digest.update(path.read_bytes())
        self.model_id = f"minilm-l6-{digest.hexdigest()[:12]}-single"
        self.session = _session(
            model, prepared and prepared / f"{self.model_id}-ort{onnxruntime.__version__}.onnx"
        )
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # tokenizer.json pads to 128 tokens; one text alone needs none

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Each text is encoded on its own: the int8 model scales its activations over the whole
        input, so a text batched with others (and their padding) gets a slightly different vector
        (cosine down to 0.977) than it does alone, as a question is. Alone, a text always gets the
        same vector, whatever else changed in the knowledge base."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for k, text in enumerate(texts):
            encoding = self.tokenizer.encode(_plain(text))
            ids = np.array([encoding.ids], dtype=np.int64)
            mask = np.array([encoding.attention_mask], dtype=np.int64)
            (vectors,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[k] = vectors[0]
        return out


def _session(model: Path, prepared: Path | None) -> onnxruntime.InferenceSession:
    """A session on the model, optimised to the portable (extended) level, which gives the same
    vectors, bit for bit, as the full level. A prepared copy is read when there is one and written
    when there is not; a damaged copy is replaced, and one that cannot be written is done without."""
    level = onnxruntime.GraphOptimizationLevel
    if prepared is not None and prepared.is_file():
        try:
            return _open(prepared, _options(level.ORT_DISABLE_ALL))
        except Exception:  # damaged or foreign: optimise afresh below
            with contextlib.suppress(OSError):
                prepared.unlink(missing_ok=True)
    options = _options(level.ORT_ENABLE_EXTENDED)
    if prepared is None:
        return _open(model, options)
    partial = prepared.with_name(f"{prepared.name}.{os.getpid()}.part")
    try:
        prepared.parent.mkdir(parents=True, exist_ok=True)
        options.optimized_model_filepath = str(partial)
        session = _open(model, options)
        os.replace(partial, prepared)  # whole or not at all, whatever runs beside it
        return session
    except Exception as exc:  # a read-only or full disk costs start-up time, never the encoder
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)  # no half-written copy is left behind
        plain = _open(model, _options(level.ORT_ENABLE_EXTENDED))  # a model that cannot load raises
        log.warning("Could not keep the optimised model in %s (%s).", prepared.parent, exc)
        return plain


def _options(level: onnxruntime.GraphOptimizationLevel) -> onnxruntime.SessionOptions:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.graph_optimization_level = level
    return options


def _open(path: Path, options: onnxruntime.SessionOptions) -> onnxruntime.InferenceSession:
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _plain(text: str) -> str:
    """Text the tokenizer accepts: lone surrogates (which no UTF-8 string may hold) become U+FFFD."""
    return text.encode("utf-8", "replace").decode("utf-8")
