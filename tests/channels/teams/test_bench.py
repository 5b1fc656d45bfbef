"""The Teams figure in `python -m bot bench` comes from real round trips (a figure, not a timing test)."""

from __future__ import annotations

from pathlib import Path

from bot.channels.teams.bench import measure_reply_latency
from bot.settings import Settings


def test_the_bench_answers_every_message_it_sends(tmp_path: Path) -> None:
    result = measure_reply_latency(Settings(spool=tmp_path / "spool"), requests=20, concurrency=5)
    assert (result.requests, result.answered) == (20, 20)
    assert 0 < result.p50_ms <= result.p99_ms
