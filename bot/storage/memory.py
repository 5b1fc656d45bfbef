"""In-memory implementations of the ports, for tests and for running with no database."""

from __future__ import annotations

import copy
import threading
from datetime import datetime, timedelta
from typing import Any

from bot.core.ports import Gap, GapStatus


class MemoryGapLog:
    def __init__(self) -> None:
        self.gaps: dict[str, Gap] = {}

    def record(self, gap: Gap) -> None:
        self.gaps.setdefault(gap.id, gap)

    def set_status(
        self, gap_id: str, status: GapStatus, *, chosen_entry: str | None = None, note: str = ""
    ) -> bool:
        gap = self.gaps.get(gap_id)
        if gap is None:
            return False
        self.gaps[gap_id] = gap.with_status(status, chosen_entry, note)
        return True

    def close(self, gap_id: str, note: str = "") -> bool:
        return self.set_status(gap_id, GapStatus.CLOSED, note=note)

    def list(
        self, *, status: GapStatus | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Gap]:
        gaps = [
            g
            for g in self.gaps.values()
            if (status is None or g.status is status) and (since is None or g.at >= since)
        ]
        gaps.sort(key=lambda g: (g.at, g.id), reverse=True)
        return gaps[:limit] if limit is not None else gaps


class MemorySessionStore:
    def __init__(self) -> None:
        self.states: dict[str, tuple[dict[str, Any], datetime]] = {}

    def load(self, key: str, now: datetime) -> dict[str, Any] | None:
        found = self.states.get(key)
        if found is None or found[1] <= now:
            self.states.pop(key, None)
            return None
        return copy.deepcopy(found[0])

    def save(self, key: str, state: dict[str, Any], expires_at: datetime) -> None:
        self.states[key] = (copy.deepcopy(state), expires_at)

    def delete(self, key: str) -> None:
        self.states.pop(key, None)


RETENTION = timedelta(hours=1)
"""How long a delivery claim is kept: Slack retries for about five minutes; an hour leaves a wide margin."""


class MemoryEventClaims:
    def __init__(self, retention: timedelta = RETENTION) -> None:
        self.retention = retention
        self.claims: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def claim(self, key: str, now: datetime) -> bool:
        with self._lock:
            if len(self.claims) > 10_000:
                cutoff = now - self.retention
                self.claims = {k: at for k, at in self.claims.items() if at >= cutoff}
            at = self.claims.get(key)
            if at is not None and at >= now - self.retention:
                return False
            self.claims[key] = now
            return True
