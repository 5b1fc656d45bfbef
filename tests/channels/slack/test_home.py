"""App Home: the journey map for everyone, the gap summary for staff only."""

from __future__ import annotations

from typing import Any

from bot.core import messages
from tests.channels.slack.conftest import STAFF, Slack, all_text, button, buttons, find, payload


async def open_home(slack: Slack, user: str) -> dict[str, Any]:
    event = payload("app_home_opened")
    event["event_id"] += user
    event["event"]["user"] = user
    assert (await slack.event(event)).status == 200
    [call] = await slack.standin.wait_for("views.publish")
    assert call.body["user_id"] == user
    view: dict[str, Any] = call.body["view"]
    return view


async def test_everyone_sees_the_journey_map_with_question_buttons(slack: Slack) -> None:
    view = await open_home(slack, "U0PERSON")
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    sections = [b["text"]["text"] for b in find(view["blocks"], "section")]
    stages = [s for s in sections if s.startswith("*Stage ")]
    assert len(stages) == 7
    assert stages[2].startswith("*Stage 3 of 7: Test and generate evidence*\nPilot, evaluate")
    assert "_Who: Health Research Authority" in stages[2]
    asks = [b for b in buttons(view["blocks"]) if b["action_id"].startswith("ask-")]
    assert {b["value"] for b in asks} >= {"device-software", "ethics-evaluation", "cqc-registration"}
    assert all(len(b["text"]["text"]) <= 75 for b in asks)
    assert messages.GAPS_TITLE not in all_text(view)


async def test_staff_also_see_the_gap_summary_escaped(slack: Slack) -> None:
    await slack.dm("<!here> what is the weather on mars &lt;script&gt;")  # as Slack sends a typed "<"
    await slack.standin.wait_for("chat.postMessage")
    view = await open_home(slack, STAFF)
    assert find(view["blocks"], "header")[0]["text"]["text"] == messages.GAPS_TITLE
    text = all_text(view)
    assert "1 open, 1 in the last 7 days." in text
    assert "@\u2060here what is the weather on mars &lt;script&gt;" in text
    assert "<!here>" not in text and "<script>" not in text


async def test_non_staff_see_nothing_from_the_log(slack: Slack) -> None:
    await slack.dm("what is the weather on mars")
    await slack.standin.wait_for("chat.postMessage")
    view = await open_home(slack, "U0PERSON")
    assert "mars" not in all_text(view)


async def test_a_question_button_answers_it_in_the_persons_messages(slack: Slack) -> None:
    view = await open_home(slack, "U0PERSON")
    ask = next(b for b in buttons(view["blocks"]) if b.get("value") == "ethics-evaluation")
    press = button(
        "block_actions_home", ask["action_id"], ask["value"], "stage:evidence", ask["text"]["text"]
    )
    assert (await slack.action(press)).status == 200
    [call] = await slack.standin.wait_for("chat.postMessage")
    assert call.body["channel"] == "U0PERSON"
    assert find(call.body["blocks"], "header")[0]["text"]["text"] == "Do we need ethics approval to evaluate?"


async def test_the_messages_tab_does_not_publish_a_view(slack: Slack) -> None:
    event = payload("app_home_opened")
    event["event"]["tab"] = "messages"
    await slack.event(event)
    await slack.dm("hello")
    await slack.standin.wait_for("chat.postMessage")
    assert slack.standin.of("views.publish") == []
