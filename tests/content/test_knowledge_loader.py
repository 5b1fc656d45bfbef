"""Every validation rule names the file, the entry, the field and the fix."""

from __future__ import annotations

import pytest

from bot.content.knowledge import build_knowledge, link_problem
from bot.content.problems import ContentError, Problem
from bot.core.models import KnowledgeBase
from tests.conftest import FIXTURES

BASE = {
    name: (FIXTURES / "knowledge" / name).read_text()
    for name in ("stages.yaml", "organisations.yaml", "vocabulary.yaml")
}

GOOD = """
entries:
  - id: good-entry
    title: A good entry
    stage: design
    nations: [england]
    answer: Talk to the MHRA.
    signposts:
      - {org: MHRA, what: Guidance, url: "https://www.gov.uk/x", need: required}
    questions: [one question, two questions, three questions, four questions, five questions]
    sources: ["https://www.gov.uk/x"]
    owner: Test
    reviewed: 2026-01-01
    review_by: 2027-01-01
"""


def problems(entries: str, **files: str) -> list[Problem]:
    texts = {**BASE, "entries/a.yaml": entries, **files}
    with pytest.raises(ContentError) as caught:
        build_knowledge(texts)
    return caught.value.problems


def edit(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


def test_good_content_loads() -> None:
    kb = build_knowledge({**BASE, "entries/a.yaml": GOOD})
    (entry,) = kb.entries
    assert entry.id == "good-entry" and entry.signposts[0].required and entry.file == "entries/a.yaml"


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("stage: design", "stage: desing", "stage", "unknown stage 'desing'"),
        ("{org: MHRA,", "{org: MRHA,", "signposts[1].org", "unknown organisation 'MRHA'"),
        ("need: required", "need: must", "signposts[1].need", "'must' is not required or best-practice"),
        ('url: "https://www.gov.uk/x"', 'url: "www.gov.uk/x"', "signposts[1].url", "not a valid web address"),
        ('sources: ["https://www.gov.uk/x"]', "sources: []", "sources", "has 0 sources, needs at least 1"),
        (
            'sources: ["https://www.gov.uk/x"]',
            'sources: ["not a url"]',
            "sources[1]",
            "not a valid web address",
        ),
        ("reviewed: 2026-01-01", "reviewed: 2026-13-01", "reviewed", "not a date: '2026-13-01'"),
        ("review_by: 2027-01-01", "review_by: 2025-11-01", "review_by", "is not after reviewed"),
        ("nations: [england]", "nations: [britain]", "nations", "unknown nation(s) ['britain']"),
        ("answer: Talk to the MHRA.", "answer: ''", "answer", "missing or empty"),
        ("    owner: Test\n", "    ownr: Test\n", "ownr", "unknown field"),
        ("id: good-entry", "id: Good Entry", "id", "bad id 'Good Entry'"),
        (
            "questions: [one question, two questions,",
            "questions: [one question,",
            "questions",
            "has 4 questions",
        ),
    ],
)
def test_each_rule_names_file_entry_field_and_fix(old: str, new: str, field: str, message: str) -> None:
    found = problems(edit(old, new))
    assert any(p.field == field and message in p.message for p in found), found
    problem = next(p for p in found if p.field == field)
    assert problem.file == "entries/a.yaml" and problem.fix
    assert problem.entry in {"good-entry", "Good Entry"}


def test_loading_does_not_depend_on_the_date() -> None:
    """Overdue content is a finding for staff (kb audit), never a reason to refuse to start."""
    long_overdue = edit("reviewed: 2026-01-01", "reviewed: 2001-01-01").replace(
        "review_by: 2027-01-01", "review_by: 2002-01-01"
    )
    far_future = edit("reviewed: 2026-01-01", "reviewed: 2999-01-01").replace(
        "review_by: 2027-01-01", "review_by: 3000-01-01"
    )
    for text in (long_overdue, far_future):
        (entry,) = build_knowledge({**BASE, "entries/a.yaml": text}).entries
        assert entry.id == "good-entry"


def test_a_misspelt_field_gets_a_suggestion() -> None:
    (problem,) = [p for p in problems(edit("    owner: Test\n", "    owner: Test\n    quesitons: [x]\n"))]
    assert problem.field == "quesitons" and "did you mean 'questions'" in problem.fix


def test_duplicate_ids_across_files_are_reported() -> None:
    found = problems(GOOD, **{"entries/b.yaml": GOOD.replace("one question", "uno")})
    assert any(p.field == "id" and "duplicate id, also in entries/a.yaml" in p.message for p in found)


def test_the_same_question_under_two_entries_is_reported() -> None:
    other = GOOD.replace("good-entry", "other-entry").replace("one question", "'One question?'")
    found = problems(GOOD, **{"entries/b.yaml": other})
    assert any(p.field == "questions" and "also a question of good-entry" in p.message for p in found)


def test_every_problem_is_reported_at_once() -> None:
    broken = edit("stage: design", "stage: nope").replace("{org: MHRA,", "{org: NOPE,")
    found = problems(broken + GOOD.replace("entries:\n", "").replace("good-entry", "bad id"))
    assert {"stage", "signposts[1].org", "id"} <= {p.field for p in found}


def test_malformed_yaml_names_file_and_line() -> None:
    (problem,) = problems("entries:\n  - id: x\n    title: [unclosed\n")
    assert problem.file == "entries/a.yaml" and "line 4" in problem.message


def test_a_missing_fixed_organisation_code_is_reported() -> None:
    orgs = BASE["organisations.yaml"].replace("  - code: RQIA", "  - code: RQIX")
    found = problems(GOOD, **{"organisations.yaml": orgs})
    assert any(p.entry == "RQIA" and "fixed organisation code is missing" in p.message for p in found)


def test_stages_must_be_the_fixed_seven_in_order() -> None:
    stages = BASE["stages.yaml"].replace("id: monitor", "id: watch")
    found = problems(GOOD, **{"stages.yaml": stages})
    assert any(p.file == "stages.yaml" and p.field == "id" for p in found)


def test_an_unknown_related_entry_is_reported() -> None:
    found = problems(edit("    owner: Test\n", "    owner: Test\n    related: [nowhere]\n"))
    assert any(p.field == "related" and "no entry 'nowhere'" in p.message for p in found)


def test_the_real_knowledge_base_is_valid(real_kb: KnowledgeBase) -> None:
    assert len(real_kb.entries) >= 150


def test_vocabulary_problems_are_reported() -> None:
    vocabulary = (
        "phrases: {a i: ai}\nconcepts:\n  medical_purpose: [diagnose, early warning]\nsynonyms: {}\n"
        "capitals: {HIS: his_scotland, his: his_scotland}\nabroad: [fda, health canada]\n"
        "askers: {essay: true}\n"
    )
    found = problems(GOOD, **{"vocabulary.yaml": vocabulary})
    assert {(p.file, p.field) for p in found} == {
        ("vocabulary.yaml", "concepts.medical_purpose"),
        ("vocabulary.yaml", "synonyms"),
        ("vocabulary.yaml", "capitals.his"),
        ("vocabulary.yaml", "abroad"),
        ("vocabulary.yaml", "askers"),
    }


def test_yes_and_no_stay_words_and_dates_stay_text() -> None:
    from bot.content.problems import Collector
    from bot.content.yamltext import parse_yaml

    assert parse_yaml("x.yaml", "a: [yes, no, on, true]\nb: 2026-01-01\n", Collector()) == {
        "a": ["yes", "no", "on", True],
        "b": "2026-01-01",
    }


@pytest.mark.parametrize(
    ("url", "what", "fix"),
    [
        ("http://www.hra.nhs.uk/research-community/", "is an http:// address", "https://"),
        ("https://www.cqc.org.uk/node/3847", "is a CQC internal node/NNN address", "https://www.cqc.org.uk/"),
        ("https://cqc.org.uk/node/1598", "is a CQC internal node/NNN address", "readable"),
        (
            "https://ico.org.uk/for-organisations/guide-to-data-protection/guide-to-the-general-data-protection-regulation-gdpr/",
            "is a legacy ICO guide-to-data-protection address",
            "https://ico.org.uk/for-organisations/uk-gdpr-guidance-and-resources/",
        ),
    ],
)
def test_legacy_links_are_refused_wherever_they_appear(url: str, what: str, fix: str) -> None:
    entries = edit('url: "https://www.gov.uk/x"', f'url: "{url}"').replace(
        'sources: ["https://www.gov.uk/x"]', f'sources: ["https://www.gov.uk/x", "{url}"]'
    )
    found = problems(entries)
    assert {p.field for p in found} == {"signposts[1].url", "sources[2]"}, found
    for problem in found:
        assert (problem.file, problem.entry) == ("entries/a.yaml", "good-entry")
        assert url in problem.message and what in problem.message and fix in problem.fix


def test_an_organisation_website_on_http_is_refused() -> None:
    organisations = BASE["organisations.yaml"].replace("https://", "http://", 1)
    found = problems(GOOD, **{"organisations.yaml": organisations})
    assert any(
        p.file == "organisations.yaml" and p.field == "website" and "http://" in p.message for p in found
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://www.cqc.org.uk/guidance-regulation/providers/registration/what-registration",
        "https://www.cqc.org.uk/nodes-of-care",
        "https://ico.org.uk/for-organisations/uk-gdpr-guidance-and-resources/artificial-intelligence/",
        "https://www.gov.uk/http://not-a-scheme",
    ],
)
def test_current_addresses_pass_the_link_rule(url: str) -> None:
    assert link_problem(url) is None


def test_a_key_given_twice_is_refused_with_its_line_not_silently_dropped() -> None:
    """Plain YAML keeps the last of two `related:` keys; an editor's first list would vanish."""
    twice = edit("    owner: Test\n", "    related: [a]\n    owner: Test\n    related: [b]\n")
    (p,) = problems(twice)
    assert p.file == "entries/a.yaml" and "'related' is given twice" in p.message and "line 14" in p.message
