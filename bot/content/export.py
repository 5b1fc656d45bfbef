"""The knowledge base as plain data, for `kb export --json` and outside checks."""

from __future__ import annotations

from typing import Any

from bot.core.models import KnowledgeBase


def export_mapping(kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "stages": [{"id": s.id, "number": s.number, "name": s.name, "summary": s.summary} for s in kb.stages],
        "organisations": [
            {
                "code": o.code,
                "name": o.name,
                "formerly": list(o.formerly),
                "for": o.for_,
                "not": o.not_,
                "website": o.website,
                "nations": list(o.nations),
                "redirect_only": o.redirect_only,
            }
            for o in kb.organisations
        ],
        "entries": [
            {
                "id": e.id,
                "kind": e.kind.value,
                "title": e.title,
                "stage": e.stage,
                "nations": list(e.nations),
                "signposts": list(e.org_codes),
                "links": [
                    {"org": s.org, "what": s.what, "url": s.url, "required": s.required} for s in e.signposts
                ],
                "answer": e.answer,
                "watch_out": list(e.watch_out),
                "questions": list(e.questions),
                "keywords": list(e.keywords),
                "related": list(e.related),
                "sources": list(e.sources),
                "owner": e.owner,
                "reviewed": e.reviewed.isoformat(),
                "review_by": e.review_by.isoformat(),
                "file": e.file,
            }
            for e in kb.entries
        ],
    }
