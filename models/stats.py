"""Database statistics for ``regdash db stats``: row counts and valid certificates by scheme and province,
now or (from the histories) on a past date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

from models.certificates import Certificate


def table_row_counts(engine: Engine) -> dict[str, int]:
    """Row count of every table of the schema, by table name."""
    import models  # noqa: F401  (registers every table)

    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for name, table in sorted(SQLModel.metadata.tables.items()):
            counts[name] = connection.execute(select(func.count()).select_from(table)).scalar_one()
    return counts


def valid_certificates_by(engine: Engine, column_name: str) -> dict[str, int]:
    """Valid certificates grouped by ``scheme_code`` or ``region_code``."""
    table = Certificate.__table__
    column = table.c[column_name]
    query = select(column, func.count()).where(table.c.status == "valid").group_by(column).order_by(column)
    with engine.connect() as connection:
        return {key: count for key, count in connection.execute(query)}


def valid_certificates_on(engine: Engine, on: dt.date, column_name: str) -> dict[str, int]:
    """Certificates valid on the date ``on`` grouped by ``scheme_code`` or ``region_code`` (histories)."""
    from models.queries.history import certificates_on

    frame = certificates_on(engine, on, by=(column_name,))
    return {key: int(n) for key, n in zip(frame[column_name], frame["n"], strict=True)}


def database_stats(engine: Engine, *, as_of: dt.date | None = None) -> dict[str, Any]:
    """Everything ``regdash db stats`` reports, as a JSON-ready dict.

    Keys ``tables`` (row counts now), ``certificates_by_scheme`` and ``certificates_by_province``:
    certificates valid now, or with ``as_of`` valid on that date according to their histories.
    """
    if as_of is None:
        by_scheme = valid_certificates_by(engine, "scheme_code")
        by_province = valid_certificates_by(engine, "region_code")
    else:
        by_scheme = valid_certificates_on(engine, as_of, "scheme_code")
        by_province = valid_certificates_on(engine, as_of, "region_code")
    return {
        "tables": table_row_counts(engine),
        "certificates_by_scheme": by_scheme,
        "certificates_by_province": by_province,
    }
