"""A local stand-in for Slack's Web API, for tests and the benchmark: real HTTP on loopback.

It answers `auth.test` with a bot identity, any other method with `{"ok": true}`, and
`/hooks/...` (used as response_url) with "ok"; it records every call, so a test can assert on
what was posted. It can also answer a method with HTTP 429 a given number of times.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from bot.channels.loopback import serve

BOT_USER = "UWAYFINDER"
BOT_ID = "BWAYFINDER"
TEAM = "T0001"


@dataclass
class Call:
    method: str
    """The Web API method (`chat.postMessage`), or `response_url` for posts to a response URL."""
    body: dict[str, Any]
    path: str = ""


@dataclass
class StandIn:
    host: str = "127.0.0.1"
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    rate_limited: dict[str, int] = field(default_factory=dict)
    """Method -> how many more times to answer it with HTTP 429 (Retry-After: 0)."""
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api/"

    def response_url(self, name: str = "hook") -> str:
        return f"http://{self.host}:{self.port}/hooks/{name}"

    async def start(self) -> StandIn:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/hooks/{name}", self._hook)
        app.router.add_get("/socket", self._socket)
        self._runner, self.port = await serve(app, self.host, self.port)
        return self

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The calls to `method` once there are at least `count` (listeners run after the ack)."""
        deadline = time.monotonic() + timeout
        while len(self.of(method)) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"expected {count} {method} call(s), got {len(self.of(method))}: "
                    f"{[c.method for c in self.calls]}"
                )
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return self.of(method)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await _parse(request)
        if self.rate_limited.get(method, 0) > 0:
            self.rate_limited[method] -= 1
            self._record(Call(f"{method}:429", body, request.path))
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "0"}
            )
        self._record(Call(method, body, request.path))
        if method == "apps.connections.open":
            if not request.headers.get("Authorization", "").startswith("Bearer xapp-"):
                return web.json_response({"ok": False, "error": "not_authed"})
            return web.json_response({"ok": True, "url": f"ws://{self.host}:{self.port}/socket"})
        if not request.headers.get("Authorization", "").startswith("Bearer xoxb-"):
            return web.json_response({"ok": False, "error": "not_authed"})
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "url": "https://wayfinder-test.slack.com/",
                    "team": "Wayfinder test",
                    "user": "wayfinder",
                    "team_id": TEAM,
                    "user_id": BOT_USER,
                    "bot_id": BOT_ID,
                    "is_enterprise_install": False,
                }
            )
        answer: dict[str, Any] = {"ok": True}
        if method.startswith("chat."):
            answer |= {"channel": body.get("channel", ""), "ts": f"{time.time():.6f}", "message_ts": "1"}
        return web.json_response(answer)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: send each queued envelope, record each acknowledgement."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        self.sockets.append(ws)
        async for message in ws:
            if message.type == web.WSMsgType.TEXT:
                self._record(Call("socket_ack", json.loads(message.data), request.path))
        return ws

    async def push(self, envelope: dict[str, Any], timeout: float = 10.0) -> None:
        """Send a Socket Mode envelope to the connected app (waits for it to connect)."""
        deadline = time.monotonic() + timeout
        while not self.sockets:
            if time.monotonic() > deadline:
                raise AssertionError("the app never connected in Socket Mode")
            await asyncio.sleep(0.05)
        await self.sockets[-1].send_json(envelope)

    async def _hook(self, request: web.Request) -> web.Response:
        self._record(Call("response_url", await _parse(request), request.path))
        return web.Response(text="ok")


async def _parse(request: web.Request) -> dict[str, Any]:
    raw = await request.text()
    if not raw:
        return {}
    if request.content_type == "application/json":
        data = json.loads(raw)
        return data if isinstance(data, dict) else {"_": data}
    fields: dict[str, Any] = dict(parse_qsl(raw))
    for name in ("blocks", "view", "attachments"):
        if isinstance(fields.get(name), str):
            fields[name] = json.loads(fields[name])
    return fields
