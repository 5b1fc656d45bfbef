"""How the lexical matcher reads words it does not know: typos, shorthand and everyday words."""

from __future__ import annotations

import pytest

from bot.core.matcher import Matcher, Weights
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser
from bot.semantic.words import everyday_words


@pytest.fixture(scope="module")
def matcher(real_kb: KnowledgeBase) -> Matcher:
    return Matcher(real_kb.entries, Normaliser(real_kb.lexicon), everyday=everyday_words())


def test_a_short_transposition_is_corrected_and_shorthand_is_read(matcher: Matcher) -> None:
    assert matcher.understand("tlak abt dtac").terms == matcher.understand("talk about dtac").terms


def test_a_real_word_is_never_rewritten_into_a_known_one(matcher: Matcher) -> None:
    assert "overnight" in matcher.understand("can staff use it overnight").words
    assert "oversight" not in matcher.understand("can staff use it overnight").terms


def test_a_misspelt_topic_word_is_still_corrected(matcher: Matcher) -> None:
    assert matcher.understand("reserch ethics").terms == matcher.understand("research ethics").terms


def test_an_unknown_everyday_word_can_weigh_less_than_gibberish(real_kb: KnowledgeBase) -> None:
    matcher = Matcher(
        real_kb.entries, Normaliser(real_kb.lexicon), Weights(everyday=0.5), everyday=everyday_words()
    )
    assert "know" not in matcher.idf and "zqxv" not in matcher.idf
    assert matcher.weight("know", "knows") == 0.5 * matcher.weight("zqxv", "zqxv")


def test_everyday_words_come_from_the_encoders_vocabulary() -> None:
    words = everyday_words()
    assert {"knows", "overnight", "talk"} <= words and not {"tlak", "abt", "##s"} & words
