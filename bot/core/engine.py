"""The engine: one message in, one reply out. Decides answer, clarify or don't know."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core import flows as guided
from bot.core import messages
from bot.core.flows import Flow, FlowSet
from bot.core.matcher import Candidate, Matcher, Ranking
from bot.core.models import NATION_NAMES, Entry, Kind, KnowledgeBase, Organisation
from bot.core.normalise import Normaliser
from bot.core.ports import Gap, GapLog, GapReason, GapStatus, SessionStore
from bot.core.redact import redact, storable
from bot.core.replies import Alternative, Choice, Link, Outcome, Reply

DEVOLVED = {"scotland": "scotland", "wales": "wales", "northern_ireland": "northern-ireland"}
THANKS = {"thanks", "thank", "thx", "cheers", "ta"}
NATION_FACTOR = 0.9
"""An entry that does not hold in the nation asked about keeps this share of its score."""
MAX_QUESTION = 2000
"""Characters of a message the engine reads (Slack allows 40,000): a question is far shorter, and
a bound keeps every turn quick, whatever arrives."""
PICK = re.compile(r"[0-9]{1,3}")
"""A typed choice number: a few plain digits."""
ELSEWHERE_FACTOR = 0.8
"""An answer keeps this share of its score when the question belongs elsewhere: it is about another
country's rules (it names the FDA or Canada, say, and nothing in the UK), or its asker says they are
someone Wayfinder is not for (an essay, a reporter, a vacancy). A redirect can then win."""
HOME = frozenset({"uk", "great_britain", "british", "england", "english", "nhs", "ukca", *DEVOLVED})
"""Words that put a question in the UK, besides the organisations' own names."""
NAMED_ORG_FACTOR = 1.05
"""An entry that signposts an organisation the question names gains this much."""
WEIGHED = 10
"""The best entries by match that the engine weighs again for nation, named organisations and
questions that belong elsewhere: a redirect a little way down can still win."""
MAX_RELATED = 3
"""An answer offers at most this many related entries ("See also"), in the order the entry lists them."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Named, configurable cut-offs on match confidence (0..1)."""

    answer: float = 0.29
    """At or above this, with a clear lead, Wayfinder answers."""
    clarify: float = 0.22
    """At or above this (but not a clear answer), it asks which entry was meant."""
    margin: float = 0.01
    """The lead the best entry needs over a runner-up that sends people elsewhere."""
    window: float = 0.08
    """Entries this close to the best are offered together when clarifying."""
    coverage: float = 0.5
    """The share of the question the knowledge base must know at all, or it is off topic."""
    terse: int | None = None
    """If set, `margin` applies only to questions of at most this many terms: a longer question
    carries the context that tells close entries apart, a terse one ("registration") may not."""


FUSED = Thresholds(answer=0.37, clarify=0.33, margin=0.02, window=0.08, coverage=0.0, terse=2)
"""The cut-offs when the matcher fuses the lexical score with the sentence encoder's cosine
(`Weights.lexical`): fused scores run higher and closer together than lexical ones, so the
bars sit higher; the encoder hears questions whose words the knowledge base has never seen, so
coverage does not gate, and a close runner-up sending people elsewhere asks "which did you
mean?" only for a terse question."""


@dataclass(frozen=True, slots=True)
class Conversation:
    """Where a message came from: the channel and its own conversation id."""

    channel: str
    id: str
    user: str = ""

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.id}"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Engine:
    def __init__(
        self,
        kb: KnowledgeBase,
        matcher: Matcher,
        gaps: GapLog,
        sessions: SessionStore,
        thresholds: Thresholds | None = None,
        session_ttl: timedelta = timedelta(minutes=30),
        now: Callable[[], datetime] = utcnow,
        flows: FlowSet | None = None,
    ) -> None:
        self.kb = kb
        self.matcher = matcher
        self.gaps = gaps
        self.sessions = sessions
        self.thresholds = thresholds or Thresholds()
        self.session_ttl = session_ttl
        self.now = now
        self.flows = flows or FlowSet()
        self._org_words = {o.code: _org_words(o, matcher.normalise) for o in kb.organisations}
        self._redirect_terms = {
            e.id: terms
            for e, terms in zip(matcher.entries, matcher.entry_terms, strict=True)
            if e.kind is Kind.REDIRECT
        }
        """Each redirect's vocabulary: one that uses the words placing a question elsewhere is its answer."""
        self._regulators = {
            n: tuple(o for o in kb.organisations if o.nations == (n,) and not o.redirect_only)
            for n in NATION_NAMES
        }
        """Per nation, the organisations working there alone: named and linked first when an answer
        does not hold in the nation asked about."""

    # -- conversation -----------------------------------------------------------------

    def reply(self, conv: Conversation, text: str) -> Reply:
        """Answer a message in a conversation: a typed number picks one of the choices just
        offered, a trigger phrase starts its guided flow, text during a flow goes to the flow,
        and anything else is a question."""
        text = bounded(text.strip())
        loaded = self._load(conv) or {}
        state = dict(loaded)
        picked = _pick(text, state.pop("choices", None) or [])
        if picked is not None:
            return self._choose(conv, loaded, state, picked)
        if (flow := self.flows.triggered(text)) is not None:
            return self._start_flow(conv, loaded, state, flow)
        current = state.get("flow")
        if isinstance(current, dict) and not current.get("done"):
            running = self.flows.get(str(current.get("id")))
            if running is not None:
                return self._advance_flow(conv, loaded, state, running, text)
        return self._respond(conv, loaded, state, self.ask(text, conv))

    def choose(self, conv: Conversation, value: str) -> Reply:
        """Act on a choice handed back by a channel (a button, or a number typed in the console)."""
        loaded = self._load(conv) or {}
        state = {k: v for k, v in loaded.items() if k != "choices"}
        return self._choose(conv, loaded, state, value)

    def _choose(self, conv: Conversation, loaded: dict[str, Any], state: dict[str, Any], value: str) -> Reply:
        kind, _, rest = value.partition(":")
        entry_id, _, gap_id = rest.partition(":")
        reply = Reply(Outcome.NOTICE, messages.CHOICE_EXPIRED)
        if kind == "pick" and (entry := self.kb.entry(entry_id)) is not None:
            if gap_id:
                self.gaps.set_status(gap_id, GapStatus.RESOLVED, chosen_entry=entry.id)
            reply = self.show(entry, confidence=1.0)
        elif kind == "none":
            reply = Reply(Outcome.NOTICE, messages.NONE_CHOSEN, gap_id=entry_id or None)
        elif kind == "flow" and (flow := self.flows.get(rest)) is not None:
            return self._start_flow(conv, loaded, state, flow)
        elif (parsed := guided.parse_value(value)) is not None:
            _, flow_id, event = parsed
            current = state.get("flow")
            flow = self.flows.get(flow_id)
            if flow is not None and isinstance(current, dict) and current.get("id") == flow_id:
                return self._advance_flow(conv, loaded, state, flow, event)
            reply = Reply(Outcome.NOTICE, messages.FLOW_EXPIRED)
        return self._respond(conv, loaded, state, reply)

    # -- guided flows -------------------------------------------------------------------

    def _start_flow(
        self, conv: Conversation, loaded: dict[str, Any], state: dict[str, Any], flow: Flow
    ) -> Reply:
        state["flow"], reply = guided.start(flow, self.kb, self.flows.glossary)
        return self._respond(conv, loaded, state, reply)

    def _advance_flow(
        self,
        conv: Conversation,
        loaded: dict[str, Any],
        state: dict[str, Any],
        flow: Flow,
        event: guided.Event,
    ) -> Reply:
        new, reply = guided.advance(flow, state["flow"], event, self.kb, self.flows.glossary)
        if new is None:
            state.pop("flow", None)
        else:
            state["flow"] = new
        return self._respond(conv, loaded, state, reply)

    def _respond(
        self, conv: Conversation, loaded: dict[str, Any], state: dict[str, Any], reply: Reply
    ) -> Reply:
        """Remember the choices just offered (so a typed number can pick one), then save if changed."""
        if reply.choices:
            state["choices"] = [c.value for c in reply.choices]
        else:
            state.pop("choices", None)
        if state != loaded:
            self._save(conv, state)
        return reply

    def feedback(self, conv: Conversation, entry_id: str, question: str, helpful: bool) -> Reply:
        """Record "was this helpful?"; an unhelpful answer goes to the log with its question."""
        if helpful:
            return Reply(Outcome.NOTICE, messages.HELPFUL_THANKS)
        gap = self._log(conv.channel, question, GapReason.UNHELPFUL, entry_id, 1.0)
        return Reply(Outcome.NOTICE, messages.NOT_HELPFUL_THANKS, gap_id=gap.id)

    # -- one question -------------------------------------------------------------------

    def ask(self, text: str, conv: Conversation) -> Reply:
        """Route one question. Stateless apart from logging gaps (conversations go via `reply`)."""
        text = bounded(text)
        tokens = self.matcher.normalise.tokens(text)
        if " ".join(tokens) in self.kb.lexicon.chatter:
            return _small_talk(tokens)
        ranking = self.matcher.rank(text, limit=WEIGHED)
        if not any(term.strip("0123456789") for term in ranking.query.terms):
            return _small_talk(tokens)  # a greeting, a bare number: nothing to route
        words = frozenset(ranking.query.words)
        orgs = self._named_orgs(words)
        nation = _named_nation(ranking) or self._nation_of(orgs)
        away = self._elsewhere(ranking, orgs)
        candidates = _prefer_named(ranking.candidates, nation or "england", orgs, away, self._redirect_terms)
        t = self.thresholds
        best = candidates[0] if candidates else None
        if best is None or best.score < t.clarify or ranking.coverage < t.coverage:
            near, score = (best.entry.id, best.score) if best else (None, 0.0)
            gap = self._log(conv.channel, text, GapReason.DONT_KNOW, near, score)
            return Reply(
                Outcome.DONT_KNOW,
                messages.DONT_KNOW,
                choices=self._offer_flow(),
                confidence=best.score if best else 0.0,
                alternatives=_alternatives(candidates),
                gap_id=gap.id,
            )
        margin = t.margin if t.terse is None or len(set(ranking.query.terms)) <= t.terse else 0.0
        rivals = [c for c in candidates[1:] if best.score - c.score < margin and _lead(c) != _lead(best)]
        if best.score >= t.answer and not rivals:
            return self.show(best.entry, best.score, _alternatives(candidates[1:]), nation)
        options = [c for c in candidates if best.score - c.score <= max(t.window, t.margin)][:3]
        gap = self._log(conv.channel, text, GapReason.CLARIFY, best.entry.id, best.score)
        choices = tuple(Choice(c.entry.title, f"pick:{c.entry.id}:{gap.id}") for c in options)
        choices += (*self._offer_flow(), Choice(messages.NONE_OF_THESE, f"none:{gap.id}"))
        return Reply(
            Outcome.CLARIFY,
            messages.CLARIFY if len(options) > 1 else messages.CLARIFY_ONE,
            choices=choices,
            confidence=best.score,
            alternatives=_alternatives(candidates),
            gap_id=gap.id,
        )

    def show(
        self,
        entry: Entry,
        confidence: float,
        alternatives: tuple[Alternative, ...] = (),
        nation: str | None = None,
    ) -> Reply:
        """The full reply for one entry."""
        links = tuple(
            Link(s.org, self.kb.organisation(s.org).name, s.what, s.url, s.required) for s in entry.signposts
        )
        note = ""
        if nation and nation not in entry.nations and (local := self._regulators.get(nation, ())):
            note = messages.NATION_NOTE.format(
                nation=NATION_NAMES[nation], orgs=" and ".join(o.name for o in local)
            )
            links = (*(Link(o.code, o.name, o.for_, o.website, False) for o in local), *links)
        outcome = Outcome.REDIRECT if entry.kind is Kind.REDIRECT else Outcome.ANSWER
        related = (self.kb.entry(rid) for rid in entry.related)
        see_also = tuple(Choice(r.title, f"pick:{r.id}:") for r in related if r is not None)[:MAX_RELATED]
        return Reply(
            outcome,
            entry.answer.strip(),
            title=entry.title,
            entry_id=entry.id,
            stage=self.kb.stage(entry.stage) if entry.stage else None,
            stage_count=len(self.kb.stages),
            links=links,
            watch_out=entry.watch_out,
            sources=entry.sources,
            reviewed=entry.reviewed,
            owner=entry.owner,
            review_by=entry.review_by,
            note=note,
            confidence=confidence,
            alternatives=alternatives,
            choices=see_also,
        )

    # -- helpers ------------------------------------------------------------------------

    def _offer_flow(self) -> tuple[Choice, ...]:
        """The guided flow to offer when Wayfinder is stuck ("Find my route"), as a choice."""
        flow = self.flows.offered
        return (Choice(flow.title, guided.start_value(flow)),) if flow else ()

    def _log(self, channel: str, text: str, reason: GapReason, near_entry: str | None, score: float) -> Gap:
        """Record a gap. The text is cleaned and redacted here, before it leaves the core."""
        clean = redact(storable(bounded(text)))
        gap = Gap(uuid.uuid4().hex, self.now(), channel, clean, reason, near_entry, round(score, 4))
        self.gaps.record(gap)
        return gap

    def _named_orgs(self, words: frozenset[str]) -> frozenset[str]:
        return frozenset(code for code, names in self._org_words.items() if names & words)

    def _elsewhere(self, ranking: Ranking, orgs: frozenset[str]) -> frozenset[str]:
        """The terms of the words with which the question names another country's system (and
        nothing places it in the UK), or its asker says they are someone Wayfinder is not for; none
        if neither."""
        lexicon = self.kb.lexicon
        words = frozenset(ranking.query.words)
        abroad = words & lexicon.abroad if not (orgs or words & HOME) else frozenset()
        away = abroad | (words & lexicon.askers)
        return frozenset(
            t for w, t in zip(ranking.query.words, ranking.query.terms, strict=True) if w in away
        )

    def _nation_of(self, orgs: frozenset[str]) -> str | None:
        """The devolved nation that the named organisations working in one nation alone point to
        (RQIA: Northern Ireland, also when CQC is named beside it for comparison)."""
        nations = {self.kb.organisation(code).nations for code in orgs}
        devolved = {n[0] for n in nations if len(n) == 1 and n[0] != "england"}
        return devolved.pop() if len(devolved) == 1 else None

    def _load(self, conv: Conversation) -> dict[str, Any] | None:
        return self.sessions.load(conv.key, self.now())

    def _save(self, conv: Conversation, state: dict[str, Any]) -> None:
        if state:
            self.sessions.save(conv.key, state, self.now() + self.session_ttl)
        else:
            self.sessions.delete(conv.key)


def bounded(text: str, limit: int = MAX_QUESTION) -> str:
    """At most `limit` characters, cut between words where one is near, so no email or number is
    left half there to escape redaction."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    return text[:cut] if cut > limit // 2 else text[:limit]


def _small_talk(tokens: list[str]) -> Reply:
    return Reply(Outcome.HELP, messages.YOU_ARE_WELCOME if THANKS & set(tokens) else messages.HELP)


def _pick(text: str, choices: list[str]) -> str | None:
    """The choice a typed reply names by its number: plain digits only (`isdigit` also takes "²",
    "①" and other scripts' digits, which `int` refuses, as it refuses thousands of digits)."""
    if PICK.fullmatch(text) and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1]
    return None


def _named_nation(ranking: Ranking) -> str | None:
    for word in ranking.query.words:
        if word in DEVOLVED:
            return DEVOLVED[word]
    return None


def _lead(candidate: Candidate) -> str:
    return candidate.entry.signposts[0].org


def _org_words(org: Organisation, normalise: Normaliser) -> frozenset[str]:
    """The words that name an organisation in a question: its code, and its name when the
    vocabulary reads the name as one word ("Healthcare Improvement Scotland", "HIS")."""
    name = normalise(org.name).words
    return frozenset([org.code.lower(), *name] if len(name) == 1 else [org.code.lower()])


def _prefer_named(
    candidates: tuple[Candidate, ...],
    nation: str,
    orgs: frozenset[str] = frozenset(),
    elsewhere: frozenset[str] = frozenset(),
    redirects: dict[str, frozenset[str]] | None = None,
) -> tuple[Candidate, ...]:
    """Entries that hold in the nation asked about (England unless another is named) come first,
    a question that names an organisation leans towards the entries that send people there, and
    one that belongs elsewhere (`ELSEWHERE_FACTOR`) leans away from answers and towards a redirect
    whose vocabulary (`redirects`) holds the terms that place it elsewhere ("FDA", "coursework")."""

    def adjusted(c: Candidate) -> Candidate:
        score = c.score if nation in c.entry.nations else c.score * NATION_FACTOR
        if orgs and orgs & set(c.entry.org_codes):
            score *= NAMED_ORG_FACTOR
        if elsewhere and c.entry.kind is not Kind.REDIRECT:
            score *= ELSEWHERE_FACTOR
        elif redirects and elsewhere & redirects.get(c.entry.id, frozenset()):
            score *= NAMED_ORG_FACTOR
        return replace(c, score=round(min(score, 1.0), 4))

    return tuple(sorted(map(adjusted, candidates), key=lambda c: (-c.score, c.entry.id)))


def _alternatives(candidates: tuple[Candidate, ...] | list[Candidate]) -> tuple[Alternative, ...]:
    return tuple(Alternative(c.entry.id, c.entry.title, c.score) for c in candidates[:3])
