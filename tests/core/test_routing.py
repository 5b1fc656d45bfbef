"""Routing real questions through the real knowledge base."""

from __future__ import annotations

import pytest

from bot.core.engine import Conversation, Thresholds
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from bot.core.replies import Outcome
from tests.conftest import make_engine


@pytest.mark.parametrize(
    ("question", "lead", "stage"),
    [
        ("who do I talk to about an AI triage tool", "MHRA", {"design", "approval"}),
        ("our care home wants acoustic monitoring at night", "CQC", {"adoption"}),
        ("do we need ethics approval to evaluate our app", "HRA", {"evidence"}),
        ("we've registered our device with the MHRA, can we say it's MHRA approved?", "MHRA", {"approval"}),
        (
            "what do buyers in the NHS want to see before they purchase our app",
            "NICE",
            {"evidence", "adoption"},
        ),
        ("are AHSNs still a thing", "HIN", {"need", "adoption", "scale"}),
        ("dcb0160", "NHSE", {"design", "adoption"}),  # one answer for DCB0129 and DCB0160, filed at design
    ],
)
def test_problem_framed_questions_reach_the_lead_organisation(
    real_kb: KnowledgeBase,
    real_matcher: Matcher,
    conv: Conversation,
    question: str,
    lead: str,
    stage: set[str],
) -> None:
    reply = make_engine(real_kb, real_matcher).reply(conv, question)
    assert reply.outcome is Outcome.ANSWER, (reply.outcome, reply.alternatives)
    assert lead in [link.org for link in reply.links]
    assert reply.stage is not None and reply.stage.id in stage
    assert reply.sources and reply.reviewed is not None


@pytest.mark.parametrize(
    ("question", "regulators"),
    [
        ("we run a care home in Glasgow, who inspects us", {"CIS"}),
        ("who regulates private clinics in Wales", {"HIW"}),
        ("home care agency in Belfast, who is our regulator", {"RQIA"}),
    ],
)
def test_a_named_nation_gets_its_own_regulator(
    real_kb: KnowledgeBase, real_matcher: Matcher, conv: Conversation, question: str, regulators: set[str]
) -> None:
    reply = make_engine(real_kb, real_matcher).reply(conv, question)
    assert reply.answered and regulators <= {link.org for link in reply.links}


@pytest.mark.parametrize(
    "question",
    [
        "what's on TV tonight",
        "give me a recipe for lasagne",
        "who won the football",
        "asdf qwer",
        "how do I renew my passport",
    ],
)
def test_chatter_is_not_answered(
    real_kb: KnowledgeBase, real_matcher: Matcher, conv: Conversation, question: str
) -> None:
    assert not make_engine(real_kb, real_matcher).reply(conv, question).answered


def test_the_same_question_in_other_words_gets_the_same_answer(
    real_kb: KnowledgeBase, real_matcher: Matcher, conv: Conversation
) -> None:
    engine = make_engine(real_kb, real_matcher)
    wordings = [
        "Is our app a medical device?",
        "is our app a medical devise",
        "IS OUR APP A MEDICAL DEVICE??",
        "is our application a medical device",
    ]
    assert len({engine.reply(conv, w).entry_id for w in wordings}) == 1


@pytest.mark.parametrize("word", ["cheers", "thx", "ta very much"])
def test_short_chatter_is_never_mistaken_for_a_misspelt_topic(
    real_kb: KnowledgeBase, real_matcher: Matcher, conv: Conversation, word: str
) -> None:
    assert not make_engine(real_kb, real_matcher).reply(conv, word).answered


@pytest.mark.parametrize(
    "message",
    [
        "nice one",
        "test",
        "good morning",
        "who made you",
        "yes",
        "great thanks",
        "Thanks, that helped!",
        "how do I use this bot?",
        "start again",
    ],
)
def test_small_talk_gets_help_not_an_answer_and_no_log_entry(
    real_kb: KnowledgeBase, real_matcher: Matcher, conv: Conversation, message: str
) -> None:
    engine = make_engine(real_kb, real_matcher)
    reply = engine.reply(conv, message)
    assert reply.outcome is Outcome.HELP and not reply.logged


def test_an_organisation_named_by_its_acronym_brings_its_nation(
    real_kb: KnowledgeBase, fused: tuple[Matcher, Thresholds], conv: Conversation
) -> None:
    matcher, thresholds = fused
    engine = make_engine(real_kb, matcher, thresholds=thresholds)
    reply = engine.reply(conv, "How much does it cost to register with HIS?")
    assert reply.entry_id == "nation-registration-fees-devolved"
    # CQC named beside it for comparison does not take the question back to England
    compared = engine.reply(conv, "does rqia give ratings like cqc does")
    assert compared.entry_id == "nation-ni-who-regulates"


@pytest.mark.parametrize(
    ("message", "outcome"),
    [
        ("does our health app need FDA clearance", Outcome.REDIRECT),
        ("registering our medical device with the FDA, where do we begin", Outcome.REDIRECT),
        ("we have FDA clearance, can we now sell in the UK", Outcome.ANSWER),
        ("we're a US company, how do we get our app into the NHS", Outcome.ANSWER),
    ],
)
def test_rules_abroad_go_to_the_redirect_unless_the_uk_is_in_the_question(
    real_kb: KnowledgeBase,
    fused: tuple[Matcher, Thresholds],
    conv: Conversation,
    message: str,
    outcome: Outcome,
) -> None:
    matcher, thresholds = fused
    reply = make_engine(real_kb, matcher, thresholds=thresholds).reply(conv, message)
    assert reply.outcome is outcome


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        (
            "A level coursework about how devices are regulated in Britain, "
            "please explain UKCA marking simply",
            "redirect-coursework-and-study",
        ),
        ("CQC inspector vacancies, what salary do they pay", "redirect-own-employment"),
        ("any jobs going at NHS England's transformation directorate", "redirect-own-employment"),
        ("which pay band do clinical safety officers sit on", None),
        ("how much can I earn as an MHRA assessor", "redirect-own-employment"),
        ("how does UKCA marking work", "mhra-ukca-ce-marking-great-britain"),
        (
            "we're building a careers app for student nurses, is it a medical device",
            "mhra-is-my-software-a-medical-device",
        ),
    ],
)
def test_an_asker_wayfinder_is_not_for_goes_to_the_redirect(
    real_kb: KnowledgeBase,
    fused: tuple[Matcher, Thresholds],
    conv: Conversation,
    message: str,
    entry: str | None,
) -> None:
    """A student's coursework or a job hunt names itself ("coursework", "vacancies", "pay band"); the
    same topic asked plainly, or an innovator's product that merely mentions careers, still gets its
    answer. A job question with no redirect close enough is left unanswered, not answered."""
    matcher, thresholds = fused
    reply = make_engine(real_kb, matcher, thresholds=thresholds).reply(conv, message)
    assert reply.entry_id == entry
