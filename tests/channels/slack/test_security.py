"""Only Slack gets in: forged, unsigned and stale requests are refused with 401; a signed but
malformed one gets 400; none of them reaches Bolt's parser or leaves a traceback."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import pytest

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


@pytest.mark.parametrize(
    ("body", "content_type", "timestamp", "status"),
    [
        (b'{"type": "event_callback", "event": ', "application/json", None, 400),
        (b"\xff\xfe not utf-8 \x80", "application/json", None, 400),
        (b"\xff\xfe not utf-8 \x80", "application/x-www-form-urlencoded", None, 400),
        (urlencode({"payload": "{not json"}).encode(), "application/x-www-form-urlencoded", None, 400),
        (b'{"type": "event_callback"}', "application/json", "soon", 401),
        (b'{"type": "event_callback"}', "application/json", "9" * 5000, 401),
        (b"\xff\xfe{", "application/json", "yesterday", 401),
    ],
)
async def test_a_malformed_request_gets_4xx_and_one_log_line(
    slack: Slack,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
    timestamp: str | None,
    status: int,
) -> None:
    with caplog.at_level(logging.INFO):
        response = await slack.post(body, content_type, timestamp=timestamp)
    assert response.status == status
    await slack.idle()
    assert slack.standin.of("chat.postMessage") == []
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1 and problems[0].exc_info is None, [r.getMessage() for r in problems]


async def test_an_unsigned_malformed_request_is_refused_before_it_is_read(slack: Slack) -> None:
    response = await slack.post(b"\xff{not json", "application/json", signed=False)
    assert response.status == 401
