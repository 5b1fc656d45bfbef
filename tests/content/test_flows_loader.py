"""Loading flows/: every path through every real flow ends in an outcome, and every rule names
the file, the flow and step, the field and the fix."""

from __future__ import annotations

import pytest

from bot.content.flows import build_flows, load_flows
from bot.content.problems import ContentError, Problem
from bot.core.flows import route_possible, route_steps, survey, walk
from bot.core.models import KnowledgeBase
from tests.conftest import FIXTURES, ROOT

GOOD = """\
id: route
title: Find my route
version: 1
triggers: [find my route]
intro: A few questions.
not_covered: Not a decision.
start: kind
steps:
  - id: kind
    question: What are you working on?
    choices:
      - {value: software, label: Software, next: purpose}
      - {value: service, label: A service, next: done}
  - id: purpose
    question: Does it have a medical purpose?
    next: done
    choices:
      - {value: yes, label: "Yes"}
      - {value: no, label: "No"}
outcomes:
  - id: done
    title: Your route
    text: Here it is.
    route:
      - {entry: ethics-evaluation}
      - {entry: device-software, orgs: [MHRA], when: {purpose: yes}}
"""


def problems(fixture_kb: KnowledgeBase, text: str, **more: str) -> list[Problem]:
    with pytest.raises(ContentError) as caught:
        build_flows({"route.yaml": text, **more}, fixture_kb)
    return caught.value.problems


def only(fixture_kb: KnowledgeBase, text: str, **more: str) -> Problem:
    found = problems(fixture_kb, text, **more)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


# -- the real flows -------------------------------------------------------------------------


def test_every_path_through_every_real_flow_reaches_an_outcome_with_a_route(real_kb: KnowledgeBase) -> None:
    flows, report = load_flows(ROOT / "flows", real_kb)
    assert {f.id for f in flows.flows} == {"find-my-route", "cqc-registration", "is-it-research"}
    for flow in flows.flows:
        paths = list(walk(flow))  # enumerated one by one from the graph
        assert paths and all(p.outcome is not None and not p.problem for p in paths), flow.id
        assert all(route_possible(flow.outcomes[p.outcome], dict(p.answers)) for p in paths if p.outcome)
        assert len(paths) == report.paths[flow.id] == survey(flow).paths  # the fast count agrees
        assert {s for p in paths for s, _ in p.answers} == set(flow.steps)  # no step is unreachable
        assert {p.outcome for p in paths} == set(flow.outcomes)
    assert report.total == 70_446
    assert report.paths == {"find-my-route": 70_416, "cqc-registration": 15, "is-it-research": 15}


def test_start_up_loads_the_same_flows_without_walking_every_path(real_kb: KnowledgeBase) -> None:
    """Walking 70,000 paths is `kb validate`'s job (and CI's); start-up builds the same flows."""
    walked, _ = load_flows(ROOT / "flows", real_kb)
    quick, report = load_flows(ROOT / "flows", real_kb, walk_paths=False)
    assert quick == walked and report.paths == {}


def route_entries(real_kb: KnowledgeBase, answers: dict[str, str], outcome: str) -> set[str]:
    flows, _ = load_flows(ROOT / "flows", real_kb)
    flow = next(f for f in flows.flows if f.id == "find-my-route")
    return {step.entry for step in route_steps(flow.outcomes[outcome], answers, real_kb)}


def test_find_my_route_sends_a_medicine_trial_to_the_clinical_trials_entry(real_kb: KnowledgeBase) -> None:
    answers = {
        "working-on": "medicine",
        "patient-data": "with-consent",
        "evaluating": "yes",
        "is-research": "research",
        "nations": "england",
        "buyer": "nhs-trust",
        "stage": "testing",
    }
    route = route_entries(real_kb, answers, "medicine-route")
    assert "topic-clinical-trials-of-medicines" in route
    assert "adopt-how-nhs-organisations-decide-to-buy" not in route


def test_find_my_route_tells_a_study_of_an_unmarked_device_to_notify_the_mhra(real_kb: KnowledgeBase) -> None:
    answers = {
        "working-on": "study",
        "study-device": "yes",
        "patient-data": "no",
        "is-research": "research",
        "nations": "england",
        "buyer": "nhs-trust",
        "stage": "testing",
    }
    assert "mhra-clinical-investigation-notification" in route_entries(real_kb, answers, "route")


def test_find_my_route_gives_devolved_users_no_england_only_steps(real_kb: KnowledgeBase) -> None:
    answers = {
        "working-on": "software",
        "medical-purpose": "yes",
        "deliver-care": "no",
        "patient-data": "without-consent",
        "evaluating": "no",
        "nations": "devolved",
        "buyer": "nhs-trust",
        "stage": "launching",
    }
    route = route_entries(real_kb, answers, "route")
    england_only = {
        "nhse-innovation-service",
        "hin-find-your-local-hin",
        "nhse-dtac-what-is-it",
        "nhse-clinical-safety-dcb0129-dcb0160",
        "nhse-dspt-who-needs-it",
        "data-national-data-opt-out",
        "hin-spread-across-england",
    }
    assert route and not route & england_only
    assert "nation-uk-wide-vs-england-only" in route


def test_the_real_flows_have_the_triggers_people_use(real_kb: KnowledgeBase) -> None:
    flows, _ = load_flows(ROOT / "flows", real_kb)
    for said, flow_id in [
        ("Find my route", "find-my-route"),
        ("where do I start?", "find-my-route"),
        ("Do I need to register with CQC?", "cqc-registration"),
        ("is my project research", "is-it-research"),
    ]:
        found = flows.triggered(said)
        assert found is not None and found.id == flow_id
    assert flows.triggered("is my app a medical device") is None
    offered = flows.offered
    assert offered is not None and offered.id == "find-my-route"


def test_the_fixture_flow_loads(fixture_kb: KnowledgeBase) -> None:
    flows, report = load_flows(FIXTURES / "flows", fixture_kb)
    assert report.paths == {"route": 6}
    assert "medical purpose" in flows.glossary


def test_a_good_flow_loads_and_yes_and_no_stay_words(fixture_kb: KnowledgeBase) -> None:
    flows, report = build_flows({"route.yaml": GOOD}, fixture_kb)
    (flow,) = flows.flows
    assert [c.value for c in flow.steps["purpose"].choices] == ["yes", "no"]
    assert flow.outcomes["done"].route[1].when == (("purpose", frozenset({"yes"})),)
    assert report.paths == {"route": 3}


def test_no_flows_folder_means_no_flows(fixture_kb: KnowledgeBase, tmp_path: object) -> None:
    flows, report = load_flows(FIXTURES / "no-such-folder", fixture_kb)
    assert flows.flows == () and report.total == 0


# -- each rule ------------------------------------------------------------------------------


def test_unknown_next_step(fixture_kb: KnowledgeBase) -> None:
    p = only(fixture_kb, GOOD.replace("next: purpose}", "next: purpse}"))
    assert (p.file, p.entry, p.field) == ("route.yaml", "route/kind", "choices[1].next")
    assert "unknown next step 'purpse'" in p.message and "did you mean 'purpose'" in p.fix


def test_unreachable_step(fixture_kb: KnowledgeBase) -> None:
    p = only(fixture_kb, GOOD.replace("next: purpose}", "next: done}"))
    assert (p.entry, p.field) == ("route/purpose", "id") and "unreachable step" in p.message


def test_unreachable_outcome(fixture_kb: KnowledgeBase) -> None:
    extra = "  - id: spare\n    title: Spare\n    text: Never.\n    route: [ethics-evaluation]\n"
    p = only(fixture_kb, GOOD + extra)
    assert (p.entry, p.field) == ("route/spare", "id") and "unreachable outcome" in p.message


def test_a_path_with_no_outcome(fixture_kb: KnowledgeBase) -> None:
    text = GOOD.replace("    next: done\n", "    next:\n      - when: {purpose: yes}\n        to: done\n")
    p = only(fixture_kb, text)
    assert (p.entry, p.field) == ("route/purpose", "next")
    assert "a path with no outcome" in p.message and "answer 'no' to 'purpose' leads nowhere" in p.message
    assert "kind=software, purpose=no" in p.fix


def test_a_loop_is_a_path_with_no_outcome(fixture_kb: KnowledgeBase) -> None:
    p = only(fixture_kb, GOOD.replace("    next: done\n", "    next: kind\n"))
    assert "a loop" in p.message


def test_a_choice_with_no_route(fixture_kb: KnowledgeBase) -> None:
    found = problems(fixture_kb, GOOD.replace("    next: done\n", ""))
    assert [(p.entry, p.field, p.message) for p in found] == [
        ("route/purpose", "choices[1].next", "this choice has no route"),
        ("route/purpose", "choices[2].next", "this choice has no route"),
    ]


def test_an_empty_route_for_some_answers(fixture_kb: KnowledgeBase) -> None:
    p = only(fixture_kb, GOOD.replace("      - {entry: ethics-evaluation}\n", ""))
    assert (p.entry, p.field) == ("route/done", "route") and "empty route" in p.message


def test_unknown_entry_organisation_and_stage(fixture_kb: KnowledgeBase) -> None:
    text = (
        GOOD.replace("{entry: ethics-evaluation}", "{entry: ethics-evaluaton}")
        .replace("orgs: [MHRA]", "orgs: [MRHA, CQC]")
        .replace("label: A service,", "label: A service, stage: desing,")
    )
    found = [(p.entry, p.field, p.message, p.fix) for p in problems(fixture_kb, text)]
    assert (
        "route/done",
        "route[1].entry",
        "no knowledge entry 'ethics-evaluaton'",
        "did you mean 'ethics-evaluation'?",
    ) in found
    assert ("route/done", "route[2].orgs", "unknown organisation 'MRHA'", "did you mean 'MHRA'?") in found
    assert (
        "route/done",
        "route[2].orgs",
        "device-software does not signpost CQC",
        "use one of ['MHRA']",
    ) in found
    assert ("route/kind", "choices[2].stage", "unknown stage 'desing'", "did you mean 'design'?") in found
    assert len(found) == 4


def test_a_condition_on_an_unknown_step_or_answer(fixture_kb: KnowledgeBase) -> None:
    p = only(fixture_kb, GOOD.replace("when: {purpose: yes}", "when: {purpose: maybe}"))
    assert (p.entry, p.field) == ("route/done", "route[2].when")
    assert "has no answer 'maybe'" in p.message and "['no', 'yes']" in p.fix
    p = only(fixture_kb, GOOD.replace("when: {purpose: yes}", "when: {porpose: yes}"))
    assert "condition on unknown step 'porpose'" in p.message


def test_a_redirect_entry_cannot_be_on_a_route(fixture_kb: KnowledgeBase) -> None:
    p = only(fixture_kb, GOOD.replace("{entry: ethics-evaluation}", "{entry: complaint-redirect}"))
    assert "redirect" in p.message


def test_unknown_fields_missing_fields_and_bad_values(fixture_kb: KnowledgeBase) -> None:
    text = GOOD.replace("title: Find my route", "titel: Find my route").replace("version: 1", "version: one")
    found = {p.field: p for p in problems(fixture_kb, text)}
    assert "did you mean 'title'" in found["titel"].fix
    assert found["title"].message == "missing or empty"
    assert "version" in found


def test_a_trigger_in_two_flows_and_a_second_offered_flow(fixture_kb: KnowledgeBase) -> None:
    offered = GOOD.replace("version: 1\n", "version: 1\noffer: true\n")
    other = offered.replace("id: route\n", "id: other\n")
    found = problems(fixture_kb, offered, **{"other.yaml": other})
    assert any(p.field == "triggers" and "'find my route' also starts" in p.message for p in found)
    assert any(p.field == "offer" for p in found)


def test_a_glossary_term_no_question_uses(fixture_kb: KnowledgeBase) -> None:
    glossary = "glossary:\n  medical purpose: What it is for.\n  regulated activity: Unused here.\n"
    p = only(fixture_kb, GOOD, **{"glossary.yaml": glossary})
    assert (p.file, p.entry) == ("glossary.yaml", "regulated activity") and "no question uses" in p.message


def test_a_yaml_syntax_error_names_the_line(fixture_kb: KnowledgeBase) -> None:
    p = only(fixture_kb, GOOD + "  - {broken\n")
    assert p.file == "route.yaml" and "line" in p.message
