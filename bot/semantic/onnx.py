"""all-MiniLM-L6-v2 served by onnxruntime and tokenizers: sentence vectors without torch."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

from bot.core.semantic import Vectors

MODEL_DIR = Path(__file__).resolve().parent / "model"
MAX_TOKENS = 256
"""The model's own limit (sentence-transformers' max_seq_length); longer texts are cut."""
THREADS = 1
"""onnxruntime threads per encode: one, so several conversations can be answered at once."""
DIMENSIONS = 384


class OnnxEncoder:
    """Encodes texts to L2-normalised 384-dimensional vectors (mean pooling is in the graph)."""

    def __init__(self, model: Path = MODEL_DIR / "model.onnx", tokenizer: Path | None = None) -> None:
        tokenizer = tokenizer or model.parent / "tokenizer.json"
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # tokenizer.json pads to 128 tokens; one text alone needs none
        digest = hashlib.sha256()
        for path in (model, tokenizer):
            digest.update(path.read_bytes())
        self.model_id = f"minilm-l6-{digest.hexdigest()[:12]}-single"

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


def _plain(text: str) -> str:
    """Text the tokenizer accepts: lone surrogates (which no UTF-8 string may hold) become U+FFFD."""
    return text.encode("utf-8", "replace").decode("utf-8")
