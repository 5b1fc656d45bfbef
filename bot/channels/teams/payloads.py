"""What a Teams activity says, parsed once: the question as plain text, a submitted card's value,
the conversation it belongs to, and the key a redelivery is recognised by.

Everything here is untrusted input: a card's value comes back from the client as the person's
Teams sent it, so it is read field by field and anything unexpected is dropped.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from typing import Any

from microsoft_agents.activity import Activity
from pydantic import ValidationError

from bot.core.engine import Conversation

CHANNEL = "teams"

VERB_CHOOSE = "choose"
VERB_FEEDBACK = "feedback"
VERB_SAY = "say"

MAX_KEY = 255
"""The event-claims key column's width."""

_MENTION = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def question_text(text: str | None) -> str:
    """The words a person typed. The SDK has already removed Wayfinder's own mention; anyone else
    mentioned stays as their plain name, other markup goes, and entities become characters."""
    text = _MENTION.sub(lambda m: m.group(1), text or "")
    text = html.unescape(_TAG.sub(" ", text))
    return " ".join(text.split())


def parse_activity(body: Any) -> Activity | None:
    """The activity in a request body, or None when it is not one Wayfinder can act on."""
    if not isinstance(body, dict):
        return None
    try:
        activity = Activity.model_validate(body)
    except ValidationError:
        return None
    if not activity.type or not activity.conversation or not activity.conversation.id:
        return None
    if activity.type in ("message", "conversationUpdate") and not activity.service_url:
        return None  # nowhere to send a reply
    return activity


def delivery_key(activity: Activity) -> str | None:
    """The key a redelivered activity is recognised by: its id within its conversation."""
    if not activity.id or not activity.conversation:
        return None
    key = f"msteams:{activity.conversation.id}:{activity.id}"
    if len(key) > MAX_KEY:
        key = "msteams:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def tenant(activity: Activity) -> str:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    found = (data.get("tenant") or {}).get("id") if isinstance(data.get("tenant"), dict) else None
    if not found and activity.conversation is not None:
        found = activity.conversation.tenant_id
    return str(found or "")


def conversation(activity: Activity) -> Conversation:
    """A personal chat, a group chat or a channel thread (its id names the thread)."""
    user = activity.from_property.id if activity.from_property and activity.from_property.id else ""
    conv_id = activity.conversation.id if activity.conversation else ""
    return Conversation(CHANNEL, f"{tenant(activity)}:{conv_id}", user)


def personal(activity: Activity) -> bool:
    """A one-to-one chat with Wayfinder (not a channel or a group chat, where others read along)."""
    return activity.conversation is not None and activity.conversation.conversation_type == "personal"


def user_ids(activity: Activity) -> frozenset[str]:
    """The ids the sender is known by: the Teams user id (29:...) and the Entra object id."""
    sender = activity.from_property
    if sender is None:
        return frozenset()
    return frozenset(i for i in (sender.id, sender.aad_object_id) if i)


def bot_added(activity: Activity) -> bool:
    """A conversationUpdate that adds Wayfinder itself (installed, or added to a team or chat)."""
    me = activity.recipient.id if activity.recipient else None
    return bool(me) and any(m.id == me for m in activity.members_added or [])


@dataclass(frozen=True, slots=True)
class Submit:
    """What an `Action.Submit` on one of Wayfinder's cards carried back."""

    verb: str
    value: str = ""
    question: str = ""
    entry: str = ""
    helpful: bool = False
    text: str = ""


def submitted(activity: Activity) -> Submit | None:
    """A card's `Action.Submit` arrives as a message with a `value` object and no text."""
    value = activity.value
    if activity.type != "message" or not isinstance(value, dict) or (activity.text or "").strip():
        return None

    def field(name: str, limit: int = 2000) -> str:
        found = value.get(name)
        return found[:limit] if isinstance(found, str) else ""

    return Submit(
        verb=field("verb", 40),
        value=field("value"),
        question=question_text(field("q")),
        entry=field("entry", 200),
        helpful=value.get("helpful") is True,
        text=question_text(field("text")),
    )
