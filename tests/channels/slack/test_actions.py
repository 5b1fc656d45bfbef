"""Buttons: a clarify pick, "was this helpful?", sharing a private answer, links."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from bot.core import messages
from tests.channels.slack.conftest import Slack, all_text, button, buttons, find, payload, trigger_id

FORM = "application/x-www-form-urlencoded"


async def test_picking_a_clarify_candidate_answers_it(slack: Slack) -> None:
    await slack.dm("registration")
    [call] = await slack.standin.wait_for("chat.postMessage")
    assert call.body["blocks"][0]["text"]["text"] == messages.CLARIFY
    [choices] = find(call.body["blocks"], "actions")
    labels = [e["text"]["text"] for e in choices["elements"]]
    assert labels == [
        "Do we need to register with CQC?",
        "Registering a device with the MHRA",
        "Registering an online GP service",
        messages.NONE_OF_THESE,
    ]
    first = choices["elements"][0]

    press = button("block_actions", first["action_id"], first["value"], choices["block_id"], labels[0])
    press["container"] |= {"channel_id": "D0PERSON", "thread_ts": None}
    press["channel"]["id"] = "D0PERSON"
    press["message"] |= {"thread_ts": None, "blocks": call.body["blocks"]}
    assert (await slack.action(press)).status == 200

    [_, answer] = await slack.standin.wait_for("chat.postMessage", 2)
    assert answer.body["channel"] == "D0PERSON"
    assert find(answer.body["blocks"], "header")[0]["text"]["text"] == "Do we need to register with CQC?"
    [gap] = slack.rows("gaps")
    assert (gap["reason"], gap["status"], gap["chosen_entry"]) == ("clarify", "resolved", "cqc-registration")
    # the question rides along, so "not helpful" on the answer logs what was asked
    feedback = [b for b in buttons(answer.body["blocks"]) if b["text"]["text"] == messages.HELPFUL_NO]
    assert json.loads(feedback[0]["value"])["q"] == "registration"


async def test_not_helpful_logs_the_question_for_staff(slack: Slack) -> None:
    await slack.event(payload("app_mention"))
    [call] = await slack.standin.wait_for("chat.postMessage")
    no = next(b for b in buttons(call.body["blocks"]) if b["text"]["text"] == messages.HELPFUL_NO)

    assert (await slack.action(button("block_actions", no["action_id"], no["value"]))).status == 200
    [thanks] = await slack.standin.wait_for("chat.postEphemeral")
    assert thanks.body["channel"] == "C0GENERAL" and thanks.body["user"] == "U0PERSON"
    assert thanks.body["thread_ts"] == "1763888400.000100"
    assert thanks.body["text"] == messages.NOT_HELPFUL_THANKS
    [gap] = slack.rows("gaps")
    assert (gap["reason"], gap["text"], gap["near_entry"], gap["channel"]) == (
        "unhelpful",
        "is my app a medical device?",
        "device-software",
        "slack",
    )


async def test_helpful_says_thanks_and_logs_nothing(slack: Slack) -> None:
    await slack.dm("is my app a medical device")
    [call] = await slack.standin.wait_for("chat.postMessage")
    yes = next(b for b in buttons(call.body["blocks"]) if b["text"]["text"] == messages.HELPFUL_YES)
    press = button("block_actions", yes["action_id"], yes["value"])
    press["container"]["channel_id"] = press["channel"]["id"] = "D0PERSON"
    await slack.action(press)
    [thanks] = await slack.standin.wait_for("chat.postEphemeral")
    assert thanks.body["text"] == messages.HELPFUL_THANKS
    assert slack.rows("gaps") == []


async def test_sharing_a_private_answer_posts_it_in_the_channel(slack: Slack) -> None:
    await slack.command("is my app a medical device?")
    [private] = await slack.standin.wait_for("response_url")
    share = next(b for b in buttons(private.body["blocks"]) if b["text"]["text"] == messages.SHARE)

    press = button("block_actions_ephemeral", share["action_id"], share["value"])
    press["response_url"] = slack.standin.response_url("share")
    assert (await slack.action(press)).status == 200

    [_, shared, replaced] = await slack.standin.wait_for("response_url", 3)
    assert shared.path == "/hooks/share"
    assert shared.body["response_type"] == "in_channel" and shared.body["replace_original"] is False
    assert find(shared.body["blocks"], "header")[0]["text"]["text"] == "Is my app a medical device?"
    contexts = [e["text"] for b in find(shared.body["blocks"], "context") for e in b["elements"]]
    assert "<@U0PERSON> asked: “is my app a medical device?”" in contexts
    assert messages.SHARE not in all_text(shared.body)
    assert replaced.body["replace_original"] is True and replaced.body["text"] == messages.SHARED


async def test_not_helpful_on_a_private_answer_thanks_privately(slack: Slack) -> None:
    await slack.command("is my app a medical device?")
    [private] = await slack.standin.wait_for("response_url")
    no = next(b for b in buttons(private.body["blocks"]) if b["text"]["text"] == messages.HELPFUL_NO)
    press = button("block_actions_ephemeral", no["action_id"], no["value"])
    press["response_url"] = slack.standin.response_url("feedback")
    await slack.action(press)
    [_, thanks] = await slack.standin.wait_for("response_url", 2)
    assert thanks.body["response_type"] == "ephemeral" and thanks.body["replace_original"] is False
    assert thanks.body["text"] == messages.NOT_HELPFUL_THANKS
    assert [g["reason"] for g in slack.rows("gaps")] == ["unhelpful"]


async def test_a_link_button_is_acknowledged_and_nothing_else(slack: Slack) -> None:
    response = await slack.action(button("block_actions", "link", "", label="Open the MHRA page"))
    assert response.status == 200
    await slack.idle()
    assert [c.method for c in slack.standin.calls if c.method != "auth.test"] == []


async def test_a_replayed_command_or_button_press_has_one_effect(slack: Slack) -> None:
    """Signed requests replayed within Slack's five minutes: one answer, one log row each."""
    command = payload("slash_command") | {
        "text": "what is the weather on mars",
        "response_url": slack.standin.response_url("command"),
        "trigger_id": trigger_id(),
    }
    body, now = urlencode(command), int(time.time())
    for _ in range(3):
        assert (await slack.post(body, FORM, timestamp=now)).status == 200
    await slack.idle()
    assert len(slack.standin.of("response_url")) == 1
    assert len(slack.rows("gaps")) == 1

    await slack.command("is my app a medical device?")
    [_, private] = await slack.standin.wait_for("response_url", 2)
    no = next(b for b in buttons(private.body["blocks"]) if b["text"]["text"] == messages.HELPFUL_NO)
    press = button("block_actions_ephemeral", no["action_id"], no["value"])
    press["response_url"] = slack.standin.response_url("feedback")
    pressed = urlencode({"payload": json.dumps(press)})
    for _ in range(3):
        assert (await slack.post(pressed, FORM, timestamp=now)).status == 200
    await slack.idle()
    assert len(slack.standin.of("response_url")) == 3
    assert [g["reason"] for g in slack.rows("gaps")].count("unhelpful") == 1
