"""What every chat channel needs from the rest of Wayfinder (wiring picks the concrete classes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.core.engine import Engine
from bot.core.models import KnowledgeBase
from bot.core.ports import GapLog
from bot.storage.events import EventClaims


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    """What the listeners need from the rest of Wayfinder (wiring picks the concrete classes)."""

    engine: Engine
    kb: KnowledgeBase
    gaps: GapLog
    claims: EventClaims
    staff: frozenset[str] = frozenset()
    now: Callable[[], datetime] = field(default=utcnow)
