"""The command-line contract that outside checks rely on (DESIGN.md), run as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content.knowledge import load_knowledge
from bot.core import messages
from tests.conftest import FIXTURES, ROOT, TODAY


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, env=env, cwd=ROOT,
        timeout=120,
    )  # fmt: skip


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "WAYFINDER_KNOWLEDGE": str(FIXTURES / "knowledge"),
        "WAYFINDER_SPOOL": str(tmp_path / "spool.jsonl"),
        "WAYFINDER_TODAY": TODAY.isoformat(),
    }


def test_ask_json_gives_one_object_per_stdin_line(env: dict[str, str]) -> None:
    result = run("ask", "--json", stdin="is my app a medical device\n\nwhat's on tv tonight\n", env=env)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert {"question", "answered", "entry", "title", "stage", "signposts", "confidence", "text", "sources",
            "alternatives", "logged"} <= set(first)  # fmt: skip
    assert first["answered"] and first["entry"] == "device-software" and first["stage"] == "design"
    assert first["signposts"] == ["MHRA"] and 0 < first["confidence"] <= 1 and not first["logged"]
    assert not second["answered"] and second["entry"] is None and second["logged"]


def test_an_answer_needs_no_database_and_a_gap_is_still_logged(env: dict[str, str]) -> None:
    """SQLAlchemy (about half a second of start-up) is imported only when something is stored: an
    answered question never loads it, an unanswered one is logged as before."""
    probe = (
        "import sys; from bot.__main__ import main; code = main(sys.argv[1:]); "
        "print('database loaded' if 'sqlalchemy' in sys.modules else 'no database'); sys.exit(code)"
    )
    answered = subprocess.run(
        [sys.executable, "-c", probe, "ask", "is my app a medical device"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert answered.returncode == 0, answered.stderr
    assert answered.stdout.rstrip().endswith("no database")
    unanswered = subprocess.run(
        [sys.executable, "-c", probe, "ask", "what's on tv tonight"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert unanswered.stdout.rstrip().endswith("database loaded")
    assert "what's on tv tonight" in run("gaps", "list", env=env).stdout


def test_personal_data_never_reaches_the_gaps_export(env: dict[str, str]) -> None:
    question = "patient 943 476 5919 emailed jo.bloggs@example.org from 07700 900123 about parking"
    assert run("ask", question, env=env).returncode == 0
    exported = run("gaps", "export", "--format", "csv", env=env)
    assert exported.returncode == 0, exported.stderr
    (row,) = csv.DictReader(io.StringIO(exported.stdout))
    assert row["text"] == "patient [NHS number] emailed [email] from [phone] about parking"
    for secret in ("943 476 5919", "9434765919", "jo.bloggs", "07700"):
        assert secret not in exported.stdout
    as_json = json.loads(run("gaps", "export", "--format", "json", env=env).stdout)
    assert as_json[0]["text"] == row["text"]


def test_gaps_list_and_close(env: dict[str, str]) -> None:
    run("ask", "best running shoes", env=env)
    listed = run("gaps", "list", env=env).stdout
    assert "best running shoes" in listed and "open" in listed
    gap_id = listed.split()[1]
    assert run("gaps", "close", gap_id, "--note", "out of scope", env=env).returncode == 0
    closed = json.loads(run("gaps", "export", "--format", "json", env=env).stdout)[0]
    assert closed["status"] == "closed" and closed["note"] == "out of scope"


def test_broken_content_fails_validation_and_the_chat_will_not_start(
    env: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "knowledge", broken)
    sample = broken / "entries" / "sample.yaml"
    sample.write_text(sample.read_text().replace("stage: design", "stage: desgin", 1))
    env = {**env, "WAYFINDER_KNOWLEDGE": str(broken)}
    validated = run("kb", "validate", env=env)
    assert validated.returncode == 1
    assert (
        "entries/sample.yaml: device-software: stage: unknown stage 'desgin'. Fix: did you mean 'design'?"
        in (validated.stderr)
    )
    chat = run("chat", stdin="is my app a medical device\n", env=env)
    assert chat.returncode == 1 and "cannot start" in chat.stderr and chat.stdout == ""


def test_kb_export_carries_the_contract_fields(env: dict[str, str]) -> None:
    data = json.loads(run("kb", "export", "--json", env=env).stdout)
    assert [s["id"] for s in data["stages"]] == [
        "need",
        "design",
        "evidence",
        "approval",
        "adoption",
        "monitor",
        "scale",
    ]
    entry = data["entries"][0]
    assert {"id", "title", "stage", "signposts", "questions", "answer", "sources", "owner", "reviewed",
            "review_by"} <= set(entry)  # fmt: skip


def test_piped_chat_on_the_embedded_default(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/c.db", "WAYFINDER_SPOOL": str(tmp_path / "s"),
           "WAYFINDER_TODAY": TODAY.isoformat()}  # fmt: skip
    result = run("chat", stdin="do we need ethics approval to evaluate our app\n", env=env)
    assert result.returncode == 0, result.stderr
    assert "Health Research Authority" in result.stdout and "Last reviewed" in result.stdout


def test_gaps_summary_groups_the_same_question(env: dict[str, str]) -> None:
    run("ask", stdin="what's on tv tonight\nWhat's on TV tonight?\nbest running shoes\n", env=env)
    summary = run("gaps", "summary", env=env)
    assert summary.returncode == 0, summary.stderr
    assert "Open unanswered questions: 3 (3 this week)" in summary.stdout
    assert "    2 x " in summary.stdout and "    1 x best running shoes" in summary.stdout


def test_content_past_its_review_date_is_a_finding_not_an_outage(env: dict[str, str]) -> None:
    """The fixture entries are due for review on 1 January 2027; on 1 March 2027 the bot still
    answers (marked for staff), validation warns, and the audit lists them."""
    late = {**env, "WAYFINDER_TODAY": "2027-03-01"}
    due = messages.DUE_FOR_REVIEW.format(date="1 January 2027")
    answered = run("ask", "is my app a medical device", env=late)
    assert answered.returncode == 0, answered.stderr
    assert "Is my app a medical device?" in answered.stdout and due in answered.stdout
    assert due not in run("ask", "is my app a medical device", env=env).stdout
    chat = run("chat", stdin="is my app a medical device\n", env=late)
    assert chat.returncode == 0 and due in chat.stdout
    validated = run("kb", "validate", env=late)
    assert validated.returncode == 0, validated.stderr
    assert "device-software (due 2027-01-01)" in validated.stderr and "OK:" in validated.stdout
    audited = run("kb", "audit", env=late)
    assert "Past their review date: 7" in audited.stdout
    assert "  device-software (due 2027-01-01)" in audited.stdout


def test_kb_audit_fails_on_overdue_only_when_asked(env: dict[str, str]) -> None:
    real = {**env, "WAYFINDER_KNOWLEDGE": str(ROOT / "knowledge")}
    assert run("kb", "audit", "--fail-on-overdue", env=real).returncode == 0
    late = {**real, "WAYFINDER_TODAY": "2029-01-01"}  # every entry is past its review date by then
    assert run("kb", "audit", env=late).returncode == 0
    alert = run("kb", "audit", "--fail-on-overdue", env=late)
    count = len(load_knowledge(ROOT / "knowledge").entries)
    assert alert.returncode == 1 and f"Past their review date: {count}" in alert.stdout


def test_a_bad_pinned_date_gets_a_clear_message(env: dict[str, str]) -> None:
    result = run("ask", "hello", env={**env, "WAYFINDER_TODAY": "tomorrow"})
    assert result.returncode == 2 and "WAYFINDER_TODAY must be a date" in result.stderr


def spooled(n: int, text: str) -> str:
    return json.dumps(
        {"op": "record", "id": f"g{n}", "at": f"2026-11-23T09:0{n}:00+00:00", "channel": "slack",
         "text": text, "reason": "dont_know", "near_entry": None, "near_score": 0.1, "status": "open",
         "chosen_entry": None, "note": ""}
    )  # fmt: skip


def test_a_change_the_database_cannot_store_blocks_nothing_behind_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A lone surrogate from a signed Slack payload once stopped the replay for good, and the log
    said it was empty. Now it is set aside, the rest is written, and the listing says so."""
    spool = Path(env["WAYFINDER_SPOOL"])
    spool.write_text(spooled(1, "broken \ud800 text") + "\n" + spooled(2, "best running shoes") + "\n")
    listed = run("gaps", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "best running shoes" in listed.stdout and "No unanswered questions" not in listed.stdout
    assert "1 change(s) could not be stored" in listed.stdout
    assert "1 change(s) could not be stored" in run("gaps", "summary", env=env).stdout


def test_a_byte_that_is_not_utf8_on_the_console_is_cleaned_not_fatal(env: dict[str, str]) -> None:
    lines = b"caf\xff\xfe menu for tonight\nis my app a medical device\n"
    piped = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input=lines,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert piped.returncode == 0, piped.stderr
    assert "Is my app a medical device?" in piped.stdout.decode()
    listed = run("gaps", "list", env=env).stdout
    assert "caf\ufffd\ufffd menu for tonight" in listed
