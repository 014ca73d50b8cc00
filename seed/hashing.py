"""A content hash over every table, equal on SQLite and PostgreSQL for the same rows."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Engine, inspect, select
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)


def _text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def table_hashes(engine: Engine) -> dict[str, str]:
    """SHA-256 of each schema table's rows in primary-key order (values normalised to text)."""
    result: dict[str, str] = {}
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        for name, table in sorted(SQLModel.metadata.tables.items()):
            if name not in present:
                continue
            digest = hashlib.sha256()
            order = list(table.primary_key.columns) or list(table.columns)
            for row in connection.execute(select(table).order_by(*order)):
                digest.update(("\t".join(_text(v) for v in row) + "\n").encode())
            result[name] = digest.hexdigest()
    return result


def content_hash(engine: Engine) -> str:
    """One SHA-256 over ``table_hashes``."""
    digest = hashlib.sha256()
    for name, value in table_hashes(engine).items():
        digest.update(f"{name}={value}\n".encode())
    return digest.hexdigest()
