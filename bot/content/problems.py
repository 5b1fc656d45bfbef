"""Content problems: each names the file, the entry, the field, what is wrong and the fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    entry: str
    field: str
    message: str
    fix: str

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.file, self.entry, self.field) if p)
        return f"{where}: {self.message}. Fix: {self.fix}"


class ContentError(Exception):
    """Raised when content cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in content:\n" + "\n".join(map(str, problems)))


class Collector:
    """Gathers problems while a loader walks the content."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, entry: str, field: str, message: str, fix: str) -> None:
        self.problems.append(Problem(file, entry, field, message, fix))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ContentError(self.problems)
