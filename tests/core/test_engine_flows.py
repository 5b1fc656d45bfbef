"""Guided flows in the engine: triggers, buttons, typed numbers, expiry, and state that survives
a restart (a new engine on the same database) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.content.flows import load_flows
from bot.core import messages
from bot.core.engine import Conversation, Engine
from bot.core.flows import FlowSet
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser
from bot.core.ports import SessionStore
from bot.core.replies import Outcome
from bot.storage.memory import MemoryGapLog, MemorySessionStore
from bot.storage.sql import Database, SqlSessionStore
from tests.conftest import AMBIGUOUS, FIXTURES, WIDE_MARGIN, Clock


@pytest.fixture(scope="module")
def flows(fixture_kb: KnowledgeBase) -> FlowSet:
    return load_flows(FIXTURES / "flows", fixture_kb)[0]


@pytest.fixture
def engine_for(fixture_kb: KnowledgeBase, flows: FlowSet) -> Callable[..., Engine]:
    def make(sessions: SessionStore | None = None, clock: Clock | None = None) -> Engine:
        return Engine(
            fixture_kb,
            Matcher(fixture_kb.entries, Normaliser(fixture_kb.lexicon)),
            MemoryGapLog(),
            sessions or MemorySessionStore(),
            WIDE_MARGIN,
            now=clock or Clock(),
            flows=flows,
        )

    return make


def test_a_trigger_starts_the_flow_and_numbers_answer_it(
    engine_for: Callable[..., Engine], conv: Conversation
) -> None:
    engine = engine_for()
    reply = engine.reply(conv, "Where do I start?")
    assert reply.outcome is Outcome.FLOW and reply.title == "Find my route: question 1"
    reply = engine.reply(conv, "1")  # Software or AI
    assert reply.text == "Does it have a medical purpose?"
    reply = engine.reply(conv, "yes")
    reply = engine.reply(conv, "2")  # No
    assert reply.title == "Your route" and reply.route[0].entry == "device-software"
    # after the result, a question is answered as usual, and the flow is left alone
    assert engine.reply(conv, "is my app a medical device").outcome is Outcome.ANSWER


def test_buttons_are_choice_values_the_engine_understands(
    engine_for: Callable[..., Engine], conv: Conversation
) -> None:
    engine = engine_for()
    first = engine.choose(conv, "flow:route")
    assert first.outcome is Outcome.FLOW
    second = engine.choose(conv, first.choices[1].value)  # A service
    assert second.text == "Do you deliver care yourselves?"
    stale = engine.choose(conv, first.choices[0].value)  # an earlier question's button
    assert stale.text.startswith(messages.FLOW_STALE)
    back = engine.choose(conv, "nav:route:back")
    assert back.text == "What are you working on?"
    assert engine.choose(conv, "nav:route:cancel").outcome is Outcome.NOTICE
    assert engine.choose(conv, "step:route:kind:service").text == messages.FLOW_EXPIRED


def test_free_text_in_a_flow_gets_help_and_cancel_leaves_it(
    engine_for: Callable[..., Engine], conv: Conversation
) -> None:
    engine = engine_for()
    engine.reply(conv, "find my route")
    reply = engine.reply(conv, "hmm, no idea really")
    assert reply.outcome is Outcome.FLOW and reply.text.startswith(messages.FLOW_HELP)
    assert engine.reply(conv, "cancel").outcome is Outcome.NOTICE
    assert engine.reply(conv, "is my app a medical device").outcome is Outcome.ANSWER


def test_a_dont_know_offers_find_my_route(engine_for: Callable[..., Engine], conv: Conversation) -> None:
    engine = engine_for()
    reply = engine.reply(conv, "what's on tv tonight")
    assert reply.outcome is Outcome.DONT_KNOW
    assert [(c.label, c.value) for c in reply.choices] == [("Find my route", "flow:route")]
    assert engine.reply(conv, "1").title == "Find my route: question 1"


def test_a_clarify_offers_find_my_route_before_none_of_these(
    engine_for: Callable[..., Engine], conv: Conversation
) -> None:
    engine = engine_for()
    reply = engine.reply(conv, AMBIGUOUS)
    assert reply.outcome is Outcome.CLARIFY
    assert [c.label for c in reply.choices][-2:] == ["Find my route", "None of these"]
    assert engine.reply(conv, str(len(reply.choices) - 1)).outcome is Outcome.FLOW


def test_ask_is_a_one_shot_answer_and_never_starts_a_flow(
    engine_for: Callable[..., Engine], conv: Conversation
) -> None:
    engine = engine_for()
    assert engine.ask("find my route", conv).outcome is not Outcome.FLOW
    assert engine.sessions.load(conv.key, Clock()()) is None  # nothing remembered


def test_a_flow_expires_with_the_session(engine_for: Callable[..., Engine], conv: Conversation) -> None:
    clock = Clock()
    engine = engine_for(clock=clock)
    engine.reply(conv, "find my route")
    clock.advance(minutes=29)
    assert engine.reply(conv, "1").text == "Does it have a medical purpose?"  # activity keeps it alive
    clock.advance(minutes=31)
    assert engine.reply(conv, "1").outcome is Outcome.HELP  # gone: "1" is just a number now
    assert engine.choose(conv, "step:route:medical-purpose:yes").text == messages.FLOW_EXPIRED


def test_conversations_do_not_share_a_flow(engine_for: Callable[..., Engine]) -> None:
    engine = engine_for()
    a, b = Conversation("test", "a"), Conversation("test", "b")
    engine.reply(a, "find my route")
    assert engine.reply(b, "1").outcome is Outcome.HELP
    assert engine.reply(a, "1").outcome is Outcome.FLOW


def test_flow_state_survives_a_restart(
    engine_for: Callable[..., Engine], database_url: str, conv: Conversation
) -> None:
    """Each turn runs on a new engine and a new database connection, as after a restart or on a
    second instance; the conversation carries on where it was."""
    clock = Clock()

    def turn(text: str) -> str:
        db = Database(database_url)
        try:
            reply = engine_for(SqlSessionStore(db), clock).reply(conv, text)
        finally:
            db.dispose()
        return reply.title or reply.text

    assert turn("find my route") == "Find my route: question 1"
    assert turn("1") == "Find my route: question 2"
    assert turn("back") == "Find my route: question 1"
    assert turn("Software or AI") == "Find my route: question 2"
    assert turn("1") == "Find my route: question 3"
    assert turn("1") == "Your route"
    clock.advance(hours=1)
    assert turn("1") != "Your route"  # expired
