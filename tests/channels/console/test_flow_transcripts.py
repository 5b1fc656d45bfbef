"""The three guided flows in the console, read as transcripts, on the real knowledge and flows."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.channels.console.chat import run_chat
from bot.content.flows import load_flows
from bot.core.engine import Engine
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from bot.storage.memory import MemoryGapLog, MemorySessionStore
from tests.conftest import ROOT, Clock

AI_TRIAGE_FOR_AN_NHS_TRUST = [
    "find my route",
    "1",  # Software or AI
    "1",  # a medical purpose: yes
    "2",  # no, others (the trust) deliver the care
    "4",  # identifiable data: not sure
    "1",  # evaluating it with patients: yes
    "1",  # that is research
    "1",  # England only
    "1",  # an NHS trust
    "2",  # designing and building it
]


def transcript(kb: KnowledgeBase, matcher: Matcher, *lines: str) -> str:
    flows, _ = load_flows(ROOT / "flows", kb)
    engine = Engine(kb, matcher, MemoryGapLog(), MemorySessionStore(), now=Clock(), flows=flows)
    out = io.StringIO()
    run_chat(engine, io.StringIO("".join(f"{line}\n" for line in lines)), out, interactive=False)
    return out.getvalue()


def assert_acceptance_route(text: str) -> None:
    route = text[text.index("## Result") : text.index("## What this does not tell you")]
    headings = re.findall(r"^### Stage (\d) of 7: (.+?)(?: \(you are here\))?$", route, re.MULTILINE)
    assert [int(n) for n, _ in headings] == sorted(int(n) for n, _ in headings)  # grouped, in order
    assert "### Stage 2 of 7: Design and develop (you are here)" in route
    by_stage = dict(
        zip([n for n, _ in headings], re.split(r"^### .*$", route, flags=re.MULTILINE)[1:], strict=True)
    )
    for org in ("(MHRA)", "(NICE)", "(HRA)", "(NHSE)", "(ICO)"):
        assert org in route, org
    assert "DTAC" in by_stage["4"] and "DCB0129" in by_stage["2"] and "DCB0160" in by_stage["5"]
    assert "(ICO)**, required: ICO guidance on DPIAs, including when you need one" in by_stage["2"]
    assert "(MHRA)**, required: Medical devices: software applications (apps) guidance" in by_stage["2"]
    assert "(HRA)**, required: IRAS help on HRA and HCRW Approval" in by_stage["3"]
    assert "(NICE)**, best practice: Evidence standards framework" in by_stage["3"]
    assert "(from Wayfinder answer nhse-dtac-what-is-it)" in by_stage["4"]
    assert (
        "(CQC)" not in by_stage.get("4", "") or "Machine learning" in by_stage["4"]
    )  # supplier, not provider


def test_find_my_route_for_an_ai_triage_tool_used_by_an_nhs_trust(
    real_kb: KnowledgeBase, real_matcher: Matcher
) -> None:
    text = transcript(real_kb, real_matcher, *AI_TRIAGE_FOR_AN_NHS_TRUST)
    assert text.startswith("> find my route\nFind my route: question 1\n")
    assert "> 1\nFind my route: question 2\n\nDoes it have a medical purpose?" in text
    assert "“medical purpose”: What the product is for" in text
    assert "  1. Yes\n  2. No\n  3. Not sure\n  4. Back\n  5. Start again\n  6. Cancel" in text
    assert "> 2\nYour route\n\nStage 2 of 7: Design and develop\n" in text
    assert "What this does not tell you: This is a starting point" in text
    assert "- Who will buy or use it? **An NHS trust**" in text
    assert "  1. Change my last answer\n  2. Start again" in text
    assert_acceptance_route(text)


def test_the_acceptance_transcript_piped_to_the_command_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/chat.db",
        "WAYFINDER_SPOOL": str(tmp_path / "s"),
    }
    for name in ("WAYFINDER_KNOWLEDGE", "WAYFINDER_FLOWS"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"], input="\n".join(AI_TRIAGE_FOR_AN_NHS_TRUST) + "\n",
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_acceptance_route(result.stdout)


def test_do_i_need_to_register_with_cqc(real_kb: KnowledgeBase, real_matcher: Matcher) -> None:
    text = transcript(
        real_kb, real_matcher,
        "Do I need to register with CQC?", "1", "We supply technology to care providers", "2",
    )  # fmt: skip
    assert "> Do I need to register with CQC?\nDo I need to register with CQC?: question 1\n" in text
    assert "> 2\nYou are unlikely to need to register with CQC\n\nUsually not." in text
    assert "(from Wayfinder answer cqc-technology-supplier-vs-provider)" in text
    assert (
        "https://www.cqc.org.uk/what-we-do/how-we-work-people/machine-learning-diagnostic-screening-services"
        in text
    )
    # a provider of online consultations is told to register, with the source
    text = transcript(real_kb, real_matcher, "do we need cqc registration", "1", "1", "1")
    assert "You are likely to need to register with CQC" in text
    assert "(from Wayfinder answer cqc-online-gp-video-consultations)" in text


def test_is_my_project_research(real_kb: KnowledgeBase, real_matcher: Matcher) -> None:
    text = transcript(real_kb, real_matcher, "is my project research", "2", "no", "2")
    assert "> is my project research\nIs my project research?: question 1\n" in text
    assert "It is likely to be a service evaluation or audit" in text
    assert (
        "https://www.hra-decisiontools.org.uk/research/ (from Wayfinder answer hra-is-my-project-research)"
        in text
    )
    text = transcript(real_kb, real_matcher, "is my study research", "1")
    assert "It is likely to be research" in text and "(from Wayfinder answer hra-approval-iras)" in text


def test_back_restart_cancel_and_help_in_the_console(real_kb: KnowledgeBase, real_matcher: Matcher) -> None:
    lines = ["is my project research", "banana", "2", "back", "start again", "cancel"]
    text = transcript(real_kb, real_matcher, *lines, "is my app a medical device")
    assert (
        "> banana\nIs my project research?: question 1\n\nSorry, I didn't catch which answer you meant."
        in text
    )
    assert "  1. Yes\n  2. No\n  3. Not sure\n  4. Cancel\n\n> 2" in text
    assert "> back\nIs my project research?: question 1" in text
    assert "> start again\nIs my project research?: question 1" in text
    assert "> cancel\nOK, I've stopped “Is my project research?”." in text
    assert "> is my app a medical device\nIs my app or software a medical device, and who decides?" in text
