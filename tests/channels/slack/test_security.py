"""Only Slack gets in: forged, unsigned and stale requests are refused with 401."""

from __future__ import annotations

import json
import time

from tests.channels.slack.conftest import Slack, payload, signed_headers


async def test_a_forged_signature_is_refused(slack: Slack) -> None:
    body = json.dumps(payload("app_mention"))
    headers = signed_headers(body, secret="not-the-signing-secret")
    response = await slack.post(body, "application/json", headers=headers, signed=False)
    assert response.status == 401


async def test_a_tampered_body_is_refused(slack: Slack) -> None:
    body = json.dumps(payload("app_mention"))
    headers = signed_headers(body)
    response = await slack.post(body.replace("medical device", "medical devices"), "application/json",
                                headers=headers, signed=False)  # fmt: skip
    assert response.status == 401


async def test_an_unsigned_request_is_refused(slack: Slack) -> None:
    response = await slack.post(json.dumps(payload("app_mention")), "application/json", signed=False)
    assert response.status == 401


async def test_a_stale_request_is_refused(slack: Slack) -> None:
    body = json.dumps(payload("app_mention"))
    response = await slack.post(body, "application/json", timestamp=int(time.time()) - 301)
    assert response.status == 401


async def test_refused_requests_reach_nothing(slack: Slack) -> None:
    body = json.dumps(payload("message_im"))
    await slack.post(body, "application/json", signed=False)
    await slack.post(body, "application/json", timestamp=int(time.time()) - 3600)
    await slack.idle()
    assert slack.standin.of("chat.postMessage") == []
    assert slack.rows("slack_events") == []


async def test_a_recent_signed_request_is_accepted(slack: Slack) -> None:
    body = json.dumps(payload("app_mention"))
    response = await slack.post(body, "application/json", timestamp=int(time.time()) - 60)
    assert response.status == 200


async def test_health_check(slack: Slack) -> None:
    async with slack.http.get(f"{slack.url}/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"ok": True, "storage": "ok", "pending": 0}
