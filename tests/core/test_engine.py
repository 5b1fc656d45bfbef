"""The engine's three outcomes, clarify and its resolution, and what gets logged."""

from __future__ import annotations

from bot.bench_faults import hostile_inputs
from bot.core.engine import MAX_QUESTION, Conversation, Engine, Thresholds, _prefer_named
from bot.core.matcher import Candidate, Matcher
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser
from bot.core.ports import GapReason, GapStatus
from bot.core.replies import Outcome
from bot.storage.memory import MemoryGapLog, MemorySessionStore
from tests.conftest import AMBIGUOUS, WIDE_MARGIN, Clock, make_engine


def gaps_of(engine: Engine) -> MemoryGapLog:
    assert isinstance(engine.gaps, MemoryGapLog)
    return engine.gaps


def test_a_clear_question_gets_the_answer_with_stage_links_and_source(
    fixture_kb: KnowledgeBase, conv: Conversation
) -> None:
    engine = make_engine(fixture_kb)
    reply = engine.reply(conv, "Is our app a medical device?")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "device-software"
    assert reply.stage is not None and reply.stage.id == "design" and reply.stage.number == 2
    assert [(link.org, link.required) for link in reply.links] == [("MHRA", True)]
    assert reply.sources and reply.reviewed is not None
    assert not reply.logged and not gaps_of(engine).gaps


def test_chatter_is_dont_know_and_logged_redacted(fixture_kb: KnowledgeBase, conv: Conversation) -> None:
    engine = make_engine(fixture_kb)
    reply = engine.reply(conv, "what's on TV tonight? email me at jo@example.com")
    assert reply.outcome is Outcome.DONT_KNOW and reply.logged
    (gap,) = gaps_of(engine).gaps.values()
    assert gap.reason is GapReason.DONT_KNOW and gap.channel == "test"
    assert gap.text == "what's on TV tonight? email me at [email]"


def test_a_greeting_gets_help_and_is_not_logged(fixture_kb: KnowledgeBase, conv: Conversation) -> None:
    engine = make_engine(fixture_kb)
    assert engine.reply(conv, "hi there!").outcome is Outcome.HELP
    assert not gaps_of(engine).gaps


def test_close_candidates_from_different_organisations_get_a_clarify(
    fixture_kb: KnowledgeBase, conv: Conversation
) -> None:
    engine = make_engine(fixture_kb, thresholds=WIDE_MARGIN)
    reply = engine.reply(conv, AMBIGUOUS)
    assert reply.outcome is Outcome.CLARIFY and not reply.answered
    labels = [c.label for c in reply.choices]
    assert labels[:2] == ["Do we need to register with CQC?", "Registering a device with the MHRA"]
    assert labels[-1] == "None of these"
    (gap,) = gaps_of(engine).gaps.values()
    assert gap.reason is GapReason.CLARIFY and gap.status is GapStatus.OPEN

    answer = engine.reply(conv, "2")
    assert answer.outcome is Outcome.ANSWER and answer.entry_id == "device-registration"
    gap = gaps_of(engine).gaps[gap.id]
    assert gap.status is GapStatus.RESOLVED and gap.chosen_entry == "device-registration"


def test_a_clarify_left_for_a_new_question_stays_open(fixture_kb: KnowledgeBase, conv: Conversation) -> None:
    engine = make_engine(fixture_kb, thresholds=WIDE_MARGIN)
    assert engine.reply(conv, AMBIGUOUS).outcome is Outcome.CLARIFY
    assert engine.reply(conv, "is my app a medical device").outcome is Outcome.ANSWER
    assert engine.reply(conv, "1").outcome is not Outcome.ANSWER  # the clarify is gone
    statuses = [(g.reason, g.status) for g in gaps_of(engine).gaps.values()]
    assert (GapReason.CLARIFY, GapStatus.OPEN) in statuses


def test_none_of_these_keeps_the_gap_open(fixture_kb: KnowledgeBase, conv: Conversation) -> None:
    engine = make_engine(fixture_kb, thresholds=WIDE_MARGIN)
    reply = engine.reply(conv, AMBIGUOUS)
    reply = engine.reply(conv, str(len(reply.choices)))
    assert reply.outcome is Outcome.NOTICE
    (gap,) = gaps_of(engine).gaps.values()
    assert gap.status is GapStatus.OPEN


def test_a_clarify_expires_with_the_session(fixture_kb: KnowledgeBase, conv: Conversation) -> None:
    clock = Clock()
    engine = make_engine(fixture_kb, clock=clock, thresholds=WIDE_MARGIN)
    assert engine.reply(conv, AMBIGUOUS).outcome is Outcome.CLARIFY
    clock.advance(hours=1)
    assert engine.reply(conv, "1").outcome is Outcome.HELP


def test_thresholds_are_named_and_decide(fixture_kb: KnowledgeBase, conv: Conversation) -> None:
    matcher = Matcher(fixture_kb.entries, Normaliser(fixture_kb.lexicon))
    question = "is my app a medical device"
    strict = Engine(
        fixture_kb, matcher, MemoryGapLog(), MemorySessionStore(), Thresholds(answer=1.01, clarify=0.2)
    )
    assert strict.reply(conv, question).outcome is Outcome.CLARIFY
    never = Engine(
        fixture_kb, matcher, MemoryGapLog(), MemorySessionStore(), Thresholds(answer=1.01, clarify=1.01)
    )
    assert never.reply(conv, question).outcome is Outcome.DONT_KNOW
    assert make_engine(fixture_kb).reply(conv, question).outcome is Outcome.ANSWER


def test_unhelpful_feedback_goes_to_the_log_with_the_question(
    fixture_kb: KnowledgeBase, conv: Conversation
) -> None:
    engine = make_engine(fixture_kb)
    reply = engine.feedback(conv, "device-software", "is my app a device? call 07700 900123", helpful=False)
    assert reply.logged
    (gap,) = gaps_of(engine).gaps.values()
    assert gap.reason is GapReason.UNHELPFUL and gap.near_entry == "device-software"
    assert gap.text == "is my app a device? call [phone]"
    assert not engine.feedback(conv, "device-software", "q", helpful=True).logged


def test_a_redirect_is_shown_but_not_counted_as_an_answer_or_logged(
    fixture_kb: KnowledgeBase, conv: Conversation
) -> None:
    engine = make_engine(fixture_kb)
    reply = engine.reply(conv, "how do I complain about my dad's care home")
    assert reply.outcome is Outcome.REDIRECT and not reply.answered and not reply.logged
    assert reply.links[0].org == "LGSCO"


def test_a_named_nation_prefers_its_own_regulator(fixture_kb: KnowledgeBase, conv: Conversation) -> None:
    engine = make_engine(fixture_kb)
    reply = engine.reply(conv, "do we register with cqc in scotland")
    assert reply.entry_id == "scotland-regulators"


def test_an_england_only_answer_to_a_devolved_question_says_so(
    fixture_kb: KnowledgeBase, conv: Conversation
) -> None:
    engine = make_engine(fixture_kb)
    reply = engine.reply(conv, "do we need ethics approval to evaluate our service in wales")
    assert reply.entry_id == "ethics-evaluation"
    assert "This answer is for England" in reply.note and "Wales" in reply.note
    wales = {o.code for o in fixture_kb.organisations if o.nations == ("wales",) and not o.redirect_only}
    assert wales and {link.org for link in reply.links[: len(wales)]} == wales, (
        "Wales's regulators come first"
    )


def test_close_candidates_from_the_same_organisation_get_the_best_answer(
    fixture_kb: KnowledgeBase, conv: Conversation
) -> None:
    reply = make_engine(fixture_kb).reply(conv, "online registration")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == "cqc-registration-online"
    assert reply.alternatives[0].entry == "cqc-registration"


def test_naming_an_organisation_or_a_nation_reorders_close_candidates(fixture_kb: KnowledgeBase) -> None:
    cqc, mhra, scot = (
        fixture_kb.entry(i) for i in ("cqc-registration", "device-registration", "scotland-regulators")
    )
    assert cqc and mhra and scot
    close = (Candidate(cqc, 0.50, ""), Candidate(mhra, 0.49, ""), Candidate(scot, 0.48, ""))
    assert [c.entry.id for c in _prefer_named(close, "england")] == [cqc.id, mhra.id, scot.id]
    assert _prefer_named(close, "england", frozenset({"MHRA"}))[0].entry.id == mhra.id
    in_scotland = _prefer_named(close, "scotland")  # the England-only entry drops below both
    assert [c.entry.id for c in in_scotland] == [mhra.id, scot.id, cqc.id]


def test_thanks_gets_a_welcome_not_an_answer_or_a_log_entry(
    fixture_kb: KnowledgeBase, conv: Conversation
) -> None:
    engine = make_engine(fixture_kb)
    for text in ("thanks!", "Cheers", "thank you"):
        reply = engine.reply(conv, text)
        assert reply.outcome is Outcome.HELP and "welcome" in reply.text
    assert not gaps_of(engine).gaps


def test_an_answer_offers_its_related_entries_and_a_number_opens_one(
    real_kb: KnowledgeBase, conv: Conversation
) -> None:
    engine = make_engine(real_kb)
    entry = real_kb.entry("mhra-ai-airlock-sandbox")
    assert entry is not None and entry.related
    reply = engine.choose(conv, "pick:mhra-ai-airlock-sandbox:")
    assert reply.outcome is Outcome.ANSWER and reply.entry_id == entry.id
    related = [real_kb.entry(rid) for rid in entry.related[:3]]
    assert [c.label for c in reply.choices] == [r.title for r in related if r is not None]
    first = engine.reply(conv, "1")
    assert first.outcome is Outcome.ANSWER and first.entry_id == entry.related[0]


def test_digit_like_text_while_choices_are_offered_gets_a_reply(
    fixture_kb: KnowledgeBase, conv: Conversation
) -> None:
    """Only a plain number picks a choice; superscripts, circled digits, other scripts' digits
    and thousands of digits are just text, and every one gets a reply."""
    engine = make_engine(fixture_kb, thresholds=WIDE_MARGIN)
    for text in ("²", "①", "١", "1" * 5000, "9" * 20):
        assert engine.reply(conv, AMBIGUOUS).outcome is Outcome.CLARIFY
        reply = engine.reply(conv, text)
        assert reply.outcome is not Outcome.ANSWER, text[:10]
    assert engine.reply(conv, AMBIGUOUS).outcome is Outcome.CLARIFY
    assert engine.reply(conv, "2").entry_id == "device-registration"


def test_a_very_long_message_is_matched_and_logged_bounded_and_redacted(
    fixture_kb: KnowledgeBase, conv: Conversation
) -> None:
    """Slack allows 40,000 characters; the engine reads the first MAX_QUESTION of them, cut
    between words so no email or number is left half-redacted in the log."""
    filler = "lorem " * ((MAX_QUESTION - 30) // 6)
    question = filler + "write to jo.bloggs@example.org " + "x" * 40_000
    engine_reply = make_engine(fixture_kb)
    reply = engine_reply.reply(conv, question)
    assert reply.outcome is Outcome.DONT_KNOW
    (gap,) = gaps_of(engine_reply).gaps.values()
    assert len(gap.text) <= MAX_QUESTION and gap.text.startswith("lorem lorem")
    assert "jo.bloggs" not in gap.text and "example.org" not in gap.text and "xxx" not in gap.text


def test_text_no_store_can_keep_is_cleaned_before_it_is_logged(
    fixture_kb: KnowledgeBase, conv: Conversation
) -> None:
    engine = make_engine(fixture_kb)
    reply = engine.reply(conv, "menu \ud800 for\x00 tonight \udcff please")
    assert reply.outcome is Outcome.DONT_KNOW
    (gap,) = gaps_of(engine).gaps.values()
    assert gap.text == "menu  for tonight  please"
    gap.text.encode("utf-8")  # storable as UTF-8


def test_every_hostile_input_gets_a_reply(fixture_kb: KnowledgeBase, conv: Conversation) -> None:
    """The bench's hostile messages (40,000 characters, one long token, thousands of digits,
    surrogates, digit-like characters), each after a clarify so a number could be read as a pick."""
    engine = make_engine(fixture_kb, thresholds=WIDE_MARGIN)
    for message in hostile_inputs(40):
        engine.reply(conv, AMBIGUOUS)
        reply = engine.reply(conv, message)
        assert reply.text, message[:20]
    assert all(len(g.text) <= MAX_QUESTION for g in gaps_of(engine).gaps.values())
