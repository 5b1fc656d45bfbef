"""Buttons on cards, read as transcripts: a pressed button comes back as a message with no text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.channels.teams.standin import Connector, Sent
from bot.core import messages
from bot.core.flows import FlowSet
from bot.core.models import KnowledgeBase
from tests.channels.teams.conftest import TeamsClient, actions, payload, running, runs
from tests.conftest import AMBIGUOUS, WIDE_MARGIN


def buttons(sent: Sent) -> list[dict[str, Any]]:
    return [a for a in actions(sent.card) if a["type"] == "Action.Submit"]


def button(sent: Sent, title: str) -> dict[str, Any]:
    [found] = [b for b in buttons(sent) if b["title"] == title]
    return found


async def test_pressing_helpful_thanks_and_logs_nothing(teams: TeamsClient) -> None:
    assert (await teams.activity(payload("card_submit"))).status == 202
    assert runs((await teams.reply()).card) == [messages.HELPFUL_THANKS]
    assert teams.rows("gaps") == []


async def test_pressing_not_helpful_logs_the_question_for_the_team(teams: TeamsClient) -> None:
    await teams.say("who do I talk to about an AI triage tool")
    answer = await teams.reply()
    assert (await teams.press(button(answer, "No")["data"])).status == 202
    assert runs((await teams.reply(2)).card) == [messages.NOT_HELPFUL_THANKS]
    [gap] = teams.rows("gaps")
    assert (gap["reason"], gap["near_entry"], gap["text"]) == (
        "unhelpful",
        "mhra-ai-triage-symptom-checker-who-to-talk-to",
        "who do I talk to about an AI triage tool",
    )


@pytest.mark.parametrize(
    ("trigger", "title"),
    [
        ("find my route", "Find my route: question 1"),
        ("do we need to register with CQC", "Do I need to register with CQC?: question 1"),
        ("is my project research", "Is my project research?: question 1"),
    ],
)
async def test_each_guided_flow_starts_with_choices_to_press(
    teams: TeamsClient, trigger: str, title: str
) -> None:
    await teams.say(trigger)
    step = await teams.reply()
    assert runs(step.card)[0] == title
    choices = buttons(step)
    assert len(choices) >= 2
    assert all(c["data"]["verb"] == "choose" and c["data"]["value"] for c in choices)


async def test_find_my_route_pressed_through_to_a_route_summary(teams: TeamsClient) -> None:
    """The console transcript "AI triage for an NHS trust", pressed button by button."""
    await teams.say("find my route")
    step = await teams.reply()
    for n, pick in enumerate([1, 1, 2, 4, 1, 1, 1, 1, 2], start=2):
        assert (await teams.press(buttons(step)[pick - 1]["data"])).status == 202
        step = await teams.reply(n)
    text = runs(step.card)
    assert any(t.startswith("Stage ") and " of 7: " in t for t in text)
    assert "Talk to" in text
    pages = [
        a for a in actions(step.card["body"]) if a["type"] == "Action.OpenUrl" and a["title"] != "Sources"
    ]
    assert pages and all(p["url"].startswith("https://") for p in pages)
    assert any(p["title"] == "Open the MHRA page" for p in pages)
    assert messages.FLOW_CHANGE_LAST in [b["title"] for b in buttons(step)]
    assert any(messages.SUMMARY_MADE.split("“")[0] in t for t in text)


async def test_a_typed_number_picks_a_choice_as_a_press_would(teams: TeamsClient) -> None:
    await teams.say("find my route")
    first = await teams.reply()
    await teams.say("1")
    typed = runs((await teams.reply(2)).card)[0]
    assert typed == "Find my route: question 2"
    assert buttons(first)[0]["title"]


async def test_an_unknown_or_stale_button_is_told_to_ask_again(teams: TeamsClient) -> None:
    await teams.press({"verb": "choose", "value": "step:find-my-route:nowhere:1"})
    await teams.press({"verb": "launch-missiles"})
    await teams.press({"verb": ["choose"], "value": {"x": 1}})
    texts = [runs((await teams.reply(n)).card) for n in (1, 2, 3)]
    assert texts[0] == [messages.FLOW_EXPIRED]
    assert texts[1] == texts[2] == [messages.CHOICE_EXPIRED]


async def test_a_close_call_offers_choices_and_a_press_answers(
    tmp_path: Path, connector: Connector, fixture_kb: KnowledgeBase
) -> None:
    async with running(tmp_path, connector, fixture_kb, FlowSet(), thresholds=WIDE_MARGIN) as teams:
        await teams.say(AMBIGUOUS)
        clarify = await teams.reply()
        assert runs(clarify.card)[0] == messages.CLARIFY
        titles = [b["title"] for b in buttons(clarify)]
        assert "Do we need to register with CQC?" in titles and messages.NONE_OF_THESE in titles
        pick = button(clarify, "Do we need to register with CQC?")["data"]
        assert pick["q"] == AMBIGUOUS
        await teams.press(pick)
        answer = await teams.reply(2)
        assert runs(answer.card)[0] == "Do we need to register with CQC?"
        assert button(answer, "No")["data"]["q"] == AMBIGUOUS  # the question rides on
        [gap] = teams.rows("gaps")
        assert (gap["reason"], gap["status"], gap["chosen_entry"]) == (
            "clarify",
            "resolved",
            "cqc-registration",
        )


async def test_adding_wayfinder_sends_a_welcome_card(teams: TeamsClient) -> None:
    assert (await teams.activity(payload("conversation_update"))).status == 202
    welcome = await teams.reply()
    assert "I'm Wayfinder" in runs(welcome.card)[0]
    [route] = buttons(welcome)
    assert route["title"] == "Find my route"
    await teams.press(route["data"])
    assert runs((await teams.reply(2)).card)[0] == "Find my route: question 1"


async def test_a_person_joining_a_team_hears_nothing(teams: TeamsClient) -> None:
    joined = payload("conversation_update")
    joined["membersAdded"] = [
        {"id": "29:1SomeoneElse", "aadObjectId": "0b0b0b0b-0000-4000-8000-000000000001"}
    ]
    assert (await teams.activity(joined)).status == 202
    await teams.say("hello")  # answered: the barrier
    await teams.reply()
    assert len(teams.connector.messages()) == 1
