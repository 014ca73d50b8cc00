"""Figures at any past date from the histories (models/history.py): exact, on both engines.

A certificate's status on a date ``d`` is that of its history row with ``occurred_on <= d <
holds_until`` (NULL: for ever). Valid stocks by province and scheme start from the month-end stock at
or before ``d`` (``MonthEndStock``, derived from the same rows) and add the valid spans that began
after that month end and subtract those that ended, so only one month of rows is read however large
the store: the ``(status, occurred_on, ...)`` and ``(status, holds_until, ...)`` indexes cover both.
A filter on institutions counts the rows of those institutions directly (their own index).

The summaries must be fresh: every write to certificates calls ``models.summaries.refresh_summaries``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, and_, func, or_, select

from models.history import CERTIFICATE_STATUS_AFTER, ISSUING_KINDS, CertificateEvent, InstitutionEvent
from models.queries.overview import month_end_on_or_before
from models.queries.sqlhelpers import where_in
from models.summaries import MonthEndStock
from models.vocabulary import CERTIFICATE_STATUSES, INSTITUTION_STATUSES

STOCK_DIMENSIONS = ("scheme_code", "region_code")


def _check(by: Sequence[str], status: str) -> None:
    unknown = set(by) - set(STOCK_DIMENSIONS)
    if unknown:
        raise ValueError(f"cannot group certificates by {sorted(unknown)}: choose from {STOCK_DIMENSIONS}")
    if status not in CERTIFICATE_STATUSES:
        raise ValueError(f"unknown certificate status {status!r}: choose from {CERTIFICATE_STATUSES}")


def _filtered(query, table, provinces, schemes, institutions=()):
    query = where_in(query, table.c.region_code, provinces)
    query = where_in(query, table.c.scheme_code, schemes)
    if "institution_id" in table.c:
        query = where_in(query, table.c.institution_id, institutions)
    return query


def _grouped(connection, query, keys) -> Counter:
    if keys:
        query = query.group_by(*keys)
    return Counter({tuple(row[:-1]): int(row[-1]) for row in connection.execute(query)})


def _spans_on(connection, on: dt.date, status: str, by, provinces, schemes, institutions) -> Counter:
    event = CertificateEvent.__table__
    keys = [event.c[name] for name in by]
    query = select(*keys, func.count()).where(
        event.c.status == status,
        event.c.occurred_on <= on,
        or_(event.c.holds_until > on, event.c.holds_until.is_(None)),
    )
    return _grouped(connection, _filtered(query, event, provinces, schemes, institutions), keys)


def _valid_from_month_end(connection, on: dt.date, by, provinces, schemes) -> Counter:
    stock, event = MonthEndStock.__table__, CertificateEvent.__table__
    anchor = month_end_on_or_before(on)
    keys = [stock.c[name] for name in by]
    query = select(*keys, func.coalesce(func.sum(stock.c.certificates), 0)).where(stock.c.month_end == anchor)
    counts = _grouped(connection, _filtered(query, stock, provinces, schemes), keys)
    if anchor == on:
        return counts
    keys = [event.c[name] for name in by]
    began = select(*keys, func.count()).where(
        event.c.status == "valid",
        event.c.occurred_on > anchor,
        event.c.occurred_on <= on,
        event.c.holds_until > on,
    )
    ended = select(*keys, func.count()).where(
        event.c.status == "valid",
        event.c.holds_until > anchor,
        event.c.holds_until <= on,
        event.c.occurred_on <= anchor,
    )
    counts.update(_grouped(connection, _filtered(began, event, provinces, schemes), keys))
    counts.subtract(_grouped(connection, _filtered(ended, event, provinces, schemes), keys))
    return counts


def certificates_on(
    engine: Engine,
    on: dt.date,
    *,
    status: str = "valid",
    by: Sequence[str] = (),
    provinces: Sequence[str] = (),
    schemes: Sequence[str] = (),
    institutions: Sequence[int] = (),
) -> pd.DataFrame:
    """Certificates that had ``status`` on the date ``on``, grouped by any of ``STOCK_DIMENSIONS``.

    Columns ``*by, n`` (groups with none left out; with ``by=()`` one row, the total). Empty filters
    mean "all". Raises ValueError for an unknown dimension or status.
    """
    _check(by, status)
    with engine.connect() as connection:
        if status == "valid" and not institutions:
            counts = _valid_from_month_end(connection, on, by, provinces, schemes)
        else:
            counts = _spans_on(connection, on, status, by, provinces, schemes, institutions)
    return _frame(counts, by)


def _frame(counts: Counter, by: Sequence[str]) -> pd.DataFrame:
    if not by:
        return pd.DataFrame({"n": [int(sum(counts.values()))]}, dtype="int64")
    rows = sorted((key, n) for key, n in counts.items() if n)
    frame = pd.DataFrame([(*key, n) for key, n in rows], columns=[*by, "n"])
    frame["n"] = frame["n"].astype("int64")
    return frame


def certificate_total_on(engine: Engine, on: dt.date, **filters) -> int:
    """Certificates with ``status`` (default valid) on ``on``; filters as ``certificates_on``."""
    return int(certificates_on(engine, on, by=(), **filters)["n"].iloc[0])


def events_between(
    engine: Engine,
    first: dt.date,
    last: dt.date,
    *,
    kinds: Sequence[str] = ISSUING_KINDS,
    by: Sequence[str] = (),
    provinces: Sequence[str] = (),
    schemes: Sequence[str] = (),
    institutions: Sequence[int] = (),
) -> pd.DataFrame:
    """Certificate events of ``kinds`` dated ``first``..``last`` inclusive, grouped like ``certificates_on``.

    With the default kinds, the certificates issued (first certifications and recertifications).
    """
    _check(by, "valid")
    event = CertificateEvent.__table__
    keys = [event.c[name] for name in by]
    # Each kind's rows carry the status it sets (any, for audits and scope changes): naming those
    # statuses lets the (status, occurred_on, ...) index serve the date range.
    statuses = {CERTIFICATE_STATUS_AFTER.get(kind) for kind in kinds}
    statuses = CERTIFICATE_STATUSES if None in statuses else sorted(statuses)
    query = select(*keys, func.count()).where(
        event.c.status.in_(list(statuses)),
        event.c.kind.in_(list(kinds)),
        event.c.occurred_on >= first,
        event.c.occurred_on <= last,
    )
    with engine.connect() as connection:
        counts = _grouped(connection, _filtered(query, event, provinces, schemes, institutions), keys)
    return _frame(counts, by)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a ``YYYY-MM`` month; ValueError if it is not one."""
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"a month is written YYYY-MM, such as 2024-06; got {month!r}") from None
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def new_in_month(engine: Engine, month: str, **options) -> pd.DataFrame:
    """Certificates issued in ``month`` (``YYYY-MM``); options as ``events_between``."""
    first, last = month_bounds(month)
    return events_between(engine, first, last, **options)


def institution_statuses_on(engine: Engine, on: dt.date, *, provinces: Sequence[str] = ()) -> pd.DataFrame:
    """Each institution's status on ``on``: columns institution_id, status (none before its approval)."""
    event = InstitutionEvent.__table__
    query = select(event.c.institution_id, event.c.status).where(
        event.c.occurred_on <= on, or_(event.c.holds_until > on, event.c.holds_until.is_(None))
    )
    query = where_in(query, event.c.region_code, provinces).order_by(event.c.institution_id)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=["institution_id", "status"])


def institution_counts_on(engine: Engine, on: dt.date, *, provinces: Sequence[str] = ()) -> dict[str, int]:
    """Institutions by status on ``on``: every status of ``INSTITUTION_STATUSES``, zero included."""
    event = InstitutionEvent.__table__
    query = select(event.c.status, func.count()).where(
        and_(event.c.occurred_on <= on, or_(event.c.holds_until > on, event.c.holds_until.is_(None)))
    )
    query = where_in(query, event.c.region_code, provinces).group_by(event.c.status)
    with engine.connect() as connection:
        found = dict(connection.execute(query).all())
    return {status: int(found.get(status, 0)) for status in INSTITUTION_STATUSES}


MONTHLY_COLUMNS = ("scheme_code", "region_code", "new", "valid", "suspended", "withdrawn")


def monthly_statistics(
    engine: Engine, month: str, *, provinces: Sequence[str] = (), schemes: Sequence[str] = ()
) -> pd.DataFrame:
    """The regulator's monthly table by scheme × province: certificates ``new`` (issued or recertified),
    ``suspended`` and ``withdrawn`` in ``month`` (``YYYY-MM``), and ``valid`` on its last day.

    Columns ``MONTHLY_COLUMNS``, one row per scheme and province with any non-zero figure, sorted;
    ValueError for a malformed month.
    """
    first, last = month_bounds(month)
    by = ("scheme_code", "region_code")
    filters = dict(by=by, provinces=provinces, schemes=schemes)
    parts = {
        "new": events_between(engine, first, last, **filters),
        "valid": certificates_on(engine, last, **filters),
        "suspended": events_between(engine, first, last, kinds=("suspension",), **filters),
        "withdrawn": events_between(engine, first, last, kinds=("withdrawal",), **filters),
    }
    frame = pd.DataFrame(columns=list(by))
    for name, part in parts.items():
        frame = frame.merge(part.rename(columns={"n": name}), on=list(by), how="outer")
    frame = frame.fillna(0)
    for name in parts:
        frame[name] = frame[name].astype("int64")
    return frame.sort_values(list(by)).reset_index(drop=True)[list(MONTHLY_COLUMNS)]
