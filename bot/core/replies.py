"""A reply is written once; each channel renders what it can of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.core import messages
from bot.core.models import Stage


class Outcome(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    DONT_KNOW = "dont_know"
    REDIRECT = "redirect"
    HELP = "help"
    FLOW = "flow"
    NOTICE = "notice"


@dataclass(frozen=True, slots=True)
class Link:
    """A signpost, ready to show: who, the exact page, and whether it is required."""

    org: str
    org_name: str
    what: str
    url: str
    required: bool


@dataclass(frozen=True, slots=True)
class Choice:
    """Something the person can pick. `value` is opaque to channels: they hand it back."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class RouteStep:
    """One step on a guided flow's route: the stage, who and what, and the entry it comes from."""

    stage: Stage
    link: Link
    entry: str


@dataclass(frozen=True, slots=True)
class Alternative:
    entry: str
    title: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Reply:
    outcome: Outcome
    text: str
    title: str | None = None
    entry_id: str | None = None
    stage: Stage | None = None
    stage_count: int = 7
    links: tuple[Link, ...] = ()
    watch_out: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    reviewed: date | None = None
    owner: str = ""
    """Who owns the content of this answer (shown beside the review date in every channel)."""
    review_by: date | None = None
    """When the answer is next due for review; past it the answer still stands, and staff are told."""
    note: str = ""
    choices: tuple[Choice, ...] = ()
    confidence: float = 0.0
    alternatives: tuple[Alternative, ...] = ()
    gap_id: str | None = None
    extra: tuple[str, ...] = field(default=())
    """Further paragraphs, plain text (a flow's result: its Markdown summary to save or share)."""
    route: tuple[RouteStep, ...] = ()
    """A flow's personalised route, in journey-stage order (its links, grouped by stage)."""

    @property
    def answered(self) -> bool:
        return self.outcome is Outcome.ANSWER

    @property
    def logged(self) -> bool:
        return self.gap_id is not None

    def overdue(self, today: date) -> bool:
        """Past its review date: still answered, but staff should see that it is due for review."""
        return self.review_by is not None and self.review_by < today


def long_date(day: date) -> str:
    """A date as people write it: 3 March 2026."""
    return f"{day.day} {day:%B %Y}"


def provenance(reply: Reply) -> str:
    """Who owns the answer and when it was last reviewed, for every channel's footer."""
    if not reply.reviewed:
        return ""
    if reply.owner:
        return messages.OWNER_REVIEWED_LABEL.format(owner=reply.owner, date=long_date(reply.reviewed))
    return messages.REVIEWED_LABEL.format(date=long_date(reply.reviewed))
