"""`kb validate` covers flows and reports the path count; `journey` prints the seven stages."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import FIXTURES, ROOT


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def test_kb_validate_walks_every_flow_path() -> None:
    result = run("kb", "validate")
    assert result.returncode == 0, result.stderr
    assert "OK: 3 flows, 17 steps, 70,446 paths, every one ending in an outcome with a route" in result.stdout


def test_kb_validate_names_a_broken_flow(tmp_path: object) -> None:
    flows = FIXTURES / "flows"
    broken = str(tmp_path) + "/flows"
    os.makedirs(broken)
    text = (
        (flows / "route.yaml").read_text(encoding="utf-8").replace("to: nothing-to-register", "to: nowhere")
    )
    with open(f"{broken}/route.yaml", "w", encoding="utf-8") as f:
        f.write(text)
    env = {**os.environ, "WAYFINDER_KNOWLEDGE": str(FIXTURES / "knowledge"), "WAYFINDER_FLOWS": broken}
    result = run("kb", "validate", env=env)
    assert result.returncode == 1
    assert "route.yaml: route/care: choices[1].next[1].to: unknown next step 'nowhere'" in result.stderr


def test_journey_prints_the_seven_stages_and_who_is_involved() -> None:
    result = run("journey")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    names = ["Discover and define the need", "Design and develop", "Test and generate evidence"]
    positions = [out.index(f"{n}. {name}") for n, name in enumerate(names, start=1)]
    assert positions == sorted(positions) and "7. Scale and spread (scale)" in out
    assert out.count("Who is involved:") == 7
    assert "Medicines and Healthcare products Regulatory Agency (MHRA)" in out
    assert "find my route" in out
