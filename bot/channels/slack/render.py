"""Render core replies as Block Kit, within Slack's limits, with every piece of user text escaped.

Slack reads `&`, `<` and `>` as markup: `<!channel>` pings a whole channel and `<https://a|b>`
shows one address and opens another. So anything a person typed is made plain on the way in
(`plain`) and escaped on the way out (`escape`); knowledge-base text is escaped too, as it is
plain text, not mrkdwn.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from bot.core import messages
from bot.core.gaps import GapSummary
from bot.core.journey import StageView
from bot.core.replies import Outcome, Reply, long_date, provenance

Block = dict[str, Any]
Message = dict[str, Any]

MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_BLOCK_ID = 255
MAX_ACTIONS = 25
MAX_FALLBACK = 3000
MAX_MESSAGE_CHARS = 11_000
"""Slack refuses messages whose blocks hold much more than about 12,000 characters in all."""
MAX_QUESTION = 1500
"""How much of a question rides in a button value (the value limit is 2000)."""
HOME_QUESTIONS = 5
"""Question buttons per stage in App Home."""

ACTION_CHOOSE = "choose"
ACTION_HELPFUL = "feedback-yes"
ACTION_UNHELPFUL = "feedback-no"
ACTION_SHARE = "share"
ACTION_LINK = "link"
ACTION_ASK = "ask"
CHOICES_BLOCK = "choices:"
"""Prefix of the block id that carries the question a set of choices answers."""

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_MARKUP = re.compile(r"<([^<>]*)>")


def escape(text: str) -> str:
    """Make text safe to show in mrkdwn: escape the three control characters, defuse @channel."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@\u2060" + m.group(1), text)


def plain(text: str) -> str:
    """Slack's markup as the plain words a person typed: `<!channel>` -> "@channel", a link -> its
    label and address, entities -> characters. The core only ever sees plain text."""

    def one(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("!"):
            name = target[1:].split("^")[0]
            return label or f"@{name}"
        if target.startswith(("@", "#")):
            return f"{target[0]}{label}" if label else target
        if label and label != target:
            return f"{label} ({target})"
        return target

    text = _MARKUP.sub(one, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def strip_mentions(text: str) -> str:
    """A mention's text without the leading `<@BOT>`."""
    return re.sub(r"^\s*(<@[A-Z0-9]+(\|[^>]*)?>[\s,:]*)+", "", text).strip()


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chunks(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Split text into pieces of at most `limit` characters, at paragraph or word breaks."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _text(text: str, verbatim: bool = True) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": verbatim}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def section(text: str) -> Block:
    return {"type": "section", "text": _text(truncate(text, MAX_SECTION))}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [_text(truncate(t, MAX_SECTION)) for t in texts[:10]]}


def button(text: str, action_id: str, value: str | None = None, url: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": _plain(text, MAX_BUTTON_TEXT),
        "action_id": action_id,
    }
    if value is not None:
        element["value"] = value
    if url is not None:
        element["url"] = url
    return element


def actions(elements: list[dict[str, Any]], block_id: str | None = None) -> list[Block]:
    """Buttons in actions blocks of at most 25; the block id goes on the first."""
    blocks: list[Block] = []
    for start in range(0, len(elements), MAX_ACTIONS):
        block: Block = {"type": "actions", "elements": elements[start : start + MAX_ACTIONS]}
        if block_id and start == 0:
            block["block_id"] = block_id[:MAX_BLOCK_ID]
        blocks.append(block)
    return blocks


def link(url: str, label: str) -> str:
    """A mrkdwn link to a trusted address (from the knowledge base)."""
    return f"<{escape(url).replace('|', '%7C')}|{escape(label)}>"


def feedback_value(entry_id: str, question: str) -> str:
    """What the feedback and share buttons carry: the entry and the question, as JSON, under 2000."""
    q = question[:MAX_QUESTION]
    while True:
        value = json.dumps({"e": entry_id, "q": q}, ensure_ascii=False)
        if len(value) <= MAX_BUTTON_VALUE:
            return value
        q = q[: len(q) - (len(value) - MAX_BUTTON_VALUE) - 1]


def read_value(value: str) -> tuple[str, str]:
    """The entry id and question from a feedback or share button's value; empty when unreadable."""
    try:
        data = json.loads(value)
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    return str(data.get("e") or ""), str(data.get("q") or "")


def question_from_block(block_id: str) -> str:
    return block_id[len(CHOICES_BLOCK) :] if block_id.startswith(CHOICES_BLOCK) else ""


def stage_label(reply: Reply) -> str:
    if reply.stage is None:
        return ""
    return messages.STAGE_LABEL.format(
        number=reply.stage.number, count=reply.stage_count, name=reply.stage.name
    )


def fallback(reply: Reply) -> str:
    """The plain `text` for notifications and screen readers."""
    head = f"{reply.title}: " if reply.title else ""
    return escape(truncate(head + reply.text, MAX_FALLBACK))


def render_pages(
    reply: Reply,
    question: str = "",
    *,
    echo: str = "",
    share: bool = False,
    feedback: bool = True,
    staff_today: date | None = None,
) -> list[Message]:
    """Block Kit for a reply, in as many messages as it needs, so nothing is cut (a long route and
    its summary): the first message has the title, the last the buttons and sources."""
    head, body, tail = _reply_blocks(reply, question, echo, share, feedback, staff_today)
    pages = _paginate(head, body, tail, MAX_BLOCKS)
    more = escape(truncate(messages.CONTINUED.format(title=reply.title or ""), MAX_FALLBACK))
    return [{"text": fallback(reply) if n == 0 else more, "blocks": blocks} for n, blocks in enumerate(pages)]


def _reply_blocks(
    reply: Reply, question: str, echo: str, share: bool, feedback: bool, staff_today: date | None
) -> tuple[list[Block], list[Block], list[Block]]:
    """The blocks of a reply: head (title, stage), body (text, links, summary), tail (choices,
    sources, buttons). `question` rides in the buttons; `echo` (already formatted with
    escaped user text, e.g. messages.YOU_ASKED) is shown above the answer. `staff_today` is given
    only for a message that staff alone see: past its review date, the answer says so."""
    head: list[Block] = []
    body: list[Block] = []
    tail: list[Block] = []
    if reply.title:
        head.append({"type": "header", "text": _plain(reply.title, MAX_HEADER)})
    if label := stage_label(reply):
        head.append(context(escape(label)))
    if echo:
        head.append(context(echo))
    if reply.outcome is Outcome.REDIRECT:
        body.append(section(escape(messages.REDIRECT_PREFIX)))
    body.extend(section(escape(piece)) for piece in chunks(reply.text))
    if reply.note:
        body.extend(section(escape(piece)) for piece in chunks(reply.note))
    if reply.links:
        body.append(section(f"*{escape(messages.TALK_TO)}*"))
    for link_ in reply.links:
        need = messages.REQUIRED if link_.required else messages.BEST_PRACTICE
        text = f"*{escape(link_.org_name)}* ({escape(need)})\n{escape(link_.what)}"
        block = section(text)
        block["accessory"] = button(
            messages.OPEN_PAGE.format(org=link_.org), ACTION_LINK, url=link_.url[:3000]
        )
        body.append(block)
    if reply.watch_out:
        lines = "\n".join(f"• {escape(w)}" for w in reply.watch_out)
        body.extend(section(piece) for piece in chunks(f"*{escape(messages.WATCH_OUT)}*\n{lines}"))
    for paragraph in reply.extra:
        body.extend(section(escape(piece)) for piece in chunks(paragraph))

    if reply.choices:
        elements = [
            button(choice.label, f"{ACTION_CHOOSE}-{n}", choice.value)
            for n, choice in enumerate(reply.choices)
            if len(choice.value) <= MAX_BUTTON_VALUE
        ]
        if reply.outcome in (Outcome.ANSWER, Outcome.REDIRECT):
            tail.append(context(escape(messages.SEE_ALSO)))
        tail.extend(actions(elements, CHOICES_BLOCK + question))
    footer = []
    if reply.sources:
        footer.append(
            f"{escape(messages.SOURCES)}: "
            + " · ".join(link(url, urlsplit(url).netloc or url) for url in reply.sources)
        )
    if reply.reviewed:
        footer.append(escape(provenance(reply)))
    if staff_today is not None and reply.overdue(staff_today) and reply.review_by:
        footer.append(escape(messages.DUE_FOR_REVIEW.format(date=long_date(reply.review_by))))
    if footer:
        tail.append(context(*footer))
    answered = reply.outcome in (Outcome.ANSWER, Outcome.REDIRECT) and reply.entry_id
    if answered and (feedback or share):
        value = feedback_value(reply.entry_id or "", question)
        buttons = []
        if feedback:
            buttons += [
                button(messages.HELPFUL_YES, ACTION_HELPFUL, value),
                button(messages.HELPFUL_NO, ACTION_UNHELPFUL, value),
            ]
        if share:
            buttons.append(button(messages.SHARE, ACTION_SHARE, value))
        if feedback:
            tail.append(context(escape(messages.HELPFUL_QUESTION)))
        tail.extend(actions(buttons))
    return head, body, tail


def _size(block: Block) -> int:
    return len(json.dumps(block, ensure_ascii=False))


def _paginate(head: list[Block], body: list[Block], tail: list[Block], max_blocks: int) -> list[list[Block]]:
    """Fill messages in order, each within Slack's block and size limits; none is cut."""
    pages: list[list[Block]] = []
    page, size = list(head), sum(_size(b) for b in head)
    for block in body:
        if page and (len(page) >= max_blocks or size + _size(block) > MAX_MESSAGE_CHARS):
            pages.append(page)
            page, size = [], 0
        page.append(block)
        size += _size(block)
    if page and (
        len(page) + len(tail) > max_blocks or size + sum(_size(b) for b in tail) > MAX_MESSAGE_CHARS
    ):
        pages.append(page)
        page = []
    pages.append(page + tail)
    return [p for p in pages if p]


def render_notice(text: str) -> Message:
    """A short message in the core's words (thanks, help, an expired choice)."""
    return {
        "text": escape(truncate(text, MAX_FALLBACK)),
        "blocks": [section(escape(p)) for p in chunks(text)],
    }


def render_help(intro: str) -> Message:
    return {
        "text": escape(truncate(intro, MAX_FALLBACK)),
        "blocks": [section(escape(intro)), section(escape(messages.SLACK_HOW))],
    }


def gap_blocks(summary: GapSummary) -> list[Block]:
    """The unanswered-question log summary, for staff. Questions are user text: escaped."""
    blocks: list[Block] = [
        {"type": "header", "text": _plain(messages.GAPS_TITLE, MAX_HEADER)},
        section(escape(messages.GAPS_COUNTS.format(open=summary.open_count, week=summary.this_week))),
    ]
    if not summary.open_count:
        blocks.append(section(escape(messages.GAPS_NONE)))
        return blocks
    if summary.recent:
        lines = "\n".join(f"• {escape(truncate(g.text, 200))}" for g in summary.recent)
        blocks.append(section(f"*{escape(messages.GAPS_RECENT)}*\n{lines}"))
    if summary.frequent:
        lines = "\n".join(
            "• " + escape(messages.GAPS_FREQUENT_LINE.format(question=truncate(q, 200), count=n))
            for q, n in summary.frequent
        )
        blocks.append(section(f"*{escape(messages.GAPS_FREQUENT)}*\n{lines}"))
    blocks.append(context(escape(messages.GAPS_HOW)))
    return blocks


def render_gaps(summary: GapSummary | None) -> Message:
    if summary is None:
        return render_notice(messages.GAPS_UNAVAILABLE)
    text = messages.GAPS_COUNTS.format(open=summary.open_count, week=summary.this_week)
    return {"text": escape(text), "blocks": gap_blocks(summary)}


def home_view(stages: tuple[StageView, ...], gaps: GapSummary | None = None, staff: bool = False) -> Block:
    """App Home: the journey map, each question a button; staff also see the gap summary."""
    blocks: list[Block] = []
    if staff:
        blocks.extend(gap_blocks(gaps) if gaps else [section(escape(messages.GAPS_UNAVAILABLE))])
        blocks.append({"type": "divider"})
    blocks.append({"type": "header", "text": _plain(messages.HOME_TITLE, MAX_HEADER)})
    blocks.append(section(escape(messages.HOME_INTRO)))
    for view in stages:
        stage = view.stage
        blocks.append({"type": "divider"})
        heading = messages.STAGE_LABEL.format(number=stage.number, count=len(stages), name=stage.name)
        text = f"*{escape(heading)}*\n{escape(stage.summary)}"
        if view.organisations:
            orgs = ", ".join(o.name for o in view.organisations)
            text += "\n_" + escape(messages.HOME_WHO.format(orgs=orgs)) + "_"
        blocks.append(section(text))
        shown = view.entries[:HOME_QUESTIONS]
        if shown:
            blocks.extend(
                actions(
                    [
                        button(e.questions[0] if e.questions else e.title, f"{ACTION_ASK}-{n}", e.id)
                        for n, e in enumerate(shown)
                    ],
                    f"stage:{stage.id}",
                )
            )
        if len(view.entries) > len(shown):
            blocks.append(context(escape(messages.HOME_MORE.format(count=len(view.entries) - len(shown)))))
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}
