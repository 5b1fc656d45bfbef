"""Refuse a bad request before anything reads it: the signature first, then the body's shape.

Bolt parses the body before it checks the signature, so a request with bad JSON, bytes that are
not UTF-8 or a timestamp that is not a number got a 500 and a traceback. Here a forged or stale
request gets 401 and a signed but malformed one 400, each with one log line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

MAX_AGE = 300
"""Seconds: Slack's own limit on how old a signed request may be (replays beyond it are refused)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int
    reason: str


def refusal(body: bytes, headers: Mapping[str, str], secret: str, now: float) -> Refusal | None:
    """Why this request must be refused, or None when it is signed by Slack and well formed."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return Refusal(401, "no timestamp, or not a number")
    if abs(now - int(timestamp)) > MAX_AGE:
        return Refusal(401, "stale timestamp")
    expected = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    if not hmac.compare_digest(f"v0={expected.hexdigest()}".encode(), signature.encode(errors="replace")):
        return Refusal(401, "bad signature")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "body is not UTF-8")
    try:
        if headers.get("Content-Type", "").startswith("application/json"):
            if not isinstance(json.loads(text), dict):
                return Refusal(400, "body is not a JSON object")
        else:
            for value in parse_qs(text).get("payload", []):
                if not isinstance(json.loads(value), dict):
                    return Refusal(400, "payload is not a JSON object")
    except ValueError:
        return Refusal(400, "body is not valid JSON")
    return None
