"""Certificate queries on both engines against a small world whose counts are worked out by hand.

``insert_certificate_world`` is shared with the institution and overview query tests.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select

from models import (
    ApprovalApplication,
    Campaign,
    Certificate,
    Draw,
    DrawTarget,
    Finding,
    InspectionOutcome,
    Institution,
    InstitutionScheme,
    Organisation,
)
from models.queries import certificates as q
from models.reference_data import insert_reference_rows
from models.summaries import refresh_summaries

TODAY = dt.date(2025, 6, 30)
BJ, GD, ZJ = "110000", "440000", "330000"

# (id, institution, organisation, scheme, region, issued, expires, status)
CERTIFICATES = (
    (1, 1, 1, "QMS", BJ, dt.date(2022, 1, 10), dt.date(2025, 7, 15), "valid"),  # expires in 15 days
    (2, 1, 2, "QMS", GD, dt.date(2023, 3, 1), dt.date(2026, 3, 1), "valid"),
    (3, 1, 2, "EMS", GD, dt.date(2023, 3, 5), dt.date(2026, 3, 5), "suspended"),
    (4, 2, 3, "QMS", GD, dt.date(2024, 5, 1), dt.date(2027, 5, 1), "valid"),
    (5, 2, 3, "EMS", GD, dt.date(2024, 5, 20), dt.date(2025, 9, 27), "valid"),  # day 89
    (6, 2, 4, "QMS", GD, dt.date(2021, 1, 1), dt.date(2024, 1, 1), "expired"),
    (7, 2, 4, "QMS", GD, dt.date(2022, 2, 2), dt.date(2025, 2, 2), "withdrawn"),
    (8, 3, 5, "QMS", ZJ, dt.date(2024, 12, 1), dt.date(2025, 10, 1), "valid"),  # day 93: not soon
    (9, 3, 5, "OHSMS", ZJ, dt.date(2025, 1, 15), dt.date(2028, 1, 15), "valid"),
    (10, 3, 6, "QMS", ZJ, dt.date(2025, 1, 20), dt.date(2028, 1, 20), "withdrawn"),
    (11, 1, 1, "EMS", BJ, dt.date(2020, 6, 1), dt.date(2025, 6, 30), "valid"),  # expires today
)
# (id, region, status, approved_on, risk grade, approved schemes)
INSTITUTIONS = (
    (1, BJ, "approved", dt.date(2017, 5, 1), "A", ("QMS", "EMS")),
    (2, GD, "approved", dt.date(2024, 8, 1), "C", ("QMS", "EMS", "OHSMS")),
    (3, ZJ, "suspended", dt.date(2019, 3, 1), "D", ("QMS", "OHSMS")),
)
# (id, institution, region, type, status, submitted, accepted, decided)
APPLICATIONS = (
    (1, 1, BJ, "establish", "approved", dt.date(2017, 4, 10), dt.date(2017, 4, 12), dt.date(2017, 5, 1)),
    (2, 2, GD, "establish", "approved", dt.date(2024, 6, 1), dt.date(2024, 6, 5), dt.date(2024, 8, 1)),
    (3, 2, GD, "extend", "rejected", dt.date(2024, 9, 1), dt.date(2024, 9, 2), dt.date(2024, 9, 21)),
    (4, 3, ZJ, "change", "approved", dt.date(2025, 1, 3), dt.date(2025, 1, 4), dt.date(2025, 1, 13)),
    (5, 3, ZJ, "renew", "under_review", dt.date(2025, 3, 1), dt.date(2025, 3, 3), None),
    (6, None, GD, "establish", "received", dt.date(2025, 5, 1), None, None),
    (7, 1, BJ, "extend", "accepted", dt.date(2025, 5, 2), dt.date(2025, 5, 9), None),
    (8, 1, BJ, "change", "approved", dt.date(2025, 2, 1), dt.date(2025, 2, 2), dt.date(2025, 3, 3)),
)
# (target id, institution, region, scheme, certificate, inspected_on or None, outcome, findings)
TARGETS = (
    (1, 1, BJ, "QMS", 1, dt.date(2024, 6, 1), "no_violation", 0),
    (2, 2, GD, "QMS", 4, dt.date(2024, 7, 1), "violation", 2),
    (3, 2, GD, "EMS", 5, dt.date(2025, 4, 1), "violation", 1),
    (4, 3, ZJ, "QMS", 8, dt.date(2025, 5, 1), "no_violation", 0),
    (5, 2, GD, "QMS", 6, None, None, 0),
)


def insert_certificate_world(connection) -> None:
    """Three institutions, six organisations, eleven certificates, eight applications, five targets."""
    insert_reference_rows(connection)
    connection.execute(
        insert(Institution.__table__),
        [
            dict(
                id=i,
                name=f"测试认证机构{i}",
                credit_code=f"9111000010000000{i}X",
                approval_number=f"CNCA-R-2017-00{i}",
                region_code=region,
                status=status,
                approved_on=approved_on,
                risk_grade=grade,
            )
            for i, region, status, approved_on, grade, _ in INSTITUTIONS
        ],
    )
    connection.execute(
        insert(InstitutionScheme.__table__),
        [
            dict(institution_id=i, scheme_code=code, approved_on=approved_on)
            for i, _, _, approved_on, _, codes in INSTITUTIONS
            for code in codes
        ],
    )
    regions = {1: BJ, 2: GD, 3: GD, 4: GD, 5: ZJ, 6: ZJ}
    connection.execute(
        insert(Organisation.__table__),
        [
            dict(
                id=i, name=f"组织{i}", credit_code=f"91330000MA00000{i:02d}X", region_code=r, industry="制造"
            )
            for i, r in regions.items()
        ],
    )
    connection.execute(
        insert(Certificate.__table__),
        [
            dict(
                id=i,
                number=f"C-{i:04d}",
                institution_id=inst,
                organisation_id=org,
                scheme_code=scheme,
                region_code=region,
                issued_on=issued,
                expires_on=expires,
                status=status,
            )
            for i, inst, org, scheme, region, issued, expires, status in CERTIFICATES
        ],
    )
    connection.execute(
        insert(ApprovalApplication.__table__),
        [
            dict(
                id=i,
                institution_id=inst,
                applicant_name=f"申请人{i}",
                region_code=region,
                type=kind,
                status=status,
                submitted_on=submitted,
                accepted_on=accepted,
                decided_on=decided,
                reviewer_office="认可监管司",
            )
            for i, inst, region, kind, status, submitted, accepted, decided in APPLICATIONS
        ],
    )
    connection.execute(
        insert(Campaign.__table__),
        [
            dict(
                id=1,
                year=2024,
                name="2024 QMS",
                legal_basis="条例",
                unit_type="certificate",
                status="completed",
            ),
            dict(
                id=2, year=2025, name="2025 抽查", legal_basis="条例", unit_type="certificate", status="drawn"
            ),
        ],
    )
    connection.execute(
        insert(Draw.__table__),
        [
            dict(
                id=c,
                campaign_id=c,
                seed=c,
                frame_hash="0" * 64,
                params_json="{}",
                drawn_at=dt.datetime(2024 + c - 1, 3, 1, tzinfo=dt.UTC),
                drawn_by="tester",
                sampler_version="0.1",
            )
            for c in (1, 2)
        ],
    )
    connection.execute(
        insert(DrawTarget.__table__),
        [
            dict(
                id=t,
                draw_id=1 if (on is None or on.year == 2024) else 2,
                certificate_id=cert,
                institution_id=inst,
                region_code=region,
                scheme_code=scheme,
                inclusion_probability=0.5,
            )
            for t, inst, region, scheme, cert, on, _, _ in TARGETS
        ],
    )
    outcomes = [(t, on, code, k) for t, _, _, _, _, on, code, k in TARGETS if on is not None]
    connection.execute(
        insert(InspectionOutcome.__table__),
        [
            dict(id=t, target_id=t, inspected_on=on, method="onsite", outcome_code=code, follow_up="none")
            for t, on, code, _ in outcomes
        ],
    )
    findings = [dict(outcome_id=t, category="site_not_visited") for t, _, _, k in outcomes for _ in range(k)]
    connection.execute(insert(Finding.__table__), findings)
    refresh_summaries(connection)


@pytest.fixture
def world(migrated_engine):
    """The migrated engine holding the hand-counted world."""
    with migrated_engine.begin() as connection:
        insert_certificate_world(connection)
    return migrated_engine


def _sql_count(engine, *conditions) -> int:
    cert = Certificate.__table__
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(cert).where(*conditions)).scalar_one()


def test_counts_by_status_match_the_certificate_table(world):
    counts = q.certificate_counts(world, by=("status",))
    assert dict(zip(counts["status"], counts["n"], strict=True)) == {
        "expired": 1,
        "suspended": 1,
        "valid": 7,
        "withdrawn": 2,
    }
    cert = Certificate.__table__
    assert q.certificate_total(world, statuses=["valid"]) == _sql_count(world, cert.c.status == "valid")


def test_counts_filtered_by_province_scheme_and_status(world):
    assert q.certificate_total(world, provinces=[GD]) == 6
    assert q.certificate_total(world, provinces=[GD], schemes=["QMS"], statuses=["valid"]) == 2
    assert q.certificate_total(world, provinces=[BJ, ZJ], statuses=["valid"]) == 4
    by_three = q.certificate_counts(world)
    assert by_three["n"].sum() == len(CERTIFICATES)
    assert list(by_three.columns) == ["region_code", "scheme_code", "status", "n"]
    assert q.certificate_total(world, provinces=["650000"]) == 0


def test_grouping_by_an_unknown_column_is_refused(world):
    with pytest.raises(ValueError, match="cannot group"):
        q.certificate_counts(world, by=("institution_id",))


def test_province_ranking_and_top_share(world):
    ranking = q.province_ranking(world, statuses=["valid"])
    # valid certificates: GD 3, BJ 2, ZJ 2 (a tie broken by code)
    assert list(ranking["region_code"]) == [GD, BJ, ZJ]
    assert list(ranking["n"]) == [3, 2, 2]
    assert list(ranking["rank"]) == [1, 2, 3]
    assert ranking["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert q.top_share(ranking, 1) == pytest.approx(3 / 7)
    assert q.top_share(ranking, 3) == pytest.approx(1.0)
    only_two = q.province_ranking(world, statuses=["valid"], provinces=[BJ, ZJ])
    assert only_two["share"].tolist() == pytest.approx([0.5, 0.5])
    assert q.top_share(q.province_ranking(world, provinces=["650000"])) == 0.0


def test_issuance_by_month(world):
    months = q.issuance_by_month(world)
    assert months["n"].sum() == len(CERTIFICATES)
    assert dict(zip(months["month"], months["n"], strict=True))["2023-03"] == 2
    window = q.issuance_by_month(world, months=("2024-01", "2025-12"), provinces=[GD])
    assert dict(zip(window["month"], window["n"], strict=True)) == {"2024-05": 2}
    split = q.issuance_by_month(world, schemes=["EMS"], by_scheme=True)
    assert set(split["scheme_code"]) == {"EMS"}
    assert split["n"].sum() == 3


def test_top_institutions_and_shares(world):
    top = q.top_institutions(world, limit=2)
    assert list(top["institution_id"]) == [1, 2]  # 4 and 4 certificates: a tie broken by id
    assert list(top["n"]) == [4, 4]
    assert top["share"].iloc[0] == pytest.approx(4 / 11)
    valid_top = q.top_institutions(world, statuses=["valid"], limit=5)
    assert dict(zip(valid_top["institution_id"], valid_top["n"], strict=True)) == {1: 3, 2: 2, 3: 2}
    zhejiang = q.top_institutions(world, provinces=[ZJ])
    assert list(zhejiang["institution_id"]) == [3]
    assert zhejiang["share"].iloc[0] == pytest.approx(1.0)


def test_status_share_by_institution(world):
    shares = q.status_share_by_institution(world)
    rows = {r.institution_id: r for r in shares.itertuples()}
    assert (rows[1].total, rows[1].suspended, rows[1].withdrawn) == (4, 1, 0)
    assert (rows[2].total, rows[2].suspended, rows[2].withdrawn) == (4, 0, 1)
    assert (rows[3].total, rows[3].suspended, rows[3].withdrawn) == (3, 0, 1)
    assert rows[3].share == pytest.approx(1 / 3)
    assert list(shares["institution_id"]) == [3, 1, 2]  # 1/3, then 1/4 tied broken by total then id
    assert q.status_share_by_institution(world, min_certificates=4)["institution_id"].tolist() == [1, 2]


def test_expiring_soon_uses_the_given_today(world):
    assert q.expiring_count(world, today=TODAY) == 3  # certificates 11 (today), 1 (day 15), 5 (day 89)
    listed = q.expiring_certificates(world, today=TODAY)
    assert list(listed["number"]) == ["C-0011", "C-0001", "C-0005"]
    assert listed["organisation"].iloc[0] == "组织1"
    assert q.expiring_count(world, today=TODAY, days=95) == 4
    assert q.expiring_count(world, today=TODAY, provinces=[GD]) == 1
    assert q.expiring_count(world, today=dt.date(2030, 1, 1)) == 0
    cert = Certificate.__table__
    later = TODAY + dt.timedelta(days=90)
    independent = _sql_count(
        world, cert.c.status == "valid", cert.c.expires_on >= TODAY, cert.c.expires_on <= later
    )
    assert independent == 3
    assert len(q.expiring_certificates(world, today=TODAY, limit=2)) == 2
