"""The console chat: a terminal conversation, or a scripted transcript over piped stdin."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TextIO

from bot.channels.console.render import render_text
from bot.core import messages
from bot.core.engine import Conversation, Engine

QUIT = {"quit", "exit", "bye", ":q"}


def run_chat(
    engine: Engine, stdin: TextIO, stdout: TextIO, interactive: bool, today: date | None = None
) -> None:
    """Talk until end of input or "quit". Piped input is echoed so the output reads as a transcript."""
    conv = Conversation("console", uuid.uuid4().hex)
    if interactive:
        stdout.write(messages.HELP + "\nType “quit” to leave.\n\n> ")
        stdout.flush()
    for line in stdin:
        text = line.strip()
        if text.lower() in QUIT:
            break
        if not text:
            if interactive:
                stdout.write("> ")
                stdout.flush()
            continue
        if not interactive:
            stdout.write(f"> {text}\n")
        reply = engine.reply(conv, text)
        stdout.write(render_text(reply, today) + "\n\n")
        if interactive:
            stdout.write("> ")
        stdout.flush()
