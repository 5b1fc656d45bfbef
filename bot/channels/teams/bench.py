"""The Teams path's speed: a message activity to the card reaching the Bot Connector, over
loopback HTTP.

The server runs in its own process (`python -m bot serve` in dev mode, as the Agents Playground
would use it); this process plays Teams, sending message activities, and the Bot Connector,
receiving the replies. Unlike Slack, the SDK answers the request only when the turn is done, so
the figure is the whole round trip: parse, core, card, and the reply's POST.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import TextIO

import aiohttp

from bot import wiring
from bot.bench import percentile, scratch_settings
from bot.channels.slack.bench import _free_port, _wait_healthy
from bot.channels.slack.server import HEALTH_PATH
from bot.channels.teams.app import MESSAGES_PATH
from bot.channels.teams.standin import Connector
from bot.core.models import KnowledgeBase
from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class ReplyLatency:
    requests: int
    concurrency: int
    p50_ms: float
    p99_ms: float
    per_second: float
    answered: int


def _activity(n: int, question: str, service_url: str) -> str:
    return json.dumps(
        {
            "type": "message",
            "id": f"bench{n:08d}",
            "channelId": "msteams",
            "serviceUrl": service_url,
            "from": {"id": "29:bench-user", "aadObjectId": "00000000-0000-4000-8000-00000000be0c"},
            "conversation": {"conversationType": "personal", "id": f"a:bench-{n % 50}"},
            "recipient": {"id": "28:bench-bot", "name": "Wayfinder"},
            "text": question,
            "textFormat": "plain",
            "channelData": {"tenant": {"id": "00000000-0000-4000-8000-0000000000aa"}},
        }
    )


async def _measure(kb: KnowledgeBase, settings: Settings, requests: int, concurrency: int) -> ReplyLatency:
    connector = await Connector().start()
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "CONNECTIONS__", "WAYFINDER_TEAMS"))
    } | {
        "DATABASE_URL": settings.database_url,
        "WAYFINDER_SPOOL": str(settings.spool),
        "WAYFINDER_KNOWLEDGE": str(settings.knowledge_dir),
        "WAYFINDER_TEAMS_DEV": "1",
    }
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    questions = [q for e in kb.entries for q in e.questions[:1]]
    gate = asyncio.Semaphore(concurrency)
    started: dict[str, float] = {}

    async def send(http: aiohttp.ClientSession, n: int) -> None:
        body = _activity(n, questions[n % len(questions)], connector.service_url)
        async with gate:
            started[f"bench{n:08d}"] = time.perf_counter()
            headers = {"Content-Type": "application/json"}
            async with http.post(base + MESSAGES_PATH, data=body.encode(), headers=headers) as response:
                await response.read()
                if response.status != 202:
                    raise RuntimeError(f"the app answered {response.status}")

    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
            await _wait_healthy(http, base + HEALTH_PATH, server)
            warm = 50
            await asyncio.gather(*(send(http, n) for n in range(warm)))
            await connector.wait_for("message", warm, timeout=60)
            begin = time.perf_counter()
            await asyncio.gather(*(send(http, n) for n in range(warm, warm + requests)))
            await connector.wait_for("message", warm + requests, timeout=120)
            wall = time.perf_counter() - begin
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        await connector.stop()
    replies = [s for s in connector.messages() if s.reply_to in started and s.reply_to >= f"bench{warm:08d}"]
    ms = [(s.at - started[s.reply_to or ""]) * 1000 for s in replies]
    return ReplyLatency(
        requests, concurrency, percentile(ms, 50), percentile(ms, 99), requests / wall, len(replies)
    )


def measure_reply_latency(
    settings: Settings, kb: KnowledgeBase | None = None, requests: int = 500, concurrency: int = 10
) -> ReplyLatency:
    kb = kb or wiring.load(settings)
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(_measure(kb, scratch_settings(settings, tmp), requests, concurrency))


def report_reply_latency(out: TextIO, settings: Settings | None = None) -> None:
    """Measure and print the Teams figures (for `python -m bot bench`)."""
    result = measure_reply_latency(settings or Settings.from_env())
    out.write(
        "Teams: message activity -> card at the Bot Connector (loopback HTTP, dev mode, SQLite claims)\n"
    )
    out.write(
        f"  {f'{result.concurrency} always in flight':<34} p50 {result.p50_ms:.2f} ms"
        f"   p99 {result.p99_ms:.2f} ms   {result.per_second:,.0f} messages/s"
        f" ({result.requests:,} messages)\n"
    )
    out.write(f"  {'answered':<34} {result.answered:,} of {result.requests:,} (Teams waits 10 to 15 s)\n")
