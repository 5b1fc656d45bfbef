"""The semantic path as wiring builds it: vectors built once and cached, and when the model cannot
load, Wayfinder says so once and keeps answering with the lexical matcher."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot import wiring
from bot.core.engine import FUSED, Conversation, Thresholds
from bot.core.models import KnowledgeBase
from bot.semantic.onnx import MODEL_DIR
from bot.settings import Settings
from tests.conftest import FIXTURES, ROOT, make_engine


def corrupt_model(folder: Path) -> Path:
    shutil.copy(MODEL_DIR / "tokenizer.json", folder / "tokenizer.json")
    model = folder / "model.onnx"
    model.write_bytes(b"\x08\x07this is not an onnx model")
    return model


@pytest.mark.parametrize("broken", ["missing", "corrupt"])
def test_a_model_that_cannot_load_leaves_the_lexical_matcher_answering(
    real_kb: KnowledgeBase, conv: Conversation, tmp_path: Path, caplog: pytest.LogCaptureFixture, broken: str
) -> None:
    model = tmp_path / "nowhere.onnx" if broken == "missing" else corrupt_model(tmp_path)
    settings = Settings(model=model, cache_dir=tmp_path / "cache", thresholds=Thresholds(answer=0.3))
    with caplog.at_level(logging.WARNING):
        matcher, thresholds = wiring.routing(settings, real_kb)
    assert matcher.semantic is None and thresholds == Thresholds(answer=0.3)
    [record] = caplog.records
    assert "Semantic matching is off" in record.getMessage() and "lexical" in record.getMessage()
    reply = make_engine(real_kb, matcher, thresholds=thresholds).reply(conv, "is my app a medical device")
    assert reply.answered and "MHRA" in {link.org for link in reply.links}


def test_the_semantic_signal_can_be_turned_off(
    real_kb: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings.from_env({"WAYFINDER_SEMANTIC": "0"})
    assert not settings.semantic
    with caplog.at_level(logging.WARNING):
        matcher, thresholds = wiring.routing(settings, real_kb)
    assert matcher.semantic is None and thresholds == settings.thresholds and not caplog.records


def test_settings_name_the_model_cache_and_fused_thresholds(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"WAYFINDER_MODEL": str(tmp_path / "m.onnx"), "WAYFINDER_CACHE": str(tmp_path / "c"),
         "WAYFINDER_FUSED_ANSWER_THRESHOLD": "0.5"}
    )  # fmt: skip
    assert (settings.semantic, settings.model, settings.cache_dir) == (
        True,
        tmp_path / "m.onnx",
        tmp_path / "c",
    )
    assert settings.fused_thresholds == replace(FUSED, answer=0.5)


def test_the_command_line_keeps_answering_without_the_model(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "WAYFINDER_SPOOL": str(tmp_path / "spool"),
        "WAYFINDER_MODEL": str(corrupt_model(tmp_path)),
        "WAYFINDER_CACHE": str(tmp_path / "cache"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "do we need ethics approval to evaluate our app"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0 and "HRA" in result.stdout
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Semantic matching is off" in line


def test_kb_validate_builds_the_vectors_once_and_then_finds_them_cached(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "WAYFINDER_KNOWLEDGE": str(FIXTURES / "knowledge"),
        "WAYFINDER_CACHE": str(tmp_path / "vectors"),
    }
    command = [sys.executable, "-m", "bot", "kb", "validate"]
    first, second = (
        subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
        for _ in range(2)
    )
    assert first.returncode == 0 and second.returncode == 0, first.stderr
    built = first.stdout.splitlines()[-1]
    assert built.startswith("OK: ") and "(0 from the cache," in built and "minilm-l6-" in built
    assert " 0 encoded)" in second.stdout.splitlines()[-1]
    assert list((tmp_path / "vectors").glob("minilm-l6-*.npz"))
