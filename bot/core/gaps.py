"""What staff see of the unanswered-question log: counts, the latest, the most asked."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.normalise import Normaliser
from bot.core.ports import Gap, GapLog, GapStatus


@dataclass(frozen=True, slots=True)
class GapSummary:
    open_count: int
    this_week: int
    recent: tuple[Gap, ...]
    frequent: tuple[tuple[str, int], ...]
    """(an example question, how many open gaps ask the same thing), most asked first."""


def summarise(log: GapLog, now: datetime, limit: int = 5) -> GapSummary:
    """Open gaps, grouped by their normalised wording so the same question counts once."""
    open_gaps = log.list(status=GapStatus.OPEN)
    week_ago = now - timedelta(days=7)
    groups: Counter[str] = Counter()
    example: dict[str, str] = {}
    for gap in open_gaps:
        key = " ".join(sorted(set(Normaliser.tokens(gap.text)))) or gap.text
        groups[key] += 1
        example.setdefault(key, gap.text)
    frequent = tuple((example[key], n) for key, n in groups.most_common(limit))
    return GapSummary(
        open_count=len(open_gaps),
        this_week=sum(1 for g in open_gaps if g.at >= week_ago),
        recent=tuple(open_gaps[:limit]),
        frequent=frequent,
    )
