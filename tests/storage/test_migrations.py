"""Alembic creates, upgrades and removes the schema on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.storage.sql import Database, alembic_config, migrate

TABLES = {"gaps", "sessions", "slack_events"}


def test_the_schema_goes_up_down_and_up_again(database_url: str) -> None:
    db = Database(database_url)
    migrate(db.engine)
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    migrate(db.engine)  # at head already: nothing to do, no error

    config = alembic_config()
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert not TABLES & set(inspect(db.engine).get_table_names())

    migrate(db.engine)
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    db.dispose()


def test_the_migrations_form_one_line() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1
