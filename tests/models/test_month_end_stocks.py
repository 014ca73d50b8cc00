"""Month-end stock summaries on both engines: equal to independent SQL counts, boundaries, idempotence,
the daily expiry job, and migration 0002 filling an existing 0001 store."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
from sqlalchemy import insert, select, text

from models import Certificate, MonthEndHolding, MonthEndStock, Organisation
from models.db import make_engine
from models.history import append_certificate_event
from models.maintenance import expire_certificates
from models.migrate import current_revision, upgrade
from models.queries.overview import month_end
from models.reference_data import insert_reference_rows
from models.summaries import SCHEME_SEPARATOR, month_end_stock_rows, refresh_summaries
from tests.support.actors import ADMIN
from tests.support.rows import insert_one_institution

BJ, GD, ZJ = "110000", "440000", "330000"
D = dt.date
# (organisation, region, scheme, issued, expires, status)
HAND = (
    # organisation 1: two overlapping QMS certificates, the second expiring on a month end
    (1, GD, "QMS", D(2020, 1, 15), D(2023, 1, 14), "expired"),
    (1, GD, "QMS", D(2022, 6, 1), D(2025, 5, 31), "valid"),
    # organisation 2: QMS issued on a month end and expiring the day before one, and EMS
    (2, GD, "QMS", D(2021, 3, 31), D(2024, 3, 30), "expired"),
    (2, GD, "EMS", D(2021, 5, 1), D(2024, 4, 30), "expired"),
    # organisation 3: February month ends, in a leap year and not
    (3, BJ, "EMS", D(2019, 2, 28), D(2024, 2, 29), "expired"),
    # organisation 4: suspended and withdrawn certificates never count
    (4, BJ, "QMS", D(2020, 1, 1), D(2026, 1, 1), "suspended"),
    (4, BJ, "OHSMS", D(2020, 1, 1), D(2026, 1, 1), "withdrawn"),
    # organisation 5: valid within one month only, so at no month end
    (5, ZJ, "QMS", D(2023, 5, 2), D(2023, 5, 30), "expired"),
    # organisation 6: adjacent certificates in one scheme, and a third scheme later
    (6, ZJ, "QMS", D(2020, 1, 1), D(2020, 12, 31), "expired"),
    (6, ZJ, "QMS", D(2021, 1, 1), D(2023, 12, 31), "expired"),
    (6, ZJ, "OHSMS", D(2022, 7, 31), D(2025, 7, 30), "valid"),
    (6, ZJ, "EMS", D(2022, 8, 1), D(2025, 8, 1), "valid"),
)
MONTH_ENDS = [month_end(year, month) for year in range(2018, 2027) for month in range(1, 13)]
SELECTIONS = [(), ("QMS",), ("EMS",), ("QMS", "EMS"), ("QMS", "OHSMS"), ("EMS", "OHSMS", "ISMS")]
STANDING = "status IN ('valid', 'expired') AND issued_on <= :at AND expires_on >= :at"


def _insert(connection, certificates) -> None:
    insert_one_institution(connection)
    regions = {org: region for org, region, *_ in certificates}
    connection.execute(
        insert(Organisation.__table__),
        [
            dict(
                id=org, name=f"组织{org}", credit_code=f"9133{org:014d}", region_code=region, industry="制造"
            )
            for org, region in regions.items()
        ],
    )
    connection.execute(
        insert(Certificate.__table__),
        [
            dict(
                id=i,
                number=f"C-{i:05d}",
                institution_id=1,
                organisation_id=org,
                scheme_code=scheme,
                region_code=region,
                issued_on=issued,
                expires_on=expires,
                status=status,
            )
            for i, (org, region, scheme, issued, expires, status) in enumerate(certificates, start=1)
        ],
    )


def _random_certificates(count: int, seed: int) -> list[tuple]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        org = rng.randint(1, 40)
        issued = D(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 2500))
        length = rng.choice([rng.randint(1, 60), rng.randint(300, 1200), 1095])
        status = rng.choice(["valid", "valid", "expired", "expired", "suspended", "withdrawn"])
        scheme = rng.choice(["QMS", "QMS", "EMS", "OHSMS", "ISMS"])
        rows.append((org, (BJ, GD, ZJ)[org % 3], scheme, issued, issued + dt.timedelta(days=length), status))
    return rows


@pytest.fixture(params=["hand", "random"])
def stocks(request, migrated_engine):
    """A store holding the hand-made certificates, or 400 random ones, with its summaries refreshed."""
    certificates = HAND if request.param == "hand" else _random_certificates(400, seed=7)
    with migrated_engine.begin() as connection:
        _insert(connection, certificates)
        refresh_summaries(connection)
    return migrated_engine


def _stock_table(connection, at) -> dict[tuple[str, str], tuple[int, int]]:
    table = MonthEndStock.__table__
    rows = connection.execute(
        select(table.c.region_code, table.c.scheme_code, table.c.certificates, table.c.organisations).where(
            table.c.month_end == at
        )
    )
    return {(region, scheme): (n, k) for region, scheme, n, k in rows}


def _independent(connection, at) -> dict[tuple[str, str], tuple[int, int]]:
    rows = connection.execute(
        text(
            "SELECT region_code, scheme_code, count(*), count(DISTINCT organisation_id) FROM certificate "
            f"WHERE {STANDING} GROUP BY region_code, scheme_code"
        ),
        {"at": at},
    )
    return {(region, scheme): (n, k) for region, scheme, n, k in rows}


def _holders(connection, at, region, schemes) -> int:
    table = MonthEndHolding.__table__
    rows = connection.execute(
        select(table.c.schemes, table.c.organisations).where(
            table.c.month_end == at, table.c.region_code == region
        )
    )
    return sum(n for held, n in rows if not schemes or set(held.split(SCHEME_SEPARATOR)) & set(schemes))


def _independent_holders(connection, at, region, schemes) -> int:
    extra = f" AND scheme_code IN ({', '.join(repr(s) for s in schemes)})" if schemes else ""
    return connection.execute(
        text(
            "SELECT count(DISTINCT organisation_id) FROM certificate "
            f"WHERE {STANDING} AND region_code = :r{extra}"
        ),
        {"at": at, "r": region},
    ).scalar_one()


def test_stocks_equal_independent_counts_at_every_month_end(stocks):
    with stocks.connect() as connection:
        for at in MONTH_ENDS:
            assert _stock_table(connection, at) == _independent(connection, at), at


def test_organisations_by_scheme_set_equal_independent_counts(stocks):
    with stocks.connect() as connection:
        for at, region, schemes in itertools.product(MONTH_ENDS[::5], (BJ, GD, ZJ), SELECTIONS):
            expected = _independent_holders(connection, at, region, schemes)
            assert _holders(connection, at, region, schemes) == expected, (at, region, schemes)


def test_hand_counts_at_the_boundaries(migrated_engine):
    with migrated_engine.begin() as connection:
        _insert(connection, HAND)
        refresh_summaries(connection)
    with migrated_engine.connect() as connection:
        # issued on 2021-03-31 stands that day; organisation 2 holds QMS and EMS from May
        assert _stock_table(connection, D(2021, 3, 31))[(GD, "QMS")] == (2, 2)
        assert _holders(connection, D(2021, 5, 31), GD, ()) == 2
        assert _holders(connection, D(2021, 5, 31), GD, ("QMS", "EMS")) == 2
        # overlapping certificates of organisation 1: two certificates, one organisation
        assert _stock_table(connection, D(2022, 6, 30))[(GD, "QMS")] == (3, 2)
        # expiring on 2024-03-30 misses the month end; on 2024-04-30 and 2025-05-31 it does not
        assert _stock_table(connection, D(2024, 3, 31))[(GD, "QMS")] == (1, 1)
        assert _stock_table(connection, D(2024, 4, 30))[(GD, "EMS")] == (1, 1)
        assert (GD, "EMS") not in _stock_table(connection, D(2024, 5, 31))
        assert _stock_table(connection, D(2025, 5, 31))[(GD, "QMS")] == (1, 1)
        assert _stock_table(connection, D(2025, 6, 30)).get((GD, "QMS")) is None
        # February: issued 2019-02-28 stands then, expiring 2024-02-29 stands on the leap day
        assert _stock_table(connection, D(2019, 2, 28))[(BJ, "EMS")] == (1, 1)
        assert _stock_table(connection, D(2024, 2, 29))[(BJ, "EMS")] == (1, 1)
        # never a month end, never counted; suspended and withdrawn never either
        assert _stock_table(connection, D(2023, 5, 31)).get((ZJ, "QMS")) == (1, 1)  # organisation 6
        assert not any(
            region == BJ and scheme != "EMS" for region, scheme in _stock_table(connection, D(2021, 1, 31))
        )
        # adjacent certificates merge; three schemes held at once count once
        assert _holders(connection, D(2022, 8, 31), ZJ, ()) == 1
        assert _holders(connection, D(2022, 8, 31), ZJ, ("QMS", "EMS", "OHSMS")) == 1
        assert _stock_table(connection, D(2022, 8, 31))[(ZJ, "OHSMS")] == (1, 1)
        holdings = MonthEndHolding.__table__
        held = connection.execute(
            select(holdings.c.schemes).where(
                holdings.c.month_end == D(2022, 8, 31), holdings.c.region_code == ZJ
            )
        ).scalar_one()
        assert held == "EMS,OHSMS,QMS"


def _all_rows(connection):
    stock, holding = MonthEndStock.__table__, MonthEndHolding.__table__
    return (
        sorted(connection.execute(select(stock)).all()),
        sorted(connection.execute(select(holding)).all()),
    )


def test_refresh_is_idempotent(stocks):
    with stocks.connect() as connection:
        before = _all_rows(connection)
    with stocks.begin() as connection:
        refresh_summaries(connection)
        refresh_summaries(connection)
    with stocks.connect() as connection:
        assert _all_rows(connection) == before
        assert len(before[0]) > 0 and len(before[1]) > 0


def test_refresh_follows_changed_certificates(stocks):
    # Withdrawn on their issue day, they were never valid: what the independent count assumes.
    table = Certificate.__table__
    with stocks.begin() as connection:
        valid = connection.execute(select(table.c.id, table.c.issued_on).where(table.c.status == "valid"))
        for certificate_id, issued_on in valid.all():
            append_certificate_event(connection, certificate_id, "withdrawal", issued_on)
        refresh_summaries(connection)
    with stocks.connect() as connection:
        for at in MONTH_ENDS[::7]:
            assert _stock_table(connection, at) == _independent(connection, at)


def test_expiry_job_leaves_stocks_equal_to_a_full_refresh(stocks):
    assert expire_certificates(stocks, today=D(2026, 1, 1), actor=ADMIN) > 0
    with stocks.connect() as connection:
        kept = _all_rows(connection)
    with stocks.begin() as connection:
        refresh_summaries(connection)
    with stocks.connect() as connection:
        assert _all_rows(connection) == kept


def test_empty_store_has_no_stocks(migrated_engine):
    with migrated_engine.begin() as connection:
        insert_reference_rows(connection)
        refresh_summaries(connection)
        assert month_end_stock_rows(connection) == ([], [])


def test_migration_0002_fills_the_stocks_of_an_existing_0001_store(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "0001")
        assert current_revision(engine) == "0001"
        with engine.begin() as connection:
            _insert(connection, HAND)
        upgrade(engine, "0002")
        assert current_revision(engine) == "0002"
        with engine.connect() as connection:
            for at in MONTH_ENDS:
                assert _stock_table(connection, at) == _independent(connection, at), at
            assert _holders(connection, D(2022, 8, 31), ZJ, ("QMS",)) == 1
    finally:
        engine.dispose()
