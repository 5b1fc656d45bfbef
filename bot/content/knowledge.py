"""Load knowledge/ into a KnowledgeBase, in layers: path -> text -> mapping -> model.

Every problem in every file is collected; nothing is loaded while any remain.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from bot.content.problems import Collector
from bot.content.yamltext import parse_yaml, read_texts
from bot.core.models import (
    NATIONS,
    Entry,
    Kind,
    KnowledgeBase,
    Lexicon,
    Organisation,
    Signpost,
    Stage,
)
from bot.core.normalise import Normaliser

STAGE_IDS = ("need", "design", "evidence", "approval", "adoption", "monitor", "scale")
ORG_CODES = (
    "CQC", "NICE", "MHRA", "HRA", "HIN", "NHSE", "ICO", "AIDRS", "NIHR", "IUK", "SBRI",
    "CIS", "HIS", "CIW", "HIW", "RQIA",
)  # fmt: skip
MIN_QUESTIONS = 5
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
URL = re.compile(r"^https?://[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?(?:[/?#][^\s<>\"]*)?$", re.IGNORECASE)
NEEDS = {"required": True, "best-practice": False}
LEGACY_LINKS = (
    (
        re.compile(r"^http://", re.IGNORECASE),
        "is an http:// address",
        "use the https:// address of the same page",
    ),
    (
        re.compile(r"^https?://(?:[a-z0-9-]+\.)*cqc\.org\.uk/node/\d+", re.IGNORECASE),
        "is a CQC internal node/NNN address",
        "open it in a browser and use the readable https://www.cqc.org.uk/... address it lands on",
    ),
    (
        re.compile(
            r"^https?://(?:[a-z0-9-]+\.)*ico\.org\.uk/for-organisations/guide-to-data-protection/",
            re.IGNORECASE,
        ),
        "is a legacy ICO guide-to-data-protection address",
        "use the same guidance under https://ico.org.uk/for-organisations/uk-gdpr-guidance-and-resources/",
    ),
)
"""Addresses that still resolve but are not the page's canonical, current address: (pattern, what, fix)."""

ENTRY_FIELDS = {
    "id", "kind", "title", "stage", "nations", "answer", "watch_out", "signposts", "questions",
    "keywords", "related", "sources", "owner", "reviewed", "review_by",
}  # fmt: skip
SIGNPOST_FIELDS = {"org", "what", "url", "need"}
ORG_FIELDS = {"code", "name", "for", "not", "website", "nations", "domains", "formerly", "scope"}
VOCABULARY = "vocabulary.yaml"
VOCABULARY_SECTIONS = ("phrases", "words", "capitals", "concepts", "chatter", "abroad", "askers", "stopwords")


def link_problem(url: str) -> tuple[str, str] | None:
    """What is wrong with a well-formed but legacy address, and the fix; None when it is fine."""
    for pattern, what, fix in LEGACY_LINKS:
        if pattern.match(url):
            return what, fix
    return None


def load_knowledge(root: Path) -> KnowledgeBase:
    """Read knowledge/ from disk; raises ContentError listing every problem."""
    texts = read_texts(root, ["stages.yaml", "organisations.yaml", VOCABULARY, "entries/*.yaml"])
    return build_knowledge(texts)


def build_knowledge(texts: Mapping[str, str]) -> KnowledgeBase:
    """Build from file name -> YAML text (tests feed strings here)."""
    problems = Collector()
    docs = {name: parse_yaml(name, text, problems) for name, text in texts.items()}
    stages = _stages(docs.get("stages.yaml"), problems)
    orgs = _organisations(docs.get("organisations.yaml"), problems)
    lexicon = _lexicon(docs.get(VOCABULARY), problems)
    entry_docs = {name: doc for name, doc in docs.items() if name.startswith("entries/")}
    if not entry_docs:
        problems.add("entries/", "", "", "no entry files found", "add YAML files under knowledge/entries/")
    checker = _EntryChecker(problems, {s.id for s in stages}, {o.code: o for o in orgs})
    entries: list[Entry] = []
    for name in sorted(entry_docs):
        for raw in _items(entry_docs[name], "entries", name, problems):
            entry = checker.entry(name, raw)
            if entry is not None:
                entries.append(entry)
    checker.cross_checks(entries, Normaliser(lexicon))
    problems.raise_if_any()
    return KnowledgeBase(tuple(stages), tuple(orgs), tuple(entries), lexicon)


def _items(doc: Any, key: str, file: str, problems: Collector) -> list[Any]:
    if doc is None:
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        problems.add(
            file, "", key, f"the file must hold a list under '{key}:'", f"start the file with '{key}:'"
        )
        return []
    return list(doc[key])


def _stages(doc: Any, problems: Collector) -> list[Stage]:
    file = "stages.yaml"
    stages = []
    for n, raw in enumerate(_items(doc, "stages", file, problems), start=1):
        if not isinstance(raw, dict):
            problems.add(file, f"#{n}", "", "a stage must be a mapping", "give id, name and summary")
            continue
        sid = str(raw.get("id", f"#{n}"))
        missing = [f for f in ("id", "name", "summary") if not isinstance(raw.get(f), str) or not raw[f]]
        for f in missing:
            problems.add(file, sid, f, "missing or empty", f"give the stage a {f}")
        if not missing:
            stages.append(Stage(raw["id"], raw["name"].strip(), raw["summary"].strip(), n))
    ids = tuple(s.id for s in stages)
    if doc is not None and ids != STAGE_IDS:
        problems.add(
            file, "", "id", f"stages are {list(ids)}", f"use exactly {list(STAGE_IDS)}, in that order"
        )
    return stages


def _organisations(doc: Any, problems: Collector) -> list[Organisation]:
    file = "organisations.yaml"
    orgs: list[Organisation] = []
    seen: set[str] = set()
    for n, raw in enumerate(_items(doc, "organisations", file, problems), start=1):
        if not isinstance(raw, dict):
            problems.add(
                file, f"#{n}", "", "an organisation must be a mapping", "give code, name, for, website"
            )
            continue
        code = str(raw.get("code", f"#{n}"))
        f = Fields(problems, file, code, raw, ORG_FIELDS)
        if not CODE.match(code):
            problems.add(file, code, "code", "not an organisation code", "use capitals and digits, e.g. MHRA")
        elif code in seen:
            problems.add(file, code, "code", "duplicate organisation code", "keep one organisation per code")
        seen.add(code)
        name, for_, website = f.text("name"), f.text("for"), f.url("website")
        nations = f.nations()
        scope = raw.get("scope")
        if scope not in (None, "redirect"):
            problems.add(file, code, "scope", f"unknown scope {scope!r}", "leave it out, or use 'redirect'")
        if name and for_ and website and nations is not None:
            orgs.append(
                Organisation(
                    code, name, for_, website, nations,
                    domains=tuple(f.strings("domains")),
                    formerly=tuple(f.strings("formerly")),
                    not_=f.text("not", required=False),
                    redirect_only=scope == "redirect",
                )
            )  # fmt: skip
    if doc is not None:
        for code in ORG_CODES:
            if code not in seen:
                problems.add(file, code, "code", "a fixed organisation code is missing", f"add {code} back")
    return orgs


def _lexicon(doc: Any, problems: Collector) -> Lexicon:
    file = VOCABULARY
    if doc is None:
        return Lexicon()
    if not isinstance(doc, dict):
        problems.add(file, "", "", "must be a mapping", "give phrases, words and stopwords")
        return Lexicon()
    maps: dict[str, dict[str, str]] = {}
    for key in ("phrases", "words", "capitals"):
        value = doc.get(key) or {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            problems.add(file, "", key, "must map text to text", f"write '{key}:' then 'from: to' lines")
            value = {}
        maps[key] = {str(k): v.lower() for k, v in value.items()}
    capitals = {w: v for w, v in maps["capitals"].items() if w.isalpha() and w.isupper()}
    for word in sorted(maps["capitals"].keys() - capitals.keys()):
        problems.add(
            file,
            "",
            f"capitals.{word}",
            "must be one word in capitals",
            "write 'HIS: healthcare improvement scotland'",
        )
    stop = _listed(doc, "stopwords", problems, "write stopwords: [a, an, the]")
    concepts: dict[str, tuple[str, ...]] = {}
    raw_concepts = doc.get("concepts") or {}
    if not isinstance(raw_concepts, dict):
        problems.add(
            file, "", "concepts", "must map an idea to a list of words", "write 'idea: [word, word]'"
        )
        raw_concepts = {}
    for idea, members in raw_concepts.items():
        if not isinstance(members, list) or not all(isinstance(m, str) and m.isalpha() for m in members):
            problems.add(
                file, "", f"concepts.{idea}", "must be a list of single words", "list words, no spaces"
            )
            continue
        for member in members:
            concepts[member.lower()] = (*concepts.get(member.lower(), ()), str(idea).lower())
    chatter = _listed(doc, "chatter", problems, "write chatter: [nice one, good morning]")
    abroad = _listed(doc, "abroad", problems, "write abroad: [fda, canada]", single_words=True)
    askers = _listed(doc, "askers", problems, "write askers: [essay, reporter]", single_words=True)
    known = f"use {', '.join(VOCABULARY_SECTIONS[:-1])} or {VOCABULARY_SECTIONS[-1]}"
    for key in sorted(set(doc) - set(VOCABULARY_SECTIONS)):
        problems.add(file, "", key, "unknown section", known)
    return Lexicon(
        {k.lower(): v for k, v in maps["phrases"].items()},
        {k.lower(): v for k, v in maps["words"].items()},
        frozenset(str(w).lower() for w in stop),
        concepts,
        frozenset(" ".join(Normaliser.tokens(str(c))) for c in chatter),
        capitals,
        frozenset(w.lower() for w in abroad),
        frozenset(w.lower() for w in askers),
    )


def _listed(
    doc: dict[str, Any], key: str, problems: Collector, fix: str, *, single_words: bool = False
) -> list[Any]:
    """A vocabulary section that is a list (of single words, if asked); empty, and reported, if not."""
    value = doc.get(key) or []
    ok = isinstance(value, list) and (
        not single_words or all(isinstance(w, str) and " " not in w for w in value)
    )
    if not ok:
        problems.add(
            VOCABULARY,
            "",
            key,
            "must be a list of single words" if single_words else "must be a list",
            fix,
        )
        return []
    return value


class Fields:
    """Typed access to one mapping's fields; every bad field becomes a problem."""

    def __init__(
        self,
        problems: Collector,
        file: str,
        entry: str,
        raw: dict[str, Any],
        allowed: set[str],
        prefix: str = "",
    ) -> None:
        self.problems, self.file, self.entry, self.raw, self.prefix = problems, file, entry, raw, prefix
        for key in raw:
            if key not in allowed:
                near = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                fix = f"did you mean '{near[0]}'?" if near else f"use only {sorted(allowed)}"
                self.add(str(key), "unknown field", fix)

    def add(self, field: str, message: str, fix: str) -> None:
        self.problems.add(self.file, self.entry, self.prefix + field, message, fix)

    def text(self, field: str, required: bool = True) -> str:
        value = self.raw.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(field, "missing or empty", f"add a {field}")
            return ""
        if not isinstance(value, str):
            self.add(field, f"must be text, not {type(value).__name__}", "put the value in quotes")
            return ""
        return " ".join(value.split())

    def strings(self, field: str, minimum: int = 0, what: str = "items") -> list[str]:
        value = self.raw.get(field)
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(field, "must be a list of text", f"write {field}: as a list of quoted lines")
            return []
        if len(value) < minimum:
            self.add(field, f"has {len(value)} {what}, needs at least {minimum}", f"add more {what}")
        return [" ".join(v.split()) for v in value]

    def url(self, field: str, value: Any = None) -> str:
        value = self.raw.get(field) if value is None else value
        if not isinstance(value, str) or not URL.match(value.strip()):
            self.add(field, f"not a valid web address: {value!r}", "use a full https:// address")
            return ""
        legacy = link_problem(value.strip())
        if legacy:
            self.add(field, f"{value.strip()!r} {legacy[0]}", legacy[1])
            return ""
        return value.strip()

    def date(self, field: str) -> date | None:
        value = self.raw.get(field)
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.add(field, f"not a date: {value!r}", "write it as YYYY-MM-DD, e.g. 2026-11-23")
        return None

    def nations(self) -> tuple[str, ...] | None:
        value = self.raw.get("nations")
        if not isinstance(value, list) or not value:
            self.add("nations", "missing or empty", f"list where it holds, from {list(NATIONS)}")
            return None
        bad = [v for v in value if v not in NATIONS]
        if bad:
            self.add("nations", f"unknown nation(s) {bad}", f"use {list(NATIONS)}")
            return None
        return tuple(value)


class _EntryChecker:
    def __init__(self, problems: Collector, stages: set[str], orgs: dict[str, Organisation]):
        self.problems, self.stages, self.orgs = problems, stages, orgs
        self.ids: dict[str, str] = {}

    def entry(self, file: str, raw: Any) -> Entry | None:
        if not isinstance(raw, dict):
            self.problems.add(
                file, "?", "", "an entry must be a mapping", "start each entry with '- id: ...'"
            )
            return None
        eid = str(raw.get("id") or "?")
        f = Fields(self.problems, file, eid, raw, ENTRY_FIELDS)
        if not ID.match(eid):
            f.add("id", f"bad id {eid!r}", "use lowercase words joined by hyphens")
        elif eid in self.ids:
            f.add("id", f"duplicate id, also in {self.ids[eid]}", "give each entry its own id")
        self.ids.setdefault(eid, file)

        kind_raw = raw.get("kind", "answer")
        kind = Kind(kind_raw) if kind_raw in {k.value for k in Kind} else None
        if kind is None:
            f.add("kind", f"unknown kind {kind_raw!r}", "use answer or redirect")
        stage = raw.get("stage")
        if stage is None and kind is not Kind.REDIRECT:
            f.add("stage", "missing", f"pick one of {sorted(self.stages)}")
        elif stage is not None and stage not in self.stages:
            near = difflib.get_close_matches(str(stage), sorted(self.stages), n=1)
            f.add(
                "stage",
                f"unknown stage {stage!r}",
                f"did you mean '{near[0]}'?" if near else "use a stage id",
            )

        title, answer, owner = f.text("title"), f.text("answer"), f.text("owner")
        questions = f.strings("questions", MIN_QUESTIONS, "questions")
        sources = f.strings("sources", 1, "sources")
        for n, src in enumerate(sources, start=1):
            f.url(f"sources[{n}]", src)
        signposts = self._signposts(f, raw.get("signposts"))
        reviewed, review_by = f.date("reviewed"), f.date("review_by")
        if reviewed and review_by and review_by <= reviewed:
            f.add("review_by", "is not after reviewed", "set the next review after the last one")
        nations = f.nations()
        keywords, watch_out, related = f.strings("keywords"), f.strings("watch_out"), f.strings("related")
        complete = title and answer and owner and questions and sources and signposts and nations
        if not complete or kind is None or reviewed is None or review_by is None or nations is None:
            return None
        return Entry(
            eid, title, kind, stage, nations, answer, signposts, tuple(questions), tuple(sources), owner,
            reviewed, review_by, tuple(keywords), tuple(watch_out), tuple(related), file,
        )  # fmt: skip

    def _signposts(self, f: Fields, value: Any) -> tuple[Signpost, ...]:
        if not isinstance(value, list) or not value:
            f.add("signposts", "missing or empty", "add at least one organisation to talk to")
            return ()
        out = []
        for n, raw in enumerate(value, start=1):
            field = f"signposts[{n}]"
            if not isinstance(raw, dict):
                f.add(field, "must be a mapping", "give org, what, url and need")
                continue
            sub = Fields(f.problems, f.file, f.entry, raw, SIGNPOST_FIELDS, prefix=f"{field}.")
            org = raw.get("org")
            if org not in self.orgs:
                near = difflib.get_close_matches(str(org), sorted(self.orgs), n=1)
                sub.add(
                    "org",
                    f"unknown organisation {org!r}",
                    f"did you mean {near[0]}?" if near else "use a code",
                )
            need = raw.get("need")
            if need not in NEEDS:
                sub.add("need", f"{need!r} is not required or best-practice", "use required or best-practice")
            what, url = sub.text("what"), sub.url("url")
            if org in self.orgs and need in NEEDS and what and url:
                out.append(Signpost(str(org), what, url, NEEDS[str(need)]))
        return tuple(out) if len(out) == len(value) else ()

    def cross_checks(self, entries: list[Entry], normalise: Normaliser) -> None:
        ids = {e.id for e in entries}
        owner_of: dict[str, Entry] = {}
        for e in entries:
            for rel in e.related:
                if rel not in ids and rel not in self.ids:
                    self.problems.add(
                        e.file, e.id, "related", f"no entry {rel!r}", "use an existing entry id"
                    )
            for q in e.questions:
                key = " ".join(normalise.tokens(q))
                other = owner_of.setdefault(key, e)
                if other.id != e.id:
                    self.problems.add(
                        e.file, e.id, "questions",
                        f"{q!r} is also a question of {other.id} ({other.file})",
                        "keep the question under one entry only",
                    )  # fmt: skip
