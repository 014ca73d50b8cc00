"""Overview KPIs on both engines against the hand-counted world (today fixed at 2025-06-30)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, select

from models import Certificate
from models.queries import overview as q
from tests.models.test_queries_certificates import GD, TODAY, world  # noqa: F401  (fixture)


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


def test_valid_certificates_equal_an_independent_count(world):  # noqa: F811
    cert = Certificate.__table__
    at = TODAY
    with world.connect() as connection:
        independent = connection.execute(
            select(func.count()).where(
                and_(
                    cert.c.status.in_(["valid", "expired"]),
                    cert.c.issued_on <= at,
                    cert.c.expires_on >= at,
                )
            )
        ).scalar_one()
    assert _kpis(world)["valid_certificates"][0] == independent


def test_data_years(world):  # noqa: F811
    assert q.data_years(world) == (2020, 2025)
