"""The content audit finds what keepers of the knowledge base must act on."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.core.audit import Audit, audit, is_official
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser


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
    on_time, late = run(real_kb), run(real_kb, today=date(2027, 3, 1))
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
