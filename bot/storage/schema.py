"""The database tables (SQLAlchemy 2.x). Alembic migrations create and upgrade them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Float, Index, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={"pk": "pk_%(table_name)s", "ix": "ix_%(table_name)s_%(column_0_name)s"}
    )


class GapRow(Base):
    __tablename__ = "gaps"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(16))
    near_entry: Mapped[str | None] = mapped_column(String(120))
    near_score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="open")
    chosen_entry: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_gaps_at", "at"), Index("ix_gaps_status", "status"))


class SessionRow(Base):
    __tablename__ = "sessions"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def aware(moment: datetime) -> datetime:
    """SQLite drops the time zone; every time we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SlackEventRow(Base):
    """A Slack delivery already claimed by an instance: a retry of it is not processed again."""

    __tablename__ = "slack_events"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_slack_events_claimed_at", "claimed_at"),)
