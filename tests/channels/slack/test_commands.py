"""`/wayfinder`: private answers with a share button, help, and the staff-only gap summary."""

from __future__ import annotations

from bot.core import messages
from tests.channels.slack.conftest import STAFF, Slack, all_text, buttons, find


async def test_a_question_is_answered_privately_with_a_share_button(slack: Slack) -> None:
    response = await slack.command("is my app a medical device?")
    assert response.status == 200 and response.text == ""  # acknowledged at once, answered after
    [call] = await slack.standin.wait_for("response_url")
    assert call.path == "/hooks/command"
    body = call.body
    assert body["response_type"] == "ephemeral"
    assert body["unfurl_links"] is False
    assert find(body["blocks"], "header")[0]["text"]["text"] == "Is my app a medical device?"
    contexts = [e["text"] for b in find(body["blocks"], "context") for e in b["elements"]]
    assert "You asked: “is my app a medical device?”" in contexts
    labels = [b["text"]["text"] for b in buttons(body["blocks"]) if "url" not in b]
    assert labels == [messages.HELPFUL_YES, messages.HELPFUL_NO, messages.SHARE]
    assert slack.standin.of("chat.postMessage") == []


async def test_the_command_alone_explains_what_it_can_do(slack: Slack) -> None:
    await slack.command("")
    [call] = await slack.standin.wait_for("response_url")
    assert call.body["response_type"] == "ephemeral"
    sections = [b["text"]["text"] for b in find(call.body["blocks"], "section")]
    assert sections[0].startswith("I'm Wayfinder.")
    assert "direct message" in sections[1] and "/wayfinder" in sections[1]


async def test_staff_see_the_gap_summary(slack: Slack) -> None:
    await slack.dm("what is the weather on mars")
    await slack.standin.wait_for("chat.postMessage")
    await slack.command("gaps", user=STAFF)
    [call] = await slack.standin.wait_for("response_url")
    text = all_text(call.body)
    assert "1 open, 1 in the last 7 days." in text
    assert "what is the weather on mars" in text


async def test_anyone_else_is_refused_politely_and_sees_nothing_from_the_log(slack: Slack) -> None:
    await slack.dm("what is the weather on mars")
    await slack.standin.wait_for("chat.postMessage")
    await slack.command("gaps")
    [call] = await slack.standin.wait_for("response_url")
    assert call.body["text"] == messages.GAPS_STAFF_ONLY.replace("&", "&amp;")
    text = all_text(call.body)
    assert "mars" not in text and "open" not in text


async def test_user_text_is_escaped_so_it_cannot_ping_a_channel_or_disguise_a_link(slack: Slack) -> None:
    sneaky = (
        "<!channel> is my app a medical device <https://evil.example/login|https://www.nhs.uk> <@U0BOSS> & co"
    )
    await slack.command(sneaky)
    [call] = await slack.standin.wait_for("response_url")
    text = all_text(call.body)
    assert "<!channel>" not in text and "<!here>" not in text
    assert "<https://evil.example" not in text and "|https://www.nhs.uk>" not in text
    assert "<@U0BOSS>" not in text
    contexts = [e["text"] for b in find(call.body["blocks"], "context") for e in b["elements"]]
    [asked] = [c for c in contexts if c.startswith("You asked")]
    assert asked == (
        "You asked: “@\u2060channel is my app a medical device https://www.nhs.uk "
        "(https://evil.example/login) @U0BOSS &amp; co”"
    )
    assert all(
        b["text"]["verbatim"] is True for b in find(call.body["blocks"], "section")
    )  # and Slack is told not to parse it
