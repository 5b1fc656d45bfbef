"""The Slack app (Bolt, asyncio): listeners parse the payload, call the core, render the reply.

The core is synchronous and may touch the database, so every call into it runs in a worker
thread (`asyncio.to_thread`), a few at a time; the event loop only ever waits on the network.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.deps import Deps
from bot.channels.slack import render
from bot.channels.slack.payloads import (
    Place,
    command_conversation,
    delivery_key,
    dm_conversation,
    is_from_a_person,
    mention,
    request_key,
    thread_conversation,
)
from bot.core import messages
from bot.core.engine import Conversation
from bot.core.gaps import GapSummary
from bot.core.journey import journey_map
from bot.core.replies import Outcome, Reply

log = logging.getLogger(__name__)

COMMAND = "/wayfinder"
RATE_LIMIT_RETRIES = 2
MAX_RETRY_AFTER = 30
"""Seconds: a rate limit that asks us to wait longer than this is not retried."""


class CappedRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """Retries HTTP 429 after Retry-After, unless Slack asks for a wait longer than the cap."""

    def __init__(self, max_retry_count: int = RATE_LIMIT_RETRIES, cap: int = MAX_RETRY_AFTER) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.cap = cap

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        for name, values in response.headers.items():
            if name.lower() == "retry-after" and values:
                try:
                    return int(values[0]) <= self.cap
                except ValueError:
                    return False
        return True


def retry_handlers() -> list[AsyncRetryHandler]:
    return [AsyncConnectionErrorRetryHandler(), CappedRateLimitRetryHandler()]


def web_client(token: str, api_url: str = "") -> AsyncWebClient:
    """The Web API client; `api_url` (SLACK_API_URL) points it elsewhere, e.g. at a test stand-in."""
    base = api_url or AsyncWebClient.BASE_URL
    return AsyncWebClient(
        token=token, base_url=base if base.endswith("/") else base + "/", retry_handlers=retry_handlers()
    )


def create_app(deps: Deps, *, token: str, signing_secret: str, api_url: str = "") -> AsyncApp:
    """The Bolt app with Wayfinder's listeners. Request signatures are checked (Bolt's default)."""
    bolt = AsyncApp(client=web_client(token, api_url), signing_secret=signing_secret, name="wayfinder")
    Listeners(deps).register(bolt)
    return bolt


_LISTENERS: weakref.WeakKeyDictionary[AsyncApp, Listeners] = weakref.WeakKeyDictionary()


def listeners_of(bolt: AsyncApp) -> Listeners:
    """The listeners registered on `bolt` (tests wait on their `idle`)."""
    return _LISTENERS[bolt]


def no_unfurl(message: dict[str, Any]) -> dict[str, Any]:
    """Never unfold link previews under an answer."""
    return {**message, "unfurl_links": False, "unfurl_media": False}


CORE_WORKERS = 2
"""Calls into the core at once. More would only fight the event loop for the interpreter, and
slow the acknowledgements Slack is waiting for; answers queue instead, in arrival order."""


class Listeners:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.stages = journey_map(deps.kb)
        self.core_slots = asyncio.Semaphore(CORE_WORKERS)
        self._busy = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a synchronous core call in a worker thread, a few at a time."""
        async with self.core_slots:
            return await asyncio.to_thread(fn, *args)

    def register(self, bolt: AsyncApp) -> None:
        _LISTENERS[bolt] = self
        bolt.middleware(self.ignore_bots_and_edits)
        on: list[Any] = [self.begin]  # every listener counts itself in flight (see `idle`)
        bolt.event("app_mention", middleware=on)(self.tracked(self.on_mention))
        bolt.event("message", middleware=on)(self.tracked(self.on_message))
        bolt.event("app_home_opened", middleware=on)(self.tracked(self.on_home))
        bolt.command(COMMAND, middleware=on)(self.tracked(self.on_command))
        choose, ask = rf"^{render.ACTION_CHOOSE}-\d+$", rf"^{render.ACTION_ASK}-\d+$"
        feedback = rf"^({render.ACTION_HELPFUL}|{render.ACTION_UNHELPFUL})$"
        bolt.action(re.compile(choose), middleware=on)(self.tracked(self.on_choose))
        bolt.action(re.compile(feedback), middleware=on)(self.tracked(self.on_feedback))
        bolt.action(render.ACTION_SHARE, middleware=on)(self.tracked(self.on_share))
        bolt.action(re.compile(ask), middleware=on)(self.tracked(self.on_ask))
        bolt.action(render.ACTION_LINK, middleware=on)(self.tracked(self.on_link))

    # -- knowing when all work is done (tests wait on this, never on a clock) ---------------------

    async def begin(self, next: Callable[[], Awaitable[None]]) -> None:
        """A listener matched: count it as in flight until it has finished (see `tracked`)."""
        self._busy += 1
        self._quiet.clear()
        await next()

    def tracked(self, fn: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """`fn`, counted out when it finishes; Bolt reads the arguments it wants through the wrapper."""

        @functools.wraps(fn)
        async def run(**kwargs: Any) -> None:
            try:
                await fn(**kwargs)
            finally:
                self._busy -= 1
                if not self._busy:
                    self._quiet.set()

        return run

    async def idle(self, timeout: float = 10.0) -> None:
        """Return once every request received so far has been handled to the end."""
        await asyncio.wait_for(self._quiet.wait(), timeout)

    # -- middleware --------------------------------------------------------------------------

    async def ignore_bots_and_edits(
        self, body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        """Bots (Wayfinder included) and edits or deletions get a 200 and nothing else."""
        if not is_from_a_person(body):
            return BoltResponse(status=200, body="")
        await next()
        return None

    async def first_delivery(self, body: dict[str, Any]) -> bool:
        """Claim an event before any work; a retry (X-Slack-Retry-Num) of a claimed one is dropped.

        Bolt has already acknowledged the event, so the database is never on the acknowledgement
        path. Every delivery is claimed, retries included: when the first delivery never
        arrived, the retry is the only copy and must be answered."""
        key = delivery_key(body)
        if key is not None and not await self.call(self.deps.claims.claim, key, self.deps.now()):
            log.info("ignoring a repeated delivery of %s", key)
            return False
        return True

    async def first_request(self, request: AsyncBoltRequest, body: dict[str, Any]) -> bool:
        """Claim a command or button press after acknowledging it; a replay of a signed request
        (the same trigger id, or the same timestamp and body) is dropped, as event retries are."""
        timestamp = (request.headers.get("x-slack-request-timestamp") or [""])[0]
        key = request_key(body, request.raw_body, timestamp)
        if not await self.call(self.deps.claims.claim, key, self.deps.now()):
            log.info("ignoring a replayed request %s", key)
            return False
        return True

    # -- where people ask ---------------------------------------------------------------------

    async def on_mention(
        self, body: dict[str, Any], event: dict[str, Any], context: Any, client: AsyncWebClient
    ) -> None:
        if not await self.first_delivery(body):
            return
        question = render.plain(render.strip_mentions(event.get("text", "")))
        thread = event.get("thread_ts") or event.get("ts", "")
        conv = thread_conversation(
            context.team_id or "", event.get("channel", ""), thread, event.get("user", "")
        )
        reply: Reply = await self.call(self.deps.engine.reply, conv, question)
        for page in self.render(reply, question):
            await client.chat_postMessage(
                channel=event.get("channel", ""), thread_ts=thread, **no_unfurl(page)
            )

    async def on_message(
        self, body: dict[str, Any], event: dict[str, Any], context: Any, client: AsyncWebClient
    ) -> None:
        if event.get("channel_type") != "im":
            return  # only direct messages; channels are answered through mentions
        if not await self.first_delivery(body):
            return
        question = render.plain(event.get("text", ""))
        conv = dm_conversation(context.team_id or "", event.get("user", ""))
        reply: Reply = await self.call(self.deps.engine.reply, conv, question)
        for page in self.render(reply, question, for_user=event.get("user", "")):
            await client.chat_postMessage(
                channel=event.get("channel", ""), thread_ts=event.get("thread_ts"), **no_unfurl(page)
            )

    async def on_command(
        self, ack: Any, request: AsyncBoltRequest, command: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        if not await self.first_request(request, command):
            return
        question = render.plain(command.get("text", "")).strip()
        user = command.get("user_id", "")
        word = question.lower()
        if word in ("", "help", "?"):
            await respond(response_type="ephemeral", **render.render_help(messages.HELP))
            return
        if word == "gaps":
            if user not in self.deps.staff:
                await respond(response_type="ephemeral", **render.render_notice(messages.GAPS_STAFF_ONLY))
                return
            await respond(response_type="ephemeral", **render.render_gaps(await self.gap_summary()))
            return
        conv = command_conversation(command.get("team_id", ""), command.get("channel_id", ""), user)
        reply: Reply = await self.call(self.deps.engine.reply, conv, question)
        echo = render.escape(messages.YOU_ASKED.format(question=question))
        for page in self.render(reply, question, echo=echo, share=True, for_user=user):
            await respond(response_type="ephemeral", **no_unfurl(page))

    async def on_home(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home" or not await self.first_delivery(body):
            return
        user = event.get("user", "")
        staff = user in self.deps.staff
        summary = await self.gap_summary() if staff else None
        await client.views_publish(user_id=user, view=render.home_view(self.stages, summary, staff))

    # -- buttons -----------------------------------------------------------------------------

    async def on_choose(
        self,
        ack: Any,
        request: AsyncBoltRequest,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        if not await self.first_request(request, body):
            return
        place = Place.of_action(body)
        question = render.question_from_block(action.get("block_id", ""))
        reply: Reply = await self.call(self.deps.engine.choose, place.conversation, action.get("value", ""))
        private = place.ephemeral or place.home or place.channel.startswith("D")
        pages = self.render(reply, question, share=place.ephemeral, for_user=place.user if private else "")
        await self.deliver(place, pages, client, respond)

    async def on_feedback(
        self,
        ack: Any,
        request: AsyncBoltRequest,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        """Was this helpful? A "No" puts the question in the unanswered-question log."""
        await ack()
        if not await self.first_request(request, body):
            return
        helpful = action.get("action_id") == render.ACTION_HELPFUL
        entry_id, question = render.read_value(action.get("value", ""))
        if not entry_id:
            return
        place = Place.of_action(body)
        reply: Reply = await self.call(
            self.deps.engine.feedback, place.conversation, entry_id, question, helpful
        )
        message = render.render_notice(reply.text)
        if place.ephemeral:
            await respond(response_type="ephemeral", replace_original=False, **message)
        else:
            await client.chat_postEphemeral(
                channel=place.channel, user=place.user, thread_ts=place.thread, **message
            )

    async def on_share(
        self,
        ack: Any,
        request: AsyncBoltRequest,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
    ) -> None:
        await ack()
        if not await self.first_request(request, body):
            return
        entry_id, question = render.read_value(action.get("value", ""))
        place = Place.of_action(body)
        reply = await self.call(self.answer_entry, entry_id)
        who = mention(place.user)
        echo = (
            messages.ASKED_BY.format(user=who, question=render.escape(question)) if who and question else ""
        )
        for page in self.render(reply, question, echo=echo):
            await respond(response_type="in_channel", replace_original=False, **no_unfurl(page))
        await respond(
            response_type="ephemeral", replace_original=True, **render.render_notice(messages.SHARED)
        )

    async def on_ask(
        self,
        ack: Any,
        request: AsyncBoltRequest,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
    ) -> None:
        """A question button in App Home: the answer arrives in the person's messages with Wayfinder."""
        await ack()
        if not await self.first_request(request, body):
            return
        entry = self.deps.kb.entry(action.get("value", ""))
        question = entry.questions[0] if entry and entry.questions else ""
        reply = await self.call(self.answer_entry, entry.id if entry else "")
        user = Place.of_action(body).user
        for page in self.render(reply, question, for_user=user):
            await client.chat_postMessage(channel=user, **no_unfurl(page))

    async def on_link(self, ack: Any) -> None:
        await ack()  # a link button opens its page in the browser; Slack still tells us about it

    # -- helpers -----------------------------------------------------------------------------

    def render(
        self, reply: Reply, question: str, *, echo: str = "", share: bool = False, for_user: str = ""
    ) -> list[dict[str, Any]]:
        """Block Kit for a reply, in as many messages as it needs (nothing is cut); `for_user` names
        the one person who sees it (staff are told when the answer is past its review date)."""
        if reply.outcome is Outcome.HELP:
            return [render.render_help(reply.text)]
        if reply.outcome is Outcome.NOTICE:
            return [render.render_notice(reply.text)]
        staff_today = self.deps.now().date() if for_user and for_user in self.deps.staff else None
        return render.render_pages(reply, question, echo=echo, share=share, staff_today=staff_today)

    def answer_entry(self, entry_id: str) -> Reply:
        entry = self.deps.kb.entry(entry_id)
        if entry is None:
            return Reply(Outcome.NOTICE, messages.CHOICE_EXPIRED)
        return self.deps.engine.show(entry, confidence=1.0)

    async def gap_summary(self) -> GapSummary | None:
        summary: GapSummary | None = await self.call(self.deps.gap_summary)
        return summary

    async def deliver(
        self, place: Place, pages: list[dict[str, Any]], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        """Answer where the button was: the private message it was in (its first page replaces it),
        the DM, or the thread."""
        for n, page in enumerate(pages):
            if place.ephemeral:
                await respond(response_type="ephemeral", replace_original=n == 0, **no_unfurl(page))
            elif place.home:
                await client.chat_postMessage(channel=place.user, **no_unfurl(page))
            else:
                await client.chat_postMessage(
                    channel=place.channel, thread_ts=place.thread, **no_unfurl(page)
                )


__all__ = ["Conversation", "Deps", "create_app"]
