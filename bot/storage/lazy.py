"""The SQL stores, made on first use.

Importing SQLAlchemy and the schema takes about half a second, a third of start-up, and answering
a question needs no database: only logging a gap, keeping a conversation or claiming a delivery
does. `LazySql` makes the database and its stores the first time one of them is called, once, from
whichever thread gets there first; the two classes below are the ports that stand in for them until
then. (A channel server claims deliveries from its first request, so it makes them as it starts.)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.core.ports import Gap, GapStatus

if TYPE_CHECKING:
    from bot.storage.events import SqlEventClaims
    from bot.storage.sql import Database, SqlGapLog, SqlSessionStore


@dataclass(frozen=True, slots=True)
class SqlStores:
    db: Database
    gaps: SqlGapLog
    sessions: SqlSessionStore
    claims: SqlEventClaims


class LazySql:
    """The database behind a URL and its stores, made when first asked for."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._stores: SqlStores | None = None
        self._lock = threading.Lock()

    @property
    def made(self) -> bool:
        return self._stores is not None

    def stores(self) -> SqlStores:
        if self._stores is None:
            with self._lock:
                if self._stores is None:
                    from bot.storage.events import SqlEventClaims
                    from bot.storage.sql import Database, SqlGapLog, SqlSessionStore

                    db = Database(self.url)
                    self._stores = SqlStores(db, SqlGapLog(db), SqlSessionStore(db), SqlEventClaims(db))
        return self._stores


class LazyGapLog:
    """The `GapLog` port over `LazySql`."""

    def __init__(self, sql: LazySql) -> None:
        self.sql = sql

    def record(self, gap: Gap) -> None:
        self.sql.stores().gaps.record(gap)

    def set_status(
        self, gap_id: str, status: GapStatus, *, chosen_entry: str | None = None, note: str = ""
    ) -> bool:
        return self.sql.stores().gaps.set_status(gap_id, status, chosen_entry=chosen_entry, note=note)

    def close(self, gap_id: str, note: str = "") -> bool:
        return self.sql.stores().gaps.close(gap_id, note)

    def list(
        self, *, status: GapStatus | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Gap]:
        return self.sql.stores().gaps.list(status=status, since=since, limit=limit)


class LazySessionStore:
    """The `SessionStore` port over `LazySql`."""

    def __init__(self, sql: LazySql) -> None:
        self.sql = sql

    def load(self, key: str, now: datetime) -> dict[str, Any] | None:
        return self.sql.stores().sessions.load(key, now)

    def save(self, key: str, state: dict[str, Any], expires_at: datetime) -> None:
        self.sql.stores().sessions.save(key, state, expires_at)

    def delete(self, key: str) -> None:
        self.sql.stores().sessions.delete(key)
