"""A database outage never breaks a reply and loses no logged question."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.core.engine import Conversation, Engine
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser
from bot.core.ports import Gap, GapReason, GapStatus
from bot.core.replies import Outcome
from bot.storage.failsafe import Breaker, FailSafeGapLog, FailSafeSessionStore
from bot.storage.memory import MemoryGapLog
from bot.storage.sql import Database, SqlGapLog, SqlSessionStore
from tests.conftest import Clock
from tests.support.tcpproxy import TcpProxy

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class FlakyLog(MemoryGapLog):
    """Our own fake of a gap log that can be switched off."""

    def __init__(self) -> None:
        super().__init__()
        self.up = True

    def record(self, gap: Gap) -> None:
        if not self.up:
            raise ConnectionError("database down")
        super().record(gap)

    def set_status(
        self, gap_id: str, status: GapStatus, *, chosen_entry: str | None = None, note: str = ""
    ) -> bool:
        if not self.up:
            raise ConnectionError("database down")
        return super().set_status(gap_id, status, chosen_entry=chosen_entry, note=note)


def gap(n: int) -> Gap:
    return Gap(f"g{n}", T0 + timedelta(minutes=n), "console", f"q{n}", GapReason.CLARIFY, "x", 0.4)


def test_writes_wait_in_order_and_land_when_the_database_returns(tmp_path: Path) -> None:
    inner, clock = FlakyLog(), [0.0]
    log = FailSafeGapLog(inner, tmp_path / "spool.jsonl", Breaker(pause=10, clock=lambda: clock[0]))
    inner.up = False
    log.record(gap(1))
    log.set_status("g1", GapStatus.RESOLVED, chosen_entry="y")
    log.record(gap(2))
    assert log.pending == 3 and inner.gaps == {}
    assert (tmp_path / "spool.jsonl").exists()
    inner.up = True
    log.record(gap(3))  # within the pause: still queued, the database is not asked
    assert log.pending == 4
    clock[0] = 11
    log.record(gap(4))
    assert log.pending == 0
    assert inner.gaps["g1"].status is GapStatus.RESOLVED and inner.gaps["g1"].chosen_entry == "y"
    assert sorted(inner.gaps) == ["g1", "g2", "g3", "g4"]
    assert not (tmp_path / "spool.jsonl").exists()


def test_waiting_writes_survive_a_restart(tmp_path: Path) -> None:
    spool = tmp_path / "spool.jsonl"
    inner = FlakyLog()
    inner.up = False
    FailSafeGapLog(inner, spool).record(gap(1))
    inner.up = True
    restarted = FailSafeGapLog(inner, spool)
    assert restarted.pending == 1
    assert restarted.flush()
    assert inner.gaps["g1"] == gap(1)


@pytest.fixture
def proxied_postgres(postgres_url: str) -> Iterator[tuple[TcpProxy, str]]:
    url = make_url(postgres_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    try:
        yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
    finally:
        proxy.stop()


def test_a_real_postgres_outage_breaks_no_reply_and_loses_no_question(
    proxied_postgres: tuple[TcpProxy, str], fixture_kb: KnowledgeBase, tmp_path: Path
) -> None:
    proxy, url = proxied_postgres

    db = Database(url)
    gaps = FailSafeGapLog(SqlGapLog(db), tmp_path / "spool.jsonl", Breaker(pause=0))
    sessions = FailSafeSessionStore(SqlSessionStore(db), Breaker(pause=0))
    clock = Clock()
    matcher = Matcher(fixture_kb.entries, Normaliser(fixture_kb.lexicon))
    engine = Engine(fixture_kb, matcher, gaps, sessions, now=clock)
    conv = Conversation("test", "c1")
    assert engine.reply(conv, "what's on tv tonight").outcome is Outcome.DONT_KNOW

    proxy.stop()
    down = []
    for question in ("best running shoes", "recipe for soup", "is my app a medical device"):
        clock.advance(minutes=1)
        down.append(engine.reply(conv, question))
    assert [r.outcome for r in down] == [Outcome.DONT_KNOW, Outcome.DONT_KNOW, Outcome.ANSWER]
    assert gaps.pending == 2

    proxy.start()  # the same port again: the database is back
    assert gaps.flush()
    texts = [g.text for g in SqlGapLog(db).list()]
    assert texts == ["recipe for soup", "best running shoes", "what's on tv tonight"]
    db.dispose()
