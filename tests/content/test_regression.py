"""The content regression suite (knowledge/regression.yaml) passes, as `python -m bot kb test` runs it."""

from __future__ import annotations

import pytest

from bot.content.problems import ContentError
from bot.content.regression import build_cases, load_cases
from bot.core.models import KnowledgeBase
from bot.core.regression import run_cases
from tests.conftest import ROOT, make_engine


@pytest.mark.parametrize("semantic", [True, False], ids=["fused", "lexical-fallback"])
def test_every_regression_question_reaches_its_entry(
    real_kb: KnowledgeBase, semantic: bool, request: pytest.FixtureRequest
) -> None:
    cases = load_cases(ROOT / "knowledge", real_kb)
    assert len(cases) >= 20
    if semantic:
        matcher, thresholds = request.getfixturevalue("fused")
        engine = make_engine(real_kb, matcher, thresholds=thresholds)
    else:
        engine = make_engine(real_kb)
    failures = run_cases(engine, cases)
    assert failures == [], "\n".join(f"{f.question!r}: expected {f.expected}, got {f.got}" for f in failures)


def test_a_case_naming_an_unknown_entry_is_reported(fixture_kb: KnowledgeBase) -> None:
    with pytest.raises(ContentError) as caught:
        build_cases("cases:\n  - entry: nowhere\n    questions: [x]\n", fixture_kb)
    (problem,) = caught.value.problems
    assert problem.entry == "case 1" and problem.field == "entry"


def test_failures_name_what_was_reached(fixture_kb: KnowledgeBase) -> None:
    cases = build_cases(
        "cases:\n"
        "  - entry: device-software\n"
        "    questions: [is my app a medical device, who regulates care in scotland]\n"
        "  - entry: null\n    questions: [what's on tv tonight, is my app a medical device]\n",
        fixture_kb,
    )
    failures = run_cases(make_engine(fixture_kb), cases)
    assert [(f.question, f.got) for f in failures] == [
        ("who regulates care in scotland", "scotland-regulators"),
        ("is my app a medical device", "device-software"),
    ]
