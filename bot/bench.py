"""`python -m bot bench`: speed and memory on the real knowledge base and on one 50 times larger.

Figures, not tests: nothing here fails because the machine is slow.
"""

from __future__ import annotations

import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot import wiring
from bot.core.engine import Conversation, Engine
from bot.core.matcher import Matcher
from bot.core.models import Entry, KnowledgeBase
from bot.core.normalise import Normaliser
from bot.settings import Settings
from bot.storage.memory import MemoryGapLog, MemorySessionStore

SCALE = 50
OFF_TOPIC = ["what's on tv tonight", "best running shoes", "how do I reset my password", "recipe for soup"]


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scratch_settings(settings: Settings, folder: str) -> Settings:
    """The same settings on a throw-away SQLite database and spool in `folder` (benchmarks only)."""
    return replace(settings, database_url=f"sqlite:///{folder}/bench.db", spool=Path(folder) / "spool")


def percentile(samples: Sequence[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def questions_for(kb: KnowledgeBase, count: int, seed: int = 7) -> list[str]:
    """Realistic traffic: the knowledge base's own questions with a word dropped, plus chatter."""
    rng = random.Random(seed)
    pool = [q for e in kb.entries for q in e.questions]
    out = []
    for _ in range(count):
        if rng.random() < 0.1:
            out.append(rng.choice(OFF_TOPIC))
            continue
        words = rng.choice(pool).split()
        if len(words) > 3:
            del words[rng.randrange(len(words))]
        out.append(" ".join(words))
    return out


def synthetic(kb: KnowledgeBase, scale: int = SCALE, seed: int = 11) -> KnowledgeBase:
    """The knowledge base `scale` times over, each copy's questions reworded with other known words."""
    rng = random.Random(seed)
    vocabulary = sorted({w for e in kb.entries for q in e.questions for w in q.split() if w.isalpha()})
    entries: list[Entry] = []
    for copy in range(scale):
        for e in kb.entries:
            if copy == 0:
                entries.append(e)
                continue
            questions = tuple(
                " ".join(rng.choice(vocabulary) if rng.random() < 0.3 else w for w in q.split()) + f" v{copy}"
                for q in e.questions
            )
            entries.append(replace(e, id=f"{e.id}-{copy}", questions=questions))
    return replace(kb, entries=tuple(entries))


def time_answers(engine: Engine, questions: list[str]) -> tuple[list[float], float]:
    conv = Conversation("bench", "bench")
    latencies = []
    started = time.perf_counter()
    for q in questions:
        t0 = time.perf_counter()
        engine.ask(q, conv)
        latencies.append(time.perf_counter() - t0)
    return latencies, time.perf_counter() - started


def first_answer(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds from starting the process to the first line of its answer on stdout, as a user waits
    for it (tearing the process down afterwards is not counted), and what it wrote to stderr."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()
    seconds = time.perf_counter() - t0
    _, err = proc.communicate()
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, command, stderr=err)
    return seconds, err


def startup_seconds(settings: Settings, runs: int = 3) -> float:
    """Process start to first answer (median of a few runs)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "WAYFINDER_SPOOL": f"{tmp}/spool"}
        command = [sys.executable, "-m", "bot", "ask", "is my app a medical device"]
        first_answer(command, env)  # create the database once
        return statistics.median(first_answer(command, env)[0] for _ in range(runs))


def _report(out: TextIO, label: str, latencies: list[float], wall: float) -> None:
    ms = [x * 1000 for x in latencies]
    out.write(
        f"  {label:<34} p50 {percentile(ms, 50):.3f} ms   p99 {percentile(ms, 99):.3f} ms"
        f"   {len(ms) / wall:,.0f} questions/s (one thread, {len(ms):,} questions)\n"
    )


def run_bench(settings: Settings, out: TextIO, extra: Sequence[Callable[[TextIO], None]] = ()) -> None:
    t0 = time.perf_counter()
    kb = wiring.load(settings)
    load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        app = wiring.build(scratch_settings(settings, tmp), kb)
        build_s = time.perf_counter() - t0
        questions = questions_for(kb, 3000)
        time_answers(app.engine, questions[:200])  # warm caches and create the database
        latencies, wall = time_answers(app.engine, questions)
        app.close()
    n_questions = sum(len(e.questions) for e in kb.entries)
    out.write(f"Wayfinder bench: Python {sys.version.split()[0]}\n\n")
    out.write(f"Real knowledge base ({len(kb.entries)} entries, {n_questions:,} example questions)\n")
    out.write(
        f"  {'start-up, process to first answer':<34} {startup_seconds(settings):.2f} s (median of 3)\n"
    )
    out.write(f"  {'load and validate content':<34} {load_s:.3f} s\n")
    out.write(f"  {'load, index and wire':<34} {build_s:.3f} s\n")
    _report(out, "answer latency (SQLite gap log)", latencies, wall)
    out.write(f"  {'peak memory (process RSS)':<34} {peak_mb():.0f} MB\n\n")

    big = synthetic(kb)
    t0 = time.perf_counter()
    engine = Engine(big, Matcher(big.entries, Normaliser(big.lexicon)), MemoryGapLog(), MemorySessionStore())
    index_s = time.perf_counter() - t0
    big_questions = questions_for(big, 1000)
    time_answers(engine, big_questions[:50])
    latencies, wall = time_answers(engine, big_questions)
    n_big = sum(len(e.questions) for e in big.entries)
    out.write(
        f"Synthetic knowledge base, {SCALE}x ({len(big.entries):,} entries, {n_big:,} example questions)\n"
    )
    out.write(f"  {'index':<34} {index_s:.2f} s\n")
    _report(out, "answer latency (in-memory log)", latencies, wall)
    out.write(f"  {'peak memory (process RSS)':<34} {peak_mb():.0f} MB\n")
    for measure in extra:
        out.write("\n")
        measure(out)
