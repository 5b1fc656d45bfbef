"""Claims on incoming platform deliveries, so a retried delivery is handled once, across instances.

A claim is made on receipt, before any work: the first instance to insert the key wins; a retry
(or a second instance seeing the same delivery) finds the key taken. Claims older than the
retention are pruned as new ones arrive. The port is `bot.core.ports.EventClaims`; its fake is in
`bot.storage.memory` and its fail-safe wrapper in `bot.storage.failsafe`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from bot.storage.memory import RETENTION
from bot.storage.schema import SlackEventRow
from bot.storage.sql import Database

PRUNE_EVERY = 200
"""Prune expired claims once every this many claims."""


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
