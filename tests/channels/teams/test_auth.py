"""With credentials set, only requests carrying a valid Bot Framework token are served; dev mode
(anonymous, for the Agents Playground) is refused alongside them."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from bot import wiring
from bot.channels.deps import Deps
from bot.channels.slack.server import server_app
from bot.channels.teams.app import TeamsConfigError, check, create_teams
from bot.channels.teams.standin import Connector
from bot.core.models import KnowledgeBase
from bot.settings import Settings
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


@pytest.fixture
async def production(
    tmp_path: Path, connector: Connector, fixture_kb: KnowledgeBase
) -> AsyncIterator[tuple[str, aiohttp.ClientSession]]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/w.db", spool=tmp_path / "spool", teams_sdk=PRODUCTION
    )
    app = wiring.build(settings, fixture_kb)
    deps = Deps(app.engine, fixture_kb, app.store.gaps, wiring.event_claims(app.store))
    runner = web.AppRunner(server_app(None, also=[create_teams(deps, PRODUCTION)]), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield f"http://127.0.0.1:{runner.addresses[0][1]}", http
    finally:
        await runner.cleanup()
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
    production: tuple[str, aiohttp.ClientSession], connector: Connector, authorization: str | None
) -> None:
    url, http = production
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
