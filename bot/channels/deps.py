"""What a chat channel needs from the rest of Wayfinder (wiring picks the concrete classes).

Teams uses it; Slack keeps its own identical `Deps` in bot/channels/slack/app.py for now (the
Slack code is being changed on another branch) and can import this one once both are merged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from bot.core.engine import Engine
from bot.core.models import KnowledgeBase
from bot.core.ports import GapLog


def utcnow() -> datetime:
    return datetime.now(UTC)


class Claims(Protocol):
    """Claims on platform deliveries, so a redelivered one is handled once (bot/storage/events.py)."""

    def claim(self, key: str, now: datetime) -> bool: ...


@dataclass
class Deps:
    """What the handlers need: the core, the content, the gap log, delivery claims, staff ids."""

    engine: Engine
    kb: KnowledgeBase
    gaps: GapLog
    claims: Claims
    staff: frozenset[str] = frozenset()
    now: Callable[[], datetime] = field(default=utcnow)
