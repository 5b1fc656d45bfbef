"""Frozen, typed models of the knowledge base."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

NATIONS = ("england", "scotland", "wales", "northern-ireland")
NATION_NAMES = {
    "england": "England",
    "scotland": "Scotland",
    "wales": "Wales",
    "northern-ireland": "Northern Ireland",
}


class Kind(StrEnum):
    ANSWER = "answer"
    REDIRECT = "redirect"


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    name: str
    summary: str
    number: int


@dataclass(frozen=True, slots=True)
class Organisation:
    code: str
    name: str
    for_: str
    website: str
    nations: tuple[str, ...]
    domains: tuple[str, ...] = ()
    formerly: tuple[str, ...] = ()
    not_: str = ""
    redirect_only: bool = False


@dataclass(frozen=True, slots=True)
class Signpost:
    org: str
    what: str
    url: str
    required: bool


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
    kind: Kind
    stage: str | None
    nations: tuple[str, ...]
    answer: str
    signposts: tuple[Signpost, ...]
    questions: tuple[str, ...]
    sources: tuple[str, ...]
    owner: str
    reviewed: date
    review_by: date
    keywords: tuple[str, ...] = ()
    watch_out: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    file: str = ""

    @property
    def org_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.org for s in self.signposts))


@dataclass(frozen=True, slots=True)
class Lexicon:
    """How questions are normalised: phrase and word rewrites, and words that carry no meaning."""

    phrases: Mapping[str, str] = field(default_factory=dict)
    words: Mapping[str, str] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    concepts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """word -> wider ideas it stands for, added alongside it ("sepsis" -> health_condition)."""
    chatter: frozenset[str] = frozenset()
    """Whole messages that are small talk ("nice one"), as lower-case words joined by spaces."""
    capitals: Mapping[str, str] = field(default_factory=dict)
    """Words that name something only when written in capitals ("HIS", not "his") -> what they stand for."""
    abroad: frozenset[str] = frozenset()
    """Words (as normalised) that name another country's health system or rules ("fda", "canada")."""
    askers: frozenset[str] = frozenset()
    """Words (as normalised) that say the asker is someone Wayfinder is not for: a student's essay, a
    journalist, a job hunt ("essay", "reporter", "vacancy")."""


@dataclass(frozen=True)
class KnowledgeBase:
    stages: tuple[Stage, ...]
    organisations: tuple[Organisation, ...]
    entries: tuple[Entry, ...]
    lexicon: Lexicon = field(default_factory=Lexicon)
    _stages: dict[str, Stage] = field(init=False, repr=False, compare=False)
    _orgs: dict[str, Organisation] = field(init=False, repr=False, compare=False)
    _entries: dict[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_stages", {s.id: s for s in self.stages})
        object.__setattr__(self, "_orgs", {o.code: o for o in self.organisations})
        object.__setattr__(self, "_entries", {e.id: e for e in self.entries})

    def stage(self, stage_id: str) -> Stage:
        return self._stages[stage_id]

    def organisation(self, code: str) -> Organisation:
        return self._orgs[code]

    def entry(self, entry_id: str) -> Entry | None:
        return self._entries.get(entry_id)
