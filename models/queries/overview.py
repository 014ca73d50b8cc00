"""Headline figures for the overview page, each for a period and the same period a year earlier.

"Active institutions" and "valid certificates" at a past date come from the histories
(models/history.py): an institution is active on a date if its status on that date was approved,
whatever happened later; a certificate is valid at a month end if a valid span of its history covers it.

Certificate stocks come from the month-end summaries (``models.summaries.MonthEndStock`` and
``MonthEndHolding``), so they are taken at the last month end on or before a period's end and at the
same month end a year earlier; scanning millions of certificates per view took seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, literal, or_, select

from models.campaigns import DrawTarget, InspectionOutcome
from models.history import InstitutionEvent
from models.institutions import ApprovalApplication, Institution, InstitutionScheme
from models.queries.sqlhelpers import where_in
from models.summaries import SCHEME_SEPARATOR, CertificateIssuance, MonthEndHolding, MonthEndStock

KPI_NAMES = (
    "active_institutions",
    "approvals",
    "valid_certificates",
    "certified_organisations",
    "inspections",
)


@dataclass(frozen=True)
class Period:
    """A year-to-date period: ``start`` (1 January) to ``end`` inclusive."""

    start: dt.date
    end: dt.date


def periods(year: int, today: dt.date) -> tuple[Period, Period]:
    """The KPI period of ``year`` (to ``today`` if the year is running) and the same span a year earlier."""
    end = min(dt.date(year, 12, 31), today)
    current = Period(dt.date(year, 1, 1), end)
    previous_end = (
        end.replace(year=year - 1) if not (end.month == 2 and end.day == 29) else dt.date(year - 1, 2, 28)
    )
    return current, Period(dt.date(year - 1, 1, 1), previous_end)


def month_end(year: int, month: int) -> dt.date:
    """The last day of ``month`` of ``year``."""
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def month_end_on_or_before(day: dt.date) -> dt.date:
    """``day`` if it ends its month, else the last day of the month before."""
    return day if day == month_end(day.year, day.month) else day.replace(day=1) - dt.timedelta(days=1)


def stock_dates(year: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The month ends at which the KPIs of ``year`` take stocks, and the same month end a year earlier.

    31 December for a finished year; for the running year the last month end on or before ``today``
    (which is in the year before during January).
    """
    current, _ = periods(year, today)
    end = month_end_on_or_before(current.end)
    return end, month_end(end.year - 1, end.month)


def _active_institutions(connection, at: dt.date, provinces, schemes) -> int:
    event, approved = InstitutionEvent.__table__, InstitutionScheme.__table__
    query = (
        select(func.count())
        .select_from(event)
        .where(
            event.c.status == "approved",
            event.c.occurred_on <= at,
            or_(event.c.holds_until > at, event.c.holds_until.is_(None)),
        )
    )
    query = where_in(query, event.c.region_code, provinces)
    if schemes:
        holders = select(approved.c.institution_id).where(
            approved.c.scheme_code.in_(list(schemes)), approved.c.approved_on <= at
        )
        query = query.where(event.c.institution_id.in_(holders))
    return int(connection.execute(query).scalar_one())


def _approvals(connection, period: Period, provinces) -> int:
    app = ApprovalApplication.__table__
    query = (
        select(func.count())
        .select_from(app)
        .where(app.c.status == "approved", app.c.decided_on >= period.start, app.c.decided_on <= period.end)
    )
    query = where_in(query, app.c.region_code, provinces)
    return int(connection.execute(query).scalar_one())


def _certificates_at(connection, dates: Sequence[dt.date], provinces, schemes) -> list[tuple[int, int]]:
    """(valid certificates, certified organisations) at each month end of ``dates``, from the summaries.

    Certificates add up over schemes. Organisations come from the sets of schemes each holds, so one
    holding several selected schemes counts once: a set counts when it meets the selection.
    """
    stock, holding = MonthEndStock.__table__, MonthEndHolding.__table__
    certificates = select(stock.c.month_end, func.sum(stock.c.certificates)).where(
        stock.c.month_end.in_(list(dates))
    )
    certificates = where_in(certificates, stock.c.region_code, provinces)
    certificates = where_in(certificates, stock.c.scheme_code, schemes).group_by(stock.c.month_end)
    organisations = select(holding.c.month_end, func.sum(holding.c.organisations)).where(
        holding.c.month_end.in_(list(dates))
    )
    organisations = where_in(organisations, holding.c.region_code, provinces)
    if schemes:
        wrapped = literal(SCHEME_SEPARATOR) + holding.c.schemes + literal(SCHEME_SEPARATOR)
        organisations = organisations.where(
            or_(*(wrapped.contains(f"{SCHEME_SEPARATOR}{code}{SCHEME_SEPARATOR}") for code in schemes))
        )
    organisations = organisations.group_by(holding.c.month_end)
    held = dict(connection.execute(certificates).all())
    holders = dict(connection.execute(organisations).all())
    return [(int(held.get(at) or 0), int(holders.get(at) or 0)) for at in dates]


def _inspections(connection, period: Period, provinces, schemes) -> int:
    outcome, target = InspectionOutcome.__table__, DrawTarget.__table__
    query = (
        select(func.count())
        .select_from(outcome)
        .join(target, target.c.id == outcome.c.target_id)
        .where(outcome.c.inspected_on >= period.start, outcome.c.inspected_on <= period.end)
    )
    query = where_in(query, target.c.region_code, provinces)
    query = where_in(query, target.c.scheme_code, schemes)
    return int(connection.execute(query).scalar_one())


def overview_kpis(
    engine: Engine,
    *,
    year: int,
    today: dt.date,
    provinces: Sequence[str] = (),
    schemes: Sequence[str] = (),
) -> pd.DataFrame:
    """The headline figures for ``year`` (to ``today``) and for the same span of the year before.

    Index: ``KPI_NAMES``; columns current, previous, current_end, previous_end, stock_end,
    previous_stock_end. Flows (approvals decided, inspections done) are counted over each period and
    active institutions at each period's end; certificates and organisations are stocks at the month ends
    of ``stock_dates`` (the last month end on or before the period's end, and a year earlier).
    ``schemes`` does not apply to approvals (they have no scheme).
    """
    current, previous = periods(year, today)
    stock_end, previous_stock_end = stock_dates(year, today)
    with engine.connect() as connection:
        certificates = _certificates_at(connection, [stock_end, previous_stock_end], provinces, schemes)
        values = {
            "active_institutions": [
                _active_institutions(connection, period.end, provinces, schemes)
                for period in (current, previous)
            ],
            "approvals": [_approvals(connection, period, provinces) for period in (current, previous)],
            "valid_certificates": [certificates[0][0], certificates[1][0]],
            "certified_organisations": [certificates[0][1], certificates[1][1]],
            "inspections": [
                _inspections(connection, period, provinces, schemes) for period in (current, previous)
            ],
        }
    frame = pd.DataFrame.from_dict(values, orient="index", columns=["current", "previous"]).loc[
        list(KPI_NAMES)
    ]
    frame["current_end"] = current.end
    frame["previous_end"] = previous.end
    frame["stock_end"] = stock_end
    frame["previous_stock_end"] = previous_stock_end
    return frame


def data_years(engine: Engine) -> tuple[int, int] | None:
    """First and last year of certificate issuance (from the summary table), or None if empty."""
    table = CertificateIssuance.__table__
    with engine.connect() as connection:
        first, last = connection.execute(select(func.min(table.c.month), func.max(table.c.month))).one()
    if first is None:
        return None
    return int(first[:4]), int(last[:4])


def has_data(engine: Engine) -> bool:
    """True when the store holds at least one institution (i.e. it has been migrated and seeded)."""
    with engine.connect() as connection:
        return connection.execute(select(Institution.__table__.c.id).limit(1)).first() is not None
