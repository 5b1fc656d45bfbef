"""One contract for every implementation of the ports: the fake, SQLite and PostgreSQL, the
fail-safe wrappers around the fake and SQLite, and the stores made on first use (over SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.ports import Gap, GapLog, GapReason, GapStatus, SessionStore
from bot.storage.failsafe import FailSafeGapLog, FailSafeSessionStore
from bot.storage.lazy import LazyGapLog, LazySessionStore, LazySql
from bot.storage.memory import MemoryGapLog, MemorySessionStore
from bot.storage.sql import Database, SqlGapLog, SqlSessionStore

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", "postgres", "failsafe-memory", "failsafe-sqlite", "lazy-sqlite"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[GapLog, SessionStore]]:
    kind = request.param.removeprefix("failsafe-")
    if kind == "memory":
        gaps: GapLog = MemoryGapLog()
        sessions: SessionStore = MemorySessionStore()
        db = None
    elif kind == "lazy-sqlite":
        lazy = LazySql(f"sqlite:///{tmp_path}/w.db")
        gaps, sessions = LazyGapLog(lazy), LazySessionStore(lazy)
        db = None
    else:
        url = f"sqlite:///{tmp_path}/w.db" if kind == "sqlite" else request.getfixturevalue("postgres_url")
        db = Database(url)
        gaps, sessions = SqlGapLog(db), SqlSessionStore(db)
    if request.param.startswith("failsafe-"):
        background = FailSafeGapLog(gaps, tmp_path / "spool.jsonl")
        background.start()  # as in production: writes leave the caller's path
        gaps, sessions = background, FailSafeSessionStore(sessions)
    try:
        yield gaps, sessions
    finally:
        if isinstance(gaps, FailSafeGapLog):
            gaps.stop()
        if db is not None:
            db.dispose()
        if kind == "lazy-sqlite" and lazy.made:
            lazy.stores().db.dispose()


def gap(n: int, **changes: Any) -> Gap:
    base = Gap(
        f"g{n:03d}", T0 + timedelta(minutes=n), "console", f"question {n}", GapReason.DONT_KNOW, None, 0.1
    )
    return Gap(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})


def test_gaps_come_back_newest_first_with_every_field(stores: tuple[GapLog, SessionStore]) -> None:
    log, _ = stores
    log.record(gap(1))
    log.record(
        gap(3, reason=GapReason.CLARIFY, near_entry="cqc-registration", near_score=0.41, channel="slack")
    )
    log.record(gap(2))
    got = log.list()
    assert [g.id for g in got] == ["g003", "g002", "g001"]
    assert got[0] == gap(
        3, reason=GapReason.CLARIFY, near_entry="cqc-registration", near_score=0.41, channel="slack"
    )
    assert got[0].at.tzinfo is not None


def test_recording_the_same_gap_twice_keeps_one(stores: tuple[GapLog, SessionStore]) -> None:
    log, _ = stores
    log.record(gap(1))
    log.record(gap(1))
    assert len(log.list()) == 1


def test_status_changes_and_filters(stores: tuple[GapLog, SessionStore]) -> None:
    log, _ = stores
    for n in range(1, 5):
        log.record(gap(n))
    assert log.set_status("g002", GapStatus.RESOLVED, chosen_entry="ethics-evaluation")
    assert log.close("g003", note="added an entry")
    assert not log.close("nope")
    assert [g.id for g in log.list(status=GapStatus.OPEN)] == ["g004", "g001"]
    resolved = log.list(status=GapStatus.RESOLVED)[0]
    assert resolved.chosen_entry == "ethics-evaluation"
    assert log.list(status=GapStatus.CLOSED)[0].note == "added an entry"
    assert [g.id for g in log.list(since=T0 + timedelta(minutes=3))] == ["g004", "g003"]
    assert [g.id for g in log.list(limit=2)] == ["g004", "g003"]


def test_session_state_round_trips_and_expires(stores: tuple[GapLog, SessionStore]) -> None:
    _, sessions = stores
    state = {"flow": {"id": "find-my-route", "answers": {"what": "software"}, "history": ["what"]}}
    sessions.save("slack:D1", state, T0 + timedelta(minutes=30))
    assert sessions.load("slack:D1", T0) == state
    sessions.save("slack:D1", {"clarify": {"choices": ["pick:a:b"]}}, T0 + timedelta(minutes=30))
    assert sessions.load("slack:D1", T0) == {"clarify": {"choices": ["pick:a:b"]}}
    assert sessions.load("slack:D1", T0 + timedelta(minutes=31)) is None
    assert sessions.load("slack:D1", T0) is None  # expired state is gone for good
    sessions.save("slack:D2", state, T0 + timedelta(minutes=30))
    sessions.delete("slack:D2")
    assert sessions.load("slack:D2", T0) is None
    sessions.delete("never-there")


def test_a_status_change_for_no_such_gap_changes_nothing(stores: tuple[GapLog, SessionStore]) -> None:
    """False at once from a store that writes now; queued and dropped by one that writes later."""
    log, _ = stores
    log.record(gap(1))
    answered = log.set_status("nope", GapStatus.CLOSED)
    assert answered is isinstance(log, FailSafeGapLog)
    assert [(g.id, g.status) for g in log.list()] == [("g001", GapStatus.OPEN)]
    assert not isinstance(log, FailSafeGapLog) or log.pending == 0
