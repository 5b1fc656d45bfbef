"""The journey map: the seven stages, what happens at each, who is involved, what people ask."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.core.models import Entry, Kind, KnowledgeBase, Organisation, Stage


@dataclass(frozen=True, slots=True)
class StageView:
    stage: Stage
    organisations: tuple[Organisation, ...]
    """Who people at this stage are sent to, most often first."""
    entries: tuple[Entry, ...]
    """The answers at this stage, the most widely signposted first."""


def journey_map(kb: KnowledgeBase) -> tuple[StageView, ...]:
    views = []
    for stage in kb.stages:
        entries = [e for e in kb.entries if e.stage == stage.id and e.kind is Kind.ANSWER]
        counts = Counter(code for e in entries for code in e.org_codes)
        orgs = tuple(
            kb.organisation(code) for code, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        entries.sort(key=lambda e: (-len(e.signposts), e.title))
        views.append(StageView(stage, orgs, tuple(entries)))
    return tuple(views)
