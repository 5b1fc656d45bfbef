"""Whatever arrives, and however long the core takes, Teams gets a proper answer: never a stack,
never a 5xx for a malformed activity, never a wait past Teams' 10 to 15 seconds."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.channels.teams.standin import Connector
from bot.core import messages
from bot.core.engine import Conversation, Engine
from bot.core.flows import FlowSet
from bot.core.models import KnowledgeBase
from bot.core.replies import Reply
from tests.channels.teams.conftest import TeamsClient, payload, running, runs

SECRET = "postgresql://admin:hunter2@db.internal/wayfinder"


class Exploding:
    """An engine whose every answer fails, with words no user should see."""

    def __init__(self, inner: Engine) -> None:
        self.inner = inner

    def reply(self, conv: Conversation, text: str) -> Reply:
        raise RuntimeError(f"could not connect to {SECRET}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class Held:
    """An engine that answers only when the test lets it (a slow database, say)."""

    def __init__(self, inner: Engine) -> None:
        self.inner = inner
        self.entered = threading.Event()
        self.release = threading.Event()

    def reply(self, conv: Conversation, text: str) -> Reply:
        self.entered.set()
        assert self.release.wait(30)
        return self.inner.reply(conv, text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def without_conversation() -> dict[str, Any]:
    data = payload("message_personal")
    del data["conversation"]
    return data


def without_service_url() -> dict[str, Any]:
    data = payload("message_personal")
    del data["serviceUrl"]
    return data


@pytest.mark.parametrize(
    "body",
    [
        "this is not json{",
        "",
        "[]",
        '"a string"',
        json.dumps(payload("malformed")),
        json.dumps(without_conversation()),
        json.dumps(without_service_url()),
    ],
    ids=["not-json", "empty", "array", "string", "malformed", "no-conversation", "no-service-url"],
)
async def test_a_malformed_body_gets_400_and_the_server_carries_on(teams: TeamsClient, body: str) -> None:
    response = await teams.post(body)
    assert response.status == 400
    assert "Traceback" not in response.text
    async with teams.http.get(f"{teams.url}/healthz") as health:
        assert health.status == 200
    await teams.say("is my app a medical device")
    await teams.reply()
    assert len(teams.connector.messages()) == 1  # the good message's answer, nothing for the bad one


async def test_a_failure_is_an_apology_never_a_stack_or_its_words(
    tmp_path: Path, connector: Connector, fixture_kb: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path, connector, fixture_kb, FlowSet(), engine=Exploding) as teams:
        assert (await teams.say("is my app a medical device")).status == 202
        sent = await teams.reply()
    assert runs(sent.card) == [messages.TEAMS_ERROR]
    everything = json.dumps([s.body for s in connector.sent])
    assert "hunter2" not in everything and "RuntimeError" not in everything and "Exception" not in everything
    assert "Teams turn failed (RuntimeError)" in caplog.text


async def test_a_slow_turn_is_answered_202_in_time_and_its_reply_follows(
    tmp_path: Path, connector: Connector, fixture_kb: KnowledgeBase
) -> None:
    held: list[Held] = []

    def hold(engine: Engine) -> Engine:
        held.append(Held(engine))
        return held[0]  # type: ignore[return-value]  # a stand-in with the same methods

    async with running(tmp_path, connector, fixture_kb, FlowSet(), engine=hold, deadline=0.3) as teams:
        response = await teams.say("is my app a medical device")
        assert response.status == 202
        assert held[0].entered.is_set() and not held[0].release.is_set()  # answered before the core was
        async with teams.http.get(f"{teams.url}/healthz") as health:  # the event loop is free meanwhile
            assert health.status == 200
        await connector.wait_for("typing")  # Teams shows that Wayfinder is typing
        held[0].release.set()
        sent = await teams.reply()
    assert runs(sent.card)[0] == "Is my app a medical device?"
    assert [s.type for s in connector.sent][-1] == "message"


def odd(**changes: Any) -> dict[str, Any]:
    data = payload("message_personal")
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.mark.parametrize(
    "activity",
    [
        odd(type="messageReaction", reactionsAdded=[{"type": "like"}]),
        odd(type="typing"),
        odd(type="installationUpdate", action="add"),
        odd(type="conversationUpdate", text=None),
        odd(**{"from": None}),
        odd(recipient=None),
        odd(text=None, value=[1, 2, 3]),
        odd(text=None, value="a string"),
        odd(channelData=["not", "a", "mapping"]),
        odd(text="x" * 50_000),
    ],
    ids=[
        "reaction",
        "typing",
        "installation",
        "update-without-members",
        "no-sender",
        "no-recipient",
        "list-value",
        "string-value",
        "list-channel-data",
        "very-long-text",
    ],
)
async def test_odd_but_readable_activities_never_get_a_server_error(
    teams: TeamsClient, activity: dict[str, Any]
) -> None:
    response = await teams.activity(activity)
    assert response.status < 500, response.text
    assert "Traceback" not in response.text
    everything = json.dumps([s.body for s in teams.connector.sent])
    assert "Exception" not in everything and "Error" not in everything


async def test_an_invoke_wayfinder_does_not_offer_is_not_implemented_and_sends_nothing(
    teams: TeamsClient,
) -> None:
    """Wayfinder's cards use Action.Submit (a message), never Action.Execute or task modules."""
    invoke = odd(type="invoke", name="adaptiveCard/action", value={"action": {"verb": "x"}})
    assert (await teams.activity(invoke)).status == 501
    assert teams.connector.messages() == []
