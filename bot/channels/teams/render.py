"""Render core replies as Adaptive Cards (version 1.5, the newest Teams renders).

Every piece of text, from the knowledge base or from a person, goes into a `TextRun`, which
Adaptive Cards never read as Markdown: a question such as "[click](https://x)" or "**urgent**"
is shown as typed, never as a link or bold. Links are only ever `Action.OpenUrl` on addresses
from the knowledge base.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from bot.channels.teams.payloads import VERB_CHOOSE, VERB_FEEDBACK, VERB_SAY
from bot.core import messages
from bot.core.gaps import GapSummary
from bot.core.replies import Outcome, Reply, long_date, provenance

Card = dict[str, Any]
Element = dict[str, Any]

VERSION = "1.5"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_CARD_CHARS = 24_000
"""Teams refuses messages over about 28 KB; the card stays well under it."""
MAX_TEXT = 4000
MAX_TITLE = 200
MAX_QUESTION = 500
"""How much of a question rides in a button's data (to come back with the press)."""


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text(
    value: str,
    *,
    weight: str | None = None,
    size: str | None = None,
    subtle: bool = False,
    color: str | None = None,
    spacing: str | None = None,
) -> Element:
    """Plain text, never Markdown: a RichTextBlock with one TextRun."""
    run: Element = {"type": "TextRun", "text": truncate(value, MAX_TEXT)}
    if weight:
        run["weight"] = weight
    if size:
        run["size"] = size
    if subtle:
        run["isSubtle"] = True
    if color:
        run["color"] = color
    block: Element = {"type": "RichTextBlock", "inlines": [run]}
    if spacing:
        block["spacing"] = spacing
    return block


def heading(value: str) -> Element:
    return text(truncate(value, MAX_TITLE), weight="Bolder", size="Medium")


def subheading(value: str) -> Element:
    return text(value, weight="Bolder", spacing="Medium")


def small(value: str, color: str | None = None) -> Element:
    return text(value, size="Small", subtle=color is None, color=color)


def open_url(title: str, url: str) -> Element:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def submit(title: str, data: dict[str, Any]) -> Element:
    return {"type": "Action.Submit", "title": truncate(title, MAX_TITLE), "data": data}


def action_set(actions: list[Element]) -> Element:
    return {"type": "ActionSet", "actions": actions}


def card(body: list[Element], summary: str = "") -> Card:
    found: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if summary:
        found["fallbackText"] = truncate(summary, 500)
    return found


def stage_label(reply: Reply) -> str:
    if reply.stage is None:
        return ""
    return messages.STAGE_LABEL.format(
        number=reply.stage.number, count=reply.stage_count, name=reply.stage.name
    )


def summary(reply: Reply) -> str:
    """The plain words for a notification or a screen reader."""
    head = f"{reply.title}: " if reply.title else ""
    return truncate(head + reply.text, 300)


def paragraphs(value: str) -> list[Element]:
    return [text(p.strip()) for p in value.split("\n\n") if p.strip()]


def _signposts(reply: Reply) -> list[Element]:
    """Who to talk to: each organisation, whether it is required, and a button to its page."""
    if not reply.links:
        return []
    body: list[Element] = [subheading(messages.TALK_TO)]
    if reply.route:
        shown = None
        for step in reply.route:
            if step.stage != shown:
                shown = step.stage
                label = messages.STAGE_LABEL.format(
                    number=step.stage.number, count=reply.stage_count, name=step.stage.name
                )
                here = reply.stage is not None and step.stage.id == reply.stage.id
                body.append(subheading(f"{label} ({messages.YOU_ARE_HERE})" if here else label))
            body.extend(
                _link(step.link.org, step.link.org_name, step.link.what, step.link.url, step.link.required)
            )
        return body
    for link in reply.links:
        body.extend(_link(link.org, link.org_name, link.what, link.url, link.required))
    return body


def _link(org: str, name: str, what: str, url: str, required: bool) -> list[Element]:
    need = messages.REQUIRED if required else messages.BEST_PRACTICE
    return [
        {
            "type": "RichTextBlock",
            "inlines": [
                {"type": "TextRun", "text": f"{name} ({need})", "weight": "Bolder"},
                {"type": "TextRun", "text": f"\n{truncate(what, MAX_TEXT)}"},
            ],
        },
        action_set([open_url(messages.OPEN_PAGE.format(org=org), url)]),
    ]


def _sources(reply: Reply) -> list[Element]:
    if not reply.sources:
        return []
    inlines: list[Element] = [{"type": "TextRun", "text": f"{messages.SOURCES}: ", "size": "Small"}]
    for n, url in enumerate(reply.sources):
        if n:
            inlines.append({"type": "TextRun", "text": " · ", "size": "Small"})
        inlines.append(
            {
                "type": "TextRun",
                "text": urlsplit(url).netloc or url,
                "size": "Small",
                "selectAction": open_url(messages.SOURCES, url),
            }
        )
    return [{"type": "RichTextBlock", "inlines": inlines, "spacing": "Medium"}]


def choice_data(value: str, question: str) -> dict[str, Any]:
    return {"verb": VERB_CHOOSE, "value": value, "q": truncate(question, MAX_QUESTION)}


def feedback_data(entry_id: str, question: str, helpful: bool) -> dict[str, Any]:
    return {
        "verb": VERB_FEEDBACK,
        "entry": entry_id,
        "q": truncate(question, MAX_QUESTION),
        "helpful": helpful,
    }


def render_reply(reply: Reply, question: str = "", *, overdue_since: date | None = None) -> Card:
    """The card for any reply. `overdue_since` (staff only) marks an answer due for review."""
    head: list[Element] = []
    body: list[Element] = []
    tail: list[Element] = []
    if reply.title:
        head.append(heading(reply.title))
    if label := stage_label(reply):
        head.append(small(label))
    if overdue_since is not None:
        head.append(small(messages.DUE_FOR_REVIEW.format(date=long_date(overdue_since)), color="Attention"))
    if reply.outcome is Outcome.REDIRECT:
        body.append(text(messages.REDIRECT_PREFIX))
    body.extend(paragraphs(reply.text))
    if reply.note:
        body.extend(paragraphs(reply.note))
    body.extend(_signposts(reply))
    if reply.watch_out:
        body.append(subheading(messages.WATCH_OUT))
        body.extend(text(f"• {w}") for w in reply.watch_out)
    for extra in reply.extra:
        body.extend(paragraphs(extra))
    if reply.choices and reply.outcome in (Outcome.ANSWER, Outcome.REDIRECT):
        tail.append(subheading(messages.SEE_ALSO))  # an answer's choices are its related entries
    # one button a row: side by side, Teams cuts long labels short
    tail.extend(action_set([submit(c.label, choice_data(c.value, question))]) for c in reply.choices)
    if not reply.route:  # a route names each step's page already
        tail.extend(_sources(reply))
    if line := provenance(reply):
        tail.append(small(line))
    if reply.outcome in (Outcome.ANSWER, Outcome.REDIRECT) and reply.entry_id:
        tail.append(small(messages.HELPFUL_QUESTION))
        tail.append(
            action_set(
                [
                    submit(messages.HELPFUL_YES, feedback_data(reply.entry_id, question, True)),
                    submit(messages.HELPFUL_NO, feedback_data(reply.entry_id, question, False)),
                ]
            )
        )
    return card(_fit(head, body, tail), summary(reply))


def _size(element: Element) -> int:
    return len(json.dumps(element, ensure_ascii=False))


def _fit(head: list[Element], body: list[Element], tail: list[Element]) -> list[Element]:
    """Keep the title and the buttons; fill the middle while it fits, and say when it did not."""
    budget = MAX_CARD_CHARS - sum(_size(e) for e in head + tail) - 500
    kept: list[Element] = []
    for element in body:
        if _size(element) > budget:
            kept.append(text(messages.TRUNCATED, subtle=True))
            break
        kept.append(element)
        budget -= _size(element)
    return head + kept + tail


def render_notice(value: str) -> Card:
    """A short message in the core's words (thanks, an expired choice, an apology)."""
    return card(paragraphs(value), truncate(value, 300))


def render_help(intro: str, *, welcome: bool = False) -> Card:
    """How to ask; the welcome card also offers the guided route as a button."""
    body = [*paragraphs(intro), text(messages.TEAMS_HOW)]
    if welcome:
        body.append(
            action_set(
                [
                    submit(
                        messages.TEAMS_FIND_MY_ROUTE, {"verb": VERB_SAY, "text": messages.TEAMS_FIND_MY_ROUTE}
                    )
                ]
            )
        )
    return card(body, truncate(intro, 300))


def render_gaps(gaps: GapSummary | None) -> Card:
    """The unanswered-question summary, for staff. The questions are people's words: plain text."""
    if gaps is None:
        return render_notice(messages.GAPS_UNAVAILABLE)
    counts = messages.GAPS_COUNTS.format(open=gaps.open_count, week=gaps.this_week)
    body: list[Element] = [heading(messages.GAPS_TITLE), text(counts)]
    if not gaps.open_count:
        body.append(text(messages.GAPS_NONE))
        return card(body, counts)
    if gaps.recent:
        body.append(subheading(messages.GAPS_RECENT))
        body.extend(text(f"• {truncate(g.text, 200)}") for g in gaps.recent)
    if gaps.frequent:
        body.append(subheading(messages.GAPS_FREQUENT))
        body.extend(
            text("• " + messages.GAPS_FREQUENT_LINE.format(question=truncate(q, 200), count=n))
            for q, n in gaps.frequent
        )
    body.append(small(messages.GAPS_HOW))
    return card(_fit(body[:2], body[2:], []), counts)
