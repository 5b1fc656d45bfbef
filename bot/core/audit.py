"""What the people who keep the knowledge base need to act on (`python -m bot kb audit`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from bot.core.matcher import Matcher
from bot.core.models import Entry, Kind, KnowledgeBase

DUE_SOON = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Stray:
    """An example question that matches another entry better than its own."""

    entry: str
    question: str
    closer_to: str
    own_score: float
    other_score: float


@dataclass(frozen=True, slots=True)
class Audit:
    overdue: tuple[Entry, ...]
    """Past their review date: still answered, listed for staff (an alert only when asked for)."""
    due_soon: tuple[Entry, ...]
    reviewed_in_future: tuple[Entry, ...]
    unofficial_sources: tuple[tuple[Entry, str], ...]
    without_official_source: tuple[Entry, ...]
    strays: tuple[Stray, ...]
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
    return Audit(
        overdue=overdue(kb, today),
        due_soon=tuple(e for e in kb.entries if today <= e.review_by <= today + DUE_SOON),
        reviewed_in_future=tuple(e for e in kb.entries if e.reviewed > today),
        unofficial_sources=tuple(unofficial),
        without_official_source=tuple(
            e for e in kb.entries if not any(is_official(u, kb) for u in e.sources)
        ),
        strays=tuple(find_strays(kb, matcher)),
        unused_organisations=tuple(o.code for o in kb.organisations if o.code not in used_orgs),
        unused_stages=tuple(s.id for s in kb.stages if not any(e.stage == s.id for e in answers)),
        coverage=coverage,
    )
