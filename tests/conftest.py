"""Shared fixtures: knowledge bases, engines on fakes, and real databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import wiring
from bot.content.knowledge import load_knowledge
from bot.core.engine import Conversation, Engine, Thresholds
from bot.core.matcher import Matcher
from bot.core.models import KnowledgeBase
from bot.core.normalise import Normaliser
from bot.settings import Settings
from bot.storage.memory import MemoryGapLog, MemorySessionStore
from tests.support.tcpproxy import TcpProxy

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = date(2026, 12, 1)  # the day the real knowledge base was last reviewed
POSTGRES_URL = os.environ.get("WAYFINDER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(scope="session")
def fixture_kb() -> KnowledgeBase:
    return load_knowledge(FIXTURES / "knowledge")


@pytest.fixture(scope="session")
def real_kb() -> KnowledgeBase:
    return load_knowledge(ROOT / "knowledge")


@pytest.fixture(scope="session")
def real_matcher(real_kb: KnowledgeBase) -> Matcher:
    return Matcher(real_kb.entries, Normaliser(real_kb.lexicon))


@pytest.fixture(scope="session")
def fused(real_kb: KnowledgeBase, request: pytest.FixtureRequest) -> tuple[Matcher, Thresholds]:
    """The default matcher on the real knowledge base (lexical fused with the ONNX encoder) and its
    thresholds; vectors are cached in pytest's cache folder between runs."""
    cache = Path(request.config.cache.mkdir("wayfinder-vectors"))
    matcher, thresholds = wiring.routing(Settings(cache_dir=cache), real_kb)
    assert matcher.semantic is not None, "the ONNX encoder did not load"
    return matcher, thresholds


AMBIGUOUS = "registration"
"""In the fixture knowledge base this is close between CQC and MHRA registration."""
WIDE_MARGIN = Thresholds(margin=0.15)
"""Thresholds under which AMBIGUOUS gets a clarify."""


def make_engine(
    kb: KnowledgeBase,
    matcher: Matcher | None = None,
    clock: Clock | None = None,
    thresholds: Thresholds | None = None,
) -> Engine:
    return Engine(
        kb,
        matcher or Matcher(kb.entries, Normaliser(kb.lexicon)),
        MemoryGapLog(),
        MemorySessionStore(),
        thresholds or Thresholds(),
        now=clock or Clock(),
    )


@pytest.fixture
def conv() -> Conversation:
    return Conversation("test", uuid.uuid4().hex, "U1")


def postgres_available() -> bool:
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL on a schema of its own, dropped afterwards."""
    if not postgres_available():
        if os.environ.get("WAYFINDER_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required here but not reachable at {POSTGRES_URL}")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    schema = f"wf_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/wayfinder.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def proxied_postgres(postgres_url: str) -> Iterator[tuple[TcpProxy, str]]:
    """PostgreSQL behind a proxy the test can cut (`stop`) or silence (`hang`)."""
    url = make_url(postgres_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    try:
        yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
    finally:
        proxy.stop()
