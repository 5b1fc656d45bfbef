"""The semantic signal: long messages, fusion with the lexical score, and real wording."""

from __future__ import annotations

import pytest

from bot.core.engine import Conversation, Thresholds
from bot.core.matcher import Matcher, Weights
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser
from bot.core.replies import Outcome
from bot.core.semantic import MAX_PARTS, SECOND_WEIGHT, SemanticIndex, index_texts, parts
from tests.conftest import make_engine
from tests.support.encoder import WordBagEncoder

Fused = tuple[Matcher, Thresholds]


def test_a_short_message_is_encoded_whole() -> None:
    assert parts("  is my   app a medical device ") == ["is my app a medical device"]


def test_a_long_message_is_also_encoded_by_the_sentences_that_ask() -> None:
    post = (
        "We are a small team in Leeds and have spent two years building a falls sensor for care homes. "
        "Three homes have piloted it and the feedback was good. The local trust now wants to buy it. "
        "Who should we ask about the evidence the trust will expect?"
    )
    assert parts(post) == [
        " ".join(post.split()),
        "Who should we ask about the evidence the trust will expect?",
    ]


def test_a_long_message_without_a_question_mark_is_heard_by_its_last_sentence() -> None:
    post = " ".join(["We run a home care agency with forty staff across two towns."] * 3)
    post += " We want to start using an app for care plans and need to know who to tell"
    assert parts(post)[1:] == ["We want to start using an app for care plans and need to know who to tell"]


def test_at_most_a_few_sentences_are_encoded_besides_the_whole() -> None:
    post = " ".join(f"Is question number {n} about devices?" for n in range(10))
    assert len(parts(post)) == 1 + MAX_PARTS


def test_the_fused_score_is_the_weighted_sum_of_both_signals(fixture_kb: KnowledgeBase) -> None:
    index = SemanticIndex(fixture_kb.entries, WordBagEncoder())
    lexical = Matcher(fixture_kb.entries, Normaliser(fixture_kb.lexicon))
    fused = Matcher(
        fixture_kb.entries, Normaliser(fixture_kb.lexicon), Weights(lexical=0.25, floor=0.0), index
    )
    question = "is my app a medical device"
    lex = {c.entry.id: c.score for c in lexical.rank(question, limit=50).candidates}
    similarity = index.similarity(question)
    for c in fused.rank(question, limit=50).candidates:
        e = fixture_kb.entries.index(c.entry)
        assert c.score == pytest.approx(
            0.25 * lex.get(c.entry.id, 0.0) + 0.75 * similarity.entries[e], abs=1e-3
        )


def test_leaving_out_a_question_leaves_out_its_vector_too(fixture_kb: KnowledgeBase) -> None:
    index = SemanticIndex(fixture_kb.entries, WordBagEncoder())
    question = fixture_kb.entries[0].questions[0]
    matched = index.similarity(question)
    assert matched.matched(0) == question
    assert index.similarity(question, leave_out=question).matched(0) != question


def test_vectors_must_match_the_texts(fixture_kb: KnowledgeBase) -> None:
    vectors = WordBagEncoder().encode([t for _, t in index_texts(fixture_kb.entries)][:-1])
    with pytest.raises(ValueError, match="vectors for"):
        SemanticIndex(fixture_kb.entries, WordBagEncoder(), vectors)


@pytest.mark.parametrize(
    ("question", "org"),
    [
        ("tlak to someone abt dtac", "NHSE"),
        (
            "our software reads chest x-rays and flags cancers for radiologists, what approvals do we need",
            "MHRA",
        ),
        (
            "We're a two-person start-up. We have built a remote monitoring platform for people with heart "
            "failure and a couple of clinicians love it. The trust's digital team says they want to see "
            "evidence before they buy anything. What evidence do NHS buyers expect from us?",
            "NICE",
        ),
    ],
)
def test_real_wording_reaches_the_right_organisation(
    real_kb: KnowledgeBase, fused: Fused, conv: Conversation, question: str, org: str
) -> None:
    reply = make_engine(real_kb, fused[0], thresholds=fused[1]).reply(conv, question)
    assert reply.outcome is Outcome.ANSWER, (reply.outcome, reply.alternatives)
    assert org in [link.org for link in reply.links]


@pytest.mark.parametrize(
    "question",
    ["what's on TV tonight", "give me a recipe for lasagne", "who won the football", "asdf qwer",
     "how do I renew my passport", "best running shoes for a marathon"],
)  # fmt: skip
def test_the_fused_matcher_still_leaves_chatter_unanswered(
    real_kb: KnowledgeBase, fused: Fused, conv: Conversation, question: str
) -> None:
    assert not make_engine(real_kb, fused[0], thresholds=fused[1]).reply(conv, question).answered


@pytest.mark.parametrize("question", ["registration", "ai"])
def test_a_terse_question_two_organisations_fit_asks_which_was_meant(
    real_kb: KnowledgeBase, fused: Fused, conv: Conversation, question: str
) -> None:
    reply = make_engine(real_kb, fused[0], thresholds=fused[1]).reply(conv, question)
    assert reply.outcome is Outcome.CLARIFY
    picked = {real_kb.entry(c.value.split(":")[1]) for c in reply.choices if c.value.startswith("pick:")}
    assert len({e.signposts[0].org for e in picked if e is not None}) > 1


def test_shared_words_alone_cannot_carry_an_entry_the_encoder_finds_unrelated(
    real_kb: KnowledgeBase, fused: Fused, conv: Conversation
) -> None:
    """ "name" is a known word (names in patient data), but the question is small talk."""
    assert not make_engine(real_kb, fused[0], thresholds=fused[1]).reply(conv, "what's your name").answered


def test_a_message_of_short_lines_is_split_at_its_line_breaks() -> None:
    post = "Hi all\nWe run three care homes in Kent and are piloting a new digital care planning system\n"
    post += "The pilot went well and staff like it a lot\nDo we need to tell CQC before we roll it out"
    assert parts(post)[1:] == ["Do we need to tell CQC before we roll it out"]


def test_an_entry_is_as_close_as_its_best_text_blended_with_its_second(fixture_kb: KnowledgeBase) -> None:
    index = SemanticIndex(fixture_kb.entries, WordBagEncoder())
    similarity = index.similarity("is my app a medical device")
    for e, (lo, hi) in enumerate(index.bounds):
        cosines = sorted(similarity.texts[lo:hi], reverse=True)
        second = cosines[1] if len(cosines) > 1 else cosines[0]
        want = (1 - SECOND_WEIGHT) * cosines[0] + SECOND_WEIGHT * second
        assert similarity.entries[e] == pytest.approx(want, abs=1e-5)


def test_a_message_with_a_lone_surrogate_gets_a_reply(
    real_kb: KnowledgeBase, fused: Fused, conv: Conversation
) -> None:
    reply = make_engine(real_kb, fused[0], thresholds=fused[1]).reply(
        conv, "is my app a medical device \ud83d"
    )
    assert reply.answered
