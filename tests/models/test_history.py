"""Certificate and institution histories on both engines.

Random histories are written through ``append_certificate_event``; figures on random past dates are
compared with a replay of the same events in plain Python (last event on or before the date, validity
lapsing at expiry), which shares no code with the span rows or the month-end anchoring.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from sqlalchemy import func, insert, select, text

from models import (
    Certificate,
    CertificateEvent,
    Institution,
    InstitutionEvent,
    MonthEndHolding,
    MonthEndStock,
    Organisation,
)
from models.db import make_engine
from models.history import (
    CERTIFICATE_STATUS_AFTER,
    append_certificate_event,
    backfill_histories,
    record_certificate_event,
)
from models.maintenance import expire_certificates
from models.migrate import current_revision, upgrade
from models.queries.history import (
    certificate_total_on,
    certificates_on,
    events_between,
    institution_counts_on,
    institution_statuses_on,
    month_bounds,
    monthly_statistics,
    new_in_month,
)
from models.queries.overview import overview_kpis
from models.reference_data import insert_reference_rows
from models.summaries import refresh_month_end_stocks, refresh_summaries
from tests.models.test_month_end_stocks import HAND, _insert
from tests.support.actors import ADMIN
from tests.support.rows import ONE_INSTITUTION, insert_one_institution

D = dt.date
PROVINCES = ("110000", "440000", "330000")
SCHEMES = ("QMS", "EMS", "OHSMS")
EVENT_TABLES = (CertificateEvent.__table__, InstitutionEvent.__table__)
FIRST_DAY, LAST_DAY = D(2015, 1, 1), D(2026, 10, 31)


def _random_history(rng: random.Random, issued: dt.date, expires: dt.date) -> list[tuple[str, dt.date]]:
    """Events after the opening one: audits, suspensions and reinstatements, maybe a closing one."""
    events, on, status = [], issued, "valid"
    end = min(expires, LAST_DAY)
    while True:
        on = on + dt.timedelta(days=rng.choice((0, 1, 30, 200, 365)))
        if on > end or rng.random() < 0.25:
            break
        if status == "valid":
            kind = rng.choice(("surveillance", "scope_change", "suspension", "withdrawal"))
        else:
            kind = rng.choice(("reinstatement", "withdrawal"))
        events.append((kind, on))
        status = CERTIFICATE_STATUS_AFTER[kind] or status
        if status == "withdrawn":
            break
    return events


def _write_world(connection, seed: int, n: int = 160) -> list[dict]:
    """``n`` certificate cycles (some renewing an earlier one) with random histories; their plain records."""
    rng = random.Random(seed)
    insert_one_institution(connection)
    connection.execute(
        insert(Institution.__table__),
        [dict(ONE_INSTITUTION, id=2, name="丙认证", credit_code="91110000100000001X", approval_number="R-2")],
    )
    connection.execute(
        insert(Organisation.__table__),
        [
            dict(
                id=k,
                name=f"组织{k}",
                credit_code=f"9144{k:014d}",
                region_code=PROVINCES[k % 3],
                industry="制造",
            )
            for k in range(1, 41)
        ],
    )
    records: list[dict] = []
    for i in range(1, n + 1):
        previous = rng.choice(records) if records and rng.random() < 0.2 else None
        if previous is not None and not any(r.get("previous_id") == previous["id"] for r in records):
            issued = previous["expires"] + dt.timedelta(days=1)
            org, scheme = previous["org"], previous["scheme"]
        else:
            previous = None
            issued = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))
            org, scheme = rng.randrange(1, 41), rng.choice(SCHEMES)
        if issued > LAST_DAY:
            continue
        expires = issued.replace(year=issued.year + 3) - dt.timedelta(days=1)
        record = dict(
            id=i,
            org=org,
            scheme=scheme,
            region=PROVINCES[org % 3],
            institution=rng.choice((1, 2)),
            issued=issued,
            expires=expires,
            previous_id=previous["id"] if previous else None,
        )
        connection.execute(
            insert(Certificate.__table__),
            [
                dict(
                    id=i,
                    number=f"C-{i:05d}",
                    institution_id=record["institution"],
                    organisation_id=org,
                    scheme_code=scheme,
                    region_code=record["region"],
                    issued_on=issued,
                    expires_on=expires,
                    status="valid",
                    previous_id=record["previous_id"],
                )
            ],
        )
        opening = "recertification" if previous else "issue"
        record["events"] = [(opening, issued), *_random_history(rng, issued, expires)]
        for kind, on in record["events"]:
            append_certificate_event(connection, i, kind, on)
        records.append(record)
    return records


def _status_on(record: dict, on: dt.date) -> str | None:
    """Independent replay: the status after the last event on or before ``on``; validity (only) lapses
    at expiry, and the daily job has run by LAST_DAY."""
    status = None
    for kind, day in record["events"]:
        if day <= on:
            status = CERTIFICATE_STATUS_AFTER[kind] or status
    if status == "valid" and on > record["expires"]:
        return "expired"
    return status


@pytest.fixture
def history_world(migrated_engine):
    with migrated_engine.begin() as connection:
        records = _write_world(connection, seed=20260101)
    # The register's daily job: expiry events for the cycles that lapsed (as a live store has them).
    expire_certificates(migrated_engine, today=LAST_DAY, actor=ADMIN)
    with migrated_engine.begin() as connection:
        refresh_summaries(connection)
    return migrated_engine, records


def _random_dates(seed: int, k: int) -> list[dt.date]:
    rng = random.Random(seed)
    days = [FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1)) for _ in range(k)]
    # Month ends and the days either side of them are where the anchoring could slip.
    return [*days, D(2019, 3, 31), D(2019, 4, 1), D(2022, 12, 31), D(2023, 1, 1), D(2020, 2, 29)]


def test_stocks_on_random_past_dates_equal_a_replay_of_the_events(history_world):
    engine, records = history_world
    for on in _random_dates(7, 25):
        for status in ("valid", "suspended", "withdrawn", "expired"):
            expected = Counter((r["scheme"], r["region"]) for r in records if _status_on(r, on) == status)
            frame = certificates_on(engine, on, status=status, by=("scheme_code", "region_code"))
            got = {(row.scheme_code, row.region_code): row.n for row in frame.itertuples()}
            assert got == dict(expected), (on, status)
        valid = [r for r in records if _status_on(r, on) == "valid"]
        assert certificate_total_on(engine, on) == len(valid)
        in_gd_qms = sum(r["region"] == "440000" and r["scheme"] == "QMS" for r in valid)
        assert certificate_total_on(engine, on, provinces=["440000"], schemes=["QMS"]) == in_gd_qms
        of_two = sum(r["institution"] == 2 for r in valid)
        assert certificate_total_on(engine, on, institutions=[2]) == of_two


def test_new_in_month_counts_issues_and_recertifications(history_world):
    engine, records = history_world
    rng = random.Random(3)
    for _ in range(12):
        year, month = rng.randrange(2015, 2027), rng.randrange(1, 13)
        expected = Counter(
            r["scheme"] for r in records if (r["issued"].year, r["issued"].month) == (year, month)
        )
        frame = new_in_month(engine, f"{year}-{month:02d}", by=("scheme_code",))
        assert dict(zip(frame["scheme_code"], frame["n"], strict=True)) == dict(expected)
    renewals = sum(r["previous_id"] is not None for r in records)
    assert renewals > 0
    total = events_between(engine, FIRST_DAY, LAST_DAY, kinds=("recertification",))
    assert int(total["n"].iloc[0]) == renewals


def test_the_world_has_every_kind_of_event(history_world):
    engine, _records = history_world
    with engine.connect() as connection:
        kinds = set(connection.execute(select(CertificateEvent.__table__.c.kind).distinct()).scalars())
    assert kinds == set(CERTIFICATE_STATUS_AFTER)


def test_month_end_stock_anchoring_equals_the_direct_count(history_world):
    engine, _records = history_world
    for on in _random_dates(11, 15):
        anchored = certificates_on(engine, on, by=("region_code",))
        direct = certificates_on(engine, on, by=("region_code",), institutions=[1, 2])
        assert anchored.equals(direct), on


def test_an_event_before_the_last_one_is_refused(history_world):
    engine, records = history_world
    _kind, last_day = records[0]["events"][-1]
    with engine.begin() as connection, pytest.raises(ValueError, match="precedes its last event"):
        append_certificate_event(
            connection, records[0]["id"], "surveillance", last_day - dt.timedelta(days=1)
        )


def test_unknown_dimension_or_status_is_refused(history_world):
    engine, _ = history_world
    with pytest.raises(ValueError, match="cannot group"):
        certificates_on(engine, D(2020, 1, 1), by=("colour",))
    with pytest.raises(ValueError, match="unknown certificate status"):
        certificates_on(engine, D(2020, 1, 1), status="lost")
    with pytest.raises(ValueError, match="YYYY-MM"):
        new_in_month(engine, "2020/01")


# --- institutions ---------------------------------------------------------------------------------

# (institution, kind, day, status after)
INSTITUTION_HISTORY = (
    (1, "approval", D(2015, 3, 1), "approved"),
    (2, "approval", D(2016, 6, 1), "approved"),
    (2, "suspension", D(2018, 2, 1), "suspended"),
    (2, "reinstatement", D(2018, 8, 1), "approved"),
    (2, "cancellation", D(2021, 5, 1), "cancelled"),
    (3, "approval", D(2019, 1, 1), "approved"),
    (3, "revocation", D(2023, 3, 15), "revoked"),
)


@pytest.fixture
def institution_world(migrated_engine):
    """Three institutions with the hand-written INSTITUTION_HISTORY."""
    with migrated_engine.begin() as connection:
        insert_reference_rows(connection)
        connection.execute(
            insert(Institution.__table__),
            [
                dict(
                    ONE_INSTITUTION,
                    id=k,
                    name=f"机构{k}",
                    credit_code=f"9111000010000000{k}X",
                    approval_number=f"R-{k}",
                    status=status,
                )
                for k, status in ((1, "approved"), (2, "cancelled"), (3, "revoked"))
            ],
        )
        rows, seqs = [], Counter()
        for k, (inst, kind, day, status) in enumerate(INSTITUTION_HISTORY):
            seqs[inst] += 1
            following = INSTITUTION_HISTORY[k + 1] if k + 1 < len(INSTITUTION_HISTORY) else None
            until = following[2] if following and following[0] == inst else None
            rows.append(
                dict(
                    institution_id=inst,
                    seq=seqs[inst],
                    kind=kind,
                    occurred_on=day,
                    status=status,
                    holds_until=until,
                    region_code="110000",
                )
            )
        connection.execute(insert(InstitutionEvent.__table__), rows)
    return migrated_engine


def test_institution_status_on_past_dates_whatever_happened_later(institution_world):
    migrated_engine = institution_world
    expected = {
        D(2015, 2, 28): {},
        D(2017, 12, 31): {1: "approved", 2: "approved"},
        D(2018, 2, 1): {1: "approved", 2: "suspended"},
        D(2018, 7, 31): {1: "approved", 2: "suspended"},
        D(2019, 1, 1): {1: "approved", 2: "approved", 3: "approved"},
        D(2021, 5, 1): {1: "approved", 2: "cancelled", 3: "approved"},
        D(2024, 1, 1): {1: "approved", 2: "cancelled", 3: "revoked"},
    }
    for on, statuses in expected.items():
        frame = institution_statuses_on(migrated_engine, on)
        assert dict(zip(frame["institution_id"], frame["status"], strict=True)) == statuses, on
        counts = institution_counts_on(migrated_engine, on)
        assert counts == {s: sum(v == s for v in statuses.values()) for s in counts}


def test_overview_counts_institutions_active_then_though_cancelled_or_revoked_since(institution_world):
    def active(year: int) -> tuple[int, int]:
        row = overview_kpis(institution_world, year=year, today=D(2026, 10, 31)).loc["active_institutions"]
        return int(row.current), int(row.previous)

    assert active(2018) == (2, 2)  # 2 suspended in Feb 2018 and reinstated in August
    assert active(2020) == (3, 3)  # 2 cancelled in 2021, 3 revoked in 2023: both active then
    assert active(2022) == (2, 2)
    assert active(2024) == (1, 1)  # 3 revoked in March 2023


def test_backfill_gives_rows_without_events_the_history_they_imply(migrated_engine):
    statuses = ("valid", "expired", "suspended", "withdrawn")
    with migrated_engine.begin() as connection:
        _insert(connection, [(1, "440000", "QMS", D(2020, 1, 1), D(2022, 12, 31), s) for s in statuses])
        event = CertificateEvent.__table__
        backfill_histories(connection)
        counts = [connection.execute(select(func.count()).select_from(t)).scalar_one() for t in EVENT_TABLES]
        assert counts == [7, 1]  # 4 openings and 3 closings; the institution's approval
        backfill_histories(connection)
        assert [
            connection.execute(select(func.count()).select_from(t)).scalar_one() for t in EVENT_TABLES
        ] == counts
        rows = connection.execute(
            select(
                event.c.certificate_id, event.c.kind, event.c.occurred_on, event.c.status, event.c.holds_until
            ).order_by(event.c.certificate_id, event.c.seq)
        ).all()
    assert [tuple(row) for row in rows] == [
        (1, "issue", D(2020, 1, 1), "valid", D(2023, 1, 1)),
        (2, "issue", D(2020, 1, 1), "valid", D(2023, 1, 1)),
        (2, "expiry", D(2023, 1, 1), "expired", None),
        (3, "issue", D(2020, 1, 1), "valid", D(2020, 1, 1)),
        (3, "suspension", D(2020, 1, 1), "suspended", None),
        (4, "issue", D(2020, 1, 1), "valid", D(2020, 1, 1)),
        (4, "withdrawal", D(2020, 1, 1), "withdrawn", None),
    ]
    assert institution_counts_on(migrated_engine, D(2017, 5, 1))["approved"] == 1
    assert institution_counts_on(migrated_engine, D(2017, 4, 30))["approved"] == 0


def test_monthly_statistics_equal_a_replay(history_world):
    engine, records = history_world
    rng = random.Random(5)
    for _ in range(8):
        year, month = rng.randrange(2016, 2027), rng.randrange(1, 13)
        if (year, month) > (LAST_DAY.year, LAST_DAY.month):
            continue
        label = f"{year}-{month:02d}"
        first, last = month_bounds(label)
        expected: dict[tuple[str, str], Counter] = {}
        for r in records:
            key = (r["scheme"], r["region"])
            counts = expected.setdefault(key, Counter())
            for kind, on in r["events"]:
                if first <= on <= last:
                    name = {"issue": "new", "recertification": "new"}.get(kind, kind)
                    counts[{"suspension": "suspended", "withdrawal": "withdrawn"}.get(name, name)] += 1
            counts["valid"] += _status_on(r, last) == "valid"
        frame = monthly_statistics(engine, label)
        got = {
            (row.scheme_code, row.region_code): {
                k: getattr(row, k) for k in ("new", "valid", "suspended", "withdrawn")
            }
            for row in frame.itertuples()
        }
        want = {
            key: {k: c[k] for k in ("new", "valid", "suspended", "withdrawn")}
            for key, c in expected.items()
            if any(c[k] for k in ("new", "valid", "suspended", "withdrawn"))
        }
        assert got == want, label


def test_migration_0005_gives_an_existing_store_histories_and_keeps_its_stocks(empty_database_url):
    def rows(connection):
        return [
            sorted(connection.execute(select(t)).all())
            for t in (MonthEndStock.__table__, MonthEndHolding.__table__)
        ]

    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "0004")
        with engine.begin() as connection:
            _insert(connection, HAND)
            refresh_month_end_stocks(connection, from_history=False)
            before = rows(connection)
        upgrade(engine)
        assert current_revision(engine) != "0004"
        with engine.begin() as connection:
            owners = connection.execute(
                select(func.count(func.distinct(CertificateEvent.__table__.c.certificate_id)))
            ).scalar_one()
            assert owners == len(HAND)
            assert (
                connection.execute(select(func.count()).select_from(InstitutionEvent.__table__)).scalar_one()
                == 1
            )
            refresh_summaries(connection)
            assert rows(connection) == before and len(before[0]) > 0
    finally:
        engine.dispose()


def test_recording_an_event_checks_the_actor_and_the_history_and_is_audited(history_world):
    engine, records = history_world
    from models.access import AccessDenied
    from models.draw_records import WorkflowError
    from tests.support.actors import STAFF

    valid_now = next(r for r in records if _status_on(r, LAST_DAY) == "valid" and r["expires"] > LAST_DAY)
    last_day = max(on for _, on in valid_now["events"])
    on = max(last_day, LAST_DAY)
    with pytest.raises(AccessDenied):
        record_certificate_event(engine, valid_now["id"], "suspension", on, actor=STAFF)
    before = certificate_total_on(engine, on)
    with pytest.raises(WorkflowError) as refused:
        record_certificate_event(engine, valid_now["id"], "reinstatement", on, actor=ADMIN)
    assert refused.value.code == "certificate_event" and "only to a suspended certificate" in str(
        refused.value
    )
    assert (
        record_certificate_event(engine, valid_now["id"], "suspension", on, actor=ADMIN, note="抽查")
        == "suspended"
    )
    assert certificate_total_on(engine, on) == before - 1
    assert certificate_total_on(engine, on, status="suspended", schemes=[valid_now["scheme"]]) >= 1
    with pytest.raises(WorkflowError, match="no certificate"):
        record_certificate_event(engine, 99_999, "suspension", on, actor=ADMIN)
    with engine.connect() as connection:
        action, details = connection.execute(
            text("SELECT action, details_json FROM auditentry ORDER BY id DESC LIMIT 1")
        ).one()
    assert action == "certificate.event" and '"kind":"suspension"' in details
