"""One engine factory for the whole product, driven by ``REGDASH_DATABASE_URL``."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

DATABASE_URL_ENV = "REGDASH_DATABASE_URL"
DEFAULT_SQLITE_PATH = Path("data") / "regdash.db"


def default_database_url() -> str:
    """The embedded default: a SQLite file ``data/regdash.db`` under the current directory."""
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def database_url(url: str | None = None) -> str:
    """Resolve the database URL: the argument, else ``REGDASH_DATABASE_URL``, else the SQLite default.

    ``postgresql://`` URLs are pointed at the psycopg 3 driver.
    """
    resolved = url or os.environ.get(DATABASE_URL_ENV) or default_database_url()
    parsed = make_url(resolved)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other engines and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _enable_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str | None = None, *, echo: bool = False) -> Engine:
    """Create an engine for ``url`` (see ``database_url``); SQLite gets foreign keys on and WAL."""
    resolved = database_url(url)
    if resolved.startswith("sqlite"):
        engine = create_engine(resolved, echo=echo, connect_args={"timeout": 30})
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        return engine
    return create_engine(resolved, echo=echo, pool_pre_ping=True)


def sync_id_sequences(connection: Connection, tables: list[str] | tuple[str, ...]) -> None:
    """After rows were written with explicit ``id`` values, let the database allocate the next ones.

    PostgreSQL: each table's ``id`` serial sequence is set to ``max(id)`` (or reset when empty), so a
    later insert without an id gets a fresh one. SQLite allocates ``max(rowid) + 1`` itself: nothing
    to do. ``tables`` are table names with an integer ``id`` primary key.
    """
    if connection.dialect.name != "postgresql":
        return
    for name in tables:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{name}"'
            )
        )
