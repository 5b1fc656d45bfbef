"""The composition root: the one place that picks concrete classes and joins them up."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from bot.content.flows import FlowReport, load_flows
from bot.content.knowledge import load_knowledge
from bot.core.audit import overdue
from bot.core.engine import Engine, Thresholds
from bot.core.flows import FlowSet
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser
from bot.core.semantic import SemanticIndex, index_texts
from bot.settings import Settings
from bot.storage.failsafe import Breaker, FailSafeEventClaims, FailSafeGapLog, FailSafeSessionStore
from bot.storage.lazy import LazyGapLog, LazySessionStore, LazySql

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.channels.teams.app import Teams
    from bot.semantic.cache import CacheReport
    from bot.storage.sql import Database

log = logging.getLogger(__name__)


def now(settings: Settings) -> datetime:
    """The time now; on the day WAYFINDER_TODAY pins, when it is set (tests, rehearsals)."""
    real = datetime.now(UTC)
    return datetime.combine(settings.today, real.timetz()) if settings.today else real


def today(settings: Settings) -> date:
    return now(settings).date()


def load(settings: Settings) -> KnowledgeBase:
    """The knowledge base, validated; raises ContentError with every problem. Entries past their
    review date load: they are a finding for staff (`kb audit`), never an outage."""
    return load_knowledge(settings.knowledge_dir)


def load_guided(
    settings: Settings, kb: KnowledgeBase, *, walk_paths: bool = True
) -> tuple[FlowSet, FlowReport]:
    """The guided flows, validated against the knowledge base; raises ContentError."""
    return load_flows(settings.flows_dir, kb, walk_paths=walk_paths)


def semantic_index(settings: Settings, kb: KnowledgeBase) -> tuple[SemanticIndex, CacheReport] | None:
    """The knowledge base's sentence vectors (from the cache, encoding only what changed), or None
    when the semantic signal is off or the model cannot load: then Wayfinder answers lexically."""
    if not settings.semantic:
        return None
    try:
        from bot.semantic.cache import VectorCache
        from bot.semantic.onnx import OnnxEncoder

        encoder = OnnxEncoder(settings.model, prepared=settings.cache_dir)
        vectors, report = VectorCache(settings.cache_dir, encoder).vectors(
            [t for _, t in index_texts(kb.entries)]
        )
        return SemanticIndex(kb.entries, encoder, vectors), report
    except Exception as exc:  # any fault in the model costs the semantic signal, never an answer
        log.warning(
            "Semantic matching is off (%s: %s); answering with the lexical matcher alone.",
            type(exc).__name__,
            str(exc).splitlines()[0] if str(exc) else "",
        )
        return None


def routing(settings: Settings, kb: KnowledgeBase) -> tuple[Matcher, Thresholds]:
    """The matcher and the cut-offs that suit it: fused when the encoder loads, else lexical."""
    from bot.semantic.words import everyday_words

    everyday = everyday_words()
    built = semantic_index(settings, kb)
    if built is None:
        return Matcher(kb.entries, Normaliser(kb.lexicon), everyday=everyday), settings.thresholds
    matcher = Matcher(kb.entries, Normaliser(kb.lexicon), semantic=built[0], everyday=everyday)
    return matcher, settings.fused_thresholds


@dataclass
class Storage:
    sql: LazySql
    """The database and its SQL stores, made on first use: a question answered needs neither."""
    gaps: FailSafeGapLog
    sessions: FailSafeSessionStore
    breaker: Breaker
    """One breaker for the one database: when any call finds it away, the others skip it too."""

    def health(self) -> dict[str, object]:
        """For /healthz: the bot answers either way; "degraded" means the database is away or slow."""
        degraded = self.breaker.tripped or self.gaps.degraded
        return {"storage": "degraded" if degraded else "ok", "pending": self.gaps.pending}

    @property
    def db(self) -> Database:
        return self.sql.stores().db

    def close(self) -> None:
        """Write what is pending and let go of the database, if it was ever used."""
        self.gaps.stop()
        self.gaps.flush(force=True)
        if self.sql.made:
            self.db.dispose()


def event_claims(store: Storage) -> FailSafeEventClaims:
    """Claims on platform deliveries (Slack retries), shared by every instance through the database.
    A channel server makes its database here, as it starts, so the first delivery does not wait."""
    return FailSafeEventClaims(store.sql.stores().claims, store.breaker)


def storage(settings: Settings, background: bool = False) -> Storage:
    """The database behind fail-safe wrappers; with `background`, gap writes leave the answer path."""
    sql = LazySql(settings.database_url)
    breaker = Breaker()
    gaps = FailSafeGapLog(LazyGapLog(sql), settings.spool, breaker)
    if background:
        gaps.start()
    return Storage(sql, gaps, FailSafeSessionStore(LazySessionStore(sql), breaker), breaker)


@dataclass
class App:
    settings: Settings
    kb: KnowledgeBase
    engine: Engine
    store: Storage

    def close(self) -> None:
        self.store.close()


def build(settings: Settings, kb: KnowledgeBase | None = None, flows: FlowSet | None = None) -> App:
    """Everything joined up. Flows name knowledge entries, so they are loaded from settings only
    when the knowledge base is too; a caller that brings its own knowledge base brings its flows."""
    if kb is None:
        kb = load(settings)
        flows = flows if flows is not None else load_guided(settings, kb, walk_paths=False)[0]
    if late := overdue(kb, today(settings)):
        log.warning(
            "%d entries are past their review date (see `kb audit`): %s",
            len(late),
            ", ".join(e.id for e in late),
        )
    store = storage(settings, background=True)
    matcher, thresholds = routing(settings, kb)
    engine = Engine(
        kb,
        matcher,
        store.gaps,
        store.sessions,
        thresholds,
        settings.session_ttl,
        now=lambda: now(settings),
        flows=flows,
    )
    return App(settings, kb, engine, store)


def slack_app(app: App) -> AsyncApp:
    """The Slack channel over this app's core and storage, with retries deduplicated in the database."""
    from bot.channels.deps import Deps
    from bot.channels.slack.app import create_app

    settings = app.settings
    deps = Deps(
        app.engine, app.kb, app.store.gaps, event_claims(app.store), settings.staff, lambda: now(settings)
    )
    return create_app(
        deps,
        token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret,
        api_url=settings.slack_api_url,
    )


def slack_configured(settings: Settings) -> bool:
    return bool(settings.slack_bot_token or settings.slack_signing_secret or settings.slack_app_token)


def teams_configured(settings: Settings) -> bool:
    from bot.channels.teams.app import configured

    return configured(settings.teams_sdk, settings.teams_dev)


def teams_app(app: App) -> Teams:
    """The Teams channel over this app's core and storage, with redeliveries deduplicated in the
    database. Raises TeamsConfigError for settings it must not run with."""
    from bot.channels.deps import Deps
    from bot.channels.teams.app import create_teams

    settings = app.settings
    deps = Deps(
        app.engine, app.kb, app.store.gaps, event_claims(app.store), settings.staff, lambda: now(settings)
    )
    return create_teams(deps, settings.teams_sdk, dev=settings.teams_dev)
