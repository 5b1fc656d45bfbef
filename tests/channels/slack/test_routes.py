"""A guided route in Slack: however long, every step and the summary arrive, over several messages."""

from __future__ import annotations

import json
from pathlib import Path

from bot.channels.slack.render import MAX_BLOCKS, MAX_MESSAGE_CHARS
from bot.channels.slack.standin import StandIn
from bot.content.flows import load_flows
from bot.core import messages
from bot.core.models import KnowledgeBase
from tests.channels.console.test_flow_transcripts import AI_TRIAGE_FOR_AN_NHS_TRUST
from tests.channels.slack.conftest import running
from tests.conftest import ROOT


async def test_the_software_route_arrives_whole_across_messages(
    tmp_path: Path, standin: StandIn, real_kb: KnowledgeBase
) -> None:
    flows, _ = load_flows(ROOT / "flows", real_kb)
    async with running(tmp_path, standin, real_kb, flows=flows) as slack:
        for n, line in enumerate(AI_TRIAGE_FOR_AN_NHS_TRUST, start=1):
            await slack.dm(line)
            await standin.wait_for("chat.postMessage", n)
        await slack.idle()
    pages = [c.body for c in standin.of("chat.postMessage")[len(AI_TRIAGE_FOR_AN_NHS_TRUST) - 1 :]]
    assert len(pages) > 1
    for page in pages:
        assert len(page["blocks"]) <= MAX_BLOCKS
        assert len(json.dumps(page["blocks"], ensure_ascii=False)) <= MAX_MESSAGE_CHARS
    text = "".join(json.dumps(p, ensure_ascii=False) for p in pages)
    assert messages.TRUNCATED not in text
    assert "## Result" in text and "## What this does not tell you" in text  # the summary to save
    for org in ("MHRA", "NICE", "HRA", "NHSE", "ICO"):
        assert f"Open the {org} page" in text, org
