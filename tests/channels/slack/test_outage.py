"""With the database down, Slack is still answered and retries are still caught (in memory)."""

from __future__ import annotations

from pathlib import Path

from bot.channels.slack.standin import StandIn
from bot.core.models import KnowledgeBase
from tests.channels.slack.conftest import payload, running
from tests.support.tcpproxy import TcpProxy

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:9/test"
"""Nothing listens on the discard port: every connection is refused at once."""


async def test_answers_carry_on_and_retries_are_still_deduplicated(
    tmp_path: Path, standin: StandIn, fixture_kb: KnowledgeBase
) -> None:
    async with running(tmp_path, standin, fixture_kb, database_url=NOWHERE) as slack:
        event = payload("message_im")
        event["event"]["text"] = "what is the weather on mars"
        assert (await slack.event(event)).status == 200
        assert (await slack.event(event, retry=1)).status == 200
        [call] = await standin.wait_for("chat.postMessage", timeout=15)
        assert "don't have an answer" in call.body["text"]
        await slack.idle()
        assert len(standin.of("chat.postMessage")) == 1
        assert slack.app.store.gaps.pending == 1  # kept, to be written when the database is back
        assert await slack.health() == {"ok": True, "storage": "degraded", "pending": 1}


async def test_a_database_that_hangs_stops_no_reply(
    tmp_path: Path,
    standin: StandIn,
    fixture_kb: KnowledgeBase,
    proxied_postgres: tuple[TcpProxy, str],
) -> None:
    """A silent partition: the database accepts and never answers. Replies carry on within
    Slack's deadline, /healthz says storage is degraded, and the question is written later."""
    proxy, url = proxied_postgres
    async with running(tmp_path, standin, fixture_kb, database_url=url) as slack:
        await slack.dm("is my app a medical device")  # up: migrated, connections pooled
        await standin.wait_for("chat.postMessage", timeout=30)
        proxy.hang()
        await slack.dm("what is the weather on mars")
        [_, call] = await standin.wait_for("chat.postMessage", 2, timeout=10)
        assert "don't have an answer" in call.body["text"]
        health = await slack.health()
        assert health["ok"] is True and health["storage"] == "degraded" and health["pending"] == 1
        proxy.resume()
        assert [r["text"] for r in slack.rows("gaps")] == ["what is the weather on mars"]
