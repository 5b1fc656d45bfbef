"""The Teams channel on the Microsoft 365 Agents SDK: the SDK checks the Bot Framework token and
sends the replies; Wayfinder's handlers parse the activity, call the core, render a card.

The SDK runs a turn inside the HTTP request, and Teams gives up after 10 to 15 seconds. So the
core runs in worker threads (a few at a time, as for Slack), and a turn still running at the
deadline carries on after the request has been answered with 202: its reply goes out through
the Bot Connector when it is ready.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from microsoft_agents.activity import Activity, ActivityTypes, load_configuration_from_env
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    ApplicationOptions,
    CardFactory,
    MessageFactory,
    OutboundHostValidator,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.storage import MemoryStorage

from bot.channels.deps import Deps
from bot.channels.teams import payloads, render
from bot.channels.teams.render import Card
from bot.core import messages
from bot.core.engine import Conversation
from bot.core.gaps import GapSummary
from bot.core.replies import Outcome, Reply

log = logging.getLogger(__name__)

warnings.filterwarnings(
    "ignore", message="It is recommended to use web.RequestKey", module="microsoft_agents"
)
"""The SDK keeps each request's claims under a string key; aiohttp would warn on every request."""

MESSAGES_PATH = "/api/messages"
SETTINGS = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
CLIENT_ID = SETTINGS + "CLIENTID"
ANONYMOUS = SETTINGS + "ANONYMOUS_ALLOWED"
NEEDS = {
    "clientsecret": ("CLIENTSECRET", "TENANTID"),
    "certificate": ("CERTPFXFILE", "TENANTID"),
    "federatedcredentials": ("FEDERATEDCLIENTID", "TENANTID"),
    "workloadidentity": ("FEDERATEDTOKENFILE", "TENANTID"),
}
"""What each of the SDK's sign-in types needs beside the client id (managed identities need nothing)."""

CORE_WORKERS = 2
"""Calls into the core at once (as for Slack): more only fight the event loop for the interpreter."""
REPLY_DEADLINE = 8.0
"""Seconds a turn may hold the request before it is answered 202 and finishes on its own; well
inside the 10 to 15 seconds Teams waits."""


class TeamsConfigError(ValueError):
    """The Teams settings cannot run: missing, contradictory, or refused by the SDK."""


def configured(sdk: Mapping[str, str], dev: bool) -> bool:
    """Whether Teams is to be served at all: a client id, or the local-testing flag."""
    return dev or bool(sdk.get(CLIENT_ID))


def check(sdk: Mapping[str, str], dev: bool) -> None:
    """Refuse settings that would run Teams wrongly; anonymous only ever with the dev flag alone."""
    if dev and sdk.get(CLIENT_ID):
        raise TeamsConfigError(
            "WAYFINDER_TEAMS_DEV=1 runs Teams without sign-in, for local testing only, and is refused "
            f"alongside a client id ({CLIENT_ID}). Unset one of them."
        )
    if dev:
        return
    if sdk.get(ANONYMOUS, "").strip().lower() in ("1", "true", "yes"):
        raise TeamsConfigError(
            f"{ANONYMOUS} is refused: Wayfinder never accepts unsigned requests with credentials set. "
            "For local testing, set WAYFINDER_TEAMS_DEV=1 without a client id."
        )
    if not sdk.get(CLIENT_ID):
        raise TeamsConfigError(
            f"{CLIENT_ID} is not set (the bot's Entra app id); "
            "or set WAYFINDER_TEAMS_DEV=1 to try it locally."
        )
    auth_type = sdk.get(SETTINGS + "AUTHTYPE", "ClientSecret").strip().lower()
    missing = [SETTINGS + name for name in NEEDS.get(auth_type, ()) if not sdk.get(SETTINGS + name)]
    if missing:
        raise TeamsConfigError(f"{' and '.join(missing)} not set (needed to sign in to the Bot Connector).")


class Handlers:
    """Parse, call the core, render: no business logic here."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.core_slots = asyncio.Semaphore(CORE_WORKERS)

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a synchronous core call in a worker thread, a few at a time."""
        async with self.core_slots:
            return await asyncio.to_thread(fn, *args)

    def register(self, agent: AgentApplication[TurnState]) -> None:
        agent.activity(ActivityTypes.message)(self.on_message)
        agent.conversation_update("membersAdded")(self.on_members_added)
        agent.error(self.on_error)

    async def first_delivery(self, activity: Activity) -> bool:
        """Claim an activity before any work; a redelivery of a claimed one is dropped."""
        key = payloads.delivery_key(activity)
        if key is not None and not await self.call(self.deps.claims.claim, key, self.deps.now()):
            log.info("ignoring a repeated delivery of %s", key)
            return False
        return True

    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        if not await self.first_delivery(activity):
            return
        conv = payloads.conversation(activity)
        submit = payloads.submitted(activity)
        if submit is not None:
            await self.on_submit(context, conv, submit)
            return
        await self.on_text(context, conv, payloads.question_text(activity.text))

    async def on_text(self, context: TurnContext, conv: Conversation, question: str) -> None:
        word = question.lower()
        if word in ("", "help", "?"):
            await send(context, render.render_help(messages.HELP))
            return
        if word == "gaps":
            if not self.is_staff(context.activity):
                await send(context, render.render_notice(messages.GAPS_STAFF_ONLY))
                return
            if not payloads.personal(context.activity):
                await send(context, render.render_notice(messages.TEAMS_GAPS_IN_CHAT))
                return
            await send(context, render.render_gaps(await self.gap_summary()))
            return
        reply: Reply = await self.call(self.deps.engine.reply, conv, question)
        await send(context, self.render(reply, question, context.activity))

    async def on_submit(self, context: TurnContext, conv: Conversation, submit: payloads.Submit) -> None:
        """A button on one of Wayfinder's cards: a choice, feedback, or words to say."""
        if submit.verb == payloads.VERB_SAY and submit.text:
            await self.on_text(context, conv, submit.text)
            return
        if submit.verb == payloads.VERB_FEEDBACK and submit.entry:
            reply: Reply = await self.call(
                self.deps.engine.feedback, conv, submit.entry, submit.question, submit.helpful
            )
            await send(context, render.render_notice(reply.text))
            return
        if submit.verb == payloads.VERB_CHOOSE and submit.value:
            reply = await self.call(self.deps.engine.choose, conv, submit.value)
            await send(context, self.render(reply, submit.question, context.activity))
            return
        await send(context, render.render_notice(messages.CHOICE_EXPIRED))

    async def on_members_added(self, context: TurnContext, state: TurnState) -> None:
        """Welcome when Wayfinder itself is added; people joining a team hear nothing from it."""
        if payloads.bot_added(context.activity) and await self.first_delivery(context.activity):
            await send(context, render.render_help(messages.HELP, welcome=True))

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        """Never show a stack or an exception's words to a person: log them, apologise."""
        log.error("Teams turn failed (%s)", type(error).__name__, exc_info=error)
        try:
            await send(context, render.render_notice(messages.TEAMS_ERROR))
        except Exception as exc:  # the Bot Connector itself is failing: nothing more to say
            log.warning("could not send the apology (%s)", type(exc).__name__)

    # -- helpers -----------------------------------------------------------------------------

    def is_staff(self, activity: Activity) -> bool:
        return bool(payloads.user_ids(activity) & self.deps.staff)

    def staff_only_here(self, activity: Activity) -> bool:
        """Staff, in their own chat with Wayfinder: staff-only notes are seen by no one else."""
        return self.is_staff(activity) and payloads.personal(activity)

    def render(self, reply: Reply, question: str, activity: Activity) -> Card:
        if reply.outcome is Outcome.HELP:
            return render.render_help(reply.text)
        if reply.outcome is Outcome.NOTICE and not reply.choices:
            return render.render_notice(reply.text)
        overdue = reply.overdue(self.deps.now().date()) and self.staff_only_here(activity)
        return render.render_reply(reply, question, overdue_since=reply.review_by if overdue else None)

    async def gap_summary(self) -> GapSummary | None:
        summary: GapSummary | None = await self.call(self.deps.gap_summary)
        return summary


async def send(context: TurnContext, card: Card) -> None:
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    activity.summary = card.get("fallbackText", "")
    await context.send_activity(activity)


def sdk_configuration(sdk: Mapping[str, str], dev: bool) -> dict[str, Any]:
    """The SDK's nested configuration from its variables; anonymous exactly when in dev mode."""
    config: dict[str, Any] = load_configuration_from_env(sdk)
    settings = config["CONNECTIONS"].setdefault("SERVICE_CONNECTION", {}).setdefault("SETTINGS", {})
    settings["ANONYMOUS_ALLOWED"] = dev
    return config


@dataclass
class Teams:
    """The SDK's agent and adapter, and how they are mounted in the shared web server."""

    agent: AgentApplication[TurnState]
    adapter: CloudAdapter
    auth: AgentAuthConfiguration
    """What the SDK's token check validates against."""
    deadline: float = REPLY_DEADLINE
    label: str = f"Teams on {MESSAGES_PATH}"
    running: set[asyncio.Task[Any]] = field(default_factory=set)

    def mount(self, app: web.Application) -> None:
        """POST /api/messages, with the SDK's JWT check on this route only (never Slack's or /healthz)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the SDK reads this string key (aiohttp's NotAppKeyWarning)
            app["agent_configuration"] = self.auth
        app.router.add_post(MESSAGES_PATH, self.messages)
        app.cleanup_ctx.append(self._finish_turns)

    async def messages(self, request: web.Request) -> web.StreamResponse:
        reached = False

        async def authorised(request: web.Request) -> web.StreamResponse:
            nonlocal reached
            reached = True
            return await self.process(request)

        guarded = jwt_authorization_decorator(authorised)  # type: ignore[no-untyped-call]  # untyped in the SDK
        try:
            response: web.StreamResponse = await guarded(request)
        except Exception as exc:
            if reached:
                raise
            # the SDK's token check can raise on a token it cannot read (one with no key id)
            log.warning("refused a request whose token could not be read (%s)", type(exc).__name__)
            return web.json_response({"error": "Invalid token or authentication failed."}, status=401)
        return response

    async def process(self, request: web.Request) -> web.StreamResponse:
        """Check the activity, then run its turn; past the deadline, answer 202 and let it finish."""
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "The body is not JSON."}, status=400)
        activity = payloads.parse_activity(body)
        if activity is None:
            return web.json_response({"error": "The body is not an activity Wayfinder can read."}, status=400)
        turn = asyncio.ensure_future(start_agent_process(request, self.agent, self.adapter))
        if activity.type == ActivityTypes.invoke:
            return await _response(turn)
        done, _ = await asyncio.wait({turn}, timeout=self.deadline)
        if done:
            return await _response(turn)
        log.info(
            "a Teams turn passed %.1f s; answering 202 and finishing it in the background", self.deadline
        )
        self.running.add(turn)
        turn.add_done_callback(self._turn_finished)
        return web.Response(status=202)

    def _turn_finished(self, turn: asyncio.Future[Any]) -> None:
        self.running.discard(turn)
        if not turn.cancelled() and (exc := turn.exception()) is not None:
            log.error("a Teams turn failed after its request was answered (%s)", type(exc).__name__)

    async def _finish_turns(self, _: web.Application) -> AsyncIterator[None]:
        """On shutdown, let turns still running send their replies (for a while)."""
        yield
        if self.running:
            await asyncio.wait(set(self.running), timeout=self.deadline)


async def _response(turn: Awaitable[web.Response | None]) -> web.StreamResponse:
    response = await turn
    return response if response is not None else web.Response(status=202)


def create_teams(
    deps: Deps,
    sdk: Mapping[str, str],
    *,
    dev: bool = False,
    deadline: float = REPLY_DEADLINE,
) -> Teams:
    """The Teams channel. Raises TeamsConfigError for settings it must not run with.

    Outside dev mode the adapter refuses to send replies anywhere but Microsoft's own hosts
    (the SDK's outbound host check); in dev mode the Agents Playground listens on this machine."""
    check(sdk, dev)
    if dev:  # without an app id the SDK warns on every turn that some operations may not work
        logging.getLogger("microsoft_agents.hosting.core.connector.client.user_token_client").setLevel(
            logging.ERROR
        )
    config = sdk_configuration(sdk, dev)
    try:
        connections = MsalConnectionManager(**config)
    except ValueError as exc:
        raise TeamsConfigError(f"the Agents SDK refused the Teams settings: {exc}") from exc
    storage = MemoryStorage()  # required by the SDK; Wayfinder keeps no turn state in it
    adapter = CloudAdapter(
        connection_manager=connections, host_validator=OutboundHostValidator(enabled=not dev)
    )
    agent: AgentApplication[TurnState] = AgentApplication[TurnState](
        ApplicationOptions(storage=storage, remove_recipient_mention=True), connection_manager=connections
    )
    Handlers(deps).register(agent)
    return Teams(agent, adapter, connections.get_default_connection_configuration(), deadline)
