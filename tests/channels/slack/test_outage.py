"""With the database down, Slack is still answered and retries are still caught (in memory)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.channels.slack.standin import StandIn
from bot.core.models import KnowledgeBase
from tests.channels.slack.conftest import payload, running

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
        await asyncio.sleep(0.2)
        assert len(standin.of("chat.postMessage")) == 1
        assert slack.app.store.gaps.pending == 1  # kept, to be written when the database is back
