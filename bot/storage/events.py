"""Claims on incoming platform deliveries, so a retried delivery is handled once, across instances.

A claim is made on receipt, before any work: the first instance to insert the key wins; a retry
(or a second instance seeing the same delivery) finds the key taken. Claims older than the
retention are pruned as new ones arrive. If the database is away, claims fall back to memory:
replies carry on, and only cross-instance deduplication is lost for the outage.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from bot.storage.failsafe import Breaker
from bot.storage.schema import SlackEventRow
from bot.storage.sql import Database

log = logging.getLogger(__name__)

RETENTION = timedelta(hours=1)
"""Slack retries for about five minutes; an hour leaves a wide margin."""
PRUNE_EVERY = 200
"""Prune expired claims once every this many claims."""


class EventClaims(Protocol):
    def claim(self, key: str, now: datetime) -> bool:
        """True for the first claim of `key`; False when it was claimed before (a retry)."""
        ...


class MemoryEventClaims:
    def __init__(self, retention: timedelta = RETENTION) -> None:
        self.retention = retention
        self.claims: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def claim(self, key: str, now: datetime) -> bool:
        with self._lock:
            if len(self.claims) > 10_000:
                cutoff = now - self.retention
                self.claims = {k: at for k, at in self.claims.items() if at >= cutoff}
            at = self.claims.get(key)
            if at is not None and at >= now - self.retention:
                return False
            self.claims[key] = now
            return True


class SqlEventClaims:
    """A row per claim; the primary key makes the insert fail for a second claim."""

    def __init__(self, db: Database, retention: timedelta = RETENTION) -> None:
        self.db = db
        self.retention = retention
        self._count = 0

    def claim(self, key: str, now: datetime) -> bool:
        self._count += 1
        if self._count % PRUNE_EVERY == 1:
            self.prune(now - self.retention)
        with self.db.session() as session:
            try:
                session.execute(insert(SlackEventRow).values(key=key, claimed_at=now))
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
        return True

    def prune(self, before: datetime) -> int:
        with self.db.session() as session:
            result = session.execute(delete(SlackEventRow).where(SlackEventRow.claimed_at < before))
            session.commit()
            return int(getattr(result, "rowcount", 0) or 0)


class FailSafeEventClaims:
    """Claims in the database, or in memory while the database is away; never raises."""

    def __init__(self, inner: EventClaims, breaker: Breaker | None = None) -> None:
        self.inner = inner
        self.breaker = breaker or Breaker()
        self.fallback = MemoryEventClaims()

    def claim(self, key: str, now: datetime) -> bool:
        if not self.fallback.claim(key, now):
            return False  # this instance has seen it already
        if not self.breaker.allows():
            return True
        try:
            claimed = self.inner.claim(key, now)
        except Exception as exc:  # any storage fault: the memory claim stands
            self.breaker.fail()
            log.warning("event claims unavailable (%s); deduplicating in memory", type(exc).__name__)
            return True
        self.breaker.succeed()
        return claimed
