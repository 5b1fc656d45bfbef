"""Guided flows: the definition (frozen models), the live state (a small JSON-ready dict) and
the runner (a pure function from definition, state and input to new state and a reply).

The three are kept apart (DESIGN.md, house style 6): the definition comes from flows/*.yaml via
bot.content.flows; the state is stored per conversation by the engine; the runner knows neither
storage nor channels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.core import messages
from bot.core.models import Entry, KnowledgeBase, Stage
from bot.core.replies import Choice, Link, Outcome, Reply, RouteStep

Condition = tuple[tuple[str, frozenset[str]], ...]
"""Earlier answers that must all hold: (step id, the values that count) pairs."""

MAX_PATHS = 1_000_000
"""Walking stops here: a flow with more paths than this is too big to test (or has a bug)."""


# -- definition -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Branch:
    """Where a choice leads: to a step or an outcome, when the condition holds (always, if empty)."""

    to: str
    when: Condition = ()


@dataclass(frozen=True, slots=True)
class FlowChoice:
    value: str
    label: str
    next: tuple[Branch, ...]
    stage: str | None = None
    """A journey stage this answer places the person at ("how far along are you?")."""


@dataclass(frozen=True, slots=True)
class FlowStep:
    id: str
    question: str
    choices: tuple[FlowChoice, ...]

    def choice(self, value: str) -> FlowChoice | None:
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True, slots=True)
class RouteItem:
    """One knowledge entry on a route; its signposts (optionally only `orgs`) become route steps."""

    entry: str
    orgs: tuple[str, ...] = ()
    when: Condition = ()


@dataclass(frozen=True, slots=True)
class FlowOutcome:
    id: str
    title: str
    text: str
    route: tuple[RouteItem, ...]


@dataclass(frozen=True)
class Flow:
    id: str
    title: str
    version: int
    triggers: tuple[str, ...]
    intro: str
    not_covered: str
    start: str
    steps: Mapping[str, FlowStep]
    outcomes: Mapping[str, FlowOutcome]
    offer: bool = False
    """Offered as a choice when Wayfinder does not know, or is not sure, what was meant."""
    file: str = ""


@dataclass(frozen=True)
class FlowSet:
    flows: tuple[Flow, ...] = ()
    glossary: Mapping[str, str] = field(default_factory=dict)
    """Jargon -> a plain explanation, shown under any question that uses the term."""
    _by_id: dict[str, Flow] = field(init=False, repr=False, compare=False)
    _by_trigger: dict[str, Flow] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {f.id: f for f in self.flows})
        object.__setattr__(
            self, "_by_trigger", {normalise_phrase(t): f for f in self.flows for t in f.triggers}
        )

    def get(self, flow_id: str) -> Flow | None:
        return self._by_id.get(flow_id)

    def triggered(self, text: str) -> Flow | None:
        """The flow whose trigger phrase this message is, if any."""
        return self._by_trigger.get(normalise_phrase(text))

    @property
    def offered(self) -> Flow | None:
        return next((f for f in self.flows if f.offer), None)


_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_phrase(text: str) -> str:
    """Lower case, punctuation and extra spaces gone: "Where do I start?" -> "where do i start"."""
    return " ".join(_NON_WORD.sub(" ", text.lower().replace("’", "").replace("'", "")).split())


# -- walking the graph ----------------------------------------------------------------------


def holds(when: Condition, answers: Mapping[str, str]) -> bool:
    return all(answers.get(step) in values for step, values in when)


def next_node(choice: FlowChoice, answers: Mapping[str, str]) -> str | None:
    """The step or outcome a choice leads to, given every answer so far (this one included)."""
    return next((b.to for b in choice.next if holds(b.when, answers)), None)


@dataclass(frozen=True, slots=True)
class FlowPath:
    """One way through a flow: the answers given, and the outcome reached (or why none is)."""

    answers: tuple[tuple[str, str], ...]
    outcome: str | None
    problem: str = ""


def walk(flow: Flow) -> Iterator[FlowPath]:
    """Every path through the flow, in order, each ending at an outcome or at a problem."""
    stack: list[tuple[str, tuple[tuple[str, str], ...]]] = [(flow.start, ())]
    count = 0
    while stack:
        node, answers = stack.pop()
        if node in flow.outcomes:
            count += 1
            if count > MAX_PATHS:
                yield FlowPath(answers, None, f"more than {MAX_PATHS:,} paths")
                return
            yield FlowPath(answers, node)
            continue
        step = flow.steps.get(node)
        if step is None:
            yield FlowPath(answers, None, f"leads to {node!r}, which is neither a step nor an outcome")
            continue
        if any(s == node for s, _ in answers):
            yield FlowPath(answers, None, f"comes back to step {node!r}, a loop")
            continue
        for choice in reversed(step.choices):
            given = (*answers, (node, choice.value))
            first = choice.next[0]
            plain = len(choice.next) == 1 and not first.when  # most choices: no need to look back
            target = first.to if plain else next_node(choice, dict(given))
            if target is None:
                yield FlowPath(given, None, f"answer {choice.value!r} to {node!r} leads nowhere here")
            else:
                stack.append((target, given))


def route_possible(outcome: FlowOutcome, answers: Mapping[str, str]) -> bool:
    return any(holds(item.when, answers) for item in outcome.route)


@dataclass(frozen=True, slots=True)
class Survey:
    """Every path through a flow, counted without listing them all (see `survey`)."""

    paths: int
    """Paths that end at an outcome with a non-empty route."""
    reached: frozenset[str]
    """Steps and outcomes some path reaches."""
    problems: tuple[FlowPath, ...]
    """One example path per distinct problem: no outcome, a loop, or an empty route."""


def survey(flow: Flow) -> Survey:
    """The same paths `walk` lists, counted by memoising on the answers the graph can look at:
    two partial paths at one node that agree on every step a condition reads continue alike."""
    looked_at = {s for st in flow.steps.values() for c in st.choices for b in c.next for s, _ in b.when}
    for outcome in flow.outcomes.values():
        if all(item.when for item in outcome.route):  # its route could be empty for some answers
            looked_at |= {s for item in outcome.route for s, _ in item.when}
    memo: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[int, frozenset[str], dict[str, FlowPath]]] = {}

    def visit(
        node: str, answers: tuple[tuple[str, str], ...]
    ) -> tuple[int, frozenset[str], dict[str, FlowPath]]:
        key = (node, tuple(pair for pair in answers if pair[0] in looked_at))
        if key in memo:
            return memo[key]
        count, reached, problems = 0, {node}, {}
        if node in flow.outcomes:
            if route_possible(flow.outcomes[node], dict(answers)):
                count = 1
            else:
                problems["empty:" + node] = FlowPath(answers, node, f"the route of {node!r} is empty")
        elif node not in flow.steps:
            problem = f"leads to {node!r}, which is neither a step nor an outcome"
            problems[problem] = FlowPath(answers, None, problem)
        elif any(s == node for s, _ in answers):
            problem = f"comes back to step {node!r}, a loop"
            problems[problem] = FlowPath(answers, None, problem)
        else:
            for choice in flow.steps[node].choices:
                given = (*answers, (node, choice.value))
                target = next_node(choice, dict(given))
                if target is None:
                    problem = f"answer {choice.value!r} to {node!r} leads nowhere here"
                    problems.setdefault(problem, FlowPath(given, None, problem))
                    continue
                n, r, p = visit(target, given)
                count += n
                reached |= r
                for k, v in p.items():
                    problems.setdefault(k, v)
        result = (count, frozenset(reached), problems)
        memo[key] = result
        return result

    count, reached, problems = visit(flow.start, ())
    return Survey(count, reached, tuple(problems.values()))


# -- state ----------------------------------------------------------------------------------
# {"id": flow id, "version": n, "answers": [[step id, value], ...], "done": true once at an outcome}
# Lists, not a mapping, so the order survives any JSON store; the current step is replayed.


def new_state(flow: Flow) -> dict[str, Any]:
    return {"id": flow.id, "version": flow.version, "answers": []}


def _replay(flow: Flow, state: Mapping[str, Any]) -> tuple[list[tuple[str, str]], str] | None:
    """The answers and the node they lead to, or None if the state no longer fits the flow."""
    if state.get("id") != flow.id or state.get("version") != flow.version:
        return None
    raw = state.get("answers")
    if not isinstance(raw, list):
        return None
    node, given, answers = flow.start, {}, []
    for pair in raw:
        if not (isinstance(pair, list) and len(pair) == 2 and pair[0] == node and node in flow.steps):
            return None
        choice = flow.steps[node].choice(str(pair[1]))
        if choice is None:
            return None
        given[node] = choice.value
        answers.append((node, choice.value))
        target = next_node(choice, given)
        if target is None:
            return None
        node = target
    return answers, node


# -- input ----------------------------------------------------------------------------------


class Command(StrEnum):
    BACK = "back"
    RESTART = "restart"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class Answer:
    step: str
    value: str


Event = Answer | Command | str
"""A button (an Answer or a Command) or free text typed during the flow."""


def step_value(flow: Flow, step: str, value: str) -> str:
    return f"step:{flow.id}:{step}:{value}"


def nav_value(flow: Flow, command: Command) -> str:
    return f"nav:{flow.id}:{command.value}"


def start_value(flow: Flow) -> str:
    return f"flow:{flow.id}"


def parse_value(value: str) -> tuple[str, str, Event] | None:
    """("step" | "nav", flow id, event) from a choice value made above; None if it is not one."""
    kind, _, rest = value.partition(":")
    parts = rest.split(":")
    if kind == "step" and len(parts) == 3:
        return kind, parts[0], Answer(parts[1], parts[2])
    if kind == "nav" and len(parts) == 2 and parts[1] in {c.value for c in Command}:
        return kind, parts[0], Command(parts[1])
    return None


def _read_command(text: str) -> Event:
    """Typed words that are a command ("go back", "start again", "cancel"), or the text as it was."""
    said = normalise_phrase(text)
    for command, words in messages.FLOW_COMMAND_WORDS.items():
        if said in words:
            return Command(command)
    return text


def _read_text(text: str, step: FlowStep) -> Event:
    """Typed words that name a choice by its label or value, or the text as it was."""
    said = normalise_phrase(text)
    for choice in step.choices:
        if said in (normalise_phrase(choice.label), normalise_phrase(choice.value)):
            return Answer(step.id, choice.value)
    return text


# -- the runner -----------------------------------------------------------------------------


def start(flow: Flow, kb: KnowledgeBase, glossary: Mapping[str, str]) -> tuple[dict[str, Any], Reply]:
    state = new_state(flow)
    return state, _ask(flow, flow.steps[flow.start], 1, glossary, intro=flow.intro)


def advance(
    flow: Flow,
    state: Mapping[str, Any],
    event: Event,
    kb: KnowledgeBase,
    glossary: Mapping[str, str],
) -> tuple[dict[str, Any] | None, Reply]:
    """One turn. Returns the new state (None when the flow is over) and the reply to send."""
    replayed = _replay(flow, state)
    if replayed is None:  # the flow changed since this conversation began: start it again
        fresh, reply = start(flow, kb, glossary)
        return fresh, _with_notice(reply, messages.FLOW_CHANGED)
    answers, node = replayed
    done = node in flow.outcomes
    if isinstance(event, str):
        event = _read_command(event)
    if event is Command.CANCEL:
        return None, Reply(Outcome.NOTICE, messages.FLOW_CANCELLED.format(title=flow.title))
    if event is Command.RESTART:
        return start(flow, kb, glossary)
    if event is Command.BACK:
        if not answers:
            reply = _ask(flow, flow.steps[node], 1, glossary)
            return _state(flow, answers), _with_notice(reply, messages.FLOW_AT_FIRST)
        answers.pop()
        previous = _replay(flow, _state(flow, answers))
        if previous is None:  # a prefix of a path that replayed always replays
            raise LookupError(f"flow {flow.id}: cannot go back from {node!r}")
        return _state(flow, answers), _ask(flow, flow.steps[previous[1]], len(answers) + 1, glossary)
    if done:  # only "back" and "start again" act on a finished flow
        return _state(flow, answers, done=True), _result(flow, flow.outcomes[node], answers, kb)
    step = flow.steps[node]
    if isinstance(event, str):
        event = _read_text(event, step)
    if isinstance(event, str):
        return _state(flow, answers), _with_notice(
            _ask(flow, step, len(answers) + 1, glossary), messages.FLOW_HELP
        )
    if not isinstance(event, Answer):  # a Command is handled above
        raise TypeError(event)
    choice = step.choice(event.value) if event.step == step.id else None
    if choice is None:  # a button from an earlier question
        return _state(flow, answers), _with_notice(
            _ask(flow, step, len(answers) + 1, glossary), messages.FLOW_STALE
        )
    answers.append((step.id, choice.value))
    target = next_node(choice, dict(answers))
    if target is None:  # the loader proves this cannot happen; say so plainly if it ever does
        raise LookupError(f"flow {flow.id}: answer {choice.value!r} to {step.id!r} leads nowhere")
    if target in flow.outcomes:
        return _state(flow, answers, done=True), _result(flow, flow.outcomes[target], answers, kb)
    return _state(flow, answers), _ask(flow, flow.steps[target], len(answers) + 1, glossary)


def _state(flow: Flow, answers: list[tuple[str, str]], done: bool = False) -> dict[str, Any]:
    state: dict[str, Any] = {**new_state(flow), "answers": [list(pair) for pair in answers]}
    if done:
        state["done"] = True
    return state


def _with_notice(reply: Reply, notice: str) -> Reply:
    return Reply(
        reply.outcome,
        f"{notice}\n\n{reply.text}",
        title=reply.title,
        note=reply.note,
        choices=reply.choices,
        extra=reply.extra,
    )


def hints(question: str, glossary: Mapping[str, str]) -> tuple[str, ...]:
    """The glossary explanations for the jargon a question uses."""
    said = f" {normalise_phrase(question)} "
    return tuple(
        messages.GLOSSARY_HINT.format(term=term, meaning=meaning)
        for term, meaning in glossary.items()
        if f" {normalise_phrase(term)} " in said
    )


def _ask(flow: Flow, step: FlowStep, number: int, glossary: Mapping[str, str], intro: str = "") -> Reply:
    choices = [Choice(c.label, step_value(flow, step.id, c.value)) for c in step.choices]
    if number > 1:
        choices += [
            Choice(messages.FLOW_BACK, nav_value(flow, Command.BACK)),
            Choice(messages.FLOW_RESTART, nav_value(flow, Command.RESTART)),
        ]
    choices.append(Choice(messages.FLOW_CANCEL, nav_value(flow, Command.CANCEL)))
    return Reply(
        Outcome.FLOW,
        f"{intro}\n\n{step.question}" if intro else step.question,
        title=messages.FLOW_PROGRESS.format(title=flow.title, number=number),
        note=" ".join(hints(step.question, glossary)),
        choices=tuple(choices),
    )


def route_steps(outcome: FlowOutcome, answers: Mapping[str, str], kb: KnowledgeBase) -> tuple[RouteStep, ...]:
    """The route for these answers, in journey-stage order: from each entry, its first signpost
    for each organisation (or only those in `orgs`), and no page twice at one stage."""
    seen: set[tuple[str, str, str]] = set()
    steps: list[RouteStep] = []
    for item in outcome.route:
        entry = kb.entry(item.entry)
        if entry is None or entry.stage is None or not holds(item.when, answers):
            continue  # the loader rejects unknown entries; this keeps the runner total
        orgs_done: set[str] = set()
        for s in entry.signposts:
            key = (entry.stage, s.org, s.url)
            if (item.orgs and s.org not in item.orgs) or s.org in orgs_done or key in seen:
                continue
            orgs_done.add(s.org)
            seen.add(key)
            link = Link(s.org, kb.organisation(s.org).name, s.what, s.url, s.required)
            steps.append(RouteStep(kb.stage(entry.stage), link, entry.id))
    order = {stage.id: n for n, stage in enumerate(kb.stages)}
    return tuple(sorted(steps, key=lambda r: order[r.stage.id]))  # sorted() is stable


def _entries(route: tuple[RouteStep, ...], kb: KnowledgeBase) -> list[Entry]:
    found = (kb.entry(entry_id) for entry_id in dict.fromkeys(r.entry for r in route))
    return [e for e in found if e is not None]


def _result(flow: Flow, outcome: FlowOutcome, answers: list[tuple[str, str]], kb: KnowledgeBase) -> Reply:
    given = dict(answers)
    route = route_steps(outcome, given, kb)
    here = _stage_reached(flow, answers, kb)
    sources = tuple(dict.fromkeys(e.sources[0] for e in _entries(route, kb)))  # each entry's main source
    return Reply(
        Outcome.FLOW,
        outcome.text,
        title=outcome.title,
        stage=here,
        stage_count=len(kb.stages),
        links=tuple(r.link for r in route),
        route=route,
        sources=sources,
        note=messages.FLOW_NOT_COVERED.format(text=flow.not_covered),
        extra=(summary(flow, outcome, answers, route, here, kb),),
        choices=(
            Choice(messages.FLOW_CHANGE_LAST, nav_value(flow, Command.BACK)),
            Choice(messages.FLOW_RESTART, start_value(flow)),
        ),
    )


def _stage_reached(flow: Flow, answers: list[tuple[str, str]], kb: KnowledgeBase) -> Stage | None:
    stages = [c.stage for s, v in answers if (c := flow.steps[s].choice(v)) is not None and c.stage]
    return kb.stage(stages[-1]) if stages else None


def summary(
    flow: Flow,
    outcome: FlowOutcome,
    answers: list[tuple[str, str]],
    route: tuple[RouteStep, ...],
    here: Stage | None,
    kb: KnowledgeBase,
) -> str:
    """A Markdown record to save or share: the answers, the result, and the flow version behind it."""
    m = messages
    lines = [f"# {flow.title}: {outcome.title}", "", m.SUMMARY_MADE.format(id=flow.id, version=flow.version)]
    lines += ["", f"## {m.SUMMARY_ANSWERS}"]
    for step_id, value in answers:
        step = flow.steps[step_id]
        choice = step.choice(value)
        lines.append(f"- {step.question} **{choice.label if choice else value}**")
    lines += ["", f"## {m.SUMMARY_RESULT}", "", outcome.text]
    for stage in kb.stages:
        on_stage = [r for r in route if r.stage.id == stage.id]
        if not on_stage:
            continue
        marker = f" ({m.YOU_ARE_HERE})" if here and here.id == stage.id else ""
        lines += [
            "",
            f"### {m.STAGE_LABEL.format(number=stage.number, count=len(kb.stages), name=stage.name)}{marker}",
        ]
        for r in on_stage:
            need = m.REQUIRED if r.link.required else m.BEST_PRACTICE
            lines.append(
                f"- **{r.link.org_name} ({r.link.org})**, {need}: {r.link.what}. {r.link.url} "
                f"({m.FROM_ENTRY.format(entry=r.entry)})"
            )
    lines += ["", f"## {m.SUMMARY_NOT_COVERED}", "", flow.not_covered]
    return "\n".join(lines)
