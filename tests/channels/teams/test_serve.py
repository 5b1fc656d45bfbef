"""`python -m bot serve` with Teams: alone in dev mode, beside Slack, and refused when unsafe."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import pytest

from bot.channels.slack.standin import StandIn
from bot.channels.teams.standin import Connector
from tests.channels.slack.conftest import SECRET, signed_headers
from tests.channels.slack.conftest import payload as slack_payload
from tests.channels.slack.test_serve import free_port
from tests.channels.teams.conftest import assert_valid_card, payload, runs

ROOT = Path(__file__).resolve().parents[3]
CLIENT_ID = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "CONNECTIONS__", "WAYFINDER_TEAMS"))
    }
    return (
        base | {"DATABASE_URL": f"sqlite:///{tmp_path}/w.db", "WAYFINDER_SPOOL": f"{tmp_path}/spool"} | extra
    )


@contextmanager
def serving(settings: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with subprocess.Popen(
        command, env=settings, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    ) as server:
        try:
            yield server
        finally:
            server.terminate()
            server.wait(10)


async def healthy(http: aiohttp.ClientSession, server: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                if r.status == 200:
                    return
        except aiohttp.ClientError:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)


async def test_serve_in_teams_dev_mode_answers_with_a_card(tmp_path: Path, connector: Connector) -> None:
    port = free_port()
    with serving(env(tmp_path, WAYFINDER_TEAMS_DEV="1"), port) as server:
        async with aiohttp.ClientSession() as http:
            await healthy(http, server, port)
            activity = payload("message_personal") | {"serviceUrl": connector.service_url}
            headers = {"Content-Type": "application/json"}
            url = f"http://127.0.0.1:{port}/api/messages"
            async with http.post(url, data=json.dumps(activity), headers=headers) as r:
                assert r.status == 202
            async with http.post(url, data="{not json", headers=headers) as r:
                assert r.status == 400
            async with http.post(f"http://127.0.0.1:{port}/slack/events", data="{}") as r:
                assert r.status == 404  # Slack is not configured: its route is not served
            async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                assert r.status == 200
        [sent] = await connector.wait_for("message")
    assert_valid_card(sent.card)
    assert any("MHRA" in t for t in runs(sent.card))


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    server = await StandIn().start()
    yield server
    await server.stop()


async def test_one_process_serves_slack_and_teams(
    tmp_path: Path, connector: Connector, standin: StandIn
) -> None:
    port = free_port()
    settings = env(
        tmp_path,
        WAYFINDER_TEAMS_DEV="1",
        SLACK_BOT_TOKEN="xoxb-serve",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=standin.api_url,
    )
    with serving(settings, port) as server:
        async with aiohttp.ClientSession() as http:
            await healthy(http, server, port)
            body = json.dumps(slack_payload("app_mention"))
            headers = {"Content-Type": "application/json", **signed_headers(body)}
            async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as r:
                assert r.status == 200
            activity = payload("message_personal") | {"serviceUrl": connector.service_url}
            async with http.post(
                f"http://127.0.0.1:{port}/api/messages",
                data=json.dumps(activity),
                headers={"Content-Type": "application/json"},
            ) as r:
                assert r.status == 202
        await standin.wait_for("chat.postMessage", timeout=10)
        await connector.wait_for("message")


def refusal(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env=env(tmp_path, **settings),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_serve_refuses_dev_mode_beside_a_client_id(tmp_path: Path) -> None:
    done = refusal(tmp_path, WAYFINDER_TEAMS_DEV="1", **{CLIENT_ID: "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"})
    assert done.returncode == 2
    assert "Wayfinder cannot start: in Teams: WAYFINDER_TEAMS_DEV=1 runs Teams without sign-in" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_names_both_channels_when_neither_is_configured(tmp_path: Path) -> None:
    done = refusal(tmp_path)
    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in done.stderr and CLIENT_ID in done.stderr
