"""Alembic environment: the same URL and metadata as the application.

Two ways in:

* from code (``models.migrate``: ``regdash db upgrade``, ``regdash db revision``, the tests), with an
  open connection in ``config.attributes["connection"]`` and optionally a replacement metadata in
  ``config.attributes["target_metadata"]``;
* from the ``alembic`` command with the root ``alembic.ini``, on ``sqlalchemy.url`` if that is set, else
  ``$REGDASH_DATABASE_URL``, else ``data/regdash.db`` (as every ``regdash`` command).

Autogenerate compares types and server defaults, renders batch operations (``with
op.batch_alter_table(...)``: a real ALTER on PostgreSQL, a table copy on SQLite, so one migration runs on
both engines whichever engine it was generated against) and numbers the revision ``0001``, ``0002``, ...
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from models.db import database_url, make_engine, sqlite_path
from models.migrate import COMPARE_OPTIONS, next_revision_id

config = context.config

if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _target_metadata():
    return config.attributes.get("target_metadata", SQLModel.metadata)


def _number_revision(_context, _revision, directives) -> None:
    """Give a generated revision the next sequential id, unless ``alembic revision --rev-id`` chose one."""
    if getattr(config.cmd_opts, "rev_id", None):
        return
    if directives:
        directives[0].rev_id = next_revision_id(ScriptDirectory.from_config(config))


def run_migrations_online() -> None:
    """Run migrations on the caller's connection, or on a fresh engine from the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = database_url(config.get_main_option("sqlalchemy.url") or None)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        with engine.begin() as fresh:
            _run(fresh)
    finally:
        engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=_target_metadata(),
        render_as_batch=True,
        process_revision_directives=_number_revision,
        **COMPARE_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("regdash migrations run online only: drop --sql")
run_migrations_online()
