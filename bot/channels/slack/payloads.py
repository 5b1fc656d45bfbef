"""Where a Slack payload came from, parsed once: the conversation it belongs to and where to answer.

Conversation ids line up across surfaces, so a button answers in the conversation that showed
it: a direct message and App Home share one per person; a channel thread is one; a slash
command's private answers are one per person per channel.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from bot.core.engine import Conversation

CHANNEL = "slack"

IGNORED_SUBTYPES_EXCEPT = frozenset({"file_share", "thread_broadcast"})
"""Message subtypes that are still a person talking; every other subtype (edits, deletions,
joins, bot messages) is ignored."""

_ID = re.compile(r"[A-Z0-9]{2,40}")


def is_from_a_person(body: dict[str, Any]) -> bool:
    """False for events from any bot (Wayfinder included) and for edits, deletions and the like."""
    event = body.get("event")
    if not isinstance(event, dict):
        return True
    if event.get("bot_id") or event.get("bot_profile"):
        return False
    subtype = event.get("subtype")
    return subtype is None or subtype in IGNORED_SUBTYPES_EXCEPT


def delivery_key(body: dict[str, Any]) -> str | None:
    """The key a delivery is deduplicated on: workspace and event id (None if not an event)."""
    event_id = body.get("event_id")
    if body.get("type") != "event_callback" or not event_id:
        return None
    owner = body.get("team_id") or body.get("enterprise_id") or ""
    return f"{owner}:{event_id}"


def request_key(body: dict[str, Any], raw_body: str, timestamp: str) -> str:
    """The key a command or button press is deduplicated on, so a replayed signed request has no
    second effect: its trigger id (Slack gives each interaction its own), else a digest of the
    signed timestamp and body."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or body.get("enterprise_id") or ""
    trigger = body.get("trigger_id")
    if isinstance(trigger, str) and trigger:
        return f"{team}:trigger:{trigger}"
    digest = hashlib.sha256(f"{timestamp}:{raw_body}".encode(errors="replace")).hexdigest()
    return f"{team}:request:{digest}"


def mention(user: str) -> str:
    """`<@U123>` for a well-formed user id; anything else is not turned into markup."""
    return f"<@{user}>" if _ID.fullmatch(user) else ""


def dm_conversation(team: str, user: str) -> Conversation:
    return Conversation(CHANNEL, f"{team}:dm:{user}", user)


def thread_conversation(team: str, channel: str, thread: str, user: str) -> Conversation:
    return Conversation(CHANNEL, f"{team}:{channel}:{thread}", user)


def command_conversation(team: str, channel: str, user: str) -> Conversation:
    return Conversation(CHANNEL, f"{team}:{channel}:{user}", user)


@dataclass(frozen=True, slots=True)
class Place:
    """Where a button was pressed, and so where its answer goes."""

    team: str
    user: str
    channel: str
    thread: str | None
    ephemeral: bool
    home: bool

    @property
    def conversation(self) -> Conversation:
        if self.home or self.channel.startswith("D"):
            return dm_conversation(self.team, self.user)
        if self.ephemeral:
            return command_conversation(self.team, self.channel, self.user)
        return thread_conversation(self.team, self.channel, self.thread or "", self.user)

    @classmethod
    def of_action(cls, body: dict[str, Any]) -> Place:
        container = body.get("container") or {}
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
        team = (body.get("team") or {}).get("id") or (body.get("enterprise") or {}).get("id") or ""
        return cls(
            team=team,
            user=(body.get("user") or {}).get("id", ""),
            channel=channel,
            thread=message.get("thread_ts") or container.get("thread_ts") or message.get("ts"),
            ephemeral=bool(container.get("is_ephemeral")),
            home=container.get("type") == "view",
        )
