"""`python -m bot bench`, the hostile half: inputs built to be slow, acknowledgements while they
arrive, and replies while the database hangs (accepts connections, never answers).

Figures, not tests: nothing here fails because the machine is slow. Slack's deadline is 3 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

import aiohttp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import wiring
from bot.bench import percentile, scratch_settings
from bot.channels.slack.bench import _event, _free_port, _wait_healthy, stop_server
from bot.channels.slack.server import EVENTS_PATH, HEALTH_PATH
from bot.channels.slack.standin import StandIn
from bot.core.engine import Conversation
from bot.settings import Settings

SECRET = "bench-faults-secret"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HOSTILE_COUNT = 1000
LONG = 40_000
"""Characters: the most Slack lets a message carry."""


def hostile_inputs(count: int = HOSTILE_COUNT, seed: int = 3) -> list[str]:
    """Messages built to be slow or to crash: the longest Slack allows, one long token, thousands
    of digits, lone surrogates, digit-like characters, and patterns that made regexes backtrack."""
    rng = random.Random(seed)
    words = ["care", "home", "app", "medical", "device", "nhs", "data", "patient", "mhra", "cqc"]

    def pick() -> str:
        kind = rng.randrange(10)
        if kind == 0:
            return " ".join(rng.choice(words) for _ in range(LONG // 6))[:LONG]
        if kind == 1:
            return rng.choice("xa1.-_") * LONG  # one long token, no @
        if kind == 2:
            return "".join(rng.choice("0123456789") for _ in range(rng.choice([4301, 10_000, LONG])))
        if kind == 3:
            return "".join(rng.choice(["\ud800", "\udcff", "a", " ", "\x00"]) for _ in range(LONG // 4))
        if kind == 4:
            return rng.choice(["²", "①", "١٢", "⁹⁹", "½", "Ⅻ"]) * rng.randrange(1, 5000)
        if kind == 5:
            return (rng.choice(["a@", "a@b.", "1/1/", "(0", "1 jan ", "Mr ", "+44 ", "a.b"]) * LONG)[:LONG]
        if kind == 6:
            return "9" * rng.randrange(1, 5000)
        if kind == 7:
            return rng.choice(words) + " " + "\u200b" * LONG
        if kind == 8:
            return "é" * LONG
        return "<@U0WAYFINDER> " + "&lt;" * (LONG // 4)

    return [pick() for _ in range(count)]


def slowest_hostile(settings: Settings) -> tuple[float, float, int]:
    """(slowest, p99) seconds for one turn through the engine on a SQLite gap log, and how many
    turns raised (every one should get a reply)."""
    kb = wiring.load(settings)
    inputs = hostile_inputs()
    crashes = 0
    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        app = wiring.build(scratch_settings(settings, tmp), kb)
        try:
            app.engine.reply(Conversation("bench", "warm"), "is my app a medical device")
            for n, message in enumerate(inputs):
                t0 = time.perf_counter()
                try:
                    app.engine.reply(Conversation("bench", f"h{n % 50}"), message)
                except Exception:
                    crashes += 1
                times.append(time.perf_counter() - t0)
        finally:
            app.close()
    return max(times), percentile(times, 99), crashes


# -- a server in its own process, Slack played from here -----------------------------------------


def _signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


async def _serving(
    env_extra: dict[str, str],
    knowledge: Path,
    work: Callable[[aiohttp.ClientSession, str, StandIn], Awaitable[Any]],
) -> Any:
    standin = await StandIn().start()
    port = _free_port()
    env = {
        **os.environ,
        "WAYFINDER_KNOWLEDGE": str(knowledge),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": standin.api_url,
        "SLACK_APP_TOKEN": "",
        **env_extra,
    }
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            await _wait_healthy(http, base + HEALTH_PATH, server)
            return await work(http, base, standin)
    finally:
        stop_server(server)
        await standin.stop()


async def _send(http: aiohttp.ClientSession, base: str, n: int, question: str) -> float:
    body = _event(n, question).encode()
    t0 = time.perf_counter()
    async with http.post(base + EVENTS_PATH, data=body, headers=_signed(body)) as response:
        await response.read()
    return time.perf_counter() - t0


async def _health(http: aiohttp.ClientSession, base: str) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    async with http.get(base + HEALTH_PATH) as response:
        body: dict[str, Any] = await response.json()
    return time.perf_counter() - t0, body


def acks_under_hostile_load(settings: Settings, hostile: int = 100, others: int = 300) -> dict[str, float]:
    """Other people's acknowledgements (and /healthz) while 40,000-character hostile messages arrive."""
    messages = [m for m in hostile_inputs(hostile * 3, seed=5) if len(m) >= 4000][:hostile]

    async def work(http: aiohttp.ClientSession, base: str, standin: StandIn) -> dict[str, float]:
        normal: list[float] = []
        bad: list[float] = []
        health: list[float] = []

        async def flood(first: int) -> None:
            for n, message in enumerate(messages):
                bad.append(await _send(http, base, first + n, message))

        async def people() -> None:
            for n in range(others):
                normal.append(await _send(http, base, n, "is my app a medical device"))
                if n % 10 == 0:
                    health.append((await _health(http, base))[0])

        started = time.perf_counter()
        await asyncio.gather(flood(10_000), flood(20_000), people())
        sent = others + 2 * len(messages)
        with contextlib.suppress(AssertionError):  # a shortfall shows in "answered"
            await standin.wait_for("chat.postMessage", sent, timeout=120)
        return {
            "others_p99": percentile(normal, 99),
            "others_max": max(normal),
            "hostile_p99": percentile(bad, 99),
            "health_max": max(health),
            "answered": len(standin.of("chat.postMessage")),
            "sent": sent,
            "wall": time.perf_counter() - started,
        }

    with tempfile.TemporaryDirectory() as tmp:
        env = {"DATABASE_URL": f"sqlite:///{tmp}/b.db", "WAYFINDER_SPOOL": f"{tmp}/spool"}
        return asyncio.run(_serving(env, settings.knowledge_dir, work))


class HangingProxy:
    """A loopback TCP proxy to PostgreSQL that can stop passing anything on, without closing a
    connection or refusing a new one: a database that hangs rather than refuses."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        self.flowing.set()
        if self.server is not None:
            self.server.close()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, ConnectionError):
                while data := await src.read(65536):
                    await self.flowing.wait()
                    dst.write(data)
                    await dst.drain()
            dst.close()

        with contextlib.suppress(asyncio.CancelledError):  # the bench is over
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


def replies_while_the_database_hangs(settings: Settings, questions: int = 20) -> dict[str, Any] | str:
    """Reply latency (signed event to the answer posted) while PostgreSQL hangs; a reason if it is absent."""
    schema = f"wf_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        return f"PostgreSQL is not reachable at {POSTGRES_URL} ({type(exc).__name__})"
    url = make_url(POSTGRES_URL)

    async def run() -> dict[str, Any]:
        proxy = HangingProxy((url.host or "127.0.0.1", url.port or 5432))
        port = await proxy.start()
        proxied = url.set(port=port).render_as_string(hide_password=False)

        async def work(http: aiohttp.ClientSession, base: str, standin: StandIn) -> dict[str, Any]:
            for n in range(5):  # up: migrate, pool connections
                await _send(http, base, n, "is my app a medical device")
            await standin.wait_for("chat.postMessage", 5, timeout=60)
            proxy.flowing.clear()
            replies: list[float] = []
            acks: list[float] = []
            for n in range(questions):
                t0 = time.perf_counter()
                acks.append(await _send(http, base, 100 + n, f"what is the weather on planet {n}"))
                await standin.wait_for("chat.postMessage", 6 + n, timeout=60)
                replies.append(time.perf_counter() - t0)
            _, during = await _health(http, base)
            proxy.flowing.set()
            t0 = time.perf_counter()
            after = during
            while after.get("pending") and time.perf_counter() - t0 < 60:
                await asyncio.sleep(0.2)
                _, after = await _health(http, base)
            return {
                "reply_max": max(replies),
                "reply_p50": percentile(replies, 50),
                "ack_max": max(acks),
                "health_during": during,
                "drained_s": time.perf_counter() - t0,
                "health_after": after,
            }

        try:
            with tempfile.TemporaryDirectory() as tmp:
                env = {
                    "DATABASE_URL": f"{proxied}?options=-csearch_path%3D{schema}",
                    "WAYFINDER_SPOOL": f"{tmp}/spool",
                }
                result: dict[str, Any] = await _serving(env, settings.knowledge_dir, work)
                return result
        finally:
            await proxy.stop()

    try:
        return asyncio.run(run())
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def report_faults(out: TextIO, settings: Settings) -> None:
    """Print the hostile-input, acknowledgement and hanging-database figures."""
    slowest, p99, crashes = slowest_hostile(settings)
    out.write(
        f"Hostile input ({HOSTILE_COUNT:,} messages up to {LONG:,} characters, engine and SQLite log)\n"
    )
    out.write(
        f"  {'slowest turn':<34} {slowest * 1000:.1f} ms   p99 {p99 * 1000:.1f} ms (goal: under 200 ms)\n"
    )
    out.write(f"  {'turns that raised':<34} {crashes}\n\n")

    acks = acks_under_hostile_load(settings)
    out.write("Slack while 40,000-character hostile messages arrive (server in its own process)\n")
    out.write(
        f"  {'other people: acknowledgement':<34} p99 {acks['others_p99'] * 1000:.1f} ms"
        f"   max {acks['others_max'] * 1000:.1f} ms (Slack allows 3 s)\n"
    )
    out.write(f"  {'hostile messages: acknowledgement':<34} p99 {acks['hostile_p99'] * 1000:.1f} ms\n")
    out.write(f"  {'/healthz, slowest':<34} {acks['health_max'] * 1000:.1f} ms\n")
    out.write(f"  {'answered':<34} {acks['answered']:.0f} of {acks['sent']:.0f} in {acks['wall']:.1f} s\n\n")

    hang = replies_while_the_database_hangs(settings)
    out.write("Replies while PostgreSQL hangs (a proxy that accepts and never answers)\n")
    if isinstance(hang, str):
        out.write(f"  not measured: {hang}\n")
        return
    out.write(
        f"  {'signed event -> answer posted':<34} max {hang['reply_max']:.2f} s"
        f"   p50 {hang['reply_p50'] * 1000:.0f} ms (Slack allows 3 s)\n"
    )
    out.write(f"  {'acknowledgement, slowest':<34} {hang['ack_max'] * 1000:.1f} ms\n")
    out.write(f"  {'/healthz during':<34} {json.dumps(hang['health_during'])}\n")
    out.write(
        f"  {'after it answers again':<34} {json.dumps(hang['health_after'])}"
        f" within {hang['drained_s']:.1f} s\n"
    )
