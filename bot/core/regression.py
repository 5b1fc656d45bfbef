"""Content regression cases: real questions and the entry each must reach."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.engine import Conversation, Engine
from bot.core.replies import Outcome


@dataclass(frozen=True, slots=True)
class Case:
    entry: str | None
    """The entry every question must reach; None for questions Wayfinder must not answer."""
    questions: tuple[str, ...]
    """Paraphrases of one need: all of them must reach the same entry."""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Failure:
    expected: str | None
    question: str
    got: str | None
    outcome: Outcome
    confidence: float


def run_cases(engine: Engine, cases: list[Case]) -> list[Failure]:
    """Every question that does not reach its entry (or, for entry None, that gets an answer)."""
    conv = Conversation("regression", "kb-test")
    failures = []
    for case in cases:
        for question in case.questions:
            reply = engine.ask(question, conv)
            shown = reply.entry_id if reply.outcome in (Outcome.ANSWER, Outcome.REDIRECT) else None
            passed = shown == case.entry if case.entry is not None else not reply.answered
            if not passed:
                failures.append(Failure(case.entry, question, shown, reply.outcome, reply.confidence))
    return failures
