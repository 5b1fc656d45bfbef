"""Command line: parses arguments, calls wiring, prints. The only place that exits with a status."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

from bot import wiring
from bot.channels.console.chat import run_chat
from bot.channels.console.render import as_json, render_journey, render_text
from bot.content.export import export_mapping
from bot.content.problems import ContentError
from bot.content.regression import load_cases
from bot.core import messages
from bot.core.audit import NEAR_DUPLICATE_SHARE, audit, overdue
from bot.core.engine import Conversation, Engine
from bot.core.gaps import GapSummary, summarise
from bot.core.journey import journey_map
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser
from bot.core.ports import GapStatus
from bot.core.regression import run_cases
from bot.settings import Settings
from bot.storage.failsafe import FailSafeGapLog
from bot.storage.memory import MemoryGapLog, MemorySessionStore


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="Wayfinder: who to talk to about it.")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("chat", help="console chat (reads stdin line by line when piped)")
    ask = sub.add_parser("ask", help="answer a question, or one per stdin line")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")

    kb = sub.add_parser("kb", help="the knowledge base").add_subparsers(dest="kb_command", required=True)
    kb.add_parser("validate", help="check knowledge/ and flows/")
    audit_ = kb.add_parser("audit", help="what needs review: dates, sources, stray questions, coverage")
    audit_.add_argument(
        "--fail-on-overdue", action="store_true", help="exit 1 when an entry is past its review date"
    )
    kb.add_parser("test", help="run the regression questions in knowledge/regression.yaml")
    export = kb.add_parser("export", help="print the knowledge base")
    export.add_argument("--json", action="store_true", required=True)

    gaps = sub.add_parser("gaps", help="the unanswered-question log").add_subparsers(
        dest="gaps_command", required=True
    )
    listing = gaps.add_parser("list", help="newest first")
    listing.add_argument("--status", choices=[s.value for s in GapStatus])
    listing.add_argument("--limit", type=int, default=50)
    gaps.add_parser("summary", help="open questions: this week, the most asked (grouped), the latest")
    gexport = gaps.add_parser("export", help="everything, as CSV or JSON")
    gexport.add_argument("--format", choices=["csv", "json"], default="csv")
    close = gaps.add_parser("close", help="close a reviewed gap")
    close.add_argument("gap_id")
    close.add_argument("--note", default="", help="what was done, e.g. the entry that now answers it")

    teams = sub.add_parser("teams", help="Microsoft Teams").add_subparsers(
        dest="teams_command", required=True
    )
    package = teams.add_parser("package", help="the app package (zip) that Teams admins upload")
    package.add_argument("--app-id", required=True, help="the bot's Entra app (client) id")
    package.add_argument("--name", default="Wayfinder", help="the app's name in Teams (up to 30 characters)")
    package.add_argument("--developer", default="Wayfinder", help="the publisher's name")
    package.add_argument("--website", default="https://www.cqc.org.uk", help="the publisher's https:// site")
    package.add_argument("--privacy", help="your privacy statement's https:// address (default: --website)")
    package.add_argument("--terms", help="your terms of use's https:// address (default: --website)")
    package.add_argument("--out", default="wayfinder-teams.zip", help="where to write the zip")

    sub.add_parser("bench", help="speed and memory figures")
    sub.add_parser("journey", help="the seven journey stages, what happens and who is involved at each")
    serve = sub.add_parser(
        "serve", help="Slack (/slack/events or Socket Mode) and Teams (/api/messages), whichever are set up"
    )
    serve.add_argument("--port", type=int, help="port for HTTP and /healthz (default $PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default all)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    if hasattr(sys.stdin, "reconfigure"):  # a byte that is not UTF-8 becomes U+FFFD, never a crash
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"Wayfinder cannot start: {exc}.", file=sys.stderr)
        return 2
    command = args.command or "chat"
    if command == "teams":
        return teams_package(args)
    try:
        if command == "kb":
            return kb_command(args, settings)
        if command == "journey":
            print(render_journey(journey_map(wiring.load(settings))))
            return 0
        if command == "bench":
            from bot.bench import run_bench
            from bot.bench_faults import report_faults
            from bot.bench_semantic import report_semantic
            from bot.channels.slack.bench import report_ack_latency
            from bot.channels.teams.bench import report_reply_latency

            run_bench(
                settings,
                sys.stdout,
                extra=[
                    lambda out: report_ack_latency(out, settings),
                    lambda out: report_reply_latency(out, settings),
                    lambda out: report_faults(out, settings),
                    lambda out: report_semantic(out, settings),
                ],
            )
            return 0
        if command == "gaps":
            store = wiring.storage(settings)
            try:
                return gaps_command(store, args, wiring.now(settings))
            finally:
                store.close()
        if command == "serve" and (refusal := serve_problem(settings)):
            print(f"Wayfinder cannot start: {refusal}", file=sys.stderr)
            return 2
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
            run_chat(
                app.engine,
                sys.stdin,
                sys.stdout,
                interactive=sys.stdin.isatty(),
                today=wiring.today(settings),
            )
        elif command == "ask":
            ask(app, args, wiring.today(settings))
        elif command == "serve":
            return serve(app, args)
        return 0
    finally:
        app.close()


def serve_problem(settings: Settings) -> str:
    """Why `serve` cannot start with these settings ("" when it can): Slack, Teams, or both."""
    from bot.channels.slack.server import MissingCredentials, check
    from bot.channels.teams.app import CLIENT_ID, TeamsConfigError
    from bot.channels.teams.app import check as check_teams

    slack, teams = wiring.slack_configured(settings), wiring.teams_configured(settings)
    if not slack and not teams:
        return (
            "no channel is configured. Slack: SLACK_BOT_TOKEN is not set (the bot token, xoxb-...). "
            f"Teams: {CLIENT_ID} is not set (or set WAYFINDER_TEAMS_DEV=1 to try it locally)."
        )
    try:
        if slack:
            check(settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token)
    except MissingCredentials as exc:
        return f"in Slack: {exc}"
    try:
        if teams:
            check_teams(settings.teams_sdk, settings.teams_dev)
    except TeamsConfigError as exc:
        return f"in Teams: {exc}"
    return ""


def serve(app: wiring.App, args: argparse.Namespace) -> int:
    """Slack, Teams or both in one web server, with /healthz."""
    from bot.channels.slack.server import run
    from bot.channels.teams.app import TeamsConfigError

    settings = app.settings
    try:
        teams = [wiring.teams_app(app)] if wiring.teams_configured(settings) else []
    except TeamsConfigError as exc:
        print(f"Wayfinder cannot start in Teams: {exc}", file=sys.stderr)
        return 2
    bolt = wiring.slack_app(app) if wiring.slack_configured(settings) else None
    run(
        bolt,
        args.port or settings.port,
        settings.slack_app_token,
        args.host,
        health=app.store.health,
        signing_secret=settings.slack_signing_secret,
        also=teams,
    )
    return 0


def teams_package(args: argparse.Namespace) -> int:
    from importlib.metadata import version

    from bot.channels.teams.package import PackageError, manifest, write_package

    try:
        data = manifest(
            args.app_id,
            name=args.name,
            developer=args.developer,
            website=args.website,
            privacy=args.privacy or args.website,
            terms=args.terms or args.website,
            version=version("wayfinder"),
        )
    except PackageError as exc:
        print(f"Wayfinder cannot make the Teams package: {exc}", file=sys.stderr)
        return 2
    path = write_package(Path(args.out), data)
    print(f"Wrote {path}: manifest.json (schema {data['manifestVersion']}, bot {data['bots'][0]['botId']}), ")
    print("color.png and outline.png. Upload it in Teams (Apps, Manage your apps, Upload an app) or the")
    print("Teams admin centre. Set --privacy and --terms to your own pages before publishing it.")
    return 0


def ask(app: wiring.App, args: argparse.Namespace, today: date) -> None:
    """Answer each question; the console is the staff's own tool, so overdue answers are marked."""
    questions = [" ".join(args.question)] if args.question else (line.strip() for line in sys.stdin)
    conv = Conversation("cli", "ask")
    for question in questions:
        if not question:
            continue
        reply = app.engine.ask(question, conv)
        if args.json:
            print(json.dumps(as_json(question, reply), ensure_ascii=False), flush=True)
        else:
            print(render_text(reply, today) + "\n", flush=True)


def kb_command(args: argparse.Namespace, settings: Settings) -> int:
    kb = wiring.load(settings)
    if args.kb_command == "validate":
        flows, report = wiring.load_guided(settings, kb)
        print(
            f"OK: {len(kb.entries)} entries, {len(kb.organisations)} organisations, {len(kb.stages)} stages."
        )
        per_flow = ", ".join(f"{flow_id} {n:,}" for flow_id, n in report.paths.items())
        steps = sum(len(f.steps) for f in flows.flows)
        print(
            f"OK: {len(flows.flows)} flows, {steps} steps, {report.total:,} paths, every one ending in an "
            f"outcome with a route ({per_flow})."
        )
        print(semantic_status(settings, kb))
        if late := overdue(kb, wiring.today(settings)):
            print(f"Warning: {len(late)} entries are past their review date:", file=sys.stderr)
            for e in late:
                print(f"  {e.id} (due {e.review_by})", file=sys.stderr)
    elif args.kb_command == "audit":
        return print_audit(kb, wiring.today(settings), args.fail_on_overdue)
    elif args.kb_command == "test":
        return run_regression(settings, kb)
    elif args.kb_command == "export":
        print(json.dumps(export_mapping(kb), indent=2, ensure_ascii=False, default=str))
    return 0


def semantic_status(settings: Settings, kb: KnowledgeBase) -> str:
    """Build or check the knowledge base's sentence vectors, and say how it went."""
    built = wiring.semantic_index(settings, kb)
    if built is None:
        return "Semantic matching is off: Wayfinder answers with the lexical matcher alone."
    index, report = built
    return (
        f"OK: {len(index.raw):,} sentence vectors ({report.cached:,} from the cache, {report.encoded:,} "
        f"encoded) for {index.encoder.model_id} in {settings.cache_dir}."
    )


def print_audit(kb: KnowledgeBase, today: date, fail_on_overdue: bool = False) -> int:
    report = audit(kb, Matcher(kb.entries, Normaliser(kb.lexicon)), today)
    sections = [
        ("Past their review date", [f"{e.id} (due {e.review_by})" for e in report.overdue]),
        ("Reviewed in the future", [f"{e.id} (reviewed {e.reviewed})" for e in report.reviewed_in_future]),
        ("Review due within 30 days", [f"{e.id} (due {e.review_by})" for e in report.due_soon]),
        ("No official source", [e.id for e in report.without_official_source]),
        ("Sources not on an official domain", [f"{e.id}: {url}" for e, url in report.unofficial_sources]),
        ("Organisations no entry uses", list(report.unused_organisations)),
        ("Stages no entry uses", list(report.unused_stages)),
    ]
    for title, lines in sections:
        print(f"{title}: {len(lines) or 'none'}")
        for line in lines:
            print(f"  {line}")
    strays = sorted(report.strays, key=lambda s: s.own_score - s.other_score)
    print(f"Questions closer to another entry than their own: {len(strays)} (worst first; answers drift)")
    for s in strays[:25]:
        print(f"  {s.entry}: {s.question!r} -> {s.closer_to} ({s.other_score:.2f} vs {s.own_score:.2f})")
    if len(strays) > 25:
        print(f"  ... and {len(strays) - 25} more")
    print(
        f"Near-duplicate entries: {len(report.near_duplicates) or 'none'} (questions route both ways, "
        f"at least {NEAR_DUPLICATE_SHARE:.0%} of the pair's; worst first; merge or sharpen them)"
    )
    for d in report.near_duplicates:
        print(
            f"  {d.first} <-> {d.second}: {d.first_to_second} of {d.first}'s questions go to {d.second}, "
            f"{d.second_to_first} back ({d.share:.0%} of {d.questions})"
        )
    stages = [st.id for st in kb.stages]
    print("\nCoverage: answers signposting each organisation at each stage")
    print(f"  {'':<6}" + "".join(f"{sid:>9}" for sid in stages) + f"{'total':>8}")
    for code, row in report.coverage.items():
        print(f"  {code:<6}" + "".join(f"{row[sid]:>9}" for sid in stages) + f"{sum(row.values()):>8}")
    return 1 if report.must_fix or (fail_on_overdue and report.overdue) else 0


def run_regression(settings: Settings, kb: KnowledgeBase) -> int:
    cases = load_cases(settings.knowledge_dir, kb)
    matcher, thresholds = wiring.routing(settings, kb)
    engine = Engine(kb, matcher, MemoryGapLog(), MemorySessionStore(), thresholds)
    failures = run_cases(engine, cases)
    for f in failures:
        print(f"FAIL {f.question!r}: expected {f.expected or 'no answer'}, got {f.got or f.outcome.value}")
    total = sum(len(c.questions) for c in cases)
    print(f"{total - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


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


def print_gap_summary(summary: GapSummary) -> None:
    print(f"Open unanswered questions: {summary.open_count} ({summary.this_week} this week)")
    if summary.frequent:
        print("Most asked (the same question in other words counts once):")
        for text, count in summary.frequent:
            print(f"  {count:>3} x {text}")
    if summary.recent:
        print("Latest:")
        for gap in summary.recent:
            print(f"  {gap.at:%Y-%m-%d %H:%M}  {gap.id[:8]}  {gap.reason.value:<10} {gap.text}")


def print_waiting(gaps: FailSafeGapLog) -> None:
    """Say what the log cannot show yet: changes still waiting for the database, and quarantined ones."""
    if gaps.pending:
        print(messages.GAPS_WAITING.format(count=gaps.pending, spool=gaps.spool))
    if gaps.quarantined:
        print(messages.GAPS_QUARANTINED.format(count=gaps.quarantined, file=gaps.quarantine))


def gaps_command(store: wiring.Storage, args: argparse.Namespace, now: datetime) -> int:
    try:
        if args.gaps_command == "close":
            matches = [g.id for g in store.gaps.list() if g.id.startswith(args.gap_id)]
            if len(matches) != 1:
                print(
                    f"{len(matches)} gaps have an id starting {args.gap_id!r}; give more of it.",
                    file=sys.stderr,
                )
                return 1
            if not store.gaps.close(matches[0], note=args.note):
                print(f"No gap {matches[0]} in the log.", file=sys.stderr)
                return 1
            print(f"Closed {matches[0]}.")
            return 0
        if args.gaps_command == "summary":
            print_gap_summary(summarise(store.gaps, now))
            print_waiting(store.gaps)
            return 0
        status = GapStatus(args.status) if getattr(args, "status", None) else None
        gaps = store.gaps.list(status=status, limit=getattr(args, "limit", None))
    except Exception as exc:  # a database fault: say so plainly
        print(f"The unanswered-question log is unavailable: {type(exc).__name__}: {exc}", file=sys.stderr)
        print_waiting(store.gaps)
        return 1
    rows = [{**asdict(g), "at": g.at.isoformat(timespec="seconds")} for g in gaps]
    if args.gaps_command == "list":
        if not rows:
            print("No unanswered questions logged.")
        print_waiting(store.gaps)
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
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        sys.stderr.close()
        sys.exit(0)
