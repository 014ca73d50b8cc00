"""Inspector registry queries on both engines: hand-counted filters, validity states and masking."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from models import Inspector, InspectorScheme
from models.access import Role
from models.queries import inspectors as q
from models.reference_data import insert_reference_rows

TODAY = dt.date(2025, 6, 1)
BJ, GD = "110000", "440000"
# id, region, agency, valid until, active, schemes
PEOPLE = (
    (1, BJ, "北京市市场监督管理局", dt.date(2027, 1, 1), True, ("QMS", "EMS")),
    (2, BJ, "北京市市场监督管理局", dt.date(2025, 7, 1), True, ("QMS",)),  # expiring (30 days)
    (3, BJ, "北京市朝阳区市场监督管理局", dt.date(2025, 5, 31), True, ("EnMS",)),  # expired
    (4, GD, "广东省市场监督管理局", dt.date(2025, 8, 30), False, ("QMS", "ISMS")),  # expiring, inactive
    (5, GD, "广东省市场监督管理局", dt.date(2030, 1, 1), True, ()),
)


@pytest.fixture
def registry(migrated_engine):
    with migrated_engine.begin() as connection:
        insert_reference_rows(connection)
        connection.execute(
            insert(Inspector.__table__),
            [
                dict(
                    id=i,
                    name=f"检查员{i}",
                    enforcement_id=f"{region[:2]}01002017{i:04d}",
                    id_valid_until=until,
                    agency=agency,
                    region_code=region,
                    active=active,
                    phone=f"1381234{i:04d}",
                )
                for i, region, agency, until, active, _ in PEOPLE
            ],
        )
        connection.execute(
            insert(InspectorScheme.__table__),
            [dict(inspector_id=i, scheme_code=s) for i, *_, schemes in PEOPLE for s in schemes],
        )
    return migrated_engine


def test_summary_and_validity_states(registry):
    summary = q.registry_summary(registry, q.InspectorFilters(today=TODAY))
    assert summary == {"total": 5, "active": 4, "valid": 2, "expiring": 2, "expired": 1}
    only_bj = q.registry_summary(registry, q.InspectorFilters(provinces=(BJ,), today=TODAY))
    assert only_bj == {"total": 3, "active": 3, "valid": 1, "expiring": 1, "expired": 1}
    expiring = q.registry_summary(registry, q.InspectorFilters(validity=("expiring",), today=TODAY))
    assert expiring["total"] == 2


def test_filters_by_agency_scheme_and_active(registry):
    f = q.InspectorFilters(agencies=("广东省市场监督管理局",), today=TODAY)
    assert q.registry_summary(registry, f)["total"] == 2
    f = q.InspectorFilters(schemes=("QMS",), active=True, today=TODAY)
    assert list(q.inspector_table(registry, f, role=Role.STAFF)["id"]) == [1, 2]
    assert q.agencies(registry, provinces=(GD,)) == ["广东省市场监督管理局"]


def test_counts_by_province_and_scheme(registry):
    f = q.InspectorFilters(today=TODAY)
    by_province = q.counts_by_province(registry, f)
    assert by_province.values.tolist() == [[BJ, 3, 3], [GD, 2, 1]]
    by_scheme = dict(q.counts_by_scheme(registry, f).values.tolist())
    assert by_scheme == {"QMS": 3, "EMS": 1, "EnMS": 1, "ISMS": 1}
    only_qms = q.counts_by_scheme(registry, q.InspectorFilters(schemes=("QMS",), today=TODAY))
    assert only_qms.values.tolist() == [["QMS", 3]]


def test_expiring_soon_lists_active_only_soonest_first(registry):
    soon = q.expiring_soon(registry, q.InspectorFilters(today=TODAY), role=Role.STAFF)
    assert list(soon["id"]) == [2] and list(soon["days_left"]) == [30]


def test_staff_sees_masked_supervisor_sees_full(registry):
    f = q.InspectorFilters(provinces=(BJ,), today=TODAY)
    staff = q.inspector_table(registry, f, role=Role.STAFF).set_index("id")
    boss = q.inspector_table(registry, f, role=Role.SUPERVISOR).set_index("id")
    assert boss.loc[1, "phone"] == "13812340001" and boss.loc[1, "enforcement_id"] == "11010020170001"
    assert staff.loc[1, "phone"] == "138****0001"
    assert staff.loc[1, "enforcement_id"] == "1101********01"
    assert staff.loc[1, "schemes"] == "EMS;QMS" and staff.loc[3, "validity"] == "expired"
    public = q.inspector_table(registry, f, role=Role.PUBLIC)
    assert "13812340001" not in public.to_string()
