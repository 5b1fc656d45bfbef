"""The Slack path's speed: a signed event request to its acknowledgement, over loopback HTTP.

The real app (wiring, Bolt, aiohttp, the SQLite retry claims) answers signed `app_mention`
events sent 50 at a time; its Web API calls go to a local stand-in. The answers themselves are
posted after the acknowledgement, on the same event loop, as in production, so they load it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import TextIO

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot import wiring
from bot.bench import percentile, scratch_settings
from bot.channels.slack.server import EVENTS_PATH, HEALTH_PATH
from bot.channels.slack.standin import BOT_USER, TEAM, StandIn
from bot.core.models import KnowledgeBase
from bot.settings import Settings

SECRET = "bench-signing-secret"


@dataclass(frozen=True, slots=True)
class AckLatency:
    requests: int
    concurrency: int
    p50_ms: float
    p99_ms: float
    """Bursts: `concurrency` requests arrive at once, the server otherwise idle."""
    sustained_p50_ms: float
    sustained_p99_ms: float
    """Sustained: `concurrency` requests always in flight, answers being posted meanwhile."""
    per_second: float
    answered: int
    """How many of the events were answered (chat.postMessage) by the end."""


def _event(n: int, question: str) -> str:
    ts = f"{1763888400 + n}.000100"
    return json.dumps(
        {
            "team_id": TEAM,
            "api_app_id": "A0WAYFINDER",
            "type": "event_callback",
            "event_id": f"EvBENCH{n:07d}",
            "event_time": 1763888400 + n,
            "event": {
                "type": "app_mention",
                "text": f"<@{BOT_USER}> {question}",
                "user": "U0BENCH",
                "ts": ts,
                "team": TEAM,
                "channel": "C0BENCH",
                "event_ts": ts,
            },
        }
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop a server started for a measurement, by force if it will not stop within 10 s."""
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


async def _wait_healthy(http: aiohttp.ClientSession, url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped with status {server.returncode}")
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the server did not become healthy within 60 s")


async def _measure(kb: KnowledgeBase, settings: Settings, requests: int, concurrency: int) -> AckLatency:
    """The server runs in its own process (`python -m bot serve`), as it would in production;
    this process plays Slack (sending signed events) and the Web API stand-in."""
    standin = await StandIn().start()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "WAYFINDER_SPOOL": str(settings.spool),
        "WAYFINDER_KNOWLEDGE": str(settings.knowledge_dir),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": standin.api_url,
        "SLACK_APP_TOKEN": "",
        "WAYFINDER_STAFF": "",
    }
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    verifier = SignatureVerifier(SECRET)
    questions = [q for e in kb.entries for q in e.questions[:1]]
    gate = asyncio.Semaphore(concurrency)

    async def send(http: aiohttp.ClientSession, n: int) -> float:
        body = _event(n, questions[n % len(questions)])
        async with gate:
            ts = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body) or "",
            }
            t0 = time.perf_counter()
            async with http.post(base + EVENTS_PATH, data=body.encode(), headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"the app answered {response.status}")
            return time.perf_counter() - t0

    try:
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as http:
            await _wait_healthy(http, base + HEALTH_PATH, server)
            warm = 200
            await asyncio.gather(*(send(http, n) for n in range(warm)))
            await standin.wait_for("chat.postMessage", warm, timeout=60)
            bursts: list[float] = []
            sent = warm
            for _ in range(max(1, requests // concurrency // 2)):
                bursts += await asyncio.gather(*(send(http, n) for n in range(sent, sent + concurrency)))
                sent += concurrency
                await standin.wait_for("chat.postMessage", sent, timeout=60)  # let the answers go out
            started = time.perf_counter()
            latencies = await asyncio.gather(*(send(http, n) for n in range(sent, sent + requests)))
            wall = time.perf_counter() - started
            sent += requests
        with contextlib.suppress(AssertionError):  # a shortfall shows in `answered`
            await standin.wait_for("chat.postMessage", sent, timeout=60)
        answered = len(standin.of("chat.postMessage")) - warm - len(bursts)
    finally:
        stop_server(server)
        await standin.stop()
    ms = [x * 1000 for x in latencies]
    burst_ms = [x * 1000 for x in bursts]
    return AckLatency(
        requests,
        concurrency,
        percentile(burst_ms, 50),
        percentile(burst_ms, 99),
        percentile(ms, 50),
        percentile(ms, 99),
        requests / wall,
        answered,
    )


def measure_ack_latency(
    settings: Settings, kb: KnowledgeBase | None = None, requests: int = 2000, concurrency: int = 50
) -> AckLatency:
    """Signed event request -> acknowledgement latency at `concurrency` requests in flight."""
    kb = kb or wiring.load(settings)
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(_measure(kb, scratch_settings(settings, tmp), requests, concurrency))


def report_ack_latency(out: TextIO, settings: Settings | None = None) -> None:
    """Measure and print the Slack figures (for `python -m bot bench`)."""
    result = measure_ack_latency(settings or Settings.from_env())
    out.write("Slack: signed event request -> acknowledgement (loopback HTTP, SQLite retry claims)\n")
    out.write(
        f"  {f'{result.concurrency} arriving at once':<34} p50 {result.p50_ms:.2f} ms"
        f"   p99 {result.p99_ms:.2f} ms (Slack allows 3 s)\n"
    )
    out.write(
        f"  {f'{result.concurrency} always in flight':<34} p50 {result.sustained_p50_ms:.2f} ms"
        f"   p99 {result.sustained_p99_ms:.2f} ms   {result.per_second:,.0f} requests/s"
        f" ({result.requests:,} requests)\n"
    )
    out.write(f"  {'answered after the ack':<34} {result.answered:,} of {result.requests:,}\n")


__all__ = ["AckLatency", "measure_ack_latency", "report_ack_latency"]
