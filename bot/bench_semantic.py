"""`python -m bot bench`, the semantic path: encoding, the vector cache, fused answers, start-up,
memory and the scale curve. Figures, not tests: nothing here fails because the machine is slow.
"""

from __future__ import annotations

import os
import site
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TextIO

import numpy as np

from bot import wiring
from bot.bench import first_answer, peak_mb, percentile, questions_for, synthetic, time_answers
from bot.core.engine import Engine
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser
from bot.core.semantic import SemanticIndex, index_texts
from bot.semantic.words import everyday_words
from bot.settings import Settings
from bot.storage.memory import MemoryGapLog, MemorySessionStore

SCALES = (1, 10, 50)
LONG_POST = (
    "We are a small team and have spent two years building a falls sensor for care homes. Three homes "
    "piloted it and the feedback was good. The local trust now wants to buy it for more homes. "
    "Who should we ask about the evidence the trust will expect, and do we need to register anything?"
)


def _ms(seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"p50 {percentile(ms, 50):.2f} ms   p99 {percentile(ms, 99):.2f} ms"


def _child_run(env: dict[str, str]) -> tuple[float, float]:
    """(seconds to the first answer, peak RSS MB) of one `python -m bot ask` in a fresh process."""
    code = (  # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec
        "import re, sys\n"
        "from bot.__main__ import main\n"
        "main(['ask', 'is my app a medical device'])\n"
        "status = open('/proc/self/status').read()\n"
        "print(re.search(r'VmHWM:\\s*(\\d+)', status).group(1), file=sys.stderr)\n"
    )
    seconds, err = first_answer([sys.executable, "-c", code], env)
    return seconds, int(err.strip().splitlines()[-1]) / 1024


def _installed_mb(*packages: str) -> str:
    sizes = []
    for root in site.getsitepackages():
        for name in packages:
            folder = Path(root) / name
            if folder.is_dir():
                mb = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6
                sizes.append(f"{name} {mb:.0f} MB")
    return ", ".join(sizes)


def scale_curve(out: TextIO, kb: KnowledgeBase, index: SemanticIndex) -> None:
    """Fused answer latency as the knowledge base grows. The synthetic copies reuse the vectors of
    the questions they reword: latency depends on how many vectors there are, not on their values."""
    out.write("  scale curve (fused, in-memory log; copies reuse their originals' vectors)\n")
    for scale in SCALES:
        big = synthetic(kb, scale) if scale > 1 else kb
        vectors = np.tile(index.vectors, (scale, 1))  # copies keep their originals' text order
        t0 = time.perf_counter()
        matcher = Matcher(
            big.entries,
            Normaliser(big.lexicon),
            semantic=SemanticIndex(big.entries, index.encoder, vectors),
            everyday=everyday_words(),
        )
        built = time.perf_counter() - t0
        engine = Engine(big, matcher, MemoryGapLog(), MemorySessionStore(), Settings().fused_thresholds)
        questions = questions_for(big, 300)
        time_answers(engine, questions[:20])
        latencies, _ = time_answers(engine, questions)
        out.write(
            f"    {scale:>2}x {len(big.entries):>6,} entries {len(vectors):>7,} vectors"
            f"   index {built:5.2f} s   answer {_ms(latencies)}\n"
        )


def report_semantic(out: TextIO, settings: Settings) -> None:
    kb = wiring.load(settings)
    texts = [t for _, t in index_texts(kb.entries)]
    out.write(f"Semantic path (all-MiniLM-L6-v2, int8 ONNX; {len(texts):,} texts to encode)\n")
    with tempfile.TemporaryDirectory() as tmp:
        cold_settings = replace(settings, cache_dir=Path(tmp) / "vectors")
        t0 = time.perf_counter()
        built = wiring.semantic_index(cold_settings, kb)
        cold = time.perf_counter() - t0
        if built is None:
            out.write("  the model did not load: see the line above; nothing to measure\n")
            return
        index, report = built
        t0 = time.perf_counter()
        wiring.semantic_index(cold_settings, kb)
        warm = time.perf_counter() - t0
        out.write(f"  {'vector cache, cold (load + encode)':<34} {cold:.1f} s ({report.encoded:,} encoded)\n")
        out.write(f"  {'vector cache, warm (load + check)':<34} {warm:.2f} s\n")

        encoder = index.encoder
        questions = questions_for(kb, 300)
        encoder.encode(questions[:10])
        times = []
        for q in questions:
            t = time.perf_counter()
            encoder.encode([q])
            times.append(time.perf_counter() - t)
        out.write(f"  {'encode one question':<34} {_ms(times)}\n")
        times = []
        for _ in range(30):
            t = time.perf_counter()
            index.similarity(LONG_POST)
            times.append(time.perf_counter() - t)
        out.write(f"  {'encode a long post (whole + asks)':<34} {_ms(times)}\n")

        matcher = Matcher(kb.entries, Normaliser(kb.lexicon), semantic=index, everyday=everyday_words())
        engine = Engine(kb, matcher, MemoryGapLog(), MemorySessionStore(), settings.fused_thresholds)
        answers = questions_for(kb, 1000, seed=3)
        time_answers(engine, answers[:50])
        latencies, wall = time_answers(engine, answers)
        out.write(
            f"  {'fused answer latency (memory log)':<34} {_ms(latencies)}   "
            f"{len(answers) / wall:,.0f} questions/s (one thread)\n"
        )

        env = {
            "PATH": os.environ.get("PATH", ""),
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "WAYFINDER_SPOOL": f"{tmp}/spool",
            "WAYFINDER_CACHE": str(cold_settings.cache_dir),
        }
        _child_run(env)  # create the database
        runs = sorted(_child_run(env) for _ in range(3))
        wall = runs[1][0]
        out.write(f"  {'start-up to first answer, warm cache':<34} {wall:.2f} s (median of 3)\n")
        out.write(f"  {'peak RSS of that process':<34} {max(r for _, r in runs):.0f} MB\n")
        lexical = sorted(_child_run({**env, "WAYFINDER_SEMANTIC": "0"}) for _ in range(3))[1]
        out.write(f"  {'the same, WAYFINDER_SEMANTIC=0':<34} {lexical[0]:.2f} s, {lexical[1]:.0f} MB\n")

    model = sum(f.stat().st_size for f in settings.model.parent.iterdir() if f.is_file()) / 1e6
    out.write(f"  {'model files (bot/semantic/model)':<34} {model:.1f} MB\n")
    out.write(
        f"  {'installed with it':<34} {_installed_mb('onnxruntime', 'tokenizers', 'numpy', 'numpy.libs')}\n"
    )
    scale_curve(out, kb, index)
    out.write(f"  {'peak RSS of the bench process':<34} {peak_mb():.0f} MB\n")
