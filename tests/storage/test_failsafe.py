"""A database outage never breaks a reply and loses no logged question."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.engine import Conversation, Engine
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser
from bot.core.ports import Gap, GapReason, GapStatus
from bot.core.replies import Outcome
from bot.storage.failsafe import Breaker, FailSafeGapLog, FailSafeSessionStore
from bot.storage.memory import MemoryGapLog, MemorySessionStore
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

    def list(
        self, *, status: GapStatus | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Gap]:
        if not self.up:
            raise ConnectionError("database down")
        return super().list(status=status, since=since, limit=limit)


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


def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until `condition()` holds (a background writer is at work), failing after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.01)


def test_a_change_the_database_refuses_is_quarantined_and_the_rest_are_written(tmp_path: Path) -> None:
    """A lone surrogate cannot be stored as UTF-8: it once blocked every later gap, on every retry."""
    db = Database(f"sqlite:///{tmp_path}/w.db")
    spool = tmp_path / "spool.jsonl"
    try:
        log = FailSafeGapLog(SqlGapLog(db), spool)
        poisoned = Gap("bad", T0, "slack", "broken \ud800 text", GapReason.DONT_KNOW, None, 0.1)
        log.record(poisoned)
        log.record(gap(1))
        assert [g.id for g in log.list()] == ["g1"]
        assert log.pending == 0 and log.quarantined == 1
        assert "broken" in (tmp_path / "spool.quarantine.jsonl").read_text()
        assert FailSafeGapLog(SqlGapLog(db), spool).quarantined == 1  # still counted after a restart
    finally:
        db.dispose()


def test_waiting_gaps_are_written_on_a_timer_without_a_new_question(tmp_path: Path) -> None:
    inner = FlakyLog()
    inner.up = False
    log = FailSafeGapLog(inner, tmp_path / "spool.jsonl", Breaker(pause=0), retry=0.05)
    log.start()
    try:
        log.record(gap(1))
        eventually(lambda: log.breaker.tripped)
        assert log.pending == 1 and log.degraded
        inner.up = True  # the database is back; nobody asks anything
        eventually(lambda: log.pending == 0)
        assert inner.gaps["g1"] == gap(1) and not log.degraded
    finally:
        log.stop()


class Hanging(MemoryGapLog, MemorySessionStore):
    """A store that accepts a call and never answers, until released (a silent partition)."""

    def __init__(self) -> None:
        MemoryGapLog.__init__(self)
        MemorySessionStore.__init__(self)
        self.release = threading.Event()

    def record(self, gap: Gap) -> None:
        self.release.wait()
        super().record(gap)

    def load(self, key: str, now: datetime) -> dict[str, object] | None:
        self.release.wait()
        return super().load(key, now)


def test_a_hanging_database_holds_up_neither_logging_nor_session_loads(tmp_path: Path) -> None:
    hanging = Hanging()
    log = FailSafeGapLog(hanging, tmp_path / "spool.jsonl", Breaker(pause=0), write_timeout=0.2)
    sessions = FailSafeSessionStore(hanging, Breaker(pause=60), timeout=0.2)
    log.start()
    try:
        turn = threading.Thread(target=lambda: (log.record(gap(1)), sessions.load("k", T0)))
        turn.start()
        turn.join(5)
        assert not turn.is_alive()  # the turn went on: the record queued, the load fell back
        eventually(lambda: log.degraded)
        assert log.pending == 1 and sessions.breaker.tripped
        sessions.save("k", {"flow": "x"}, T0 + timedelta(minutes=5))
        assert sessions.load("k", T0) == {"flow": "x"}  # kept in memory meanwhile
        hanging.release.set()
        eventually(lambda: log.pending == 0)
        assert "g1" in hanging.gaps
    finally:
        hanging.release.set()
        log.stop()


def test_staff_close_answers_at_once_even_for_no_such_gap(tmp_path: Path) -> None:
    log = FailSafeGapLog(MemoryGapLog(), tmp_path / "spool.jsonl")
    log.record(gap(1))
    assert log.close("g1", "done") and not log.close("nope")
    assert log.list()[0].status is GapStatus.CLOSED


def test_a_locked_table_holds_up_neither_replies_nor_the_log(postgres_url: str, tmp_path: Path) -> None:
    """Another session holds the tables locked (a long migration, a stuck transaction): a reply's
    session load gives up within its bound and the gap waits, written once the lock goes."""
    db = Database(postgres_url)
    db.session().close()  # migrated
    breaker = Breaker(pause=0)
    log = FailSafeGapLog(SqlGapLog(db), tmp_path / "spool.jsonl", breaker, retry=0.05)
    sessions = FailSafeSessionStore(SqlSessionStore(db), breaker, timeout=0.5)
    log.start()
    locker = db.engine.connect()
    try:
        transaction = locker.begin()
        locker.exec_driver_sql("LOCK TABLE gaps, sessions IN ACCESS EXCLUSIVE MODE")
        turn = threading.Thread(target=lambda: (sessions.load("k", T0), log.record(gap(1))))
        turn.start()
        turn.join(5)
        assert not turn.is_alive()
        eventually(lambda: log.degraded)
        assert log.pending == 1
        transaction.rollback()
        eventually(lambda: log.pending == 0)
        assert [g.id for g in SqlGapLog(db).list()] == ["g1"]
    finally:
        log.stop()
        locker.close()
        db.dispose()
