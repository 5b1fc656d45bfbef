"""The composition root: the one place that picks concrete classes and joins them up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.content.knowledge import load_knowledge
from bot.core.engine import Engine
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser
from bot.settings import Settings
from bot.storage.events import FailSafeEventClaims, SqlEventClaims
from bot.storage.failsafe import FailSafeGapLog, FailSafeSessionStore
from bot.storage.sql import Database, SqlGapLog, SqlSessionStore


def today() -> datetime:
    return datetime.now(UTC)


def load(settings: Settings) -> KnowledgeBase:
    """The knowledge base, validated; raises ContentError with every problem."""
    return load_knowledge(settings.knowledge_dir, today().date())


@dataclass
class Storage:
    db: Database
    gaps: FailSafeGapLog
    sessions: FailSafeSessionStore

    def close(self) -> None:
        """Write what is pending and let go of the database."""
        self.gaps.flush(force=True)
        self.db.dispose()


def event_claims(store: Storage) -> FailSafeEventClaims:
    """Claims on platform deliveries (Slack retries), shared by every instance through the database."""
    return FailSafeEventClaims(SqlEventClaims(store.db))


def storage(settings: Settings) -> Storage:
    db = Database(settings.database_url)
    return Storage(
        db, FailSafeGapLog(SqlGapLog(db), settings.spool), FailSafeSessionStore(SqlSessionStore(db))
    )


@dataclass
class App:
    settings: Settings
    kb: KnowledgeBase
    engine: Engine
    store: Storage

    def close(self) -> None:
        self.store.close()


def build(settings: Settings, kb: KnowledgeBase | None = None) -> App:
    kb = kb or load(settings)
    store = storage(settings)
    matcher = Matcher(kb.entries, Normaliser(kb.lexicon))
    engine = Engine(kb, matcher, store.gaps, store.sessions, settings.thresholds, settings.session_ttl)
    return App(settings, kb, engine, store)
