"""The flow runner: a pure function from (definition, state, input) to (state, reply)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.content.flows import load_flows
from bot.core import messages
from bot.core.flows import Answer, Command, Flow, FlowSet, advance, parse_value, start
from bot.core.models import KnowledgeBase
from bot.core.replies import Outcome, Reply
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def flows(fixture_kb: KnowledgeBase) -> FlowSet:
    return load_flows(FIXTURES / "flows", fixture_kb)[0]


@pytest.fixture
def flow(flows: FlowSet) -> Flow:
    found = flows.get("route")
    assert found is not None
    return found


def turn(flow: Flow, flows: FlowSet, kb: KnowledgeBase, state: Any, event: Any) -> tuple[Any, Reply]:
    before = json.dumps(state)
    new, reply = advance(flow, state, event, kb, flows.glossary)
    assert json.dumps(state) == before  # the runner never changes the state it is given
    assert new is None or json.loads(json.dumps(new)) == new  # state is plain JSON
    return new, reply


def test_start_asks_the_first_question_with_choices_and_cancel(
    flow: Flow, flows: FlowSet, fixture_kb: KnowledgeBase
) -> None:
    state, reply = start(flow, fixture_kb, flows.glossary)
    assert state == {"id": "route", "version": 1, "answers": []}
    assert reply.outcome is Outcome.FLOW and reply.title == "Find my route: question 1"
    assert reply.text == "A few questions, then your route.\n\nWhat are you working on?"
    assert [c.label for c in reply.choices] == ["Software or AI", "A service", "Cancel"]
    assert reply.choices[0].value == "step:route:kind:software"
    assert reply.choices[-1].value == "nav:route:cancel"


def test_answers_lead_to_a_route_grouped_by_stage_with_a_summary(
    flow: Flow, flows: FlowSet, fixture_kb: KnowledgeBase
) -> None:
    state, _ = start(flow, fixture_kb, flows.glossary)
    state, reply = turn(flow, flows, fixture_kb, state, Answer("kind", "software"))
    assert reply.note == "“medical purpose”: To diagnose, prevent, monitor or treat a condition."
    assert [c.label for c in reply.choices][-3:] == ["Back", "Start again", "Cancel"]
    state, _ = turn(flow, flows, fixture_kb, state, "yes")  # typed words pick a choice too
    state, reply = turn(flow, flows, fixture_kb, state, Answer("care", "no"))
    assert state["done"] is True and state["answers"][-1] == ["care", "no"]
    assert reply.title == "Your route" and reply.text == "Here is your route."
    assert [(r.stage.id, r.link.org, r.entry) for r in reply.route] == [
        ("design", "MHRA", "device-software"),
        ("evidence", "HRA", "ethics-evaluation"),
        ("approval", "MHRA", "device-registration"),
    ]
    (summary,) = reply.extra
    assert "- Does it have a medical purpose? **Yes**" in summary
    assert "### Stage 2 of 7: Design and develop" in summary
    assert "(from Wayfinder answer device-software)" in summary and "version 1" in summary
    assert reply.note.startswith("What this does not tell you:")
    assert [c.value for c in reply.choices] == ["nav:route:back", "flow:route"]


def test_conditions_on_earlier_answers_pick_the_outcome(
    flow: Flow, flows: FlowSet, fixture_kb: KnowledgeBase
) -> None:
    state, _ = start(flow, fixture_kb, flows.glossary)
    state, _ = turn(flow, flows, fixture_kb, state, Answer("kind", "service"))
    state, reply = turn(flow, flows, fixture_kb, state, Answer("care", "no"))
    assert reply.title == "Nothing to register"


def test_free_text_gets_help_not_a_crash(flow: Flow, flows: FlowSet, fixture_kb: KnowledgeBase) -> None:
    state, _ = start(flow, fixture_kb, flows.glossary)
    new, reply = turn(flow, flows, fixture_kb, state, "what's the weather like")
    assert new == state and reply.text.startswith(messages.FLOW_HELP)
    assert "What are you working on?" in reply.text and reply.choices


def test_back_restart_and_cancel(flow: Flow, flows: FlowSet, fixture_kb: KnowledgeBase) -> None:
    state, _ = start(flow, fixture_kb, flows.glossary)
    first, reply = turn(flow, flows, fixture_kb, state, Command.BACK)
    assert first == state and reply.text.startswith(messages.FLOW_AT_FIRST)
    state, _ = turn(flow, flows, fixture_kb, state, Answer("kind", "software"))
    state, _ = turn(flow, flows, fixture_kb, state, "go back")
    assert state["answers"] == []
    state, _ = turn(flow, flows, fixture_kb, state, Answer("kind", "software"))
    state, _ = turn(flow, flows, fixture_kb, state, Command.RESTART)
    assert state["answers"] == []
    gone, reply = turn(flow, flows, fixture_kb, state, "cancel")
    assert gone is None and reply.outcome is Outcome.NOTICE and "Find my route" in reply.text


def test_back_from_the_result_changes_the_last_answer(
    flow: Flow, flows: FlowSet, fixture_kb: KnowledgeBase
) -> None:
    state, _ = start(flow, fixture_kb, flows.glossary)
    for event in (Answer("kind", "service"), Answer("care", "yes")):
        state, reply = turn(flow, flows, fixture_kb, state, event)
    assert state["done"]
    state, reply = turn(flow, flows, fixture_kb, state, Command.BACK)
    assert "done" not in state and reply.text == "Do you deliver care yourselves?"


def test_a_button_from_an_earlier_question_re_asks_this_one(
    flow: Flow, flows: FlowSet, fixture_kb: KnowledgeBase
) -> None:
    state, _ = start(flow, fixture_kb, flows.glossary)
    state, _ = turn(flow, flows, fixture_kb, state, Answer("kind", "software"))
    same, reply = turn(flow, flows, fixture_kb, state, Answer("kind", "service"))
    assert same == state and reply.text.startswith(messages.FLOW_STALE)


def test_a_state_from_an_older_version_starts_again(
    flow: Flow, flows: FlowSet, fixture_kb: KnowledgeBase
) -> None:
    old = {"id": "route", "version": 0, "answers": [["kind", "software"]]}
    state, reply = turn(flow, flows, fixture_kb, old, Answer("medical-purpose", "yes"))
    assert state == {"id": "route", "version": 1, "answers": []}
    assert reply.text.startswith(messages.FLOW_CHANGED)
    broken = {"id": "route", "version": 1, "answers": [["kind", "gone"]]}
    assert turn(flow, flows, fixture_kb, broken, "x")[0] == state


def test_choice_values_round_trip() -> None:
    assert parse_value("step:route:kind:software") == ("step", "route", Answer("kind", "software"))
    assert parse_value("nav:route:back") == ("nav", "route", Command.BACK)
    assert parse_value("nav:route:jump") is None and parse_value("pick:x:y") is None
