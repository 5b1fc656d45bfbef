"""Normalisation: the same question in any wording meets the same terms."""

from __future__ import annotations

import pytest

from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase, Lexicon
from bot.core.normalise import Normaliser


@pytest.fixture(scope="module")
def normalise(real_kb: KnowledgeBase) -> Normaliser:
    return Normaliser(real_kb.lexicon)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Do we need a DPIA?", "do we need a data protection impact assessment"),
        ("what is DTAC", "What is the Digital Technology Assessment Criteria?"),
        ("artificial intelligence triage", "AI triage"),
        ("A.I. triage", "ai triage"),
        ("software as a medical device", "SaMD"),
        ("research ethics committee", "REC"),
        ("our organization's program", "our organisation's programme"),
        ("DCB 0129", "dcb0129"),
        ("section 251", "s251"),
        ("academic health science networks", "AHSNs"),
        ("care homes", "nursing home"),
    ],
)
def test_variants_meet_in_the_same_terms(normalise: Normaliser, one: str, other: str) -> None:
    assert normalise(one).terms == normalise(other).terms


def test_stopwords_and_punctuation_go(normalise: Normaliser) -> None:
    assert normalise("Who do I talk to about... CQC?!").terms == ("cqc",)


def test_places_stand_for_their_nation(normalise: Normaliser) -> None:
    assert "scotland" in normalise("a clinic in Edinburgh").words
    assert "wales" in normalise("our hospital in Swansea").words
    assert "northern_ireland" in normalise("home care in Derry and Strabane").words


def test_a_word_also_stands_for_its_wider_idea(normalise: Normaliser) -> None:
    words = normalise("our app spots sepsis early").words
    assert {"sepsis", "medical_purpose", "health_condition"} <= set(words)
    assert "medical_purpose" in normalise("it diagnoses infections").words  # other forms match too


def test_misspelt_words_are_corrected_to_known_ones(real_kb: KnowledgeBase, real_matcher: Matcher) -> None:
    assert (
        real_matcher.understand("regulater for ai triag").terms
        == real_matcher.understand("regulator for ai triage").terms
    )
    assert (
        real_matcher.understand("surveilance in care homes").terms
        == real_matcher.understand("surveillance in care homes").terms
    )


def test_an_empty_lexicon_still_folds_case_and_punctuation() -> None:
    assert Normaliser(Lexicon())("Hello, WORLD!").words == ("hello", "world")


def test_a_word_in_capitals_can_name_something_its_lower_case_form_does_not() -> None:
    normalise = Normaliser(
        Lexicon(
            phrases={"healthcare improvement scotland": "his_scotland"},
            stopwords=frozenset({"his", "with"}),
            capitals={"HIS": "healthcare improvement scotland"},
        )
    )
    assert normalise.spell_out("register with HIS") == "register with healthcare improvement scotland"
    assert normalise("register with HIS").words == ("register", "his_scotland")
    assert normalise("his own register").words == ("own", "register")
    assert normalise("HE WANTS HIS OWN ROOM").words == ("he", "wants", "own", "room")  # shouting
    assert normalise("HIS").words == ("his_scotland",)
