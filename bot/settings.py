"""Every environment variable Wayfinder reads, read once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from bot.core.engine import FUSED, Thresholds

ROOT = Path(__file__).resolve().parent.parent
TEAMS_SDK_PREFIXES = ("CONNECTIONS__", "CONNECTIONSMAP__", "AGENTAPPLICATION__")
"""The Microsoft 365 Agents SDK reads its own variables (Teams credentials) under these names."""
TEAMS_CLIENT_ID = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, not {value!r}") from exc


def _date(env: Mapping[str, str], name: str) -> date | None:
    value = env.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a date (YYYY-MM-DD), not {value!r}") from exc


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///wayfinder.db"
    knowledge_dir: Path = ROOT / "knowledge"
    flows_dir: Path = ROOT / "flows"
    spool: Path = Path("wayfinder-pending.jsonl")
    thresholds: Thresholds = field(default_factory=Thresholds)
    """Cut-offs for the lexical matcher alone (WAYFINDER_SEMANTIC=0, or the model cannot load)."""
    semantic: bool = True
    model: Path = ROOT / "bot" / "semantic" / "model" / "model.onnx"
    cache_dir: Path = Path(".wayfinder-cache")
    fused_thresholds: Thresholds = FUSED
    """Cut-offs on the fused lexical and semantic score (the default matcher)."""
    session_ttl: timedelta = timedelta(minutes=30)
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = ""
    staff: frozenset[str] = frozenset()
    port: int = 3000
    teams_sdk: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The Agents SDK's own variables, as set (CONNECTIONS__SERVICE_CONNECTION__SETTINGS__...)."""
    teams_dev: bool = False
    """WAYFINDER_TEAMS_DEV=1: Teams without sign-in, for the Agents Playground on this machine."""

    @property
    def teams_client_id(self) -> str:
        return self.teams_sdk.get(TEAMS_CLIENT_ID, "")

    today: date | None = None
    """A pinned date (WAYFINDER_TODAY), for tests and rehearsals; the real date when unset."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        base = Thresholds()
        knowledge_dir = Path(env.get("WAYFINDER_KNOWLEDGE") or ROOT / "knowledge")
        return cls(
            database_url=env.get("DATABASE_URL") or cls.database_url,
            knowledge_dir=knowledge_dir,
            # flows/ sits beside knowledge/ (their entry ids must match), unless set on its own
            flows_dir=Path(env.get("WAYFINDER_FLOWS") or knowledge_dir.parent / "flows"),
            spool=Path(env.get("WAYFINDER_SPOOL") or cls.spool),
            thresholds=Thresholds(
                answer=_float(env, "WAYFINDER_ANSWER_THRESHOLD", base.answer),
                clarify=_float(env, "WAYFINDER_CLARIFY_THRESHOLD", base.clarify),
                margin=_float(env, "WAYFINDER_CLARIFY_MARGIN", base.margin),
                window=base.window,
                coverage=_float(env, "WAYFINDER_MIN_COVERAGE", base.coverage),
            ),
            semantic=env.get("WAYFINDER_SEMANTIC", "1").strip().lower() not in {"0", "false", "no", "off"},
            model=Path(env.get("WAYFINDER_MODEL") or cls.model),
            cache_dir=Path(env.get("WAYFINDER_CACHE") or cls.cache_dir),
            fused_thresholds=replace(
                FUSED,
                answer=_float(env, "WAYFINDER_FUSED_ANSWER_THRESHOLD", FUSED.answer),
                clarify=_float(env, "WAYFINDER_FUSED_CLARIFY_THRESHOLD", FUSED.clarify),
            ),
            session_ttl=timedelta(minutes=_float(env, "WAYFINDER_SESSION_MINUTES", 30)),
            slack_bot_token=env.get("SLACK_BOT_TOKEN", ""),
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
            slack_app_token=env.get("SLACK_APP_TOKEN", ""),
            slack_api_url=env.get("SLACK_API_URL", ""),
            staff=frozenset(s.strip() for s in env.get("WAYFINDER_STAFF", "").split(",") if s.strip()),
            port=int(env.get("PORT") or 3000),
            teams_sdk={k: v for k, v in env.items() if k.startswith(TEAMS_SDK_PREFIXES)},
            teams_dev=env.get("WAYFINDER_TEAMS_DEV", "").strip().lower() in ("1", "true", "yes"),
            today=_date(env, "WAYFINDER_TODAY"),
        )
