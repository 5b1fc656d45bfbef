"""Command line: parses arguments, calls wiring, prints. The only place that exits with a status."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict

from bot import wiring
from bot.channels.console.chat import run_chat
from bot.channels.console.render import as_json, render_text
from bot.content.export import export_mapping
from bot.content.problems import ContentError
from bot.core.engine import Conversation
from bot.core.ports import GapStatus
from bot.settings import Settings


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="Wayfinder: who to talk to about it.")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("chat", help="console chat (reads stdin line by line when piped)")
    ask = sub.add_parser("ask", help="answer a question, or one per stdin line")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")

    kb = sub.add_parser("kb", help="the knowledge base").add_subparsers(dest="kb_command", required=True)
    kb.add_parser("validate", help="check knowledge/ and flows/")
    export = kb.add_parser("export", help="print the knowledge base")
    export.add_argument("--json", action="store_true", required=True)

    gaps = sub.add_parser("gaps", help="the unanswered-question log").add_subparsers(
        dest="gaps_command", required=True
    )
    listing = gaps.add_parser("list", help="newest first")
    listing.add_argument("--status", choices=[s.value for s in GapStatus])
    listing.add_argument("--limit", type=int, default=50)
    gexport = gaps.add_parser("export", help="everything, as CSV or JSON")
    gexport.add_argument("--format", choices=["csv", "json"], default="csv")
    close = gaps.add_parser("close", help="close a reviewed gap")
    close.add_argument("gap_id")
    close.add_argument("--note", default="", help="what was done, e.g. the entry that now answers it")

    sub.add_parser("bench", help="speed and memory figures")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    settings = Settings.from_env()
    command = args.command or "chat"
    try:
        if command == "kb":
            return kb_command(args, settings)
        if command == "bench":
            from bot.bench import run_bench

            run_bench(settings, sys.stdout)
            return 0
        if command == "gaps":
            store = wiring.storage(settings)
            try:
                return gaps_command(store, args)
            finally:
                store.close()
        app = wiring.build(settings)
    except ContentError as exc:
        print(
            f"Wayfinder cannot start: the knowledge base has {len(exc.problems)} problem(s).", file=sys.stderr
        )
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        print("Run `python -m bot kb validate` after fixing them.", file=sys.stderr)
        return 1
    try:
        if command == "chat":
            run_chat(app.engine, sys.stdin, sys.stdout, interactive=sys.stdin.isatty())
        elif command == "ask":
            ask(app, args)
        return 0
    finally:
        app.close()


def ask(app: wiring.App, args: argparse.Namespace) -> None:
    questions = [" ".join(args.question)] if args.question else (line.strip() for line in sys.stdin)
    conv = Conversation("cli", "ask")
    for question in questions:
        if not question:
            continue
        reply = app.engine.ask(question, conv)
        if args.json:
            print(json.dumps(as_json(question, reply), ensure_ascii=False), flush=True)
        else:
            print(render_text(reply) + "\n", flush=True)


def kb_command(args: argparse.Namespace, settings: Settings) -> int:
    kb = wiring.load(settings)
    if args.kb_command == "validate":
        print(
            f"OK: {len(kb.entries)} entries, {len(kb.organisations)} organisations, {len(kb.stages)} stages."
        )
    elif args.kb_command == "export":
        print(json.dumps(export_mapping(kb), indent=2, ensure_ascii=False, default=str))
    return 0


GAP_FIELDS = [
    "id",
    "at",
    "channel",
    "reason",
    "status",
    "near_entry",
    "near_score",
    "chosen_entry",
    "note",
    "text",
]


def gaps_command(store: wiring.Storage, args: argparse.Namespace) -> int:
    try:
        if args.gaps_command == "close":
            matches = [g.id for g in store.gaps.list() if g.id.startswith(args.gap_id)]
            if len(matches) != 1:
                print(
                    f"{len(matches)} gaps have an id starting {args.gap_id!r}; give more of it.",
                    file=sys.stderr,
                )
                return 1
            store.gaps.inner.set_status(matches[0], GapStatus.CLOSED, note=args.note)
            print(f"Closed {matches[0]}.")
            return 0
        status = GapStatus(args.status) if getattr(args, "status", None) else None
        gaps = store.gaps.list(status=status, limit=getattr(args, "limit", None))
    except Exception as exc:  # a database fault: say so plainly
        print(f"The unanswered-question log is unavailable: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    rows = [{**asdict(g), "at": g.at.isoformat(timespec="seconds")} for g in gaps]
    if args.gaps_command == "list":
        if not rows:
            print("No unanswered questions logged.")
        for r in rows:
            near = f"{r['near_entry']} ({r['near_score']:.2f})" if r["near_entry"] else "-"
            print(f"{r['at']}  {r['id'][:8]}  {r['channel']:<8} {r['reason']:<10} {r['status']:<8} {near}")
            print(f"    {r['text']}")
    elif args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=GAP_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
