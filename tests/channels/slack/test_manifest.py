"""The Slack app manifest asks for only what Wayfinder uses, and points where the server listens."""

from __future__ import annotations

import json
from pathlib import Path

from bot.channels.slack import app, server

MANIFEST = json.loads((Path(app.__file__).parent / "manifest.json").read_text())


def test_only_the_scopes_and_events_that_are_used() -> None:
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == [
        "app_mentions:read",  # app_mention
        "chat:write",  # answers, private thanks
        "commands",  # /wayfinder
        "im:history",  # message.im
    ]
    assert "user" not in MANIFEST["oauth_config"]["scopes"]
    assert sorted(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == [
        "app_home_opened",
        "app_mention",
        "message.im",
    ]


def test_the_command_home_and_urls_match_the_server() -> None:
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == app.COMMAND
    urls = [
        command["url"],
        MANIFEST["settings"]["event_subscriptions"]["request_url"],
        MANIFEST["settings"]["interactivity"]["request_url"],
    ]
    assert all(url.startswith("https://") and url.endswith(server.EVENTS_PATH) for url in urls)
    home = MANIFEST["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"]
    assert not home["messages_tab_read_only_enabled"]
    assert len(MANIFEST["display_information"]["name"]) <= 35
