"""Summary tables that keep dashboard counts fast at national scale, and their refresh.

They are derived data: ``refresh_summaries`` rebuilds them from ``certificate`` and its history
(``models.history.CertificateEvent``) inside the caller's transaction, and the seeder and every write
to certificates call it. Certificates without a history get the one their row implies first
(``models.history.backfill_histories``).

Month-end stocks (``MonthEndStock``, ``MonthEndHolding``) count the certificates valid at each month
end: those with a ``valid`` span of their history covering it. They are computed in numpy rather than
by joining millions of spans to every month end in SQL: each span covers a contiguous range of month
ends, so certificate counts are difference arrays, and distinct organisations are counted from the
union of each organisation's ranges. Issuance by month counts issue and recertification events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    Table,
    case,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
)
from sqlmodel import Field, SQLModel

from models.certificates import Certificate
from models.history import ISSUING_KINDS, CertificateEvent, backfill_histories
from models.reference import Region, Scheme
from models.vocabulary import CERTIFICATE_STATUSES

# Before histories existed: statuses a certificate can have now and still have stood at an earlier date.
STILL_STANDING = ("valid", "expired")
SCHEME_SEPARATOR = ","
_INSERT_BATCH = 20_000
_FETCH_BATCH = 200_000


class CertificateCountByRegion(SQLModel, table=True):
    """Certificates per province, scheme and status."""

    region_code: str = Field(foreign_key="region.code", primary_key=True, max_length=6)
    scheme_code: str = Field(foreign_key="scheme.code", primary_key=True, max_length=8)
    status: str = Field(primary_key=True, max_length=10)
    n: int


class CertificateCountByInstitution(SQLModel, table=True):
    """Certificates per institution, scheme and status."""

    institution_id: int = Field(foreign_key="institution.id", primary_key=True)
    scheme_code: str = Field(foreign_key="scheme.code", primary_key=True, max_length=8)
    status: str = Field(primary_key=True, max_length=10)
    n: int


class CertificateIssuance(SQLModel, table=True):
    """Certificates issued per month (``YYYY-MM``), province and scheme."""

    month: str = Field(primary_key=True, max_length=7)
    region_code: str = Field(foreign_key="region.code", primary_key=True, max_length=6)
    scheme_code: str = Field(foreign_key="scheme.code", primary_key=True, max_length=8)
    n: int


class MonthEndStock(SQLModel, table=True):
    """Standing certificates, and organisations holding at least one, per month end, province and scheme.

    Only non-zero rows are kept; a month end without a row has no standing certificate there.
    """

    month_end: dt.date = Field(primary_key=True)
    region_code: str = Field(foreign_key="region.code", primary_key=True, max_length=6)
    scheme_code: str = Field(foreign_key="scheme.code", primary_key=True, max_length=8)
    certificates: int
    organisations: int


class MonthEndHolding(SQLModel, table=True):
    """Organisations per month end, province and the exact set of schemes they hold standing certificates in.

    ``schemes`` lists scheme codes in code order, separated by commas (``EMS,QMS``). Distinct
    organisations holding any scheme of a selection are the sum over the sets that meet it, which per-scheme
    counts cannot give (an organisation holding two schemes would count twice).
    """

    month_end: dt.date = Field(primary_key=True)
    region_code: str = Field(foreign_key="region.code", primary_key=True, max_length=6)
    schemes: str = Field(primary_key=True, max_length=255)
    organisations: int


def _month_of(column, dialect_name: str):
    if dialect_name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


_EPOCH = dt.date(1900, 1, 1)
_JULIAN_EPOCH = 2415020.5  # julianday('1900-01-01') in SQLite
_DAY_BITS = 20  # days since 1900 fit in 20 bits until the year 4770


def _epoch_days(column, dialect_name: str):
    """Whole days from 1900-01-01 to a date column (julianday on SQLite: cheaper than parsing its text)."""
    if dialect_name == "sqlite":
        return func.julianday(column) - _JULIAN_EPOCH
    return cast(column - literal_column(f"DATE '{_EPOCH.isoformat()}'", Date), BigInteger)


def refresh_summaries(connection: Connection, *, stocks: bool = True) -> None:
    """Rebuild every certificate summary table from ``certificate`` and its history on ``connection``.

    ``stocks=False`` leaves the month-end stocks alone: right only when no certificate's history changed
    except by expiry events on the day after ``expires_on`` (the daily expiry job), which end no valid
    span earlier than it ended already.
    """
    backfill_histories(connection)
    cert = Certificate.__table__
    event = CertificateEvent.__table__
    by_region = CertificateCountByRegion.__table__
    by_institution = CertificateCountByInstitution.__table__
    issuance = CertificateIssuance.__table__
    for table in (by_region, by_institution, issuance):
        connection.execute(delete(table))

    region_cols = (cert.c.region_code, cert.c.scheme_code, cert.c.status)
    connection.execute(
        insert(by_region).from_select(
            ["region_code", "scheme_code", "status", "n"],
            select(*region_cols, func.count()).group_by(*region_cols),
        )
    )
    institution_cols = (cert.c.institution_id, cert.c.scheme_code, cert.c.status)
    connection.execute(
        insert(by_institution).from_select(
            ["institution_id", "scheme_code", "status", "n"],
            select(*institution_cols, func.count()).group_by(*institution_cols),
        )
    )
    month = _month_of(event.c.occurred_on, connection.dialect.name).label("month")
    connection.execute(
        insert(issuance).from_select(
            ["month", "region_code", "scheme_code", "n"],
            select(month, event.c.region_code, event.c.scheme_code, func.count())
            .where(event.c.kind.in_(ISSUING_KINDS))
            .group_by(month, event.c.region_code, event.c.scheme_code),
        )
    )
    if stocks:
        refresh_month_end_stocks(connection)


def refresh_month_end_stocks(
    connection: Connection,
    stock_table: Table | None = None,
    holding_table: Table | None = None,
    *,
    from_history: bool = True,
) -> None:
    """Rebuild the month-end stock tables (or the given tables of the same shape, as a migration has).

    ``from_history=False`` reads certificates alone, as a store from before histories must (migration
    0002): a certificate stood from ``issued_on`` to ``expires_on`` unless suspended or withdrawn now.
    """
    stock_table = MonthEndStock.__table__ if stock_table is None else stock_table
    holding_table = MonthEndHolding.__table__ if holding_table is None else holding_table
    stocks, holdings = month_end_stock_rows(connection, from_history=from_history)
    for table, rows in ((stock_table, stocks), (holding_table, holdings)):
        connection.execute(delete(table))
        for start in range(0, len(rows), _INSERT_BATCH):
            connection.execute(insert(table), rows[start : start + _INSERT_BATCH])


def _codes(connection: Connection, table) -> list[str]:
    return list(connection.execute(select(table.c.code).order_by(table.c.code)).scalars())


def _standing_certificates(
    connection: Connection, regions: Sequence[str], schemes: Sequence[str], *, from_history: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(key, dates) of every valid span: key packs organisation, province and scheme indices, dates
    packs its first and last day in days since 1900 as ``first << 20 | last``.

    Two integers a row keep the fetch of millions of rows cheap. Spans come from the history (valid
    spans always end: at the next event or at expiry), or without it from the certificates themselves,
    whose statuses are then excluded with NOT IN so that SQLite scans the table instead of walking the
    status index for nearly every row.
    """
    cert = Certificate.__table__
    event = CertificateEvent.__table__
    dialect = connection.dialect.name
    region_index = case({code: i for i, code in enumerate(regions)}, value=cert.c.region_code)
    scheme_index = case({code: i for i, code in enumerate(schemes)}, value=cert.c.scheme_code)
    key = (cast(cert.c.organisation_id, BigInteger) * 64 + region_index) * 64 + scheme_index
    if from_history:
        first, last = _epoch_days(event.c.occurred_on, dialect), _epoch_days(event.c.holds_until, dialect) - 1
    else:
        first, last = _epoch_days(cert.c.issued_on, dialect), _epoch_days(cert.c.expires_on, dialect)
    dates = cast(first * (1 << _DAY_BITS) + last, BigInteger)
    if from_history:
        query = (
            select(key, dates)
            .select_from(event.join(cert, cert.c.id == event.c.certificate_id))
            .where(event.c.status == "valid", event.c.holds_until > event.c.occurred_on)
        )
    else:
        lapsed = [status for status in CERTIFICATE_STATUSES if status not in STILL_STANDING]
        query = select(key, dates).where(cert.c.status.not_in(lapsed))
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    # The driver's own cursor, in the caller's transaction: building SQLAlchemy rows for millions of pairs
    # would cost more than all the rest. On PostgreSQL a named (server-side) cursor fetches in batches.
    raw = connection.connection
    if connection.dialect.name == "postgresql":
        cursor = raw.driver_connection.cursor(name="month_end_stocks")
    else:
        cursor = raw.cursor()
    parts = []
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(_FETCH_BATCH):
            parts.append(np.array(rows, dtype=np.int64).reshape(-1, 2))
    finally:
        cursor.close()
    if not parts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    packed = np.concatenate(parts)
    return packed[:, 0], packed[:, 1]


def _counts(group: np.ndarray, first: np.ndarray, last: np.ndarray, groups: int, months: int) -> np.ndarray:
    """How many of the ranges [first, last] of each group cover each month: a (groups, months) array."""
    width = months + 1
    change = np.bincount(group * width + first, minlength=groups * width) - np.bincount(
        group * width + last + 1, minlength=groups * width
    )
    return np.cumsum(change.reshape(groups, width), axis=1)[:, :months]


def _merged_ranges(
    owner: np.ndarray, first: np.ndarray, last: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The union of each owner's ranges [first, last] as disjoint, non-adjacent (owner, first, last)."""
    if owner.size == 0:
        return owner, first, last
    span = int(last.max()) + 2
    order = np.argsort(owner * span + first)
    owner, first, last = owner[order], first[order], last[order]
    new_owner = np.ones(owner.size, dtype=bool)
    new_owner[1:] = owner[1:] != owner[:-1]
    # Running maximum of ``last`` within each owner: offset every owner above all earlier ones.
    rank = np.cumsum(new_owner) - 1
    reach = np.maximum.accumulate(rank * span + last) - rank * span
    starts = new_owner.copy()
    starts[1:] |= first[1:] > reach[:-1] + 1
    positions = np.flatnonzero(starts)
    return owner[positions], first[positions], np.maximum.reduceat(last, positions)


def _standing_ranges(
    connection: Connection, regions: Sequence[str], schemes: Sequence[str], *, from_history: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(holder, scheme, first, last) of every certificate standing at one month end or more.

    ``holder`` packs organisation and province index (``organisation * 64 + province``), ``scheme`` is
    an index into ``schemes``, and [first, last] the month ends it stands at, in months since 1970.
    """
    key, dates = _standing_certificates(connection, regions, schemes, from_history=from_history)
    epoch = np.datetime64(_EPOCH, "D")
    first = (epoch + (dates >> _DAY_BITS)).astype("datetime64[M]").astype(np.int64)
    # The last month end on or before the expiry date is the month before the day after it.
    expiry = epoch + (dates & ((1 << _DAY_BITS) - 1))
    last = (expiry + 1).astype("datetime64[M]").astype(np.int64) - 1
    standing = first <= last
    key = key[standing]
    return key // 64, key % 64, first[standing].astype(np.int32), last[standing].astype(np.int32)


def month_end_stock_rows(
    connection: Connection, *, from_history: bool = True
) -> tuple[list[dict], list[dict]]:
    """Rows of ``MonthEndStock`` and ``MonthEndHolding`` computed from the valid spans of the history.

    Month ends run from the first on or after the earliest valid span to the last one covers; outside
    that range nothing is valid (``from_history``: see ``refresh_month_end_stocks``). Organisations
    are counted per province of their certificates (``certificate.region_code`` repeats the
    organisation's province).
    """
    regions, schemes = _codes(connection, Region.__table__), _codes(connection, Scheme.__table__)
    if not regions or not schemes:  # a new store: no reference rows, so no certificates either
        return [], []
    if len(regions) > 64 or len(schemes) > 30:
        raise ValueError("month-end stocks pack up to 64 provinces and 30 schemes")
    holder, scheme, first, last = _standing_ranges(connection, regions, schemes, from_history=from_history)
    if holder.size == 0:
        return [], []
    base = int(first.min())
    first -= base
    last -= base
    months = int(last.max()) + 1
    month_ends = [
        (np.datetime64(base + t + 1, "M").astype("datetime64[D]") - 1).item() for t in range(months)
    ]
    n_regions, n_schemes = len(regions), len(schemes)
    groups = n_regions * n_schemes
    certificates = _counts((holder % 64) * n_schemes + scheme, first, last, groups, months)
    # Organisations per scheme: each organisation's standing periods in a scheme, merged.
    owner, first, last = _merged_ranges(holder * n_schemes + scheme, first, last)
    del holder, scheme
    holder, scheme = owner // n_schemes, owner % n_schemes
    del owner
    organisations = _counts((holder % 64) * n_schemes + scheme, first, last, groups, months)
    # Rows go in month-end order, so that one month end's rows sit together in the table.
    stocks = [
        dict(
            month_end=month_ends[t],
            region_code=regions[g // n_schemes],
            scheme_code=schemes[g % n_schemes],
            certificates=int(certificates[g, t]),
            organisations=int(organisations[g, t]),
        )
        for t, g in zip(*np.nonzero(certificates.T), strict=True)
    ]
    return stocks, _holding_rows(holder, scheme, first, last, regions, schemes, month_ends)


def _holding_rows(
    holder: np.ndarray,
    scheme: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    regions: Sequence[str],
    schemes: Sequence[str],
    month_ends: Sequence[dt.date],
) -> list[dict]:
    """Organisations per month end, province and set of schemes held, from disjoint (holder, scheme) ranges.

    Each range adds its scheme's bit to the holder's set at ``first`` and removes it after ``last``; the
    running sum of these changes within a holder is the set held from one change to the next.
    """
    months = len(month_ends)
    bit = np.left_shift(1, scheme).astype(np.int64)
    base = holder * (months + 1)
    event = np.concatenate([base + first, base + last + 1])
    del base
    order = np.argsort(event)
    event = event[order]
    change = np.concatenate([bit, -bit])[order]
    del order, bit
    positions = np.flatnonzero(np.r_[True, event[1:] != event[:-1]])
    event, change = event[positions], np.add.reduceat(change, positions)
    # Every holder's changes sum to nothing, so a running sum over all holders restarts at each one.
    held = np.cumsum(change)
    at = event % (months + 1)
    open_ = np.flatnonzero(held != 0)  # never a holder's last change, so the next one is the same holder's
    region = event[open_] // (months + 1) % 64
    combination, group = np.unique(region * (1 << len(schemes)) + held[open_], return_inverse=True)
    counts = _counts(group, at[open_], at[open_ + 1] - 1, combination.size, months)
    labels = [
        SCHEME_SEPARATOR.join(code for i, code in enumerate(schemes) if int(c) >> i & 1)
        for c in combination % (1 << len(schemes))
    ]
    return [
        dict(
            month_end=month_ends[t],
            region_code=regions[int(combination[g]) >> len(schemes)],
            schemes=labels[g],
            organisations=int(counts[g, t]),
        )
        for t, g in zip(*np.nonzero(counts.T), strict=True)
    ]
