"""Sampling frames for the sampler, read from the store column by column.

Frames and inspector pools are read from PostgreSQL with the ADBC driver (``adbc-driver-postgresql``)
straight into Arrow, then handed to pandas without building a Python object per value. SQLite stores
are read through the engine's own connection into the same Arrow tables (see ``_source`` for why not
through ``adbc-driver-sqlite``). The result is the same table the row-by-row ``pd.read_sql`` reader gave (same
columns, dtypes, row order and values; ``tests/models/test_frames.py`` compares both), so frame hashes
and recorded draws verify unchanged.

For PostgreSQL the SQLAlchemy engine is only used for its URL: an ADBC connection is opened on the
same database.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "LAST_DRAWN",
    "StoreReadError",
    "load_certificate_frame",
    "load_inspector_pool",
    "with_last_drawn",
]

#: Column of a frozen frame: the date (ISO text, UTC) each unit was last drawn in any campaign, as of
#: the draw's opening; missing when never drawn. The sampler's plan option ``exclude_recent`` reads it.
LAST_DRAWN = "last_drawn_on"


class StoreReadError(SQLAlchemyError):
    """The columnar reader could not open or read the store.

    A `SQLAlchemyError`, so that callers handling database errors (the CLI, the dashboard's query
    cache) treat it like any other. The message never holds the database password.
    """


# -- the columnar connection -----------------------------------------------------------------------
def _source(url: URL) -> tuple[str, str] | None:
    """(backend, ADBC URI) for ``url``, or None when only the engine itself can read it."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None  # in memory (or a URI filename): read through the engine's own connection
        path = Path(database).resolve()
        if not path.is_file():
            raise StoreReadError(f"no SQLite store at {path}")
        # Not through ADBC: its SQLite driver carries its own copy of SQLite, and two copies in one
        # process break SQLite's POSIX locks (https://sqlite.org/howtocorrupt.html, 2.2.1). Closing the
        # ADBC connection dropped this process's locks on the file; the next process to close the
        # database then took itself for the last user, checkpointed and deleted the WAL while this
        # process went on committing into the deleted file: commits no other process could see, lost
        # when this process died.
        return None
    if backend == "postgresql":
        return "postgresql", url.set(drivername="postgresql").render_as_string(hide_password=False)
    raise StoreReadError(f"frames are read from SQLite or PostgreSQL, not {backend}")


def _scrub(message: str, url: URL) -> str:
    """``message`` with the URL's password (plain and as written in the URL) blanked out."""
    if url.password:
        secret = str(url.password)
        for variant in sorted({secret, quote(secret, safe=""), quote_plus(secret)}, key=len, reverse=True):
            message = message.replace(variant, "***")
    return message


def _connect(uri: str):
    import adbc_driver_postgresql.dbapi as driver

    return driver.connect(uri)


def _placeholders(backend: str, start: int, count: int) -> str:
    if backend == "sqlite":
        return ", ".join("?" * count)
    return ", ".join(f"${i}" for i in range(start, start + count))


def _read_arrow(engine: Engine, statements: Sequence[tuple[str, tuple[Any, ...]]]) -> list[pa.Table] | None:
    """Run each (sql, parameters) on one ADBC connection; None when ``engine`` has no columnar source."""
    source = _source(engine.url)
    if source is None:
        return None
    _backend, uri = source  # PostgreSQL: SQLite is read through the engine (see _source)
    import adbc_driver_manager

    try:
        with _connect(uri) as connection, connection.cursor() as cursor:
            tables = []
            for sql, parameters in statements:
                cursor.execute(sql, parameters or None)
                tables.append(cursor.fetch_arrow_table())
            return tables
    except adbc_driver_manager.Error as error:
        where = engine.url.render_as_string(hide_password=True)
        detail = _scrub(
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__, engine.url
        )
        raise StoreReadError(f"cannot read from the store {where}: {detail}") from None


def _conform(table: pa.Table, schema: pa.Schema) -> pd.DataFrame:
    """``table`` cast to ``schema`` (names and types) as a pandas DataFrame.

    Integer ids come as int32 from PostgreSQL and int64 from SQLite; an empty SQLite result has
    no types at all. Casting to one schema gives the same dtypes as the row-by-row reader:
    int64 for integers and pandas' ``str`` for text (identifiers such as region codes stay text).
    """
    table = table.rename_columns(schema.names).cast(schema).combine_chunks()
    return table.to_pandas()


# -- certificate frame -----------------------------------------------------------------------------
def _frame_statements(
    backend: str, status: str, schemes: tuple[str, ...], provinces: tuple[str, ...]
) -> list[tuple[str, tuple[Any, ...]]]:
    where = ["status = " + _placeholders(backend, 1, 1)]
    parameters: list[Any] = [status]
    if schemes:
        where.append(f"scheme_code IN ({_placeholders(backend, len(parameters) + 1, len(schemes))})")
        parameters.extend(schemes)
    if provinces:
        where.append(f"region_code IN ({_placeholders(backend, len(parameters) + 1, len(provinces))})")
        parameters.extend(provinces)
    # No ORDER BY: PostgreSQL would sort 3 million rows on disk (work_mem) for about 1 s; they are put
    # in id order here instead, usually finding them in order already (see _in_id_order).
    # SQLite would walk the (status, expires_on) index -- most certificates are valid -- and fetch
    # rows out of order; a plain scan is 2.5x faster. With a scheme filter the
    # (scheme, region, status) index is the better way, so the planner chooses.
    table = "certificate NOT INDEXED" if backend == "sqlite" and not schemes else "certificate"
    certificates = (
        f"SELECT id, region_code, scheme_code, institution_id FROM {table} WHERE {' AND '.join(where)}"
    )
    # risk_grade comes from ~1,500 institutions: joined here rather than looked up per certificate row
    return [(certificates, tuple(parameters)), ("SELECT id, risk_grade FROM institution", ())]


def _in_id_order(table: pa.Table) -> pa.Table:
    """``table`` sorted by its first column (a unique integer id), unless it already is."""
    import numpy as np

    ids = table.column(0).to_numpy()
    if len(ids) < 2 or bool(np.all(ids[1:] > ids[:-1])):
        return table
    return table.take(np.argsort(ids, kind="stable"))


def _join_risk_grade(certificates: pa.Table, institutions: pa.Table) -> pa.Table:
    """Inner join on institution id, keeping the certificates' order (as ``JOIN institution`` did)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    position = pc.index_in(
        certificates.column(3).cast(pa.int64()), value_set=institutions.column(0).cast(pa.int64())
    )
    if position.null_count:  # a certificate of an unknown institution: the SQL join dropped it
        keep = pc.is_valid(position)
        certificates, position = certificates.filter(keep), position.filter(keep)
    grades = pc.take(institutions.column(1), position)
    return certificates.append_column("risk_grade", grades)


def certificate_frame_source(
    *,
    status: str = "valid",
    schemes: tuple[str, ...] | list[str] = (),
    provinces: tuple[str, ...] | list[str] = (),
) -> dict:
    """The keywords of `load_certificate_frame` as a JSON-ready description of the frame's source.

    Kept with a live draw (and in its exported record as ``frame_source``) so that
    ``regdash verify --database-url`` reads the frame the draw was made from.
    """
    return {
        "status": str(status),
        "schemes": sorted(map(str, schemes)),
        "provinces": sorted(map(str, provinces)),
    }


def load_certificate_frame(
    engine: Engine,
    *,
    status: str = "valid",
    schemes: tuple[str, ...] = (),
    provinces: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Certificates of ``status`` as units: unit_id, region, scheme, institution_id, risk_grade.

    ``schemes`` and ``provinces`` (GB/T 2260 codes) narrow the frame; empty means all. Rows are in
    certificate id order; unit_id and institution_id are int64, the other columns text.
    """
    import pyarrow as pa

    schemes, provinces = tuple(schemes), tuple(provinces)
    source = _source(engine.url)
    backend = source[0] if source else "sqlite"
    statements = _frame_statements(backend, status, schemes, provinces)
    tables = _read_arrow(engine, statements)
    if tables is None:
        tables = _read_arrow_through_engine(engine, _frame_statements("sqlite", status, schemes, provinces))
    certificates, institutions = tables
    joined = _join_risk_grade(_in_id_order(certificates), institutions)
    schema = pa.schema(
        [
            ("unit_id", pa.int64()),
            ("region", pa.large_string()),
            ("scheme", pa.large_string()),
            ("institution_id", pa.int64()),
            ("risk_grade", pa.large_string()),
        ]
    )
    return _conform(joined, schema)


def with_last_drawn(
    connection: Connection, frame: pd.DataFrame, *, unit_type: str = "certificate"
) -> pd.DataFrame:
    """``frame`` with column `LAST_DRAWN`: per unit, the date of its latest draw target (any campaign).

    Read in the caller's transaction (a draw's opening, so that the frozen frame says what was known
    then). The date is the draw's ``drawn_at`` in UTC as ISO text (``2026-03-01``), missing when the
    unit was never drawn. Units are certificates, or with ``unit_type`` ``"institution"`` institutions
    (targets of institution campaigns only). An existing `LAST_DRAWN` column is replaced; the other
    columns and the row order are kept. A table without ``unit_id`` is no frame: it is returned as it
    is (for the sampler to refuse, naming the column).
    """
    if "unit_id" not in frame.columns:
        return frame
    from sqlalchemy import func, select

    from models.campaigns import Draw, DrawTarget

    d, t = Draw.__table__, DrawTarget.__table__
    if unit_type == "institution":
        unit, drawn = t.c.institution_id, t.c.certificate_id.is_(None)
    else:
        unit, drawn = t.c.certificate_id, t.c.certificate_id.is_not(None)
    rows = connection.execute(
        select(unit, func.max(d.c.drawn_at)).join(d, d.c.id == t.c.draw_id).where(drawn).group_by(unit)
    ).all()
    latest = pd.Series(
        [_utc_date(moment) for _, moment in rows], index=[int(unit) for unit, _ in rows], dtype="str"
    )
    out = frame.drop(columns=[LAST_DRAWN], errors="ignore").copy()
    out[LAST_DRAWN] = out["unit_id"].map(latest).astype("str")
    return out


def _utc_date(moment: Any) -> str:
    """ISO date (UTC) of a stored moment (a datetime, or ISO text where SQLite returns text)."""
    import datetime as dt

    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date().isoformat() if isinstance(moment, dt.datetime) else moment.isoformat()


# -- inspector pool --------------------------------------------------------------------------------
_POOL_STATEMENTS = [
    ("SELECT id, region_code, agency, active, id_valid_until FROM inspector ORDER BY id", ()),
    ("SELECT inspector_id, scheme_code FROM inspectorscheme", ()),
    ("SELECT inspector_id, institution_id FROM inspectoraffiliation", ()),
]


def _joined_text(pairs: pd.DataFrame, ids: pd.Series) -> pd.Series:
    """Per id in ``ids``, the second column's values (already sorted per id) joined with ``;``."""
    if not len(pairs):
        return pd.Series("", index=ids.index, dtype="str")
    owner, value = pairs.columns
    text = pairs.groupby(owner, sort=False)[value].agg(";".join)
    return ids.map(text).fillna("").astype("str")


def load_inspector_pool(engine: Engine, *, workload_year: int | None = None) -> pd.DataFrame:
    """Inspectors with competences and affiliations joined into ``;``-separated text columns.

    Columns: inspector_id, region, agency, schemes, active, id_valid_until, affiliations; with
    ``workload_year`` also ``prior_load`` (int64): each inspector's team places in all campaigns of
    that year so far, which the sampler subtracts from the workload cap (``models.workload``).
    Rows are in inspector id order; within a cell, schemes and institution ids are in sorted order.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    tables = _read_arrow(engine, _POOL_STATEMENTS)
    if tables is None:
        tables = _read_arrow_through_engine(engine, _POOL_STATEMENTS)
    people_table, schemes_table, ties_table = tables
    active = people_table.column(3)
    if not pa.types.is_boolean(active.type):  # SQLite keeps booleans as 0/1
        active = pc.not_equal(active.cast(pa.int64()), 0)
    valid_until = people_table.column(4)
    if not pa.types.is_date(valid_until.type):  # SQLite keeps dates as ISO text
        valid_until = valid_until.cast(pa.string()).cast(pa.date32())
    people = _conform(
        pa.table(
            [people_table.column(0), people_table.column(1), people_table.column(2), active, valid_until],
            names=["inspector_id", "region", "agency", "active", "id_valid_until"],
        ),
        pa.schema(
            [
                ("inspector_id", pa.int64()),
                ("region", pa.large_string()),
                ("agency", pa.large_string()),
                ("active", pa.bool_()),
                ("id_valid_until", pa.date32()),
            ]
        ),
    )
    schemes = _conform(
        schemes_table, pa.schema([("inspector_id", pa.int64()), ("scheme_code", pa.large_string())])
    )
    ties = _conform(ties_table, pa.schema([("inspector_id", pa.int64()), ("institution_id", pa.int64())]))
    # sorted in code point order (as Python's sorted() does; a server collation might not), and
    # institution ids numerically before they become text
    schemes = schemes.sort_values(["inspector_id", "scheme_code"], kind="stable")
    ties = ties.sort_values(["inspector_id", "institution_id"], kind="stable")
    ties["institution_id"] = ties["institution_id"].astype(str)
    people["schemes"] = _joined_text(schemes, people["inspector_id"])
    people["affiliations"] = _joined_text(ties, people["inspector_id"])
    if workload_year is not None:
        from models.workload import inspector_load

        with engine.connect() as connection:
            load = inspector_load(connection, workload_year)
        people["prior_load"] = people["inspector_id"].map(load).fillna(0).astype("int64")
    return people


# -- fallback: a store only the engine can open (in-memory SQLite) ---------------------------------
def _read_arrow_through_engine(
    engine: Engine, statements: Sequence[tuple[str, tuple[Any, ...]]]
) -> list[pa.Table]:
    """The same statements (``?`` placeholders) run through the engine's own connection."""
    import pyarrow as pa

    tables = []
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        for sql, parameters in statements:
            cursor = raw.cursor()
            try:
                cursor.execute(sql, parameters)
                names = [d[0] for d in cursor.description]
                rows = cursor.fetchall()
            finally:
                cursor.close()
            columns = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
            tables.append(pa.table([pa.array(list(c)) for c in columns], names=names))
    return tables
