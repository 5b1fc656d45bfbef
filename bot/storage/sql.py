"""SQLAlchemy 2.x implementations of the gap log and the session store."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, delete, event, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.ports import Gap, GapReason, GapStatus
from bot.storage.schema import GapRow, SessionRow, aware

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 3
"""Seconds to connect (PostgreSQL), or to wait on another writer's lock (SQLite's busy timeout)."""
STATEMENT_TIMEOUT_MS = 5000
"""PostgreSQL cancels a statement that runs longer than this."""
LOCK_TIMEOUT_MS = 2000
"""PostgreSQL gives up waiting for a row or table lock after this."""
POOL_TIMEOUT_SECONDS = 3
"""Seconds to wait for a free pooled connection (all of them may be stuck on a hanging server)."""


def make_engine(url: str) -> Engine:
    """An engine that fails fast when the database is down, locked or silent, so nothing waits long.
    (A server that accepts and then never answers is bounded by the fail-safe wrappers as well.)"""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": CONNECT_TIMEOUT_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        given = parsed.query.get("options") or ""
        given = " ".join(given) if isinstance(given, tuple) else given
        limits = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS}"
        args = {
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": f"{given} {limits}".strip(),  # kept beside any options the URL gives
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 2,
        }
    return create_engine(url, pool_pre_ping=True, pool_timeout=POOL_TIMEOUT_SECONDS, connect_args=args)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """Write-ahead logging: readers never wait on the writer, and a commit needs no full sync."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """One engine, migrated to the latest schema on first use (not at import, not at start-up)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._ready = False
        self._lock = threading.Lock()

    def session(self) -> Session:
        if not self._ready:
            with self._lock:
                if not self._ready:
                    migrate(self.engine)
                    self._ready = True
        return self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config() -> Config:
    """Alembic is imported here, on first use of a database, not at start-up (it costs 0.3 s)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the schema to head; on PostgreSQL a lock keeps two instances from racing."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(741852963)"))
        if MigrationContext.configure(conn).get_current_revision() == head:
            return
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _gap(row: GapRow) -> Gap:
    return Gap(
        id=row.id,
        at=aware(row.at),
        channel=row.channel,
        text=row.text,
        reason=GapReason(row.reason),
        near_entry=row.near_entry,
        near_score=row.near_score,
        status=GapStatus(row.status),
        chosen_entry=row.chosen_entry,
        note=row.note,
    )


class SqlGapLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, gap: Gap) -> None:
        row = GapRow(
            id=gap.id,
            at=gap.at,
            channel=gap.channel,
            text=gap.text,
            reason=gap.reason.value,
            near_entry=gap.near_entry,
            near_score=gap.near_score,
            status=gap.status.value,
            chosen_entry=gap.chosen_entry,
            note=gap.note,
        )
        with self.db.session() as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # already stored, e.g. replayed after an outage

    def set_status(
        self, gap_id: str, status: GapStatus, *, chosen_entry: str | None = None, note: str = ""
    ) -> bool:
        values: dict[str, Any] = {"status": status.value}
        if chosen_entry:
            values["chosen_entry"] = chosen_entry
        if note:
            values["note"] = note
        with self.db.session() as session:
            result = session.execute(update(GapRow).where(GapRow.id == gap_id).values(**values))
            session.commit()
            return bool(getattr(result, "rowcount", 0))

    def close(self, gap_id: str, note: str = "") -> bool:
        return self.set_status(gap_id, GapStatus.CLOSED, note=note)

    def list(
        self, *, status: GapStatus | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Gap]:
        query = select(GapRow).order_by(GapRow.at.desc(), GapRow.id.desc())
        if status is not None:
            query = query.where(GapRow.status == status.value)
        if since is not None:
            query = query.where(GapRow.at >= since)
        if limit is not None:
            query = query.limit(limit)
        with self.db.session() as session:
            return [_gap(row) for row in session.scalars(query)]


class SqlSessionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def load(self, key: str, now: datetime) -> dict[str, Any] | None:
        with self.db.session() as session:
            row = session.get(SessionRow, key)
            if row is None:
                return None
            if aware(row.expires_at) <= now:
                session.delete(row)
                session.commit()
                return None
            state: dict[str, Any] = json.loads(row.state)
            return state

    def save(self, key: str, state: dict[str, Any], expires_at: datetime) -> None:
        with self.db.session() as session:
            session.merge(SessionRow(key=key, state=json.dumps(state), expires_at=expires_at))
            session.commit()

    def delete(self, key: str) -> None:
        with self.db.session() as session:
            session.execute(delete(SessionRow).where(SessionRow.key == key))
            session.commit()
