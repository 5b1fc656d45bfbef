"""Storage that never breaks a reply.

A failed gap write is kept, in memory and in a local spool file, and written in order when
the database answers again: nothing is lost, even across a restart. After a failure the
database is left alone for a while, so an outage costs each reply nothing. Conversation
state falls back to memory during an outage.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.core.ports import Gap, GapLog, GapReason, GapStatus, SessionStore
from bot.storage.memory import MemorySessionStore

log = logging.getLogger(__name__)


class Breaker:
    """After a failure, skip the database for `pause` seconds instead of waiting on it."""

    def __init__(self, pause: float = 15.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.pause, self.clock = pause, clock
        self.failed_at: float | None = None

    def allows(self) -> bool:
        return self.failed_at is None or self.clock() - self.failed_at >= self.pause

    def fail(self) -> None:
        self.failed_at = self.clock()

    def succeed(self) -> None:
        self.failed_at = None


def _encode(kind: str, data: dict[str, Any]) -> str:
    return json.dumps({"op": kind, **data}, default=str)


def _decode(line: str) -> tuple[str, dict[str, Any]]:
    data = json.loads(line)
    return data.pop("op"), data


def _gap_from(data: dict[str, Any]) -> Gap:
    return Gap(
        **{
            **data,
            "at": datetime.fromisoformat(data["at"]),
            "reason": GapReason(data["reason"]),
            "status": GapStatus(data["status"]),
        }
    )


class FailSafeGapLog:
    def __init__(self, inner: GapLog, spool: Path | None = None, breaker: Breaker | None = None) -> None:
        self.inner = inner
        self.spool = spool
        self.breaker = breaker or Breaker()
        self._lock = threading.Lock()
        self._pending: list[str] = []
        """Changes not yet written, each a JSON line, exactly as the spool file holds them."""
        if spool is not None and spool.exists():
            self._pending = [line for line in spool.read_text().splitlines() if line.strip()]
            log.info("replaying %d unwritten gap change(s) from %s", len(self._pending), spool)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def record(self, gap: Gap) -> None:
        self._enqueue(_encode("record", asdict(gap)))

    def set_status(
        self, gap_id: str, status: GapStatus, *, chosen_entry: str | None = None, note: str = ""
    ) -> bool:
        change = {"gap_id": gap_id, "status": status.value, "chosen_entry": chosen_entry, "note": note}
        self._enqueue(_encode("status", change))
        return True

    def list(
        self, *, status: GapStatus | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Gap]:
        self.flush(force=True)
        return self.inner.list(status=status, since=since, limit=limit)

    def _enqueue(self, op: str) -> None:
        with self._lock:
            self._pending.append(op)
            self._flush_locked(force=False)

    def flush(self, force: bool = False) -> bool:
        """Write what is pending; True when nothing is left. Never raises."""
        with self._lock:
            return self._flush_locked(force)

    def _flush_locked(self, force: bool) -> bool:
        had_spooled = self.spool is not None and self.spool.exists()
        if self._pending and (force or self.breaker.allows()):
            done = 0
            try:
                for op in self._pending:
                    self._apply(*_decode(op))
                    done += 1
                self.breaker.succeed()
            except Exception as exc:  # any storage fault: keep the rest and try later
                self.breaker.fail()
                log.warning(
                    "gap log unavailable (%s); %d change(s) kept",
                    type(exc).__name__,
                    len(self._pending) - done,
                )
            del self._pending[:done]
        if self._pending or had_spooled:
            self._write_spool()
        return not self._pending

    def _apply(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "record":
            self.inner.record(_gap_from(data))
        else:
            self.inner.set_status(
                data["gap_id"],
                GapStatus(data["status"]),
                chosen_entry=data["chosen_entry"],
                note=data["note"],
            )

    def _write_spool(self) -> None:
        if self.spool is None:
            return
        try:
            if not self._pending:
                self.spool.unlink(missing_ok=True)
                return
            self.spool.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.spool.with_suffix(".tmp")
            tmp.write_text("".join(op + "\n" for op in self._pending))
            os.replace(tmp, self.spool)
        except OSError as exc:
            log.error("cannot write the gap spool %s: %s", self.spool, exc)


class FailSafeSessionStore:
    """Conversation state in the database, or in memory while the database is away."""

    def __init__(self, inner: SessionStore, breaker: Breaker | None = None) -> None:
        self.inner = inner
        self.breaker = breaker or Breaker()
        self.fallback = MemorySessionStore()

    def _try(self, action: Callable[[SessionStore], Any]) -> tuple[bool, Any]:
        if not self.breaker.allows():
            return False, None
        try:
            result = action(self.inner)
        except Exception as exc:  # any storage fault: fall back to memory
            self.breaker.fail()
            log.warning("session store unavailable (%s); using memory", type(exc).__name__)
            return False, None
        self.breaker.succeed()
        return True, result

    def load(self, key: str, now: datetime) -> dict[str, Any] | None:
        local = self.fallback.load(key, now)
        if local is not None:
            return local
        ok, state = self._try(lambda s: s.load(key, now))
        return state if ok else None

    def save(self, key: str, state: dict[str, Any], expires_at: datetime) -> None:
        ok, _ = self._try(lambda s: s.save(key, state, expires_at))
        if ok:
            self.fallback.delete(key)
        else:
            self.fallback.save(key, state, expires_at)

    def delete(self, key: str) -> None:
        self.fallback.delete(key)
        self._try(lambda s: s.delete(key))
