"""Claims on Slack deliveries: one contract for memory, SQLite and PostgreSQL, plus the fail-safe."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.ports import EventClaims
from bot.storage.events import SqlEventClaims
from bot.storage.failsafe import Breaker, FailSafeEventClaims
from bot.storage.memory import MemoryEventClaims
from bot.storage.sql import Database

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", "postgres", "failsafe-sqlite"])
def claims(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EventClaims]:
    if request.param == "memory":
        yield MemoryEventClaims()
        return
    url = (
        f"sqlite:///{tmp_path}/w.db"
        if request.param != "postgres"
        else request.getfixturevalue("postgres_url")
    )
    db = Database(url)
    try:
        sql = SqlEventClaims(db)
        yield FailSafeEventClaims(sql) if request.param.startswith("failsafe") else sql
    finally:
        db.dispose()


def test_the_first_claim_wins_and_a_repeat_is_refused(claims: EventClaims) -> None:
    assert claims.claim("T1:Ev1", T0) is True
    assert claims.claim("T1:Ev1", T0 + timedelta(seconds=1)) is False
    assert claims.claim("T1:Ev1", T0 + timedelta(minutes=5)) is False  # Slack's last retry
    assert claims.claim("T1:Ev2", T0) is True
    assert claims.claim("T2:Ev1", T0) is True  # another workspace


def test_claims_racing_for_one_event_let_exactly_one_through(claims: EventClaims) -> None:
    claims.claim("warm-up", T0)  # migrate first, so the race is on the claim alone
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda _: claims.claim("T1:Ev-race", T0), range(16)))
    assert won.count(True) == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_instances_share_claims_through_the_database(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/w.db" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    first, second = Database(url), Database(url)
    try:
        assert SqlEventClaims(first).claim("T1:Ev1", T0) is True
        assert SqlEventClaims(second).claim("T1:Ev1", T0) is False
    finally:
        first.dispose()
        second.dispose()


def test_old_claims_are_pruned(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/w.db")
    try:
        claims = SqlEventClaims(db)
        claims.claim("T1:old", T0)
        claims.claim("T1:new", T0 + timedelta(hours=2))
        assert claims.prune(T0 + timedelta(hours=1)) == 1
        assert claims.claim("T1:new", T0 + timedelta(hours=2)) is False
    finally:
        db.dispose()


class Down:
    def __init__(self) -> None:
        self.calls = 0

    def claim(self, key: str, now: datetime) -> bool:
        self.calls += 1
        raise ConnectionError("database unavailable")


def test_with_the_database_down_claims_fall_back_to_memory() -> None:
    down = Down()
    claims = FailSafeEventClaims(down, Breaker(pause=60, clock=lambda: 0.0))
    assert claims.claim("T1:Ev1", T0) is True  # answered, not lost
    assert claims.claim("T1:Ev1", T0) is False  # and a retry to this instance is still caught
    assert claims.claim("T1:Ev2", T0) is True
    assert down.calls == 1  # the breaker keeps later claims off the dead database


def test_the_fail_safe_defers_to_the_database_when_it_is_up(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/w.db")
    try:
        SqlEventClaims(db).claim("T1:Ev1", T0)  # another instance got there first
        assert FailSafeEventClaims(SqlEventClaims(db)).claim("T1:Ev1", T0) is False
    finally:
        db.dispose()
