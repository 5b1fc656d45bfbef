"""Staff in Teams: the unanswered-question log, and answers due for review."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.channels.teams.standin import Connector
from bot.core import messages
from bot.core.flows import FlowSet
from bot.core.models import KnowledgeBase
from tests.channels.teams.conftest import TeamsClient, payload, running, runs
from tests.conftest import Clock

SOMEONE = {
    "id": "29:1SomeoneNotStaff",
    "name": "Sam Reed",
    "aadObjectId": "0b0b0b0b-0000-4000-8000-000000000002",
}


async def say_as(teams: TeamsClient, words: str, sender: dict[str, str]) -> None:
    activity = payload("message_personal")
    activity |= {"text": words, "from": sender}
    assert (await teams.activity(activity)).status == 202


async def test_staff_see_the_gap_summary_and_others_are_refused_politely(teams: TeamsClient) -> None:
    await teams.say("what is the weather on mars")
    await teams.reply()
    await teams.say("gaps")
    summary = runs((await teams.reply(2)).card)
    assert summary[:2] == [messages.GAPS_TITLE, "1 open, 1 in the last 7 days."]
    assert "• what is the weather on mars" in summary
    await say_as(teams, "gaps", SOMEONE)
    assert runs((await teams.reply(3)).card) == [messages.GAPS_STAFF_ONLY]


async def test_staff_can_be_listed_by_their_teams_user_id_instead(
    tmp_path: Path, connector: Connector, fixture_kb: KnowledgeBase
) -> None:
    async with running(tmp_path, connector, fixture_kb, FlowSet(), staff=frozenset({SOMEONE["id"]})) as teams:
        await say_as(teams, "gaps", SOMEONE)
        assert runs((await teams.reply()).card)[0] == messages.GAPS_TITLE
        await teams.say("gaps")  # Alex, listed by Entra object id elsewhere, is not staff here
        assert runs((await teams.reply(2)).card) == [messages.GAPS_STAFF_ONLY]


async def test_an_answer_past_its_review_date_is_marked_for_staff_only(
    tmp_path: Path, connector: Connector, real_kb: KnowledgeBase
) -> None:
    later = Clock(datetime(2027, 6, 1, 9, 0, tzinfo=UTC))  # past every entry's review_by (2027-05-23)
    async with running(tmp_path, connector, real_kb, FlowSet(), now=later) as teams:
        await teams.say("who do I talk to about an AI triage tool")
        staff_view = runs((await teams.reply()).card)
        await say_as(teams, "who do I talk to about an AI triage tool", SOMEONE)
        public_view = runs((await teams.reply(2)).card)
    due = [t for t in staff_view if t.startswith("Due for review since ")]
    assert due == ["Due for review since 23 May 2027 (shown to staff only)"]
    assert not [t for t in public_view if "Due for review" in t]
    assert [t for t in staff_view if t not in due] == public_view


async def test_an_answer_within_its_review_date_is_not_marked(teams: TeamsClient) -> None:
    await teams.say("who do I talk to about an AI triage tool")
    assert not [t for t in runs((await teams.reply()).card) if "Due for review" in t]


async def test_in_a_channel_staff_are_sent_to_their_own_chat_for_the_log(teams: TeamsClient) -> None:
    await teams.say("what is the weather on mars")
    await teams.reply()
    await teams.say("<at>Wayfinder</at> gaps", name="message_channel_mention")  # Alex is staff
    assert runs((await teams.reply(2)).card) == [messages.TEAMS_GAPS_IN_CHAT]


async def test_the_due_for_review_mark_stays_out_of_channels(
    tmp_path: Path, connector: Connector, real_kb: KnowledgeBase
) -> None:
    later = Clock(datetime(2027, 6, 1, 9, 0, tzinfo=UTC))
    async with running(tmp_path, connector, real_kb, FlowSet(), now=later) as teams:
        await teams.say(
            "<at>Wayfinder</at> who do I talk to about an AI triage tool", name="message_channel_mention"
        )
        assert not [t for t in runs((await teams.reply()).card) if "Due for review" in t]
