"""What the people who keep the knowledge base need to act on (`python -m bot kb audit`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from bot.core.matcher import Matcher
from bot.core.models import Entry, Kind, KnowledgeBase

DUE_SOON = timedelta(days=30)
NEAR_DUPLICATE_SHARE = 0.10
"""Two entries are near-duplicates when each has questions that rank the other first, and together at
least this share of their example questions do (they answer the same thing in two places)."""


@dataclass(frozen=True, slots=True)
class Stray:
    """An example question that matches another entry better than its own."""

    entry: str
    question: str
    closer_to: str
    own_score: float
    other_score: float


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """Two entries whose example questions route to each other."""

    first: str
    second: str
    first_to_second: int
    """How many of `first`'s example questions rank `second` first."""
    second_to_first: int
    questions: int
    """How many example questions the two entries have between them."""

    @property
    def share(self) -> float:
        return (self.first_to_second + self.second_to_first) / self.questions


@dataclass(frozen=True, slots=True)
class Audit:
    overdue: tuple[Entry, ...]
    """Past their review date: still answered, listed for staff (an alert only when asked for)."""
    due_soon: tuple[Entry, ...]
    reviewed_in_future: tuple[Entry, ...]
    unofficial_sources: tuple[tuple[Entry, str], ...]
    without_official_source: tuple[Entry, ...]
    strays: tuple[Stray, ...]
    near_duplicates: tuple[NearDuplicate, ...]
    """Worst first."""
    unused_organisations: tuple[str, ...]
    unused_stages: tuple[str, ...]
    coverage: dict[str, dict[str, int]]
    """Organisation code -> stage id -> how many answers signpost it at that stage."""

    @property
    def must_fix(self) -> bool:
        return bool(
            self.reviewed_in_future
            or self.without_official_source
            or self.unused_organisations
            or self.unused_stages
        )


def is_official(url: str, kb: KnowledgeBase) -> bool:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for o in kb.organisations for d in o.domains)


def overdue(kb: KnowledgeBase, today: date) -> tuple[Entry, ...]:
    """Entries past their review date on `today`."""
    return tuple(e for e in kb.entries if e.review_by < today)


def find_strays(kb: KnowledgeBase, matcher: Matcher) -> list[Stray]:
    strays = []
    for entry in kb.entries:
        for question in entry.questions:
            ranking = matcher.rank(question, limit=10, leave_out=question)
            if not ranking.candidates or ranking.candidates[0].entry.id == entry.id:
                continue
            own = next((c.score for c in ranking.candidates if c.entry.id == entry.id), 0.0)
            top = ranking.candidates[0]
            strays.append(Stray(entry.id, question, top.entry.id, own, top.score))
    return strays


def find_near_duplicates(
    kb: KnowledgeBase, strays: list[Stray], share: float = NEAR_DUPLICATE_SHARE
) -> list[NearDuplicate]:
    """Pairs whose questions go both ways, at least `share` of their questions in all; worst first."""
    moved = Counter((s.entry, s.closer_to) for s in strays)
    sizes = {e.id: len(e.questions) for e in kb.entries}
    pairs = []
    for first, second in sorted({tuple(sorted(pair)) for pair in moved}):
        there, back = moved[(first, second)], moved[(second, first)]
        pair = NearDuplicate(first, second, there, back, sizes[first] + sizes[second])
        if there and back and pair.share >= share:
            pairs.append(pair)
    return sorted(pairs, key=lambda p: (-p.share, p.first, p.second))


def audit(kb: KnowledgeBase, matcher: Matcher, today: date) -> Audit:
    answers = [e for e in kb.entries if e.kind is Kind.ANSWER]
    unofficial = [(e, url) for e in kb.entries for url in e.sources if not is_official(url, kb)]
    used_orgs = {code for e in kb.entries for code in e.org_codes}
    coverage: dict[str, dict[str, int]] = {
        o.code: {s.id: 0 for s in kb.stages} for o in kb.organisations if not o.redirect_only
    }
    for e in answers:
        for code in e.org_codes:
            if code in coverage and e.stage:
                coverage[code][e.stage] += 1
    strays = find_strays(kb, matcher)
    return Audit(
        overdue=overdue(kb, today),
        due_soon=tuple(e for e in kb.entries if today <= e.review_by <= today + DUE_SOON),
        reviewed_in_future=tuple(e for e in kb.entries if e.reviewed > today),
        unofficial_sources=tuple(unofficial),
        without_official_source=tuple(
            e for e in kb.entries if not any(is_official(u, kb) for u in e.sources)
        ),
        strays=tuple(strays),
        near_duplicates=tuple(find_near_duplicates(kb, strays)),
        unused_organisations=tuple(o.code for o in kb.organisations if o.code not in used_orgs),
        unused_stages=tuple(s.id for s in kb.stages if not any(e.stage == s.id for e in answers)),
        coverage=coverage,
    )
