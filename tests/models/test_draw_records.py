"""The live workflow's writes on both engines: all-or-nothing draws, outcomes, publication."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from models import Assignment, Campaign, DrawTarget
from models.draw_records import (
    DrawRecord,
    OutcomeRecord,
    WorkflowError,
    commit_draw,
    publish_campaign,
    record_outcome,
)
from tests.support.actors import PLANNER, SUPERVISOR


def _record(**overrides) -> DrawRecord:
    values = dict(
        campaign_name="QMS 认证结果抽查",
        year=2026,
        seed=7,
        frame_hash="ab" * 32,
        params={"n": 2},
        sampler_version="0.1.0",
        drawn_at=dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC),
    )
    values.update(overrides)
    return DrawRecord(**values)


TARGETS = pd.DataFrame(
    {
        "unit_id": [1, 2],
        "institution_id": [1, 1],
        "region": ["440000"] * 2,
        "scheme": ["QMS"] * 2,
        "inclusion_probability": [2 / 3] * 2,
    }
)
TEAMS = pd.DataFrame(
    {"unit_id": [1, 1, 2, 2], "inspector_id": [1, 2, 1, 2], "role": ["lead", "member", "lead", "member"]}
)


def _count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_commit_draw_writes_campaign_targets_and_teams(store):
    draw_id = commit_draw(store, _record(), TARGETS, TEAMS, actor=PLANNER)
    assert draw_id > 0
    assert _count(store, DrawTarget.__table__) == 2
    assert _count(store, Assignment.__table__) == 4


def test_a_draw_naming_an_unknown_inspector_writes_nothing(store):
    bad_teams = TEAMS.assign(inspector_id=[1, 2, 1, 99])
    with pytest.raises(WorkflowError, match="rejected by the store"):
        commit_draw(store, _record(), TARGETS, bad_teams, actor=PLANNER)
    assert _count(store, Campaign.__table__) == 0
    assert _count(store, DrawTarget.__table__) == 0


def test_the_same_campaign_cannot_be_drawn_twice(store):
    commit_draw(store, _record(), TARGETS, TEAMS, actor=PLANNER)
    with pytest.raises(WorkflowError, match="already exists for 2026"):
        commit_draw(store, _record(seed=8), TARGETS, TEAMS, actor=PLANNER)
    assert _count(store, DrawTarget.__table__) == 2


def test_publication_waits_for_every_outcome_then_counts_working_days(store):
    commit_draw(store, _record(), TARGETS, TEAMS, actor=PLANNER)
    with store.connect() as connection:
        campaign_id = connection.execute(select(Campaign.__table__.c.id)).scalar_one()
        target_ids = (
            connection.execute(select(DrawTarget.__table__.c.id).order_by(DrawTarget.__table__.c.id))
            .scalars()
            .all()
        )
    record_outcome(
        store,
        OutcomeRecord(
            target_id=target_ids[0],
            inspected_on=dt.date(2026, 9, 30),
            method="onsite",
            outcome_code="violation",
            follow_up="rectify",
            findings=("audit_time_cut",),
        ),
        actor=SUPERVISOR,
    )
    with pytest.raises(WorkflowError, match="1 target"):
        publish_campaign(store, campaign_id, on=dt.date(2026, 10, 20), actor=SUPERVISOR)
    record_outcome(
        store,
        OutcomeRecord(
            target_id=target_ids[1],
            inspected_on=dt.date(2026, 9, 30),
            method="documents",
            outcome_code="no_violation",
        ),
        actor=SUPERVISOR,
    )
    deadline = publish_campaign(
        store, campaign_id, on=dt.date(2026, 10, 20), actor=SUPERVISOR, within_working_days=3
    )
    assert deadline == dt.date(
        2026, 10, 10
    )  # from the last inspection: National Day skipped, make-up Saturday counted
    with store.connect() as connection:
        status = connection.execute(select(Campaign.__table__.c.status)).scalar_one()
    assert status == "published"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("method", "telepathy", "method 'telepathy'"),
        ("outcome_code", "maybe", "outcome_code 'maybe'"),
        ("findings", ("bribery",), "finding category 'bribery'"),
    ],
)
def test_outcome_vocabulary_is_checked_before_writing(store, field, value, message):
    commit_draw(store, _record(), TARGETS, TEAMS, actor=PLANNER)
    outcome = dict(
        target_id=1, inspected_on=dt.date(2026, 9, 30), method="onsite", outcome_code="no_violation"
    )
    outcome[field] = value
    with pytest.raises(WorkflowError, match=message):
        record_outcome(store, OutcomeRecord(**outcome), actor=SUPERVISOR)
