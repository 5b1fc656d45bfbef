"""The console chat, read as a transcript."""

from __future__ import annotations

import io

from bot.channels.console.chat import run_chat
from bot.core.models import KnowledgeBase
from tests.conftest import AMBIGUOUS, WIDE_MARGIN, make_engine


def transcript(kb: KnowledgeBase, *lines: str) -> str:
    out = io.StringIO()
    run_chat(
        make_engine(kb, thresholds=WIDE_MARGIN),
        io.StringIO("".join(f"{line}\n" for line in lines)),
        out,
        interactive=False,
    )
    return out.getvalue()


def test_a_piped_conversation_reads_as_a_transcript(fixture_kb: KnowledgeBase) -> None:
    text = transcript(
        fixture_kb,
        "is my app a medical device",
        AMBIGUOUS,
        "2",
        "what's on tv tonight",
        "quit",
        "never read",
    )
    assert text.startswith(
        "> is my app a medical device\nIs my app a medical device?\n\nStage 2 of 7: Design and develop"
    )
    assert "• Medicines and Healthcare products Regulatory Agency (MHRA), required:" in text
    assert (
        "Sources:\n  https://www.gov.uk/government/publications/medical-devices-software-applications-apps"
        in text
    )
    assert "Owner: Test team. Last reviewed 1 January 2026" in text
    assert "> registration\nI'm not sure which of these you mean. Pick one:" in text
    assert "  1. Do we need to register with CQC?\n  2. Registering a device with the MHRA\n" in text
    assert "> 2\nRegistering a device with the MHRA\n\nStage 4 of 7" in text
    assert "> what's on tv tonight\nSorry, I don't have an answer for that yet." in text
    assert "never read" not in text


def test_an_interactive_session_greets_and_prompts(fixture_kb: KnowledgeBase) -> None:
    out = io.StringIO()
    run_chat(make_engine(fixture_kb), io.StringIO("hello\n"), out, interactive=True)
    assert out.getvalue().startswith("I'm Wayfinder.") and out.getvalue().rstrip().endswith(">")


def test_digit_like_text_does_not_cut_a_piped_transcript_short(fixture_kb: KnowledgeBase) -> None:
    text = transcript(fixture_kb, AMBIGUOUS, "²", AMBIGUOUS, "①", "is my app a medical device")
    assert "> ²\n" in text and "> ①\n" in text
    assert "> is my app a medical device\nIs my app a medical device?" in text
