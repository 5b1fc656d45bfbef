"""Render a core Reply as plain text for a terminal, and as the JSON contract for `ask --json`."""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

from bot.core import messages
from bot.core.journey import StageView
from bot.core.replies import Outcome, Reply, long_date, provenance

WIDTH = 92


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(
        text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  " if indent else ""
    )


def render_text(reply: Reply, today: date | None = None) -> str:
    """The reply as plain text; given `today`, an answer past its review date says so (the console
    is the staff's own tool)."""
    parts: list[str] = []
    if reply.outcome is Outcome.REDIRECT:
        parts.append(messages.REDIRECT_PREFIX)
    if reply.title:
        parts.append(reply.title)
    if reply.stage:
        parts.append(
            messages.STAGE_LABEL.format(
                number=reply.stage.number, count=reply.stage_count, name=reply.stage.name
            )
        )
    parts.append("\n\n".join(_wrap(paragraph) for paragraph in reply.text.split("\n\n")))
    if reply.note:
        parts.append(_wrap(reply.note))
    if reply.links and not reply.route:  # a flow's route is shown grouped by stage in its summary
        lines = ["Talk to:"]
        for link in reply.links:
            need = messages.REQUIRED if link.required else messages.BEST_PRACTICE
            lines.append(_wrap(f"• {link.org_name} ({link.org}), {need}: {link.what}", "  "))
            lines.append(f"    {link.url}")
        parts.append("\n".join(lines))
    if reply.watch_out:
        parts.append("\n".join([f"{messages.WATCH_OUT}:", *(_wrap(f"• {w}", "  ") for w in reply.watch_out)]))
    for paragraph in reply.extra:
        parts.append(paragraph)
    if reply.choices:
        heading = [f"{messages.SEE_ALSO}:"] if reply.outcome in (Outcome.ANSWER, Outcome.REDIRECT) else []
        parts.append(
            "\n".join([*heading, *(f"  {n}. {c.label}" for n, c in enumerate(reply.choices, start=1))])
        )
    if reply.sources and not reply.route:  # a route's summary gives each step's page and entry
        footer = "\n".join([f"{messages.SOURCES}:", *(f"  {url}" for url in reply.sources)])
        if reply.reviewed:
            footer += "\n" + provenance(reply)
        if today is not None and reply.overdue(today) and reply.review_by:
            footer += "\n" + messages.DUE_FOR_REVIEW.format(date=long_date(reply.review_by))
        parts.append(footer)
    return "\n\n".join(p for p in parts if p)


def as_json(question: str, reply: Reply) -> dict[str, Any]:
    """The `ask --json` contract (see DESIGN.md)."""
    return {
        "question": question,
        "answered": reply.answered,
        "outcome": reply.outcome.value,
        "entry": reply.entry_id if reply.outcome in (Outcome.ANSWER, Outcome.REDIRECT) else None,
        "title": reply.title,
        "stage": reply.stage.id if reply.stage and reply.answered else None,
        "signposts": list(dict.fromkeys(link.org for link in reply.links)) if reply.answered else [],
        "confidence": round(reply.confidence, 3),
        "text": reply.text,
        "sources": list(reply.sources),
        "reviewed": reply.reviewed.isoformat() if reply.reviewed else None,
        "owner": reply.owner or None,
        "review_by": reply.review_by.isoformat() if reply.review_by else None,
        "alternatives": [
            {"entry": a.entry, "title": a.title, "confidence": round(a.confidence, 3)}
            for a in reply.alternatives
        ],
        "logged": reply.logged,
    }


def render_journey(views: tuple[StageView, ...], examples: int = 3) -> str:
    """The journey map as plain text: each stage, what happens, who is involved, what people ask."""
    parts = [messages.JOURNEY_TITLE]
    for view in views:
        stage = view.stage
        lines = [f"{stage.number}. {stage.name} ({stage.id})", _wrap(stage.summary, "   ")]
        if view.organisations:
            who = ", ".join(f"{o.name} ({o.code})" for o in view.organisations)
            lines.append(_wrap(f"{messages.JOURNEY_WHO}: {who}", "   "))
        if view.entries and examples:
            lines.append(f"   {messages.JOURNEY_ASKED}:")
            lines += [_wrap(f"• {e.title}", "     ") for e in view.entries[:examples]]
        parts.append("\n".join(lines))
    parts.append(messages.JOURNEY_FOOTER)
    return "\n\n".join(parts)
