"""Outcome queries on both engines against a small world whose counts are worked out by hand."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from models import (
    Assignment,
    Campaign,
    Draw,
    DrawTarget,
    Finding,
    InspectionOutcome,
    Inspector,
    Institution,
)
from models.access import Role
from models.queries import outcomes as q
from models.queries.outcomes import stratum_outcome_counts
from models.reference_data import insert_reference_rows

# (target id, draw id, region, scheme, institution, p, outcome code or None, findings)
TARGETS = (
    (1, 1, "110000", "QMS", 1, 0.1, "violation", ("site_not_visited", "audit_time_cut")),
    (2, 1, "110000", "QMS", 1, 0.1, "no_violation", ()),
    (3, 1, "110000", "QMS", 2, 0.1, None, ()),
    (4, 1, "440000", "QMS", 2, 0.05, "violation", ("certificate_selling",)),
    (5, 1, "440000", "QMS", 2, 0.05, "violation", ("site_not_visited",)),
    (6, 1, "440000", "QMS", 3, 0.05, "no_violation", ()),
    (7, 1, "440000", "QMS", 3, 0.05, "not_found", ()),
    (8, 2, "440000", "EMS", 2, 0.5, "no_violation", ()),
    (9, 2, "440000", "EMS", 3, 0.5, "refused", ()),
    (10, 3, "110000", "QMS", 1, 0.2, "violation", ("records_falsified",)),  # planned campaign
)


def insert_outcome_world(connection) -> None:
    """Three institutions, three inspectors, a 2024 QMS campaign, a 2025 EMS one and a planned one."""
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
                status="approved",
                approved_on=dt.date(2017, 5, 1),
                risk_grade="B",
            )
            for i, region in ((1, "110000"), (2, "440000"), (3, "440000"))
        ],
    )
    connection.execute(
        insert(Inspector.__table__),
        [
            dict(
                id=i,
                name=f"检查员{i}",
                enforcement_id=f"1100{i:08d}",
                id_valid_until=dt.date(2030, 1, 1),
                agency="北京市市场监督管理局",
                region_code="110000",
                active=True,
                phone=f"1381234{i:04d}",
            )
            for i in (1, 2, 3)
        ],
    )
    campaigns = [
        dict(id=1, year=2024, name="2024 QMS", status="completed", scheme_code="QMS"),
        dict(id=2, year=2025, name="2025 EMS", status="published", scheme_code="EMS"),
        dict(id=3, year=2025, name="2025 QMS plan", status="planned", scheme_code="QMS"),
    ]
    connection.execute(
        insert(Campaign.__table__),
        [dict(legal_basis="认证认可条例", unit_type="institution", **row) for row in campaigns],
    )
    connection.execute(
        insert(Draw.__table__),
        [
            dict(
                id=i,
                campaign_id=i,
                seed=100 + i,
                frame_hash="0" * 64,
                params_json="{}",
                drawn_at=dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC),
                drawn_by="tester",
                sampler_version="0.1",
            )
            for i in (1, 2, 3)
        ],
    )
    connection.execute(
        insert(DrawTarget.__table__),
        [
            dict(
                id=tid,
                draw_id=draw,
                certificate_id=None,
                institution_id=inst,
                region_code=region,
                scheme_code=scheme,
                inclusion_probability=p,
            )
            for tid, draw, region, scheme, inst, p, _code, _f in TARGETS
        ],
    )
    outcomes, findings, assignments = [], [], []
    for tid, _draw, _region, _scheme, _inst, _p, code, categories in TARGETS:
        assignments.append(dict(target_id=tid, inspector_id=1, role="lead"))
        assignments.append(dict(target_id=tid, inspector_id=2 if tid % 2 else 3, role="member"))
        if code is None:
            continue
        outcomes.append(
            dict(
                id=tid,
                target_id=tid,
                inspected_on=dt.date(2024 if tid < 8 else 2025, 6, tid),
                method="onsite",
                outcome_code=code,
                follow_up="rectify" if code == "violation" else "none",
                note="",
            )
        )
        findings.extend(dict(outcome_id=tid, category=c, description="") for c in categories)
    connection.execute(insert(Assignment.__table__), assignments)
    connection.execute(insert(InspectionOutcome.__table__), outcomes)
    connection.execute(insert(Finding.__table__), findings)


def _world(engine):
    with engine.begin() as connection:
        insert_outcome_world(connection)
    return engine


def test_stratum_outcome_counts_all_years(migrated_engine):
    frame = stratum_outcome_counts(_world(migrated_engine))
    rows = {
        (r.region_code, r.scheme_code): (r.N_h, r.n_h, r.violations_h, r.drawn_h) for r in frame.itertuples()
    }
    # planned campaign 3 is excluded; N_h = drawn / p: 3/0.1 = 30, 4/0.05 = 80, 2/0.5 = 4
    assert rows == {
        ("110000", "QMS"): (30, 2, 1, 3),
        ("440000", "QMS"): (80, 4, 2, 4),
        ("440000", "EMS"): (4, 2, 0, 2),
    }
    assert list(frame.columns[:5]) == ["region_code", "scheme_code", "N_h", "n_h", "violations_h"]


def test_stratum_outcome_counts_filters(migrated_engine):
    engine = _world(migrated_engine)
    by_year = stratum_outcome_counts(engine, year=2025)
    assert by_year[["region_code", "scheme_code", "N_h", "n_h", "violations_h"]].values.tolist() == [
        ["440000", "EMS", 4, 2, 0]
    ]
    qms = stratum_outcome_counts(engine, scheme="QMS")
    assert qms["violations_h"].sum() == 3 and qms["N_h"].sum() == 110
    assert stratum_outcome_counts(engine, year=2019).empty


def test_summary_codes_and_findings(migrated_engine):
    engine = _world(migrated_engine)
    everything = q.OutcomeFilters()
    assert q.outcome_summary(engine, everything) == {"drawn": 9, "inspected": 8, "violations": 3}
    codes = dict(q.outcome_code_counts(engine, everything).values.tolist())
    assert codes == {"violation": 3, "no_violation": 3, "not_found": 1, "refused": 1}
    findings = {
        row.category: (row.findings, row.cases) for row in q.finding_counts(engine, everything).itertuples()
    }
    assert findings == {"site_not_visited": (2, 2), "audit_time_cut": (1, 1), "certificate_selling": (1, 1)}
    gd_2024 = q.OutcomeFilters(years=(2024, 2024), provinces=("440000",))
    assert q.outcome_summary(engine, gd_2024) == {"drawn": 4, "inspected": 4, "violations": 2}
    assert q.outcome_years(engine) == [2024, 2025]
    assert list(q.campaign_options(engine)["id"]) == [2, 1]


def test_rates_by_province_scheme_institution(migrated_engine):
    engine = _world(migrated_engine)
    f = q.OutcomeFilters()
    assert q.rates_by(engine, "region_code", f).values.tolist() == [["440000", 6, 2], ["110000", 2, 1]]
    assert q.rates_by(engine, "scheme_code", f).values.tolist() == [["QMS", 6, 3], ["EMS", 2, 0]]
    by_inst = q.rates_by(engine, "institution_id", f)
    assert by_inst.values.tolist() == [
        [2, 3, 2, "测试认证机构2"],
        [3, 3, 0, "测试认证机构3"],
        [1, 2, 1, "测试认证机构1"],
    ]
    ems = q.rates_by(engine, "scheme_code", q.OutcomeFilters(schemes=("EMS",)))
    assert ems.values.tolist() == [["EMS", 2, 0]]


def test_case_list_masks_inspector_ids_and_public_sees_published_only(migrated_engine):
    engine = _world(migrated_engine)
    f = q.OutcomeFilters(years=(2025, 2025))
    staff = q.case_list(engine, f, role=Role.STAFF)
    assert list(staff["target_id"]) == [9, 8]
    assert staff.loc[0, "inspectors"] == "检查员1 (1100******01); 检查员2 (1100******02)"
    assert staff.loc[0, "outcome_code"] == "refused" and staff.loc[0, "campaign"] == "2025 EMS"
    boss = q.case_list(engine, f, role=Role.SUPERVISOR)
    assert boss.loc[1, "inspectors"] == "检查员1 (110000000001); 检查员3 (110000000003)"
    every = q.case_list(engine, q.OutcomeFilters(), role=Role.STAFF).set_index("target_id")
    assert len(every) == q.case_count(engine, q.OutcomeFilters()) == 8
    assert every.loc[1, "findings"] == "audit_time_cut;site_not_visited"
    assert every.loc[1, "certificate"] == ""  # institution-unit campaign
    assert every.loc[1, "institution"] == "测试认证机构1" and every.loc[1, "follow_up"] == "rectify"
    public = q.case_list(engine, q.OutcomeFilters(), role=Role.PUBLIC)
    assert sorted(public["target_id"]) == [8, 9]
