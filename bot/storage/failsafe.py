"""Storage that never breaks or stalls a reply.

One pattern for every port: `Breaker.guard` tries the database, and on any fault (or when a call
on the answer path takes longer than its bound) logs it, leaves the database alone for a while
and falls back, so an outage, a hanging connection or a locked table costs each reply little.

The gap log is written off the answer path: a change is queued, in memory and in a local spool
file, and a background writer writes it in order, when it arrives and again on a timer while the
database is away; nothing is lost, even across a restart. A change the database refuses while it
otherwise answers (text it cannot store) is quarantined to a file beside the spool, so it never
blocks the ones behind it. Conversation state falls back to memory during an outage.
"""

from __future__ import annotations

import builtins
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.core.ports import EventClaims, Gap, GapLog, GapReason, GapStatus, SessionStore
from bot.storage.memory import MemoryEventClaims, MemorySessionStore

log = logging.getLogger(__name__)

T = TypeVar("T")

ANSWER_PATH_TIMEOUT = 2.0
"""Seconds a reply may wait on the database (a session load, a delivery claim) before it carries
on without it; Slack expects a reply within seconds."""
WRITE_TIMEOUT = 10.0
"""Seconds the background writer waits on one gap write before it counts the database as away."""
RETRY_EVERY = 5.0
"""Seconds between the background writer's attempts while changes wait."""


def bounded(action: Callable[[], T], timeout: float) -> T:
    """`action()`, or TimeoutError after `timeout` seconds. A hanging call is left to finish (or
    fail) on its own daemon thread, so it can neither hold up the caller nor keep the process up."""
    outcome: list[Any] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append((True, action()))
        except BaseException as exc:  # handed to the caller below
            outcome.append((False, exc))
        done.set()

    threading.Thread(target=run, name="storage-call", daemon=True).start()
    if not done.wait(timeout):
        raise TimeoutError(f"no answer from the database within {timeout:g} s")
    ok, value = outcome[0]
    if not ok:
        raise value
    result: T = value
    return result


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

    @property
    def tripped(self) -> bool:
        """The last call to the database failed."""
        return self.failed_at is not None

    def guard(
        self,
        action: Callable[[], T],
        *,
        fallback: Callable[[], T],
        what: str,
        timeout: float | None = None,
        force: bool = False,
    ) -> T:
        """`action()` unless the database was just found away (`force` tries it anyway); on any
        fault, or after `timeout` seconds, trip, log and return `fallback()`. Never raises."""
        if not (force or self.allows()):
            return fallback()
        try:
            result = action() if timeout is None else bounded(action, timeout)
        except Exception as exc:  # any storage fault: fall back
            self.fail()
            log.warning("%s unavailable (%s)", what, type(exc).__name__)
            return fallback()
        self.succeed()
        return result


# -- the gap log ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Record:
    gap: Gap


@dataclass(frozen=True, slots=True)
class SetStatus:
    gap_id: str
    status: GapStatus
    chosen_entry: str | None = None
    note: str = ""


Op = Record | SetStatus


def encode(op: Op) -> str:
    """One spool line (ASCII JSON, so even text the database refuses can be kept)."""
    if isinstance(op, Record):
        return json.dumps({"op": "record", **asdict(op.gap)}, default=str)
    return json.dumps({"op": "status", **asdict(op)}, default=str)


def decode(line: str) -> Op:
    data = json.loads(line)
    if data.pop("op") == "record":
        return Record(
            Gap(
                **{
                    **data,
                    "at": datetime.fromisoformat(data["at"]),
                    "reason": GapReason(data["reason"]),
                    "status": GapStatus(data["status"]),
                }
            )
        )
    return SetStatus(data["gap_id"], GapStatus(data["status"]), data["chosen_entry"], data["note"])


class FailSafeGapLog:
    """The gap log, written in the background; `record` and `set_status` only queue."""

    def __init__(
        self,
        inner: GapLog,
        spool: Path | None = None,
        breaker: Breaker | None = None,
        *,
        retry: float = RETRY_EVERY,
        write_timeout: float = WRITE_TIMEOUT,
    ) -> None:
        self.inner = inner
        self.spool = spool
        self.quarantine = spool.with_name(spool.stem + ".quarantine.jsonl") if spool else None
        self.breaker = breaker or Breaker()
        self.retry, self.write_timeout = retry, write_timeout
        self._lock = threading.Lock()
        """Guards the queue and the spool file; never held across database I/O."""
        self._writing = threading.Lock()
        """One writer at a time; the answer path never takes it."""
        self._writing_since: float | None = None
        self._pending: list[Op] = []
        self._quarantined = 0
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        if spool is not None and spool.exists():
            self._pending = self._read(spool)
            log.info("replaying %d unwritten gap change(s) from %s", len(self._pending), spool)
        if self.quarantine is not None and self.quarantine.exists():
            self._quarantined = sum(1 for line in self.quarantine.read_text().splitlines() if line.strip())

    @property
    def pending(self) -> int:
        """Changes waiting to be written."""
        return len(self._pending)

    @property
    def quarantined(self) -> int:
        """Changes the database refused, kept in the quarantine file for staff."""
        return self._quarantined

    @property
    def degraded(self) -> bool:
        """The database failed the last write, or one has been waiting on it for over a second."""
        since = self._writing_since
        return self.breaker.tripped or (since is not None and time.monotonic() - since > 1.0)

    # -- the port ---------------------------------------------------------------------------

    def record(self, gap: Gap) -> None:
        self._enqueue(Record(gap))

    def set_status(
        self, gap_id: str, status: GapStatus, *, chosen_entry: str | None = None, note: str = ""
    ) -> bool:
        """Queued, so True (the port allows it); a change to a gap that turns out not to exist is
        dropped when written. Staff close gaps with `close`, which answers at once."""
        self._enqueue(SetStatus(gap_id, status, chosen_entry, note))
        return True

    def close(self, gap_id: str, note: str = "") -> bool:
        """Write what waits, then close the gap now; False when there is no such gap. Raises when
        the database is away (staff are told)."""
        self.flush(force=True)
        return self.inner.close(gap_id, note)

    def list(
        self, *, status: GapStatus | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Gap]:
        self.flush(force=True)
        return self.inner.list(status=status, since=since, limit=limit)

    # -- the background writer --------------------------------------------------------------

    def start(self) -> None:
        """Write in the background: as changes arrive, and every `retry` seconds while any wait."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="gap-writer", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.retry)
            self._wake.clear()
            if self._pending and not self._stop.is_set():
                self.flush()

    def flush(self, force: bool = False) -> bool:
        """Write what is waiting, in order; True when nothing is left. Never raises. Without
        `force`, a database just found away is left alone until the breaker's pause is over."""
        with self._writing:
            if not self._pending:
                return True
            with self._lock:
                batch = list(self._pending)
            written: list[Op] = []
            refused: list[Op] = []
            self._writing_since = time.monotonic()
            try:
                self.breaker.guard(
                    partial(self._write, batch, written, refused),
                    fallback=lambda: None,
                    what="gap log (changes kept, to write later)",
                    force=force,
                )
            finally:
                self._writing_since = None
            with self._lock:
                del self._pending[: len(written)]
                self._keep_refused(refused)
                if written:
                    self._rewrite_spool()
            return not self._pending

    def _write(self, batch: Sequence[Op], written: builtins.list[Op], refused: builtins.list[Op]) -> None:
        """Apply `batch` in order, noting each change done (`written`) and each the database
        refused (`refused`, also done); raises at the first that must wait for the database."""
        for op in batch:
            try:
                bounded(partial(self._apply, op), self.write_timeout)
            except Exception as exc:  # refused, or the database is away: `_refuses` tells which
                if not self._refuses(exc):
                    raise
                refused.append(op)
            written.append(op)

    def _apply(self, op: Op) -> None:
        if isinstance(op, Record):
            self.inner.record(op.gap)
        elif not self.inner.set_status(op.gap_id, op.status, chosen_entry=op.chosen_entry, note=op.note):
            log.warning("dropped a status change for gap %s, which does not exist", op.gap_id)

    def _refuses(self, exc: Exception) -> bool:
        """The database refused this one change (text it cannot encode, a value it will not take)
        while it answers otherwise, so the change must not block the rest. A write that failed
        because the database is away or silent is no such thing: it is tried again later."""
        if isinstance(exc, TimeoutError):
            return False
        try:
            bounded(lambda: self.inner.list(limit=1), self.write_timeout)
        except Exception:
            return False  # the database itself is away
        return True

    # -- queue and files (under self._lock) ---------------------------------------------------

    def _enqueue(self, op: Op) -> None:
        with self._lock:
            self._pending.append(op)
            self._append(self.spool, [op])
        self._wake.set()
        if self._thread is None and self.breaker.allows():
            self.flush()  # no background writer (tests, tools): write now, as before

    def _read(self, path: Path) -> builtins.list[Op]:
        ops: builtins.list[Op] = []
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                ops.append(decode(line))
            except (ValueError, KeyError, TypeError) as exc:
                log.error("%s line %d cannot be read (%s); quarantined", path, n, type(exc).__name__)
                self._keep_lines([line])
        return ops

    def _append(self, path: Path | None, ops: Sequence[Op]) -> None:
        if path is None or not ops:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="ascii") as f:
                f.writelines(encode(op) + "\n" for op in ops)
        except OSError as exc:
            log.error("cannot write %s: %s", path, exc)

    def _rewrite_spool(self) -> None:
        if self.spool is None:
            return
        try:
            if not self._pending:
                self.spool.unlink(missing_ok=True)
                return
            tmp = self.spool.with_suffix(".tmp")
            tmp.write_text("".join(encode(op) + "\n" for op in self._pending), encoding="ascii")
            tmp.replace(self.spool)
        except OSError as exc:
            log.error("cannot write the gap spool %s: %s", self.spool, exc)

    def _keep_refused(self, ops: Sequence[Op]) -> None:
        if ops:
            log.error("the database refused %d gap change(s); quarantined in %s", len(ops), self.quarantine)
            self._keep_lines([encode(op) for op in ops])

    def _keep_lines(self, lines: Sequence[str]) -> None:
        self._quarantined += len(lines)
        if self.quarantine is None:
            return
        try:
            with self.quarantine.open("a", encoding="utf-8", errors="replace") as f:
                f.writelines(line + "\n" for line in lines)
        except OSError as exc:
            log.error("cannot write %s: %s", self.quarantine, exc)


# -- sessions and claims ------------------------------------------------------------------------


class FailSafeSessionStore:
    """Conversation state in the database, or in memory while the database is away or slow."""

    def __init__(
        self, inner: SessionStore, breaker: Breaker | None = None, timeout: float = ANSWER_PATH_TIMEOUT
    ) -> None:
        self.inner = inner
        self.breaker = breaker or Breaker()
        self.timeout = timeout
        self.fallback = MemorySessionStore()

    def _guard(self, action: Callable[[], T], fallback: Callable[[], T]) -> T:
        return self.breaker.guard(
            action, fallback=fallback, what="session store (using memory)", timeout=self.timeout
        )

    def load(self, key: str, now: datetime) -> dict[str, Any] | None:
        local = self.fallback.load(key, now)
        if local is not None:
            return local
        return self._guard(lambda: self.inner.load(key, now), lambda: None)

    def save(self, key: str, state: dict[str, Any], expires_at: datetime) -> None:
        def save() -> bool:
            self.inner.save(key, state, expires_at)
            return True

        if self._guard(save, lambda: False):
            self.fallback.delete(key)
        else:
            self.fallback.save(key, state, expires_at)

    def delete(self, key: str) -> None:
        self.fallback.delete(key)
        self._guard(lambda: self.inner.delete(key), lambda: None)


class FailSafeEventClaims:
    """Claims in the database, or in memory while the database is away or slow; never raises."""

    def __init__(
        self, inner: EventClaims, breaker: Breaker | None = None, timeout: float = ANSWER_PATH_TIMEOUT
    ) -> None:
        self.inner = inner
        self.breaker = breaker or Breaker()
        self.timeout = timeout
        self.fallback = MemoryEventClaims()

    def claim(self, key: str, now: datetime) -> bool:
        if not self.fallback.claim(key, now):
            return False  # this instance has seen it already
        return self.breaker.guard(
            lambda: self.inner.claim(key, now),
            fallback=lambda: True,  # the memory claim stands
            what="event claims (deduplicating in memory)",
            timeout=self.timeout,
        )
