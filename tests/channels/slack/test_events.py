"""Mentions and direct messages, end to end over HTTP: signed events in, Web API calls out."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from bot.channels.slack.standin import StandIn
from bot.core import messages
from bot.core.models import KnowledgeBase
from tests.channels.slack.conftest import STAFF, Slack, all_text, buttons, find, payload, running


async def test_a_mention_is_answered_in_its_thread_with_rich_blocks(slack: Slack) -> None:
    event = payload("app_mention")
    response = await slack.event(event)
    assert response.status == 200

    [call] = await slack.standin.wait_for("chat.postMessage")
    posted = call.body
    assert posted["channel"] == "C0GENERAL"
    assert posted["thread_ts"] == event["event"]["ts"]
    assert posted["unfurl_links"] is False and posted["unfurl_media"] is False
    assert posted["text"].startswith("Is my app a medical device?")
    blocks = posted["blocks"]
    assert find(blocks, "header")[0]["text"]["text"] == "Is my app a medical device?"
    contexts = [e["text"] for b in find(blocks, "context") for e in b["elements"]]
    assert "Stage 2 of 7: Design and develop" in contexts
    assert any(c.startswith("Sources: <https://") for c in contexts)
    assert any(c.startswith("Owner: ") and "Last reviewed " in c for c in contexts)
    links = [b for b in buttons(blocks) if "url" in b]
    assert links and all(b["url"].startswith("https://") for b in links)
    assert links[0]["text"]["text"] == "Open the MHRA page"
    signposts = [b["text"]["text"] for b in find(blocks, "section") if "accessory" in b]
    assert signposts and ("(required)" in signposts[0] or "(best practice)" in signposts[0])
    labels = [b["text"]["text"] for b in buttons(blocks) if "url" not in b]
    assert labels == [messages.HELPFUL_YES, messages.HELPFUL_NO]
    assert len(blocks) <= 50


async def test_a_direct_message_is_answered_in_the_conversation(slack: Slack) -> None:
    assert (await slack.dm("do we need ethics approval to evaluate our app?")).status == 200
    [call] = await slack.standin.wait_for("chat.postMessage")
    assert call.body["channel"] == "D0PERSON"
    assert "thread_ts" not in call.body
    assert find(call.body["blocks"], "header")[0]["text"]["text"] == "Do we need ethics approval to evaluate?"


async def test_a_question_it_cannot_answer_is_logged_once(slack: Slack) -> None:
    await slack.dm("what is the weather on mars")
    [call] = await slack.standin.wait_for("chat.postMessage")
    assert "don't have an answer" in call.body["text"]
    [gap] = slack.rows("gaps")
    assert (gap["channel"], gap["reason"], gap["text"]) == (
        "slack",
        "dont_know",
        "what is the weather on mars",
    )


async def test_a_retried_event_gets_no_second_reply_and_no_second_log_row(slack: Slack) -> None:
    event = payload("message_im")
    event["event"]["text"] = "what is the weather on mars"
    assert (await slack.event(event)).status == 200
    for attempt in (1, 2, 3):
        assert (await slack.event(event, retry=attempt)).status == 200
    await slack.standin.wait_for("chat.postMessage")
    await slack.dm("is my app a medical device")  # a later, different message: a barrier
    await slack.standin.wait_for("chat.postMessage", 2)
    await slack.idle()
    assert len(slack.standin.of("chat.postMessage")) == 2
    assert len(slack.rows("gaps")) == 1
    assert [r["key"] for r in slack.rows("slack_events", "WHERE key LIKE '%Ev0DIRECT01'")] == [
        "T0001:Ev0DIRECT01"
    ]


async def test_a_retry_whose_first_delivery_never_arrived_is_answered(slack: Slack) -> None:
    event = payload("message_im")
    assert (await slack.event(event, retry=1)).status == 200
    await slack.standin.wait_for("chat.postMessage")


async def test_retries_arriving_together_are_answered_once(slack: Slack) -> None:
    event = payload("app_mention")
    responses = await asyncio.gather(*(slack.event(event, retry=n or None) for n in range(4)))
    assert {r.status for r in responses} == {200}
    await slack.standin.wait_for("chat.postMessage")
    await slack.idle()
    assert len(slack.standin.of("chat.postMessage")) == 1


async def test_bots_edits_and_wayfinder_itself_are_ignored(slack: Slack) -> None:
    for name in ("message_from_bot", "message_from_self", "message_changed"):
        assert (await slack.event(payload(name))).status == 200
    await slack.dm("is my app a medical device")  # answered: the barrier
    [call] = await slack.standin.wait_for("chat.postMessage")
    await slack.idle()
    assert len(slack.standin.of("chat.postMessage")) == 1
    assert call.body["channel"] == "D0PERSON"
    assert slack.rows("gaps") == []


async def test_a_greeting_gets_help_on_how_to_ask(slack: Slack) -> None:
    event = payload("app_mention")
    event["event"]["text"] = "<@UWAYFINDER> hello"
    await slack.event(event)
    [call] = await slack.standin.wait_for("chat.postMessage")
    assert "I'm Wayfinder" in call.body["text"]
    assert any("/wayfinder" in b["text"]["text"] for b in find(call.body["blocks"], "section"))


async def test_rate_limited_posts_are_retried(slack: Slack) -> None:
    slack.standin.rate_limited["chat.postMessage"] = 1
    await slack.dm("is my app a medical device")
    await slack.standin.wait_for("chat.postMessage", timeout=10)
    assert [c.method for c in slack.standin.calls if c.method.startswith("chat.")] == [
        "chat.postMessage:429",
        "chat.postMessage",
    ]


async def test_an_answer_past_its_review_date_still_answers_and_only_staff_are_told(
    tmp_path: Path, standin: StandIn, fixture_kb: KnowledgeBase
) -> None:
    due = messages.DUE_FOR_REVIEW.format(date="1 January 2027")
    async with running(tmp_path, standin, fixture_kb, today=date(2027, 3, 1)) as slack:
        await slack.dm("is my app a medical device", user="U0PERSON")
        [person] = await slack.standin.wait_for("chat.postMessage")
        await slack.dm("is my app a medical device", user=STAFF)
        [_, staff] = await slack.standin.wait_for("chat.postMessage", count=2)
    assert find(person.body["blocks"], "header")[0]["text"]["text"] == "Is my app a medical device?"
    assert due not in all_text(person.body)
    assert due in all_text(staff.body)
