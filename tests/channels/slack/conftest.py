"""The real Slack app on a loopback port, requests signed as Slack signs them, and a local
stand-in for the Web API that records what the app posts."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import text

from bot import wiring
from bot.channels.slack.app import Listeners, listeners_of
from bot.channels.slack.server import server_app
from bot.channels.slack.standin import StandIn
from bot.core.flows import FlowSet
from bot.core.models import KnowledgeBase
from bot.settings import Settings
from tests.conftest import WIDE_MARGIN

PAYLOADS = Path(__file__).parent / "payloads"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
STAFF = "U0STAFF"


def payload(name: str) -> dict[str, Any]:
    """A recorded Slack payload (a fresh copy each time)."""
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    return copy.deepcopy(data)


def signed_headers(
    body: str | bytes, timestamp: int | str | None = None, secret: str = SECRET
) -> dict[str, str]:
    """Signed exactly as Slack signs: HMAC-SHA256 of `v0:{timestamp}:{raw body}`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = body if isinstance(body, bytes) else body.encode()
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Response:
    status: int
    text: str


@dataclass
class Slack:
    """Talks to the running app the way Slack does."""

    url: str
    standin: StandIn
    app: wiring.App
    http: aiohttp.ClientSession
    listeners: Listeners

    async def post(
        self,
        body: str | bytes,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        timestamp: int | str | None = None,
    ) -> Response:
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if signed:
            all_headers |= signed_headers(body, timestamp)
        raw = body if isinstance(body, bytes) else body.encode()
        async with self.http.post(f"{self.url}/slack/events", data=raw, headers=all_headers) as r:
            return Response(r.status, await r.text())

    async def event(self, data: dict[str, Any], *, retry: int | None = None) -> Response:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return await self.post(json.dumps(data), "application/json", headers=headers)

    async def dm(self, text_: str, user: str = "U0PERSON") -> Response:
        data = payload("message_im")
        data["event_id"] = f"Ev{uuid.uuid4().hex[:10].upper()}"
        data["event"] |= {"text": text_, "user": user}
        return await self.event(data)

    async def command(self, text_: str, user: str = "U0PERSON") -> Response:
        fields = payload("slash_command") | {
            "text": text_,
            "user_id": user,
            "response_url": self.standin.response_url("command"),
            "trigger_id": trigger_id(),
        }
        return await self.post(urlencode(fields), "application/x-www-form-urlencoded")

    async def action(self, data: dict[str, Any]) -> Response:
        return await self.post(urlencode({"payload": json.dumps(data)}), "application/x-www-form-urlencoded")

    async def health(self) -> dict[str, Any]:
        async with self.http.get(f"{self.url}/healthz") as r:
            assert r.status == 200
            body: dict[str, Any] = await r.json()
            return body

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until every request received so far has been handled to the end (no fixed sleep)."""
        await self.listeners.idle(timeout)

    def rows(self, table: str, where: str = "") -> list[dict[str, Any]]:
        """Rows as stored, once the gap log's background writer has written what waits."""
        self.app.store.gaps.flush(force=True)
        with self.app.store.db.engine.connect() as conn:
            result = conn.execute(text(f"SELECT * FROM {table} {where}"))
            return [dict(row._mapping) for row in result]


def trigger_id() -> str:
    """Slack gives every command and button press its own trigger id."""
    return f"{int(time.time())}.{uuid.uuid4().int % 10**9}.{uuid.uuid4().hex[:6]}"


def button(kind: str, action_id: str, value: str, block_id: str = "b", label: str = "") -> dict[str, Any]:
    """A block_actions payload (recorded shape) for pressing one button."""
    data = payload(kind)
    data["trigger_id"] = trigger_id()
    data["actions"][0] |= {"action_id": action_id, "value": value, "block_id": block_id}
    data["actions"][0]["text"]["text"] = label or action_id
    return data


def find(blocks: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [b for b in blocks if b["type"] == kind]


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = [e for b in find(blocks, "actions") for e in b["elements"]]
    return found + [b["accessory"] for b in blocks if b.get("accessory", {}).get("type") == "button"]


def all_text(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    server = await StandIn().start()
    yield server
    await server.stop()


@contextlib.asynccontextmanager
async def running(
    tmp_path: Path,
    standin: StandIn,
    kb: KnowledgeBase,
    database_url: str = "",
    today: date | None = None,
    flows: FlowSet | None = None,
) -> AsyncIterator[Slack]:
    """The real app (wiring, Bolt, aiohttp) on a loopback port, its Web API pointed at `standin`."""
    settings = Settings(
        database_url=database_url or f"sqlite:///{tmp_path}/wayfinder.db",
        spool=tmp_path / "pending.jsonl",
        thresholds=WIDE_MARGIN,
        semantic=False,  # these tests are about Slack; routing has its own (tests/core)
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_api_url=standin.api_url,
        staff=frozenset({STAFF}),
        today=today,
    )
    app = wiring.build(settings, kb, flows)
    if not database_url:
        app.store.db.session().close()  # migrate now, so tests can count rows from the start
    bolt = wiring.slack_app(app)
    web_app = server_app(bolt, health=app.store.health, signing_secret=SECRET)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as http:
            yield Slack(f"http://127.0.0.1:{port}", standin, app, http, listeners_of(bolt))
    finally:
        await runner.cleanup()
        app.close()


@pytest.fixture
async def slack(tmp_path: Path, standin: StandIn, fixture_kb: KnowledgeBase) -> AsyncIterator[Slack]:
    async with running(tmp_path, standin, fixture_kb) as client:
        yield client
