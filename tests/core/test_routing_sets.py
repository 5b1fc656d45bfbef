"""Routing on independent sets of real-style questions, written blind to the knowledge base.

Figures, not a benchmark: the floors sit a little under today's scores so a change that makes
routing worse fails here before it reaches users.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from bot.core.engine import Conversation, Thresholds
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from tests.conftest import FIXTURES, make_engine


def overall(
    kb: KnowledgeBase, matcher: Matcher, name: str, thresholds: Thresholds | None = None
) -> tuple[float, float]:
    """(share of cases right, share of paraphrase groups answered alike or 1 if it has none), as
    score.py counts them."""
    engine = make_engine(kb, matcher, thresholds=thresholds)
    conv = Conversation("test", "routing")
    right, groups = 0, defaultdict(set)
    cases = [json.loads(line) for line in (FIXTURES / name).read_text().splitlines() if line.strip()]
    for case in cases:
        reply = engine.ask(case["q"], conv)
        orgs = {link.org for link in reply.links} if reply.answered else set()
        if case["kind"] == "out":
            right += not reply.answered
            continue
        right += (
            reply.answered
            and set(case["must"]) <= orgs
            and (not case["any"] or bool(set(case["any"]) & orgs))
        )
        if case["group"]:
            groups[case["group"]].add(reply.entry_id if reply.answered else None)
    consistent = sum(1 for entries in groups.values() if None not in entries and len(entries) == 1)
    return right / len(cases), consistent / len(groups) if groups else 1.0


# The lexical matcher is the fallback when the model cannot load; the fused floors below hold the default.
@pytest.mark.parametrize(("name", "floor"), [("routing.jsonl", 0.87), ("routing2.jsonl", 0.94)])
def test_lexical_routing_stays_above_its_floor(
    real_kb: KnowledgeBase, real_matcher: Matcher, name: str, floor: float
) -> None:
    score, consistency = overall(real_kb, real_matcher, name)
    assert score >= floor, f"{name}: {score:.3f} < {floor}"
    assert consistency >= 0.3


@pytest.mark.parametrize(
    ("name", "floor", "alike"),
    [
        ("routing.jsonl", 0.94, 0.80),
        ("routing2.jsonl", 0.965, 0.88),
        ("routing3.jsonl", 0.91, 0.80),
        ("real.jsonl", 0.87, 0.68),
        ("real3.jsonl", 0.84, 0.45),
        ("real4.jsonl", 0.77, 0.40),
        ("real5.jsonl", 0.68, 0.30),
        ("real6.jsonl", 0.69, 0.30),
        ("real7.jsonl", 0.73, 0.50),
        ("real8.jsonl", 0.77, 0.50),
        ("real9.jsonl", 0.69, 0.0),
        ("real2.jsonl", 0.75, 0.55),
    ],
)
def test_fused_routing_stays_above_its_floor(
    real_kb: KnowledgeBase, fused: tuple[Matcher, Thresholds], name: str, floor: float, alike: float
) -> None:
    """The default matcher. The real*.jsonl sets are copied word for word from public FAQs, forums
    and articles; real3.jsonl is mostly questions Wayfinder should not answer, and real2.jsonl is the
    validation set that content is never tuned on. The same commit scores a little differently
    on different CPUs (onnxruntime picks its int8 kernels by instruction set): real.jsonl gave 0.904
    on one machine and 0.889 on another, and a paraphrase group can flip, so floors leave room."""
    score, consistency = overall(real_kb, fused[0], name, fused[1])
    assert score >= floor, f"{name}: {score:.3f} < {floor}"
    assert consistency >= alike, f"{name}: paraphrase groups answered alike {consistency:.3f} < {alike}"
