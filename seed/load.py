"""Bulk loaders: raw DBAPI ``executemany`` on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL.

Generators hand over tables as column dicts (numpy arrays or lists); ``datetime64[D]`` arrays carry
dates with NaT for NULL, object arrays carry text with None for NULL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Table

Columns = dict[str, Any]
# Connection settings for a bulk load into a fresh file that is thrown away if anything fails.
SQLITE_LOAD_PRAGMAS = (
    "journal_mode=OFF",
    "synchronous=OFF",
    "foreign_keys=OFF",
    "cache_size=-500000",
    "temp_store=MEMORY",
    "locking_mode=EXCLUSIVE",
    "threads=2",
)
Progress = Callable[[str, int], None]


def _kind(table: Table, name: str) -> str:
    column_type = table.c[name].type
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, Float):
        return "float"
    if isinstance(column_type, Integer):
        return "int"
    return "text"


def _as_dates(values: Any) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return values.astype("datetime64[D]")
    return np.array([np.datetime64("NaT") if v is None else v for v in values], dtype="datetime64[D]")


def _date_strings(values: Any) -> list[str | None]:
    """ISO dates; a lookup table of the few thousand distinct days keeps this cheap for millions."""
    dates = _as_dates(values)
    missing = np.isnat(dates)
    if missing.all():
        return [None] * len(dates)
    first = dates[~missing].min()
    offsets = np.where(missing, 0, (dates - first).astype(np.int64))
    table = np.datetime_as_string(first + np.arange(offsets.max() + 1), unit="D").astype(object)
    text = table[offsets]
    text[missing] = None
    return text.tolist()


def _datetime_strings(values: Sequence[dt.datetime | None]) -> list[str | None]:
    return [None if v is None else v.strftime("%Y-%m-%d %H:%M:%S.%f") for v in values]


def _length(columns: Columns) -> int:
    return len(next(iter(columns.values())))


def _objects(values: Any) -> list:
    """The values as a Python list (a numpy array's items, a list as is)."""
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def complete_columns(table: Table, columns: Columns) -> Columns:
    """``columns`` plus every column of ``table`` the generator left out, at the column's default.

    A column added to the schema after the generators were written (e.g. an outcome's review status)
    is loaded with its scalar Python default, or NULL, rather than failing the load.
    """
    missing = [name for name in table.c.keys() if name not in columns]  # noqa: SIM118
    if not missing:
        return columns
    length = _length(columns)
    completed = dict(columns)
    for name in missing:
        default = table.c[name].default
        value = default.arg if default is not None and default.is_scalar else None
        completed[name] = [value] * length
    return completed


def sqlite_columns(table: Table, columns: Columns) -> list[list]:
    """Python-value columns in ``table`` column order, as SQLAlchemy's SQLite dialect stores them."""
    columns = complete_columns(table, columns)
    out = []
    for name in table.c.keys():  # noqa: SIM118 (ColumnCollection, not a dict)
        values, kind = columns[name], _kind(table, name)
        if kind == "date":
            out.append(_date_strings(values))
        elif kind == "datetime":
            out.append(_datetime_strings(values))
        elif kind == "bool":
            out.append([None if v is None else int(bool(v)) for v in _objects(values)])
        elif isinstance(values, np.ndarray):
            out.append(values.tolist())
        else:
            out.append(list(values))
    return out


def copy_text(table: Table, columns: Columns) -> str:
    """The rows in PostgreSQL COPY text format (tab-separated, ``\\N`` for NULL).

    Text values come from our own generators and never hold tabs, newlines or backslashes.
    """
    columns = complete_columns(table, columns)
    out: list[list[str]] = []
    for name in table.c.keys():  # noqa: SIM118 (ColumnCollection, not a dict)
        values, kind = columns[name], _kind(table, name)
        if kind == "date":
            text = [r"\N" if v is None else v for v in _date_strings(values)]
        elif kind == "datetime":
            text = [r"\N" if v is None else v for v in _datetime_strings(values)]
        elif kind == "bool":
            text = [r"\N" if v is None else ("t" if v else "f") for v in _objects(values)]
        elif kind == "float":
            text = [r"\N" if v is None else repr(float(v)) for v in np.asarray(values, dtype=object).tolist()]
        elif isinstance(values, np.ndarray) and values.dtype.kind in "iu":
            text = values.astype(str).tolist()
        else:
            text = [r"\N" if v is None else str(v) for v in values]
        out.append(text)
    return "\n".join(map("\t".join, zip(*out, strict=True))) + "\n"


def insert_sql(table: Table) -> str:
    """``INSERT INTO t (a, b) VALUES (?, ?)`` for the DBAPI (qmark style)."""
    names = list(table.c.keys())
    return f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({", ".join("?" for _ in names)})'


def copy_sql(table: Table) -> str:
    """``COPY t (a, b) FROM STDIN`` in text format."""
    return f'COPY "{table.name}" ({", ".join(table.c.keys())}) FROM STDIN'


def _prefetched(
    convert: Callable[[Columns], Any], chunks: Iterable[Columns], depth: int = 2
) -> Iterator[Any]:
    """``convert(chunk)`` for each chunk, computed one or two chunks ahead in a helper thread."""
    results: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                results.put((convert(chunk), None))
        except BaseException as error:  # handed to the consumer, re-raised there
            results.put((None, error))
            return
        results.put((done, None))

    worker = threading.Thread(target=produce, name="seed-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item, error = results.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            with contextlib.suppress(queue.Empty):
                results.get(timeout=0.05)
        worker.join()


class SqliteLoader:
    """Loads column chunks through ``sqlite3.Cursor.executemany`` on one open transaction."""

    def __init__(self, dbapi_connection: Any, progress: Progress | None = None) -> None:
        self.connection = dbapi_connection
        self.progress = progress

    def load(self, table: Table, chunks: Iterable[Columns]) -> int:
        """Insert every chunk; returns the row count.

        A helper thread builds the next chunk's rows while SQLite (which releases the GIL while it
        works) writes the current one.
        """
        cursor = self.connection.cursor()
        sql = insert_sql(table)
        total = 0
        for rows in _prefetched(
            lambda columns: list(zip(*sqlite_columns(table, columns), strict=True)), chunks
        ):
            if not rows:
                continue
            cursor.executemany(sql, rows)
            total += len(rows)
            if self.progress:
                self.progress(table.name, total)
        cursor.close()
        return total


class PostgresLoader:
    """Loads column chunks through psycopg 3 ``COPY FROM STDIN`` on the caller's transaction."""

    def __init__(self, dbapi_connection: Any, progress: Progress | None = None) -> None:
        self.connection = dbapi_connection
        self.progress = progress

    def load(self, table: Table, chunks: Iterable[Columns]) -> int:
        """COPY every chunk; returns the row count."""
        total = 0
        with self.connection.cursor() as cursor, cursor.copy(copy_sql(table)) as copy:
            for columns in chunks:
                if _length(columns) == 0:
                    continue
                copy.write(copy_text(table, columns))
                total += _length(columns)
                if self.progress:
                    self.progress(table.name, total)
        return total


def drop_sqlite_indexes(raw: Any, tables: tuple[str, ...]) -> list[str]:
    """Drop the secondary (non-constraint) indexes of ``tables``; return the SQL that recreates them."""
    marks = ", ".join("?" for _ in tables)
    found = raw.execute(
        "SELECT name, sql FROM sqlite_master"
        f" WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY name",
        tables,
    ).fetchall()
    for name, _sql in found:
        raw.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def drop_postgres_indexes(raw: Any, tables: tuple[str, ...]) -> list[str]:
    """Drop the secondary indexes (not backing a constraint) of ``tables``; return their definitions."""
    found = raw.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c WHERE c.conindid = to_regclass(quote_ident(i.indexname))
          )
        ORDER BY i.indexname
        """,
        (list(tables),),
    ).fetchall()
    for name, _definition in found:
        raw.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]
