"""Campaign and planning reads on both engines, against a draw committed through the workflow."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from models.access import Role
from models.draw_records import DrawRecord, commit_draw
from models.outcome_entry import OutcomeRecord
from models.queries.campaigns import campaign_list, campaign_targets, draw_audit_record
from models.queries.planning import eligible_inspectors_by_region, stratum_population
from models.results import record_outcome
from models.summaries import refresh_summaries
from tests.support.actors import PLANNER, PUBLIC, STAFF, SUPERVISOR
from tests.support.results import approve_all


def _commit(store) -> int:
    record = DrawRecord(
        campaign_name="抽查",
        year=2026,
        seed=3,
        frame_hash="f" * 64,
        params={"k": 1},
        sampler_version="0",
        drawn_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
    )
    targets = pd.DataFrame(
        {
            "unit_id": [1, 3],
            "institution_id": [1, 1],
            "region": ["440000"] * 2,
            "scheme": ["QMS"] * 2,
            "inclusion_probability": [2 / 3] * 2,
        }
    )
    teams = pd.DataFrame(
        {"unit_id": [1, 1, 3], "inspector_id": [1, 2, 2], "role": ["lead", "member", "lead"]}
    )
    return commit_draw(store, record, targets, teams, actor=PLANNER)


def test_campaign_list_counts_targets_outcomes_and_violations(store):
    _commit(store)
    record_outcome(
        store,
        OutcomeRecord(
            target_id=1,
            inspected_on=dt.date(2026, 3, 9),
            method="onsite",
            outcome_code="violation",
            findings=("records_falsified",),
        ),
        actor=SUPERVISOR,
    )
    listed = campaign_list(store, viewer=STAFF)
    assert listed[["targets", "outcomes", "violations"]].iloc[0].tolist() == [2, 1, 1]
    assert campaign_list(store, viewer=PUBLIC).empty  # not published yet


def test_audit_record_and_targets_with_masked_team(store):
    draw_id = _commit(store)
    campaign_id = int(campaign_list(store, viewer=STAFF)["id"].iloc[0])
    audit = draw_audit_record(store, campaign_id, role=Role.STAFF)
    assert (audit["draw_id"], audit["seed"], audit["params"]) == (draw_id, 3, {"k": 1})
    staff = campaign_targets(store, campaign_id, viewer=STAFF)
    supervisor = campaign_targets(store, campaign_id, viewer=SUPERVISOR)
    assert staff["certificate_number"].tolist() == ["C-1", "C-3"]
    assert supervisor["inspectors"].iloc[0] == "检查员1 (GD-2024-00001); 检查员2 (GD-2024-00002)"
    assert "GD-2024-00001" not in staff["inspectors"].iloc[0]
    assert staff["inspectors"].iloc[0].startswith("检查员1 (GD-2")


def test_stratum_population_reads_valid_certificates_from_the_summary(store):
    with store.begin() as connection:
        refresh_summaries(connection)
    population = stratum_population(store, schemes=("QMS",))
    assert population.to_dict("records") == [{"region_code": "440000", "scheme_code": "QMS", "N": 3}]
    assert stratum_population(store, schemes=("EMS",)).empty


def test_eligible_inspectors_need_competence_activity_and_a_valid_id(store):
    from sqlalchemy import insert, update

    from models import Inspector, InspectorScheme

    with store.begin() as connection:
        connection.execute(
            insert(InspectorScheme.__table__),
            [dict(inspector_id=1, scheme_code="QMS"), dict(inspector_id=2, scheme_code="QMS")],
        )
        connection.execute(
            update(Inspector.__table__).where(Inspector.__table__.c.id == 2).values(active=False)
        )
    counts = eligible_inspectors_by_region(store, scheme="QMS", on=dt.date(2027, 1, 1))
    assert counts.to_dict("records") == [{"region_code": "440000", "inspectors": 1}]
    assert eligible_inspectors_by_region(store, scheme="QMS", on=dt.date(2029, 1, 1)).empty


def test_the_public_sees_a_campaign_only_once_it_is_published(store):
    from models.results import publish_campaign

    _commit(store)
    campaign_id = int(campaign_list(store, viewer=STAFF)["id"].iloc[0])
    assert campaign_targets(store, campaign_id, viewer=PUBLIC).empty
    assert draw_audit_record(store, campaign_id, role=Role.PUBLIC) is None
    for target_id in (1, 2):
        record_outcome(
            store,
            OutcomeRecord(
                target_id=target_id,
                inspected_on=dt.date(2026, 3, 9),
                method="documents",
                outcome_code="no_violation",
            ),
            actor=SUPERVISOR,
        )
    approve_all(store, campaign_id)
    publish_campaign(store, campaign_id, on=dt.date(2026, 3, 20), actor=SUPERVISOR)
    assert campaign_targets(store, campaign_id, viewer=PUBLIC)["certificate_number"].tolist() == [
        "C-1",
        "C-3",
    ]
    assert draw_audit_record(store, campaign_id, role=Role.PUBLIC)["seed"] == 3
    assert set(campaign_targets(store, campaign_id, viewer=PUBLIC)["inspectors"]) == {""}  # no team names
    assert campaign_targets(store, campaign_id, viewer=STAFF)["inspectors"].str.contains("检查员").all()
    assert campaign_list(store, viewer=PUBLIC)["id"].tolist() == [campaign_id]
