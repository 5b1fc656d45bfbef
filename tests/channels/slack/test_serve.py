"""`python -m bot serve`: the process the Procfile runs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from bot.channels.slack.standin import StandIn
from tests.channels.slack.conftest import SECRET, payload, signed_headers

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    return (
        base | {"DATABASE_URL": f"sqlite:///{tmp_path}/w.db", "WAYFINDER_SPOOL": f"{tmp_path}/spool"} | extra
    )


def test_serve_refuses_to_start_without_credentials(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve"], env=env(tmp_path), capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in done.stderr


async def test_serve_answers_slack_over_http(tmp_path: Path, standin: StandIn) -> None:
    port = free_port()
    settings = env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-serve",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=standin.api_url,
        WAYFINDER_TODAY="2029-01-01",  # every real entry is past its review date: it still starts
    )
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, env=settings, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        async with aiohttp.ClientSession() as http:
            deadline = time.monotonic() + 30
            while True:
                assert server.poll() is None, server.communicate()[1]
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            body = json.dumps(payload("app_mention"))
            headers = {"Content-Type": "application/json", **signed_headers(body)}
            async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as r:
                assert r.status == 200
        [call] = await standin.wait_for("chat.postMessage", timeout=10)
        assert call.body["thread_ts"] == "1763888400.000100"
    finally:
        server.terminate()
        server.communicate(timeout=10)  # waits and closes both pipes
