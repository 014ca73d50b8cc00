"""Overview KPIs on both engines against the hand-counted world (today mostly 2025-06-30, a month end)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import and_, func, select

from models import Certificate
from models.queries import overview as q
from tests.models.test_queries_certificates import BJ, GD, TODAY, world  # noqa: F401  (fixture)


def _kpis(engine, **filters) -> dict[str, tuple[int, int]]:
    frame = q.overview_kpis(engine, year=2025, today=TODAY, **filters)
    return {name: (int(row.current), int(row.previous)) for name, row in frame.iterrows()}


def test_periods_are_year_to_date():
    current, previous = q.periods(2025, TODAY)
    assert (current.start, current.end) == (dt.date(2025, 1, 1), TODAY)
    assert (previous.start, previous.end) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    full, before = q.periods(2024, TODAY)
    assert (full.end, before.end) == (dt.date(2024, 12, 31), dt.date(2023, 12, 31))
    leap, _ = q.periods(2024, dt.date(2024, 2, 29))
    assert q.periods(2024, dt.date(2024, 2, 29))[1].end == dt.date(2023, 2, 28)
    assert leap.end == dt.date(2024, 2, 29)


def test_kpis_match_hand_counts(world):  # noqa: F811
    assert _kpis(world) == {
        "active_institutions": (2, 1),
        "approvals": (2, 0),
        "valid_certificates": (7, 5),
        "certified_organisations": (4, 3),
        "inspections": (2, 1),
    }


def test_kpis_follow_province_and_scheme_filters(world):  # noqa: F811
    assert _kpis(world, provinces=[GD]) == {
        "active_institutions": (1, 0),
        "approvals": (0, 0),
        "valid_certificates": (3, 3),
        "certified_organisations": (2, 2),
        "inspections": (1, 0),
    }
    ohsms = _kpis(world, schemes=["OHSMS"])
    assert ohsms["active_institutions"] == (1, 0)
    assert ohsms["valid_certificates"] == (1, 0)


def test_stocks_are_taken_at_the_last_month_end_of_the_period():
    assert q.stock_dates(2025, TODAY) == (dt.date(2025, 6, 30), dt.date(2024, 6, 30))
    assert q.stock_dates(2025, dt.date(2025, 7, 15)) == (dt.date(2025, 6, 30), dt.date(2024, 6, 30))
    assert q.stock_dates(2024, TODAY) == (dt.date(2024, 12, 31), dt.date(2023, 12, 31))
    assert q.stock_dates(2025, dt.date(2025, 1, 10)) == (dt.date(2024, 12, 31), dt.date(2023, 12, 31))
    assert q.stock_dates(2024, dt.date(2024, 3, 10)) == (dt.date(2024, 2, 29), dt.date(2023, 2, 28))
    assert q.stock_dates(2025, dt.date(2025, 3, 31)) == (dt.date(2025, 3, 31), dt.date(2024, 3, 31))


def test_the_frame_says_where_stocks_and_flows_end(world):  # noqa: F811
    frame = q.overview_kpis(world, year=2025, today=dt.date(2025, 7, 20))
    row = frame.iloc[0]
    assert (row.current_end, row.previous_end) == (dt.date(2025, 7, 20), dt.date(2024, 7, 20))
    assert (row.stock_end, row.previous_stock_end) == (dt.date(2025, 6, 30), dt.date(2024, 6, 30))
    # certificate 1 (BJ QMS) expires 2025-07-15: still standing at the month end the stocks are taken at
    assert int(frame.loc["valid_certificates", "current"]) == 7


def _independent(engine, at: dt.date, provinces=(), schemes=()) -> tuple[int, int]:
    cert = Certificate.__table__
    conditions = [cert.c.status.in_(["valid", "expired"]), cert.c.issued_on <= at, cert.c.expires_on >= at]
    if provinces:
        conditions.append(cert.c.region_code.in_(provinces))
    if schemes:
        conditions.append(cert.c.scheme_code.in_(schemes))
    query = select(func.count(), func.count(func.distinct(cert.c.organisation_id))).where(and_(*conditions))
    with engine.connect() as connection:
        return tuple(connection.execute(query).one())


@pytest.mark.parametrize(
    "filters",
    [{}, {"provinces": [GD]}, {"schemes": ["QMS"]}, {"schemes": ["QMS", "EMS"]}, {"provinces": [GD, BJ]}],
)
@pytest.mark.parametrize("today", [TODAY, dt.date(2025, 3, 14), dt.date(2026, 1, 5)])
def test_stocks_equal_an_independent_count(world, filters, today):  # noqa: F811
    frame = q.overview_kpis(world, year=today.year, today=today, **filters)
    for column, at in (("current", "stock_end"), ("previous", "previous_stock_end")):
        expected = _independent(world, frame[at].iloc[0], **filters)
        shown = (
            int(frame.loc["valid_certificates", column]),
            int(frame.loc["certified_organisations", column]),
        )
        assert shown == expected


def test_an_organisation_in_two_selected_schemes_counts_once(world):  # noqa: F811
    # organisation 3 (GD) holds valid QMS and EMS certificates at 2025-06-30
    both = _kpis(world, provinces=[GD], schemes=["QMS", "EMS"])
    assert both["valid_certificates"][0] == 3
    assert both["certified_organisations"][0] == 2


def test_data_years(world):  # noqa: F811
    assert q.data_years(world) == (2020, 2025)
