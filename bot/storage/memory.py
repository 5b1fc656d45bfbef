"""In-memory implementations of the ports, for tests and for running with no database."""

from __future__ import annotations

import copy
from datetime import datetime
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
