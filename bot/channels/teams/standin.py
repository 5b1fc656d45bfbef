"""A local stand-in for the Bot Connector service, for tests: real HTTP on loopback.

Teams activities carry a `serviceUrl`; the SDK sends the bot's replies there, to
`{serviceUrl}v3/conversations/{id}/activities[/{replyToId}]`. Point an activity's serviceUrl at
this server and it records every reply (method, path, body and Authorization header), answering
each with a new activity id, so a test can wait for what the bot sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.channels.loopback import serve


@dataclass
class Sent:
    """One call the bot made to the Bot Connector."""

    method: str
    conversation: str
    reply_to: str | None
    body: dict[str, Any]
    authorization: str | None
    at: float = field(default_factory=time.perf_counter)
    """When it arrived (perf_counter), for latency figures."""

    @property
    def type(self) -> str:
        return str(self.body.get("type", ""))

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards attached to this activity."""
        return [
            a["content"]
            for a in self.body.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def card(self) -> dict[str, Any]:
        [only] = self.cards
        return only


@dataclass
class Connector:
    host: str = "127.0.0.1"
    port: int = 0
    sent: list[Sent] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def service_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    async def start(self) -> Connector:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._activity)
        app.router.add_put("/v3/conversations/{conversation}/activities/{reply_to}", self._activity)
        self._runner, self.port = await serve(app, self.host, self.port)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def of(self, kind: str) -> list[Sent]:
        """What the bot sent of one activity type ("message", "typing")."""
        return [s for s in self.sent if s.type == kind]

    def messages(self) -> list[Sent]:
        return self.of("message")

    async def wait_for(self, kind: str = "message", count: int = 1, timeout: float = 10.0) -> list[Sent]:
        """The activities of this type the bot sent, once there are at least `count`."""
        deadline = time.monotonic() + timeout
        while len(self.of(kind)) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"expected {count} {kind} activities, got {len(self.of(kind))}: "
                    f"{[s.type for s in self.sent]}"
                )
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return self.of(kind)

    async def _activity(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.sent.append(
            Sent(
                request.method,
                request.match_info["conversation"],
                request.match_info.get("reply_to"),
                body if isinstance(body, dict) else {},
                request.headers.get("Authorization"),
            )
        )
        self._changed.set()
        return web.json_response({"id": uuid.uuid4().hex})

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.sent.append(Sent("POST", "", None, body, request.headers.get("Authorization")))
        self._changed.set()
        return web.json_response({"id": f"a:{uuid.uuid4().hex}", "activityId": uuid.uuid4().hex})
