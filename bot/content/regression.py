"""Load knowledge/regression.yaml: paraphrase groups and the entry each must reach."""

from __future__ import annotations

from pathlib import Path

from bot.content.problems import Collector
from bot.content.yamltext import parse_yaml
from bot.core.models import KnowledgeBase
from bot.core.regression import Case

FILE = "regression.yaml"


def load_cases(root: Path, kb: KnowledgeBase) -> list[Case]:
    path = root / FILE
    return build_cases(path.read_text(encoding="utf-8") if path.exists() else "cases: []", kb)


def build_cases(text: str, kb: KnowledgeBase) -> list[Case]:
    problems = Collector()
    doc = parse_yaml(FILE, text, problems)
    raw_cases = doc.get("cases") if isinstance(doc, dict) else None
    if not isinstance(raw_cases, list):
        problems.add(FILE, "", "cases", "must be a list", "start the file with 'cases:'")
        raw_cases = []
    cases = []
    for n, raw in enumerate(raw_cases, start=1):
        where = f"case {n}"
        if not isinstance(raw, dict):
            problems.add(FILE, where, "", "must be a mapping", "give entry and questions")
            continue
        entry = raw.get("entry")
        if entry is not None and kb.entry(str(entry)) is None:
            problems.add(FILE, where, "entry", f"no entry {entry!r}", "use an existing entry id, or null")
        questions = raw.get("questions")
        if not isinstance(questions, list) or not questions or not all(isinstance(q, str) for q in questions):
            problems.add(FILE, where, "questions", "must be a list of text", "list one or more questions")
            continue
        cases.append(Case(entry, tuple(questions), str(raw.get("note", ""))))
    problems.raise_if_any()
    return cases
