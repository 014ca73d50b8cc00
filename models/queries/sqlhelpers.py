"""Small portable SQL helpers shared by the overview, institution and certificate queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence

from sqlalchemy import ColumnElement, Connection, Engine, Executable, Integer, Row, Select, cast, func

from models.summaries import _month_of


def where_in(query: Select, column: ColumnElement, values: Sequence[str] | None) -> Select:
    """Restrict ``query`` to ``column IN values``; an empty or missing selection means "all"."""
    return query.where(column.in_(list(values))) if values else query


IN_LIST_SIZE = 900  # values per IN list: under SQLite's historical limit of 999 bound parameters


def select_in_chunks(
    connection: Connection,
    query_for: Callable[[list], Executable],
    values: Sequence,
    *,
    size: int = IN_LIST_SIZE,
) -> Iterator[Row]:
    """The rows of ``query_for(chunk)`` for consecutive chunks of ``values`` of at most ``size`` each.

    ``query_for`` builds the query for one chunk (a list), typically ``select(...).where(col.in_(chunk))``;
    no query runs for an empty ``values``. Rows come chunk by chunk, in each query's own order.
    """
    for start in range(0, len(values), size):
        yield from connection.execute(query_for(list(values[start : start + size])))


def year_bounds(years: tuple[int, int] | None) -> tuple[dt.date, dt.date] | None:
    """First and last day of an inclusive year range, or None for "all years"."""
    if years is None:
        return None
    first, last = years
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


def where_years(query: Select, column: ColumnElement, years: tuple[int, int] | None) -> Select:
    """Restrict a date ``column`` to an inclusive year range (portable: plain date comparisons)."""
    bounds = year_bounds(years)
    if bounds is None:
        return query
    return query.where(column >= bounds[0], column <= bounds[1])


def month_of(column: ColumnElement, engine: Engine) -> ColumnElement:
    """``YYYY-MM`` text of a date column on SQLite and PostgreSQL."""
    return _month_of(column, engine.dialect.name)


def days_between(later: ColumnElement, earlier: ColumnElement, engine: Engine) -> ColumnElement:
    """Whole days from ``earlier`` to ``later`` on SQLite and PostgreSQL."""
    if engine.dialect.name == "sqlite":
        return cast(func.round(func.julianday(later) - func.julianday(earlier)), Integer)
    return later - earlier
