"""What the core needs from storage, as Protocols. Implementations live in bot.storage."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class GapStatus(StrEnum):
    OPEN = "open"
    """Waiting for staff: a don't-know, an unresolved clarify or an answer marked unhelpful."""
    RESOLVED = "resolved"
    """The person picked one of the offered answers (kept as a signal for content staff)."""
    CLOSED = "closed"
    """Staff reviewed it and closed it, with a note."""


class GapReason(StrEnum):
    DONT_KNOW = "dont_know"
    CLARIFY = "clarify"
    UNHELPFUL = "unhelpful"


@dataclass(frozen=True, slots=True)
class Gap:
    """One question Wayfinder could not answer well. `text` is always already redacted."""

    id: str
    at: datetime
    channel: str
    text: str
    reason: GapReason
    near_entry: str | None
    near_score: float
    status: GapStatus = GapStatus.OPEN
    chosen_entry: str | None = None
    note: str = ""

    def with_status(self, status: GapStatus, chosen_entry: str | None = None, note: str = "") -> Gap:
        return replace(
            self, status=status, chosen_entry=chosen_entry or self.chosen_entry, note=note or self.note
        )


class GapLog(Protocol):
    """The unanswered-question log."""

    def record(self, gap: Gap) -> None:
        """Store a gap; storing the same id twice keeps one row."""

    def set_status(
        self, gap_id: str, status: GapStatus, *, chosen_entry: str | None = None, note: str = ""
    ) -> bool:
        """Change a gap's status; False when no such gap exists. A log that writes in the
        background answers True once the change is queued (and drops it, logged, if the gap
        turns out not to exist); use `close` for an answer now."""

    def close(self, gap_id: str, note: str = "") -> bool:
        """Close a reviewed gap now (staff); False when no such gap exists."""

    def list(
        self, *, status: GapStatus | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Gap]:
        """Gaps, newest first."""


class SessionStore(Protocol):
    """Small per-conversation state (clarify choices, flow progress) that expires when idle."""

    def load(self, key: str, now: datetime) -> dict[str, Any] | None:
        """The state saved under `key`, or None when there is none or it has expired."""

    def save(self, key: str, state: dict[str, Any], expires_at: datetime) -> None:
        """Save or replace the state under `key`."""

    def delete(self, key: str) -> None:
        """Forget the state under `key`."""


class EventClaims(Protocol):
    """Claims on incoming platform deliveries, so a retried or replayed one is handled once."""

    def claim(self, key: str, now: datetime) -> bool:
        """True for the first claim of `key`; False when it was claimed before (a retry)."""
        ...
