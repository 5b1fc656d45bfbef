"""The real Teams channel (Agents SDK, aiohttp) on a loopback port, Bot Framework activities
recorded as files, and a local stand-in for the Bot Connector that records the bot's replies."""

from __future__ import annotations

import contextlib
import copy
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest
from aiohttp import web
from sqlalchemy import text

from bot import wiring
from bot.channels.deps import Deps
from bot.channels.slack.server import server_app
from bot.channels.teams.app import Teams, create_teams
from bot.channels.teams.standin import Connector, Sent
from bot.content.flows import load_flows
from bot.core.engine import Engine, Thresholds
from bot.core.flows import FlowSet
from bot.core.models import KnowledgeBase
from bot.settings import Settings
from tests.conftest import ROOT, Clock

HERE = Path(__file__).parent
PAYLOADS = HERE / "payloads"
SCHEMAS = HERE / "schemas"
STAFF = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
"""Alex Carter's Entra object id, as in the recorded activities."""
BOT = "28:9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"


def payload(name: str) -> dict[str, Any]:
    """A recorded Bot Framework activity (a fresh copy each time)."""
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    return copy.deepcopy(data)


@cache
def card_validator() -> jsonschema.Draft6Validator:
    """Adaptive Cards 1.5, the schema as published (see schemas/SOURCES.md)."""
    schema = json.loads((SCHEMAS / "adaptive-card-1.5.json").read_text())
    return jsonschema.Draft6Validator(schema)


def assert_valid_card(card: dict[str, Any]) -> None:
    errors = sorted(card_validator().iter_errors(card), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message[:300]}" for e in errors)
    assert card["version"] == "1.5"
    kinds = json.dumps(card)
    assert '"TextBlock"' not in kinds and '"FactSet"' not in kinds, "text goes in TextRuns (never Markdown)"


def actions(element: Any) -> list[dict[str, Any]]:
    """Every action in a card (in ActionSets, the card's own actions, text runs' select actions)."""
    found: list[dict[str, Any]] = []
    if isinstance(element, dict):
        if str(element.get("type", "")).startswith("Action."):
            found.append(element)
        for value in element.values():
            found += actions(value)
    elif isinstance(element, list):
        for value in element:
            found += actions(value)
    return found


def runs(card: dict[str, Any]) -> list[str]:
    """The card's text, one string per text block, in order."""
    found = []
    for element in card["body"]:
        if element["type"] == "RichTextBlock":
            found.append("".join(r["text"] for r in element["inlines"]))
        elif element["type"] == "TextBlock":
            found.append(element["text"])
    return found


@dataclass
class Response:
    status: int
    text: str


@dataclass
class TeamsClient:
    """Talks to the running app the way the Bot Connector does."""

    url: str
    connector: Connector
    app: wiring.App
    http: aiohttp.ClientSession
    teams: Teams

    async def post(
        self, body: str | bytes, *, headers: dict[str, str] | None = None, path: str = "/api/messages"
    ) -> Response:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        data = body.encode() if isinstance(body, str) else body
        async with self.http.post(f"{self.url}{path}", data=data, headers=all_headers) as r:
            return Response(r.status, await r.text())

    async def activity(self, data: dict[str, Any], *, fresh: bool = True) -> Response:
        """Send an activity; `fresh` gives it a new id (as each new message has)."""
        data = copy.deepcopy(data)
        data["serviceUrl"] = self.connector.service_url
        if fresh:
            data["id"] = str(uuid.uuid4().int)[:13]
        return await self.post(json.dumps(data))

    async def say(self, words: str, name: str = "message_personal") -> Response:
        data = payload(name)
        data["text"] = words
        return await self.activity(data)

    async def press(self, value: dict[str, Any]) -> Response:
        """Press a button on a card: Teams sends its data back as a message with no text."""
        data = payload("card_submit")
        data["value"] = value
        return await self.activity(data)

    async def reply(self, count: int = 1) -> Sent:
        """The `count`th message the bot sent; its cards checked against the schema."""
        sent = (await self.connector.wait_for("message", count))[count - 1]
        for found in sent.cards:
            assert_valid_card(found)
        return sent

    def rows(self, table: str) -> list[dict[str, Any]]:
        """Rows as stored, once the gap log's background writer has written what waits."""
        self.app.store.gaps.flush(force=True)
        with self.app.store.db.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(text(f"SELECT * FROM {table}"))]


@pytest.fixture(scope="session")
def real_flows(real_kb: KnowledgeBase) -> FlowSet:
    return load_flows(ROOT / "flows", real_kb)[0]


@pytest.fixture
async def connector() -> AsyncIterator[Connector]:
    server = await Connector().start()
    yield server
    await server.stop()


@contextlib.asynccontextmanager
async def running(
    tmp_path: Path,
    connector: Connector,
    kb: KnowledgeBase,
    flows: FlowSet,
    *,
    now: Callable[[], datetime] | None = None,
    deadline: float = 8.0,
    engine: Callable[[Engine], Engine] | None = None,
    thresholds: Thresholds | None = None,
    staff: frozenset[str] = frozenset({STAFF}),
) -> AsyncIterator[TeamsClient]:
    """The real Teams channel in dev (anonymous) mode on a loopback port."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/wayfinder.db",
        spool=tmp_path / "pending.jsonl",
        staff=staff,
        teams_dev=True,
        semantic=False,  # these tests are about Teams; routing has its own (tests/core)
        **({"thresholds": thresholds} if thresholds else {}),
    )
    app = wiring.build(settings, kb, flows)
    app.store.db.session().close()  # migrate now, so tests can count rows from the start
    core = engine(app.engine) if engine else app.engine
    deps = Deps(core, kb, app.store.gaps, wiring.event_claims(app.store), settings.staff, now=now or Clock())
    teams = create_teams(deps, {}, dev=True, deadline=deadline)
    runner = web.AppRunner(server_app(None, also=[teams]), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as http:
            yield TeamsClient(f"http://127.0.0.1:{port}", connector, app, http, teams)
    finally:
        await runner.cleanup()
        app.close()


@pytest.fixture
async def teams(
    tmp_path: Path, connector: Connector, real_kb: KnowledgeBase, real_flows: FlowSet
) -> AsyncIterator[TeamsClient]:
    async with running(tmp_path, connector, real_kb, real_flows) as client:
        yield client
