"""Load flows/ into a FlowSet, in layers: path -> text -> mapping -> model -> graph checks.

Every problem in every file is collected, each naming the file, the flow and step (as
"flow/step"), the field and the fix; nothing is loaded while any remain. The graph checks walk
every path through every flow, so a flow that loads is a flow in which every path ends in an
outcome with a route.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.knowledge import ID, Fields
from bot.content.problems import Collector
from bot.content.yamltext import parse_yaml, read_texts
from bot.core.flows import (
    Branch,
    Condition,
    Flow,
    FlowChoice,
    FlowOutcome,
    FlowSet,
    FlowStep,
    RouteItem,
    normalise_phrase,
    survey,
)
from bot.core.models import Kind, KnowledgeBase

GLOSSARY = "glossary.yaml"
FLOW_FIELDS = {"id", "title", "version", "offer", "triggers", "intro", "not_covered", "start", "steps",
               "outcomes"}  # fmt: skip
STEP_FIELDS = {"id", "question", "choices", "next"}
CHOICE_FIELDS = {"value", "label", "next", "stage"}
BRANCH_FIELDS = {"when", "to"}
OUTCOME_FIELDS = {"id", "title", "text", "route"}
ITEM_FIELDS = {"entry", "orgs", "when"}


@dataclass(frozen=True, slots=True)
class FlowReport:
    """What the graph checks found: per flow, the number of paths (each ends in an outcome)."""

    paths: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.paths.values())


def load_flows(root: Path, kb: KnowledgeBase, *, walk_paths: bool = True) -> tuple[FlowSet, FlowReport]:
    """Read flows/ from disk; raises ContentError listing every problem. No folder, no flows."""
    if not root.is_dir():
        return FlowSet(), FlowReport({})
    return build_flows(read_texts(root, ["*.yaml"]), kb, walk_paths=walk_paths)


def build_flows(
    texts: Mapping[str, str], kb: KnowledgeBase, *, walk_paths: bool = True
) -> tuple[FlowSet, FlowReport]:
    """Build from file name -> YAML text (tests feed strings here). `walk_paths` also follows
    every path through every flow (tens of thousands): `kb validate` and CI do; start-up, which
    loads content that has passed them, checks the rest and skips it."""
    problems = Collector()
    docs: dict[str, Any] = {}
    for name, text in texts.items():
        before = len(problems.problems)
        doc = parse_yaml(name, text, problems)
        if len(problems.problems) == before:  # a syntax error is reported once, not again as "empty"
            docs[name] = doc
    glossary = _glossary(docs.pop(GLOSSARY, None), problems)
    flows: list[Flow] = []
    for name in sorted(docs):
        flow = _FlowReader(problems, name, kb).flow(docs[name])
        if flow is not None:
            flows.append(flow)
    _cross_checks(flows, glossary, problems)
    paths = {flow.id: _graph_checks(flow, problems) for flow in flows} if walk_paths else {}
    problems.raise_if_any()
    return FlowSet(tuple(flows), glossary), FlowReport(paths)


def _glossary(doc: Any, problems: Collector) -> dict[str, str]:
    if doc is None:
        return {}
    terms = doc.get("glossary") if isinstance(doc, dict) else None
    if not isinstance(terms, dict) or not all(isinstance(v, str) and v.strip() for v in terms.values()):
        problems.add(GLOSSARY, "", "glossary", "must map each term to its meaning", "write 'term: meaning'")
        return {}
    return {str(term): " ".join(meaning.split()) for term, meaning in terms.items()}


def _declared(raw: Any, values: bool = False) -> dict[str, set[str]]:
    """The ids a list of steps or outcomes declares (and each step's choice values), as written."""
    found: dict[str, set[str]] = {}
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            choices = item.get("choices") if values else None
            found[item["id"]] = {
                str(c.get("value")) for c in (choices if isinstance(choices, list) else [])
                if isinstance(c, dict)
            }  # fmt: skip
    return found


class _FlowReader:
    """Turns one file's mapping into a Flow; every bad field becomes a problem."""

    def __init__(self, problems: Collector, file: str, kb: KnowledgeBase) -> None:
        self.problems, self.file, self.kb = problems, file, kb
        self.stages = {s.id for s in kb.stages}
        self.orgs = {o.code for o in kb.organisations}
        self.flow_id = "?"
        self.step_values: dict[str, set[str]] = {}

    def fields(self, raw: dict[str, Any], allowed: set[str], where: str = "", prefix: str = "") -> Fields:
        entry = f"{self.flow_id}/{where}" if where else self.flow_id
        return Fields(self.problems, self.file, entry, raw, allowed, prefix)

    def flow(self, doc: Any) -> Flow | None:
        if not isinstance(doc, dict):
            self.problems.add(self.file, "", "", "a flow file must be a mapping", "start it with 'id: ...'")
            return None
        self.flow_id = str(doc.get("id") or "?")
        f = self.fields(doc, FLOW_FIELDS)
        if not ID.match(self.flow_id):
            f.add("id", f"bad flow id {self.flow_id!r}", "use lowercase words joined by hyphens")
        title, intro, not_covered = f.text("title"), f.text("intro"), f.text("not_covered")
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            f.add(
                "version", f"not a whole number from 1: {version!r}", "write version: 1, and add 1 on change"
            )
            version = 0
        offer = doc.get("offer", False)
        if not isinstance(offer, bool):
            f.add("offer", f"must be true or false, not {offer!r}", "write offer: true, or leave it out")
        triggers = f.strings("triggers", 1, "trigger phrases")
        for trigger in triggers:
            if not normalise_phrase(trigger):
                f.add("triggers", f"{trigger!r} has no words", "write a short phrase people would type")
        self.step_values = _declared(doc.get("steps"), values=True)  # as written, so one bad step
        declared_outcomes = set(_declared(doc.get("outcomes")))  # does not make others look wrong
        steps = self._all(doc, "steps", self.step, f)
        outcomes = self._all(doc, "outcomes", self.outcome, f)
        for step in steps:
            for n, choice in enumerate(step.choices, start=1):
                self._check_branches(step.id, f"choices[{n}].next", choice.next)
        ids = [s.id for s in steps] + [o.id for o in outcomes]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            f.add("steps", f"{dup!r} is used for more than one step or outcome", "give each its own id")
        start = doc.get("start")
        if start not in self.step_values:
            f.add("start", f"no step {start!r}", self._near(start, self.step_values, "the first step's id"))
        targets = set(self.step_values) | declared_outcomes
        for step in steps:
            for n, choice in enumerate(step.choices, start=1):
                for b, branch in enumerate(choice.next, start=1):
                    if branch.to not in targets:
                        field = f"choices[{n}].next" + (f"[{b}].to" if len(choice.next) > 1 else "")
                        fix = self._near(branch.to, targets, "a step or outcome id")
                        self.problems.add(
                            self.file,
                            f"{self.flow_id}/{step.id}",
                            field,
                            f"unknown next step {branch.to!r}",
                            fix,
                        )
        for outcome in outcomes:
            for n, item in enumerate(outcome.route, start=1):
                self._check_when(outcome.id, f"route[{n}].when", item.when)
        if self.problems.problems and any(p.file == self.file for p in self.problems.problems):
            return None
        return Flow(
            self.flow_id, title, version, tuple(triggers), intro, not_covered, str(start),
            {s.id: s for s in steps}, {o.id: o for o in outcomes}, bool(offer), self.file,
        )  # fmt: skip

    def _all(self, doc: dict[str, Any], key: str, read: Any, f: Fields) -> list[Any]:
        raw = doc.get(key)
        if not isinstance(raw, list) or not raw:
            f.add(key, "missing or empty", f"add a list under '{key}:'")
            return []
        out = []
        for n, item in enumerate(raw, start=1):
            if not isinstance(item, dict):
                f.add(f"{key}[{n}]", "must be a mapping", "start it with '- id: ...'")
                continue
            built = read(item)
            if built is not None:
                out.append(built)
        return out

    def step(self, raw: dict[str, Any]) -> FlowStep | None:
        sid = str(raw.get("id") or "?")
        f = self.fields(raw, STEP_FIELDS, sid)
        if not ID.match(sid):
            f.add("id", f"bad step id {sid!r}", "use lowercase words joined by hyphens")
        question = f.text("question")
        default = self._next(f, "next", raw.get("next")) if "next" in raw else None
        choices_raw = raw.get("choices")
        if not isinstance(choices_raw, list) or len(choices_raw) < 2:
            f.add("choices", "needs at least two choices", "list the answers, e.g. yes, no and not sure")
            return None
        choices: list[FlowChoice] = []
        for n, c in enumerate(choices_raw, start=1):
            field = f"choices[{n}]"
            if not isinstance(c, dict):
                f.add(field, "must be a mapping", "give value, label and next")
                continue
            cf = self.fields(c, CHOICE_FIELDS, sid, prefix=f"{field}.")
            value = c.get("value")
            if not isinstance(value, str) or not ID.match(value):
                cf.add(
                    "value", f"bad value {value!r}", "use lowercase words joined by hyphens, e.g. not-sure"
                )
                continue
            if value in {ch.value for ch in choices}:
                cf.add("value", f"{value!r} is already a choice here", "give each choice its own value")
            label = cf.text("label")
            stage = c.get("stage")
            if stage is not None and stage not in self.stages:
                cf.add("stage", f"unknown stage {stage!r}", self._near(stage, self.stages, "a stage id"))
            nxt = self._next(cf, "next", c["next"]) if "next" in c else default
            if nxt is None:
                cf.add("next", "this choice has no route", "give it a next: (or give the step one)")
            if label and nxt is not None:
                choices.append(FlowChoice(value, label, nxt, stage))
        if not question or len(choices) != len(choices_raw):
            return None
        return FlowStep(sid, question, tuple(choices))

    def _next(self, f: Fields, field: str, raw: Any) -> tuple[Branch, ...] | None:
        if isinstance(raw, str) and raw:
            return (Branch(raw),)
        if not isinstance(raw, list) or not raw:
            f.add(
                field,
                f"must be a step or outcome id, or a list of when/to, not {raw!r}",
                "see flows/README.md",
            )
            return None
        branches = []
        for n, b in enumerate(raw, start=1):
            if not isinstance(b, dict) or not isinstance(b.get("to"), str):
                f.add(
                    f"{field}[{n}]",
                    "must be a mapping with 'to:'",
                    "write '- when: {step: [value]}' and 'to: id'",
                )
                return None
            bf = Fields(f.problems, f.file, f.entry, b, BRANCH_FIELDS, prefix=f"{f.prefix}{field}[{n}].")
            when = self._when(bf, b.get("when"))
            if when is None:
                return None
            branches.append(Branch(b["to"], when))
        return tuple(branches)

    def _when(self, f: Fields, raw: Any) -> Condition | None:
        if raw is None:
            return ()
        if not isinstance(raw, dict) or not raw:
            f.add(
                "when", f"must map step ids to answer values, not {raw!r}", "write when: {step-id: [value]}"
            )
            return None
        pairs = []
        for step, values in raw.items():
            values = values if isinstance(values, list) else [values]
            words = list(values)
            if not all(isinstance(v, str) for v in words):
                f.add(f"when.{step}", "values must be answer values", "list them, e.g. [yes, not-sure]")
                return None
            pairs.append((str(step), frozenset(words)))
        return tuple(pairs)

    def _check_branches(self, step: str, field: str, branches: tuple[Branch, ...]) -> None:
        for n, branch in enumerate(branches, start=1):
            self._check_when(
                step, f"{field}[{n}].when" if len(branches) > 1 else f"{field}.when", branch.when
            )

    def _check_when(self, where: str, field: str, when: Condition) -> None:
        for step, values in when:
            known = self.step_values.get(step)
            entry = f"{self.flow_id}/{where}"
            if known is None:
                self.problems.add(
                    self.file, entry, field, f"condition on unknown step {step!r}",
                    self._near(step, self.step_values, "the id of an earlier step"),
                )  # fmt: skip
                continue
            for value in sorted(values - known):
                self.problems.add(
                    self.file,
                    entry,
                    field,
                    f"step {step!r} has no answer {value!r}",
                    f"use one of {sorted(known)}",
                )

    def outcome(self, raw: dict[str, Any]) -> FlowOutcome | None:
        oid = str(raw.get("id") or "?")
        f = self.fields(raw, OUTCOME_FIELDS, oid)
        if not ID.match(oid):
            f.add("id", f"bad outcome id {oid!r}", "use lowercase words joined by hyphens")
        title, text = f.text("title"), f.text("text")
        route_raw = raw.get("route")
        if not isinstance(route_raw, list) or not route_raw:
            f.add("route", "missing or empty", "list the knowledge entries this outcome points to")
            return None
        items = []
        for n, item in enumerate(route_raw, start=1):
            field = f"route[{n}]"
            if isinstance(item, str):
                item = {"entry": item}
            if not isinstance(item, dict):
                f.add(field, "must be an entry id or a mapping", "write '- entry: an-entry-id'")
                continue
            built = self._item(self.fields(item, ITEM_FIELDS, oid, prefix=f"{field}."), item)
            if built is not None:
                items.append(built)
        if not title or not text or len(items) != len(route_raw):
            return None
        return FlowOutcome(oid, title, text, tuple(items))

    def _item(self, f: Fields, raw: dict[str, Any]) -> RouteItem | None:
        eid = raw.get("entry")
        entry = self.kb.entry(str(eid))
        if entry is None:
            ids = {e.id for e in self.kb.entries}
            f.add("entry", f"no knowledge entry {eid!r}", self._near(eid, ids, "an entry id from knowledge/"))
            return None
        if entry.kind is not Kind.ANSWER or entry.stage is None:
            f.add("entry", f"{eid!r} is a redirect, with no journey stage", "point to an answer entry")
            return None
        orgs = f.strings("orgs")
        for org in orgs:
            if org not in self.orgs:
                f.add(
                    "orgs",
                    f"unknown organisation {org!r}",
                    self._near(org, self.orgs, "an organisation code"),
                )
            elif org not in entry.org_codes:
                f.add("orgs", f"{eid} does not signpost {org}", f"use one of {list(entry.org_codes)}")
        when = self._when(f, raw.get("when"))
        if when is None:
            return None
        return RouteItem(entry.id, tuple(orgs), when)

    @staticmethod
    def _near(value: Any, known: Any, what: str) -> str:
        near = difflib.get_close_matches(str(value), sorted(known), n=1)
        return f"did you mean {near[0]!r}?" if near else f"use {what}"


def _cross_checks(flows: list[Flow], glossary: Mapping[str, str], problems: Collector) -> None:
    ids: dict[str, str] = {}
    triggers: dict[str, str] = {}
    for flow in flows:
        if flow.id in ids:
            problems.add(flow.file, flow.id, "id", f"duplicate flow id, also in {ids[flow.id]}", "rename one")
        ids.setdefault(flow.id, flow.file)
        for trigger in flow.triggers:
            key = normalise_phrase(trigger)
            if key in triggers and triggers[key] != flow.id:
                problems.add(
                    flow.file,
                    flow.id,
                    "triggers",
                    f"{trigger!r} also starts {triggers[key]}",
                    "keep it in one flow",
                )
            triggers.setdefault(key, flow.id)
    offered = [f.id for f in flows if f.offer]
    if len(offered) > 1:
        problems.add(
            flows[0].file,
            ",".join(offered),
            "offer",
            "more than one flow is offered",
            "set offer: true on one",
        )
    questions = " ".join(f" {normalise_phrase(s.question)} " for f in flows for s in f.steps.values())
    for term in glossary:
        if f" {normalise_phrase(term)} " not in questions:
            problems.add(
                GLOSSARY, term, "glossary", "no question uses this term", "use it in a question, or remove it"
            )


def _graph_checks(flow: Flow, problems: Collector) -> int:
    """Every path must end at an outcome whose route is not empty for those answers, and every
    step and outcome must be on some path. Returns the number of paths."""
    found = survey(flow)
    for path in found.problems:
        last = path.answers[-1][0] if path.answers else flow.start
        if path.outcome is None:
            problems.add(
                flow.file, f"{flow.id}/{last}", "next", f"a path with no outcome: {path.problem}",
                f"add a branch without 'when' so every answer leads on (answers: {_show(path.answers)})",
            )  # fmt: skip
        else:
            problems.add(
                flow.file, f"{flow.id}/{path.outcome}", "route", "a path ends here with an empty route",
                f"add an item without 'when' (answers: {_show(path.answers)})",
            )  # fmt: skip
    for node in [*flow.steps, *flow.outcomes]:
        if node not in found.reached:
            kind = "step" if node in flow.steps else "outcome"
            problems.add(
                flow.file, f"{flow.id}/{node}", "id", f"unreachable {kind}: no path leads here",
                "point a choice's next: at it, or remove it",
            )  # fmt: skip
    return found.paths


def _show(answers: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{s}={v}" for s, v in answers) or "none yet"
