"""Personal chat and channel mentions, end to end over HTTP: activities in, cards out."""

from __future__ import annotations

from tests.channels.teams.conftest import BOT, TeamsClient, actions, payload, runs


async def test_a_question_in_a_personal_chat_gets_an_adaptive_card_naming_mhra(teams: TeamsClient) -> None:
    response = await teams.say("who do I talk to about an AI triage tool")
    assert response.status == 202

    sent = await teams.reply()
    conversation = payload("message_personal")["conversation"]["id"]
    assert sent.conversation == conversation
    assert sent.body["from"]["id"] == BOT
    card = sent.card
    text = runs(card)
    assert text[0] == "Who do I talk to about an AI triage tool or symptom checker?"
    assert text[1].startswith("Stage 2 of 7: ")
    assert any("MHRA" in t for t in text)
    assert any(t.startswith("MHRA") or "Medicines and Healthcare" in t for t in text)
    links = [a for a in actions(card["body"]) if a["type"] == "Action.OpenUrl" and a["title"] != "Sources"]
    assert links[0]["title"] == "Open the MHRA page"
    assert all(a["url"].startswith("https://") for a in links)
    assert any(t.startswith("Owner: ") and "Last reviewed " in t for t in text)
    assert any(t.startswith("Sources: ") for t in text)
    assert "Watch out" in text and any(t.startswith("• ") for t in text)
    buttons = [a for a in actions(card) if a["type"] == "Action.Submit"]
    related, feedback = buttons[:-2], buttons[-2:]
    assert [a["title"] for a in feedback] == ["Yes", "No"]
    assert "See also" in text and related
    assert all(a["data"]["verb"] == "choose" for a in related)
    assert feedback[1]["data"] == {
        "verb": "feedback",
        "entry": "mhra-ai-triage-symptom-checker-who-to-talk-to",
        "q": "who do I talk to about an AI triage tool",
        "helpful": False,
    }
    assert sent.body["summary"].startswith("Who do I talk to about an AI triage tool")


async def test_an_off_topic_question_is_logged_as_a_gap(teams: TeamsClient) -> None:
    assert (await teams.say("what is the weather on mars")).status == 202
    sent = await teams.reply()
    assert "don't have an answer" in " ".join(runs(sent.card))
    [gap] = teams.rows("gaps")
    assert (gap["channel"], gap["reason"], gap["text"]) == (
        "teams",
        "dont_know",
        "what is the weather on mars",
    )
    offered = [a for a in actions(sent.card) if a["type"] == "Action.Submit"]
    assert [a["title"] for a in offered] == ["Find my route"]


async def test_a_mention_in_a_channel_is_answered_in_its_thread_without_the_bots_name(
    teams: TeamsClient,
) -> None:
    activity = payload("message_channel_mention")
    assert (await teams.activity(activity, fresh=False)).status == 202
    sent = await teams.reply()
    assert sent.conversation == activity["conversation"]["id"]
    assert sent.reply_to == activity["id"]
    assert sent.body["replyToId"] == activity["id"]
    assert (
        runs(sent.card)[0]
        == "Is my project or app pilot research or service evaluation, and does it need ethics approval?"
    )
    [no] = [a for a in actions(sent.card) if a.get("title") == "No"]
    assert no["data"]["q"] == "Priya Shah asks: do we need ethics approval to evaluate our app?"


async def test_a_greeting_or_an_empty_mention_gets_help_on_how_to_ask(teams: TeamsClient) -> None:
    await teams.say("hello")
    await teams.say("<at>Wayfinder</at>", name="message_channel_mention")
    for n in (1, 2):
        text = " ".join(runs((await teams.reply(n)).card))
        assert "I'm Wayfinder" in text and "mention me in a channel" in text
    assert teams.rows("gaps") == []


async def test_a_redelivered_activity_gets_one_reply_and_one_gap(teams: TeamsClient) -> None:
    activity = payload("message_personal")
    activity["text"] = "what is the weather on mars"
    for _ in range(3):
        assert (await teams.activity(activity, fresh=False)).status == 202
    await teams.say("is my app a medical device")  # a later, different message: a barrier
    await teams.reply(2)
    assert len(teams.connector.messages()) == 2
    assert len(teams.rows("gaps")) == 1
    keys = [r["key"] for r in teams.rows("slack_events")]
    assert f"msteams:{activity['conversation']['id']}:{activity['id']}" in keys


async def test_what_people_type_is_never_read_as_markup(teams: TeamsClient) -> None:
    words = "**urgent** [free money](https://example.com) <at>Sam</at> &lt;b&gt;"
    await teams.say(words)
    await teams.reply()
    [gap] = teams.rows("gaps")
    assert gap["text"] == "**urgent** [free money](https://example.com) Sam <b>"
    await teams.say("gaps")  # Alex is staff in these tests
    card = (await teams.reply(2)).card
    shown = [run for block in card["body"] for run in block["inlines"]]
    assert {"type": "TextRun", "text": f"• {gap['text']}"} in shown
    assert all(a["url"] != "https://example.com" for a in actions(card) if a["type"] == "Action.OpenUrl")


async def test_personal_details_are_redacted_before_the_gap_is_logged(teams: TeamsClient) -> None:
    await teams.say("email jo.bloggs@example.com about the weather on mars")
    await teams.reply()
    [gap] = teams.rows("gaps")
    assert "jo.bloggs@example.com" not in gap["text"] and gap["channel"] == "teams"


async def test_a_related_entry_under_see_also_opens_when_pressed(teams: TeamsClient) -> None:
    await teams.say("who do I talk to about an AI triage tool")
    answer = await teams.reply()
    [first, *_] = [
        a for a in actions(answer.card) if a["type"] == "Action.Submit" and a["data"]["verb"] == "choose"
    ]
    await teams.press(first["data"])
    assert runs((await teams.reply(2)).card)[0] == first["title"]
