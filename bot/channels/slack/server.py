"""The web server: Slack on /slack/events (HTTP mode), /healthz for the platform; Socket Mode
instead of /slack/events when an app-level token is given. Other channels (Teams) mount their
routes in the same application, beside these; without a Bolt app only they and /healthz are served."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class MissingCredentials(ValueError):
    """Raised when the Slack settings cannot run the chosen mode."""


class Mount(Protocol):
    """Another channel served by the same application (Teams)."""

    label: str

    def mount(self, app: web.Application) -> None: ...


def web_app(bolt: AsyncApp | None, *, http_events: bool = True) -> web.Application:
    """The aiohttp application: /healthz always, /slack/events in HTTP mode."""

    async def events(request: web.Request) -> web.Response:
        assert bolt is not None  # the route is only added with a Bolt app
        response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get(HEALTH_PATH, health)
    if http_events and bolt is not None:
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


def server_app(bolt: AsyncApp | None, app_token: str = "", also: Sequence[Mount] = ()) -> web.Application:
    """HTTP mode, or Socket Mode when `app_token` is given (with /healthz in both); `also` mounts
    other channels' routes beside them."""
    app = web_app(bolt, http_events=not app_token)
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
    bolt: AsyncApp | None, port: int, app_token: str = "", host: str = "0.0.0.0", also: Sequence[Mount] = ()
) -> None:
    """Serve until stopped (SIGINT or SIGTERM)."""
    mode = "Socket Mode" if app_token else f"HTTP mode on {EVENTS_PATH}"
    served = ([f"Slack in {mode}"] if bolt is not None else []) + [channel.label for channel in also]
    print(f"Wayfinder: {'; '.join(served)}; health checks on http://{host}:{port}{HEALTH_PATH}", flush=True)
    web.run_app(server_app(bolt, app_token, also), host=host, port=port, print=None)
