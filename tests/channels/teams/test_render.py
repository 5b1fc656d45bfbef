"""Adaptive Cards from core replies: valid against the published 1.5 schema, whatever the content."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from bot.channels.teams import render
from bot.core import messages
from bot.core.gaps import GapSummary
from bot.core.models import KnowledgeBase
from bot.core.replies import Outcome, Reply
from tests.channels.teams.conftest import actions, assert_valid_card, runs
from tests.conftest import make_engine


def test_answers_from_the_knowledge_base_are_valid_cards_with_a_button_per_signpost(
    real_kb: KnowledgeBase,
) -> None:
    """Every entry's buttons; the schema check (slow: about 60 ms a card) on every redirect, the
    entry with the most signposts, and every tenth entry."""
    engine = make_engine(real_kb)
    most = max(real_kb.entries, key=lambda e: len(e.signposts))
    for n, entry in enumerate(real_kb.entries):
        reply = engine.show(entry, 1.0)
        card = render.render_reply(reply, entry.questions[0] if entry.questions else "")
        if n % 10 == 0 or entry is most or reply.outcome is Outcome.REDIRECT:
            assert_valid_card(card)
        links = [
            a for a in actions(card["body"]) if a["type"] == "Action.OpenUrl" and a["title"] != "Sources"
        ]
        assert [a["url"] for a in links] == [s.url for s in entry.signposts]


def test_an_answer_too_long_for_teams_is_cut_and_says_so(real_kb: KnowledgeBase) -> None:
    reply = make_engine(real_kb).show(real_kb.entries[0], 1.0)
    huge = replace(reply, text="\n\n".join(["A paragraph of forty-odd characters of text."] * 2000))
    card = render.render_reply(huge, "q", overdue_since=date(2027, 1, 1))
    assert_valid_card(card)
    assert len(json.dumps(card, ensure_ascii=False)) < 28_000
    text = runs(card)
    assert messages.TRUNCATED in text
    assert text[0] == reply.title and text[-1] == messages.HELPFUL_QUESTION  # head and buttons kept
    kept = [a["title"] for a in actions(card) if a["type"] == "Action.Submit"]
    assert kept == [c.label for c in reply.choices] + ["Yes", "No"]  # related entries and feedback


def test_notices_help_and_the_gap_summary_are_valid_cards() -> None:
    empty = GapSummary(0, 0, (), ())
    busy = GapSummary(3, 2, (), (("is *this* [a link](https://x.example)?", 2),))
    cards = [
        render.render_notice(messages.HELPFUL_THANKS),
        render.render_help(messages.HELP),
        render.render_help(messages.HELP, welcome=True),
        render.render_gaps(None),
        render.render_gaps(empty),
        render.render_gaps(busy),
        render.render_reply(Reply(Outcome.DONT_KNOW, messages.DONT_KNOW)),
    ]
    for card in cards:
        assert_valid_card(card)
    assert runs(cards[3]) == [messages.GAPS_UNAVAILABLE]
    assert messages.GAPS_NONE in runs(cards[4])
    assert "• is *this* [a link](https://x.example)? (2)" in runs(cards[5])
