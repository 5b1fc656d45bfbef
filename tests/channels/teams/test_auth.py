"""With credentials set, only requests carrying a valid Bot Framework token are served; dev mode
(anonymous, for the Agents Playground) is refused alongside them."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from bot import wiring
from bot.channels.deps import Deps
from bot.channels.slack.server import server_app
from bot.channels.slack.standin import StandIn
from bot.channels.teams.app import TeamsConfigError, check, create_teams
from bot.channels.teams.standin import Connector
from bot.core.models import KnowledgeBase
from bot.settings import Settings
from tests.channels.slack.conftest import SECRET, signed_headers
from tests.channels.slack.conftest import payload as slack_payload
from tests.channels.teams.conftest import payload

APP_ID = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
TENANT = "5f0e1a2b-7c3d-4e5f-8a9b-0c1d2e3f4a5b"
S = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
PRODUCTION = {S + "CLIENTID": APP_ID, S + "CLIENTSECRET": "not-a-real-secret", S + "TENANTID": TENANT}


def forged(alg: str = "RS256", kid: str | None = "forged-key") -> str:
    """A token shaped like the Bot Connector's, signed with a key Microsoft never published."""
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": "https://smba.trafficmanager.net/uk/",
        "nbf": int(time.time()) - 60,
        "exp": int(time.time()) + 3600,
    }
    headers = {"kid": kid} if kid else {}
    if alg == "RS256":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(claims, key, algorithm="RS256", headers=headers)
    if alg == "HS256":
        return jwt.encode(claims, "a-guessed-secret-that-is-long-enough", algorithm="HS256", headers=headers)
    head = {"alg": "none", "typ": "JWT", **headers}

    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(head)}.{part(claims)}."


@dataclass
class Production:
    url: str
    http: aiohttp.ClientSession
    slack_api: StandIn


@pytest.fixture
async def production(
    tmp_path: Path, connector: Connector, fixture_kb: KnowledgeBase
) -> AsyncIterator[Production]:
    """Teams with credentials, beside Slack, in one application (as `serve` runs them)."""
    slack_api = await StandIn().start()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/w.db",
        spool=tmp_path / "spool",
        teams_sdk=PRODUCTION,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_api_url=slack_api.api_url,
    )
    app = wiring.build(settings, fixture_kb)
    deps = Deps(app.engine, fixture_kb, app.store.gaps, wiring.event_claims(app.store))
    teams = create_teams(deps, PRODUCTION)
    both = server_app(wiring.slack_app(app), signing_secret=SECRET, health=app.store.health, also=[teams])
    runner = web.AppRunner(both, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield Production(f"http://127.0.0.1:{runner.addresses[0][1]}", http, slack_api)
    finally:
        await runner.cleanup()
        await slack_api.stop()
        app.close()


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic d2F5ZmluZGVyOmd1ZXNz",
        "Bearer not.a.jwt",
        f"Bearer {forged('RS256')}",
        f"Bearer {forged('HS256')}",
        f"Bearer {forged('none')}",
        f"Bearer {forged('none', kid=None)}",
    ],
    ids=["no-token", "basic", "garbage", "forged-rs256", "forged-hs256", "unsigned", "unsigned-no-kid"],
)
async def test_without_a_valid_token_the_answer_is_401_and_nothing_is_sent(
    production: Production, connector: Connector, authorization: str | None
) -> None:
    url, http = production.url, production.http
    activity = payload("message_personal") | {"serviceUrl": connector.service_url}
    headers = {"Content-Type": "application/json"} | (
        {"Authorization": authorization} if authorization else {}
    )
    async with http.post(f"{url}/api/messages", data=json.dumps(activity), headers=headers) as response:
        assert response.status == 401
        assert "Traceback" not in await response.text()
    async with http.get(f"{url}/healthz") as health:  # the token check covers /api/messages only
        assert health.status == 200
    assert connector.sent == []


async def test_the_token_check_leaves_slack_alone(production: Production) -> None:
    fields = slack_payload("slash_command") | {
        "text": "help",
        "response_url": production.slack_api.response_url("command"),
    }
    body = urlencode(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(body)}
    async with production.http.post(f"{production.url}/slack/events", data=body, headers=headers) as response:
        assert response.status == 200
    await production.slack_api.wait_for("response_url")


def test_dev_mode_is_refused_alongside_a_client_id() -> None:
    with pytest.raises(TeamsConfigError, match=r"WAYFINDER_TEAMS_DEV=1 .* refused alongside a client id"):
        check(PRODUCTION, dev=True)


def test_anonymous_access_through_the_sdks_own_setting_is_refused() -> None:
    with pytest.raises(TeamsConfigError, match="ANONYMOUS_ALLOWED is refused"):
        check(PRODUCTION | {S + "ANONYMOUS_ALLOWED": "true"}, dev=False)


def test_a_missing_secret_or_tenant_is_named() -> None:
    with pytest.raises(TeamsConfigError, match=f"{S}CLIENTSECRET and {S}TENANTID not set"):
        check({S + "CLIENTID": APP_ID}, dev=False)
    with pytest.raises(TeamsConfigError, match=f"{S}CERTPFXFILE not set"):
        check({S + "CLIENTID": APP_ID, S + "TENANTID": TENANT, S + "AUTHTYPE": "certificate"}, dev=False)
    check({S + "CLIENTID": APP_ID, S + "AUTHTYPE": "UserManagedIdentity"}, dev=False)  # needs nothing more
