"""The web server: Slack on /slack/events (HTTP mode), /healthz for the platform; Socket Mode
instead of /slack/events when an app-level token is given. Other channels (Teams) mount their
routes in the same application, beside these; without a Bolt app only they and /healthz are served."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Protocol

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.channels.slack.verify import refusal

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class MissingCredentials(ValueError):
    """Raised when the Slack settings cannot run the chosen mode."""


Health = Callable[[], Mapping[str, object]]
"""What /healthz adds to {"ok": true}: e.g. {"storage": "degraded", "pending": 3} (wiring supplies it)."""


class Mount(Protocol):
    """Another channel served by the same application (Teams)."""

    label: str

    def mount(self, app: web.Application) -> None: ...


def web_app(
    bolt: AsyncApp | None,
    *,
    http_events: bool = True,
    health: Health | None = None,
    signing_secret: str = "",
) -> web.Application:
    """The aiohttp application: /healthz always, /slack/events in HTTP mode with a Bolt app.
    /healthz stays 200 while the bot answers, even when storage is degraded (the body says so).
    A request that is not signed with `signing_secret`, or is malformed, is refused before Bolt
    parses it."""
    slack_events = http_events and bolt is not None
    if slack_events and not signing_secret:
        raise MissingCredentials("SLACK_SIGNING_SECRET is needed to check requests in HTTP mode.")

    async def events(request: web.Request) -> web.Response:
        assert bolt is not None  # the route is only added with a Bolt app
        body = await request.read()
        refused = refusal(body, request.headers, signing_secret, time.time())
        if refused is not None:
            log.warning("refused a request to %s with %d: %s", request.path, refused.status, refused.reason)
            return web.Response(status=refused.status, text=refused.reason)
        bolt_request = AsyncBoltRequest(
            body=body.decode(),
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]  # a multidict Bolt reads as a mapping
        )
        response = await bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, **(health() if health else {})})

    app = web.Application()
    app.router.add_get(HEALTH_PATH, healthz)
    if slack_events:
        app.router.add_post(EVENTS_PATH, events)
    return app


def check(token: str, signing_secret: str, app_token: str) -> None:
    if not token:
        raise MissingCredentials("SLACK_BOT_TOKEN is not set (the bot token, xoxb-...).")
    if not app_token and not signing_secret:
        raise MissingCredentials(
            "SLACK_SIGNING_SECRET is not set; it is needed for HTTP mode "
            "(or set SLACK_APP_TOKEN, xapp-..., for Socket Mode)."
        )


def server_app(
    bolt: AsyncApp | None,
    app_token: str = "",
    *,
    health: Health | None = None,
    signing_secret: str = "",
    also: Sequence[Mount] = (),
) -> web.Application:
    """HTTP mode, or Socket Mode when `app_token` is given (with /healthz in both); `also` mounts
    other channels' routes beside them."""
    app = web_app(bolt, http_events=not app_token, health=health, signing_secret=signing_secret)
    for channel in also:
        channel.mount(app)
    if bolt is None:
        return app

    async def web_api_session(_: web.Application) -> AsyncIterator[None]:
        """One connection pool for every Web API call, instead of a connection per call."""
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=bolt.client.timeout)) as session:
            bolt.client.session = session  # Bolt hands it to each request's client
            yield
            bolt.client.session = None

    app.cleanup_ctx.append(web_api_session)
    if app_token:

        async def socket_mode(_: web.Application) -> AsyncIterator[None]:
            handler = AsyncSocketModeHandler(bolt, app_token)
            await handler.connect_async()  # type: ignore[no-untyped-call]  # untyped in slack_bolt
            log.info("connected to Slack in Socket Mode")
            yield
            await handler.close_async()  # type: ignore[no-untyped-call]  # untyped in slack_bolt

        app.cleanup_ctx.append(socket_mode)
    return app


def run(
    bolt: AsyncApp | None,
    port: int,
    app_token: str = "",
    host: str = "0.0.0.0",
    *,
    health: Health | None = None,
    signing_secret: str = "",
    also: Sequence[Mount] = (),
) -> None:
    """Serve until stopped (SIGINT or SIGTERM)."""
    mode = "Socket Mode" if app_token else f"HTTP mode on {EVENTS_PATH}"
    served = ([f"Slack in {mode}"] if bolt is not None else []) + [channel.label for channel in also]
    print(f"Wayfinder: {'; '.join(served)}; health checks on http://{host}:{port}{HEALTH_PATH}", flush=True)
    app = server_app(bolt, app_token, health=health, signing_secret=signing_secret, also=also)
    web.run_app(app, host=host, port=port, print=None)
