"""The sentence encoder: all-MiniLM-L6-v2 as ONNX (onnx.py), its vector cache (cache.py) and the
one-off export script (export.py). Only wiring imports this package; the core sees the
`Encoder` port."""
