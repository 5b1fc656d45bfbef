"""The content audit finds what keepers of the knowledge base must act on."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.content.knowledge import build_knowledge
from bot.core.audit import NEAR_DUPLICATE_SHARE, Audit, Stray, audit, find_near_duplicates, is_official
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser
from tests.conftest import FIXTURES, TODAY


def run(kb: KnowledgeBase, today: date = date(2026, 11, 23)) -> Audit:
    return audit(kb, Matcher(kb.entries, Normaliser(kb.lexicon)), today)


def test_the_fixture_base_is_clean_but_for_unused_codes(fixture_kb: KnowledgeBase) -> None:
    report = run(fixture_kb)
    assert not report.overdue and not report.due_soon and not report.without_official_source
    assert "NICE" in report.unused_organisations and "need" in report.unused_stages
    assert report.coverage["MHRA"]["design"] == 1 and report.coverage["CQC"]["approval"] == 2
    assert report.must_fix


def test_reviews_due_and_overdue_are_listed(fixture_kb: KnowledgeBase) -> None:
    report = run(fixture_kb, today=date(2026, 12, 15))
    assert {e.id for e in report.due_soon} == {e.id for e in fixture_kb.entries}
    assert {e.id for e in run(fixture_kb, today=date(2027, 1, 2)).overdue} == {
        e.id for e in fixture_kb.entries
    }


def test_overdue_entries_are_a_finding_the_caller_may_choose_to_fail_on(real_kb: KnowledgeBase) -> None:
    """The real knowledge base loads on any date; past its review dates the audit lists the
    entries, and only staleness (not an outage) follows."""
    on_time, late = run(real_kb, today=TODAY), run(real_kb, today=date(2027, 3, 1))
    assert not on_time.overdue and not on_time.must_fix
    assert late.overdue and {e.id for e in late.overdue} == {
        e.id for e in real_kb.entries if e.review_by < date(2027, 3, 1)
    }
    assert not late.must_fix  # `kb audit --fail-on-overdue` makes it an alert


def test_a_review_dated_in_the_future_must_be_fixed(fixture_kb: KnowledgeBase) -> None:
    first = fixture_kb.entries[0]
    ahead = replace(first, reviewed=date(2026, 12, 1))
    report = run(replace(fixture_kb, entries=(ahead, *fixture_kb.entries[1:])))
    assert [e.id for e in report.reviewed_in_future] == [first.id]
    assert not run(fixture_kb).reviewed_in_future


def test_a_source_off_every_official_domain_is_flagged(fixture_kb: KnowledgeBase) -> None:
    first = fixture_kb.entries[0]
    blog = replace(first, sources=("https://someblog.example.com/post",))
    report = run(replace(fixture_kb, entries=(blog, *fixture_kb.entries[1:])))
    assert [e.id for e in report.without_official_source] == [first.id]
    assert is_official("https://www.gov.uk/guidance/x", fixture_kb)
    assert is_official("https://yellowcard.mhra.gov.uk/x", fixture_kb)
    assert not is_official("https://notgov.uk.example.com/", fixture_kb)


def test_a_question_that_belongs_to_another_entry_is_a_stray(fixture_kb: KnowledgeBase) -> None:
    device = fixture_kb.entry("device-software")
    assert device is not None
    moved = replace(device, questions=(*device.questions, "who regulates care homes in scotland please"))
    entries = tuple(moved if e.id == device.id else e for e in fixture_kb.entries)
    strays = run(replace(fixture_kb, entries=entries)).strays
    assert any(s.entry == "device-software" and s.closer_to == "scotland-regulators" for s in strays)


def test_the_real_knowledge_base_passes_the_audit(real_kb: KnowledgeBase) -> None:
    report = run(real_kb)
    assert not report.overdue and not report.without_official_source
    assert not report.unused_organisations and not report.unused_stages


TWIN = """
entries:
  - id: device-software-twin
    title: Does our software count as a medical device?
    stage: design
    nations: [england]
    answer: It depends on the intended purpose. Talk to the MHRA.
    signposts:
      - {org: MHRA, what: Software guidance, url: "https://www.gov.uk/x", need: required}
    questions:
      - is our app a medical device
      - does my symptom checker count as a medical device
      - when is our software regulated as a device
      - is our health app medical device software
      - does our diagnostic algorithm have to be regulated
    sources: ["https://www.gov.uk/x"]
    owner: Test
    reviewed: 2026-01-01
    review_by: 2027-01-01
"""


def with_files(**files: str) -> KnowledgeBase:
    names = ("stages.yaml", "organisations.yaml", "vocabulary.yaml", "entries/sample.yaml")
    texts = {name: (FIXTURES / "knowledge" / name).read_text() for name in names}
    return build_knowledge({**texts, **files})


def test_two_entries_answering_the_same_thing_are_reported_as_near_duplicates() -> None:
    report = run(with_files(**{"entries/twin.yaml": TWIN}))
    (pair,) = report.near_duplicates
    assert (pair.first, pair.second) == ("device-software", "device-software-twin")
    assert pair.first_to_second >= 1 and pair.second_to_first >= 1
    assert pair.share >= NEAR_DUPLICATE_SHARE and pair.questions == 10


def test_distinct_entries_are_not_near_duplicates(fixture_kb: KnowledgeBase) -> None:
    assert run(fixture_kb).near_duplicates == ()


def test_questions_drifting_one_way_only_do_not_make_a_pair(fixture_kb: KnowledgeBase) -> None:
    strays = [Stray("device-software", f"q{n}", "cqc-registration", 0.1, 0.9) for n in range(5)]
    assert find_near_duplicates(fixture_kb, strays, share=0.0) == []
    back = [*strays, Stray("cqc-registration", "q", "device-software", 0.1, 0.9)]
    (pair,) = find_near_duplicates(fixture_kb, back, share=0.0)
    assert (pair.first_to_second, pair.second_to_first) == (1, 5)
    assert find_near_duplicates(fixture_kb, back, share=pair.share + 0.01) == []
