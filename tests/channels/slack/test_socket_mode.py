"""Socket Mode: with an app-level token, Slack's events arrive over a WebSocket instead."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp import web

from bot import wiring
from bot.channels.slack.app import listeners_of
from bot.channels.slack.server import server_app
from bot.channels.slack.standin import StandIn
from bot.core.models import KnowledgeBase
from bot.settings import Settings
from tests.channels.slack.conftest import payload


async def test_events_arrive_over_the_socket_and_are_answered(
    tmp_path: Path, standin: StandIn, fixture_kb: KnowledgeBase
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/w.db",
        spool=tmp_path / "spool",
        slack_bot_token="xoxb-socket",
        slack_app_token="xapp-socket",
        slack_api_url=standin.api_url,
    )
    app = wiring.build(settings, fixture_kb)
    bolt = wiring.slack_app(app)
    runner = web.AppRunner(server_app(bolt, settings.slack_app_token))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        event = payload("app_mention")
        envelope = {"envelope_id": "env-1", "type": "events_api", "payload": event, "retry_attempt": 0}
        await standin.push(envelope)
        await standin.push(envelope | {"envelope_id": "env-2", "retry_attempt": 1, "retry_reason": "timeout"})
        acks = await standin.wait_for("socket_ack", 2)
        assert sorted(a.body["envelope_id"] for a in acks) == ["env-1", "env-2"]
        [call] = await standin.wait_for("chat.postMessage")
        assert call.body["thread_ts"] == event["event"]["ts"]
        await listeners_of(bolt).idle()
        assert len(standin.of("chat.postMessage")) == 1  # the redelivery was not answered again
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                assert r.status == 200
            async with http.post(f"http://127.0.0.1:{port}/slack/events", data="{}") as r:
                assert r.status in (404, 405)  # no HTTP events endpoint in Socket Mode
    finally:
        await runner.cleanup()
        app.close()
