"""Block Kit rendering: Slack's limits hold however long the content, and user text is defused."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from bot.channels.slack import render
from bot.core.journey import journey_map
from bot.core.models import KnowledgeBase, Stage
from bot.core.replies import Choice, Link, Outcome, Reply

STAGE = Stage("evidence", "Test and generate evidence", "Pilot it.", 3)
ANSWER = Reply(
    Outcome.ANSWER,
    "Talk to the HRA.",
    title="Do we need ethics approval?",
    entry_id="ethics",
    stage=STAGE,
    links=(Link("HRA", "Health Research Authority", "Use the decision tool", "https://hra.nhs.uk/", True),),
    sources=("https://www.hra.nhs.uk/a?b=1&c=2",),
    reviewed=date(2026, 3, 3),
)


def within_limits(message: dict[str, Any], max_blocks: int = 50) -> None:
    blocks = message["blocks"]
    assert message.get("type") == "home" or 0 < len(message["text"]) <= 3000
    assert len(blocks) <= max_blocks
    assert len(json.dumps(blocks, ensure_ascii=False)) <= 13_000 or max_blocks == 100
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
        if "block_id" in block:
            assert len(block["block_id"]) <= 255
        elements = block.get("elements", []) + ([block["accessory"]] if "accessory" in block else [])
        for element in elements:
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
                assert len(element.get("value", "")) <= 2000


def test_escape_defuses_slack_markup() -> None:
    assert render.escape("R&D <b> >") == "R&amp;D &lt;b&gt; &gt;"
    assert render.escape("<!channel> @here @Everyone") == "&lt;!channel&gt; @\u2060here @\u2060Everyone"


def test_plain_turns_markup_into_what_was_typed() -> None:
    assert render.plain("<!channel> hi") == "@channel hi"
    assert render.plain("<!subteam^S123|@nurses> hi") == "@nurses hi"
    assert render.plain("<https://evil.example|https://nhs.uk>") == "https://nhs.uk (https://evil.example)"
    assert render.plain("<https://nhs.uk>") == "https://nhs.uk"
    assert render.plain("<@U123> and <#C1|general>") == "@U123 and #general"
    assert render.plain("A &amp; B &lt;3") == "A & B <3"
    assert render.strip_mentions("<@UWAYFINDER>  <@U2|bob>: hello <@U3>") == "hello <@U3>"


def test_an_answer_shows_title_stage_signposts_sources_and_feedback() -> None:
    [message] = render.render_pages(ANSWER, "ethics?")
    within_limits(message)
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["header", "context", "section", "section", "section", "context", "context", "actions"]
    assert message["blocks"][1]["elements"][0]["text"] == "Stage 3 of 7: Test and generate evidence"
    signpost = message["blocks"][4]
    assert signpost["text"]["text"] == "*Health Research Authority* (required)\nUse the decision tool"
    assert signpost["accessory"]["url"] == "https://hra.nhs.uk/"
    footer = [e["text"] for e in message["blocks"][5]["elements"]]
    assert footer == [
        "Sources: <https://www.hra.nhs.uk/a?b=1&amp;c=2|www.hra.nhs.uk>",
        "Last reviewed 3 March 2026",
    ]


def test_long_content_is_split_across_messages_never_cut() -> None:
    paragraph = "Word " * 400
    huge = replace(
        ANSWER,
        text="\n\n".join([paragraph] * 40),
        links=ANSWER.links * 60,
        watch_out=("Careful. " * 500,) * 5,
        extra=(paragraph,) * 30,
        choices=tuple(Choice("A very long label " * 10, f"pick:{n}") for n in range(30)),
    )
    pages = render.render_pages(huge, "q" * 5000, echo="You asked")
    for page in pages:
        within_limits(page)
    blocks = [b for page in pages for b in page["blocks"]]
    assert pages[0]["blocks"][0]["type"] == "header" and len(pages) > 2
    assert sum(1 for b in blocks if b.get("accessory", {}).get("url") == "https://hra.nhs.uk/") == 60
    assert (
        sum(1 for b in blocks if b["type"] == "section" and b["text"]["text"].startswith("Word ")) >= 40 + 30
    )
    assert not any(render.messages.TRUNCATED in json.dumps(page) for page in pages)
    assert sum(len(b["elements"]) for b in blocks if b.get("block_id", "").startswith("choices:")) == 25
    last = pages[-1]["blocks"]
    assert last[-1]["elements"][-1]["action_id"] == render.ACTION_UNHELPFUL  # feedback comes last


def test_a_long_title_and_question_still_fit() -> None:
    [message] = render.render_pages(replace(ANSWER, title="T" * 400), "é" * 3000, share=True)
    within_limits(message)
    entry, question = render.read_value(message["blocks"][-1]["elements"][0]["value"])
    assert entry == "ethics" and question == "é" * render.MAX_QUESTION


def test_an_unreadable_button_value_reads_as_nothing() -> None:
    assert render.read_value("not json") == ("", "")
    assert render.read_value("[1]") == ("", "")


def test_the_home_view_fits_on_the_real_knowledge_base(real_kb: KnowledgeBase) -> None:
    view = render.home_view(journey_map(real_kb))
    within_limits(view, max_blocks=100)
    assert sum(1 for b in view["blocks"] if b["type"] == "divider") == 7


def test_an_answer_offers_related_entries_as_see_also_buttons() -> None:
    reply = replace(ANSWER, choices=(Choice("Is it research?", "pick:research:"),))
    [message] = render.render_pages(reply, "ethics?")
    contexts = [e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert "See also" in contexts
    (buttons,) = [
        b["elements"] for b in message["blocks"] if b["type"] == "actions" and len(b["elements"]) == 1
    ]
    assert buttons[0]["text"]["text"] == "Is it research?" and buttons[0]["value"] == "pick:research:"
