"""What a chat channel needs from the rest of Wayfinder (wiring picks the concrete classes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.core.engine import Engine
from bot.core.models import KnowledgeBase
from bot.core.ports import EventClaims, GapLog


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    """What the handlers need: the core, the content, the gap log, delivery claims (so a
    redelivered or replayed request is handled once), staff ids and the clock."""

    engine: Engine
    kb: KnowledgeBase
    gaps: GapLog
    claims: EventClaims
    staff: frozenset[str] = frozenset()
    now: Callable[[], datetime] = field(default=utcnow)
