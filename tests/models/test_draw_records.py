"""The live workflow's draw writes on both engines: all-or-nothing draws (results: test_results.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from models import Assignment, Campaign, DrawTarget
from models.draw_records import DrawRecord, WorkflowError, commit_draw
from tests.support.actors import PLANNER


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
