"""What a chat channel needs from the rest of Wayfinder (wiring picks the concrete classes)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.core.engine import Engine
from bot.core.gaps import GapSummary, summarise
from bot.core.models import KnowledgeBase
from bot.core.ports import EventClaims, GapLog

log = logging.getLogger(__name__)


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

    def gap_summary(self) -> GapSummary | None:
        """The unanswered-question summary for staff, or None while the log is unavailable."""
        try:
            return summarise(self.gaps, self.now())
        except Exception as exc:  # the log is unavailable: say so, never break the reply
            log.warning("gap summary unavailable (%s)", type(exc).__name__)
            return None
