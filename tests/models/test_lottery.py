"""The live lottery on both engines: commitment before drawing, every attempt logged, commit once."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pandas as pd
import pytest
from sqlalchemy import select

from models import Campaign, Draw
from models.access import AccessDenied
from models.audit import verify_chain, verify_rows
from models.draw_records import DrawRecord, WorkflowError
from models.frames import LAST_DRAWN
from models.lottery import (
    DrawSession,
    commit_attempt,
    commitment_of,
    find_session,
    open_draw,
    record_attempt,
    seed_of,
    session_seed,
)
from models.queries.campaigns import campaign_audit_trail
from sampler.assign import pool_hash
from sampler.frame import frame_hash
from tests.support.actors import PLANNER, STAFF, SUPERVISOR

FRAME_DATA = pd.DataFrame(
    {
        "unit_id": [1, 2, 3],
        "region": ["440000"] * 3,
        "scheme": ["QMS"] * 3,
        "institution_id": [1] * 3,
        "risk_grade": ["A"] * 3,
        LAST_DRAWN: pd.Series([None] * 3, dtype="str"),  # never drawn: what open_draw finds in `store`
    }
)
POOL = pd.DataFrame(
    {
        "inspector_id": [1, 2],
        "region": ["440000"] * 2,
        "agency": ["GD"] * 2,
        "active": [True, True],
        "id_valid_until": [dt.date(2030, 1, 1)] * 2,
        "schemes": ["QMS"] * 2,
        "affiliations": ["", ""],
    }
)
FRAME = frame_hash(FRAME_DATA)


def _result(units: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    targets = pd.DataFrame(
        {
            "unit_id": units,
            "institution_id": [1] * len(units),
            "region": ["440000"] * len(units),
            "scheme": ["QMS"] * len(units),
            "inclusion_probability": [len(units) / 3] * len(units),
        }
    )
    teams = pd.DataFrame({"unit_id": units, "inspector_id": [1] * len(units), "role": ["lead"] * len(units)})
    return targets, teams


def _record(seed: int, frame: str = FRAME) -> DrawRecord:
    return DrawRecord(
        campaign_name="ignored",
        year=2026,
        seed=seed,
        frame_hash=frame,
        params={"n": 1, "pool_hash": pool_hash(POOL)},
        sampler_version="t",
    )


def _open(store, **overrides):
    values = dict(
        campaign_name="2026年QMS抽查", year=2026, scheme="QMS", frame=FRAME_DATA, pool=POOL, actor=PLANNER
    )
    values.update(overrides)
    return open_draw(store, **values)


def _attempt(store, session, units, reason="", inputs=None):
    targets, teams = _result(units)
    return record_attempt(
        store,
        session.id,
        inputs=inputs if inputs is not None else {"units": units},
        frame_hash=FRAME,
        targets=targets,
        assignments=teams,
        actor=PLANNER,
        reason=reason,
    )


def _nonce(store, session_id) -> str:
    table = DrawSession.__table__
    with store.connect() as connection:
        return connection.execute(select(table.c.nonce).where(table.c.id == session_id)).scalar_one()


def test_opening_fixes_a_commitment_before_anything_is_drawn(store):
    session = _open(store)
    assert session.status == "open" and session.attempts == 0 and session.frame_hash == FRAME
    assert session.pool_hash == pool_hash(POOL)
    nonce = _nonce(store, session.id)
    assert session.commitment == commitment_of(nonce) != nonce
    assert not hasattr(session, "nonce")
    assert session_seed(store, session.id, actor=PLANNER) == seed_of(nonce) < 2**52
    with store.connect() as connection:
        status = connection.execute(select(Campaign.__table__.c.status)).scalar_one()
    assert status == "planned"
    assert find_session(store, campaign_name="2026年QMS抽查", year=2026).commitment == session.commitment


def test_the_whole_flow_reveals_the_nonce_and_logs_every_attempt(store):
    session = _open(store)
    first = _attempt(store, session, [1])
    with pytest.raises(WorkflowError) as refused:
        _attempt(store, session, [2])
    assert refused.value.code == "reason_required"
    assert _attempt(store, session, [1]) == first  # the same inputs: nothing new to log
    second = _attempt(store, session, [2, 3], reason="配额调整：广东增加一家")
    seed = session_seed(store, session.id, actor=PLANNER)
    targets, teams = _result([1])
    with pytest.raises(WorkflowError) as stale:
        commit_attempt(
            store, session.id, first, record=_record(seed), targets=targets, assignments=teams, actor=PLANNER
        )
    assert stale.value.code == "stale_preview"
    with pytest.raises(WorkflowError) as swapped:  # the latest attempt, but other targets than it drew
        commit_attempt(
            store, session.id, second, record=_record(seed), targets=targets, assignments=teams, actor=PLANNER
        )
    assert swapped.value.code == "stale_preview"
    targets, teams = _result([2, 3])
    draw_id = commit_attempt(
        store, session.id, second, record=_record(seed), targets=targets, assignments=teams, actor=PLANNER
    )
    with store.connect() as connection:
        params = json.loads(
            connection.execute(
                select(Draw.__table__.c.params_json).where(Draw.__table__.c.id == draw_id)
            ).scalar_one()
        )
        status = connection.execute(select(Campaign.__table__.c.status)).scalar_one()
    lottery = params["lottery"]
    assert commitment_of(lottery["nonce"]) == lottery["commitment"] == session.commitment
    assert seed_of(lottery["nonce"]) == seed and lottery["attempts"] == 2
    assert status == "assigned"
    with pytest.raises(WorkflowError) as again:
        commit_attempt(
            store, session.id, second, record=_record(seed), targets=targets, assignments=teams, actor=PLANNER
        )
    assert again.value.code == "already_committed"
    trail = campaign_audit_trail(store, session.campaign_id, viewer=PLANNER)
    assert trail["action"].tolist() == ["draw.open", "draw.attempt", "draw.attempt", "draw.commit"]
    assert "配额调整" in trail["details"].iloc[2]
    assert verify_chain(store).intact and verify_rows(store).changed == ()


def test_a_changed_population_cannot_be_drawn_from_an_old_opening(store):
    session = _open(store)
    targets, teams = _result([1])
    with pytest.raises(WorkflowError) as refused:
        record_attempt(
            store,
            session.id,
            inputs={},
            frame_hash="0" * 64,
            targets=targets,
            assignments=teams,
            actor=PLANNER,
        )
    assert refused.value.code == "frame_changed"
    with pytest.raises(WorkflowError) as needs_reason:
        _open(store, frame=FRAME_DATA.iloc[:2])
    assert needs_reason.value.code == "reason_required"
    reopened = _open(store, frame=FRAME_DATA.iloc[:2], reason="证书到期后名录变化")
    assert reopened.commitment != session.commitment
    assert reopened.frame_hash == frame_hash(FRAME_DATA.iloc[:2]) != session.frame_hash
    with store.connect() as connection:
        statuses = dict(
            connection.execute(select(DrawSession.__table__.c.id, DrawSession.__table__.c.status)).all()
        )
    assert statuses == {session.id: "superseded", reopened.id: "open"}


def test_a_drawn_campaign_cannot_be_opened_again_and_a_planned_one_keeps_its_scheme(store):
    session = _open(store)
    attempt = _attempt(store, session, [1])
    targets, teams = _result([1])
    seed = session_seed(store, session.id, actor=PLANNER)
    commit_attempt(
        store, session.id, attempt, record=_record(seed), targets=targets, assignments=teams, actor=PLANNER
    )
    with pytest.raises(WorkflowError) as drawn:
        _open(store, reason="再抽一次")
    assert drawn.value.code == "campaign_exists"
    _open(store, campaign_name="EnMS 计划", scheme="EnMS")
    with pytest.raises(WorkflowError) as other_scheme:
        _open(store, campaign_name="EnMS 计划", scheme="QMS", reason="x")
    assert other_scheme.value.code == "scheme_mismatch"


@pytest.mark.parametrize("actor", [STAFF, SUPERVISOR], ids=lambda a: a.role)
def test_only_planners_open_attempt_and_commit(store, actor):
    with pytest.raises(AccessDenied):
        _open(store, actor=actor)
    session = _open(store)
    with pytest.raises(AccessDenied):
        session_seed(store, session.id, actor=actor)
    targets, teams = _result([1])
    with pytest.raises(AccessDenied):
        record_attempt(
            store, session.id, inputs={}, frame_hash=FRAME, targets=targets, assignments=teams, actor=actor
        )


def test_two_connections_committing_the_same_preview_commit_once(store):
    session = _open(store)
    attempt = _attempt(store, session, [1])
    seed = session_seed(store, session.id, actor=PLANNER)
    targets, teams = _result([1])
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def commit() -> None:
        barrier.wait()
        try:
            outcomes.append(
                commit_attempt(
                    store,
                    session.id,
                    attempt,
                    record=_record(seed),
                    targets=targets,
                    assignments=teams,
                    actor=PLANNER,
                )
            )
        except WorkflowError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=commit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    committed = [o for o in outcomes if isinstance(o, int)]
    assert len(committed) == 1 and outcomes.count("already_committed") == 1
    with store.connect() as connection:
        assert connection.execute(select(Draw.__table__.c.id)).scalars().all() == committed


def test_teams_drawn_from_another_pool_than_the_frozen_one_cannot_be_committed(store):
    session = _open(store)
    attempt = _attempt(store, session, [1])
    seed = session_seed(store, session.id, actor=PLANNER)
    targets, teams = _result([1])
    other = _record(seed)
    other.params["pool_hash"] = pool_hash(POOL.iloc[:1])
    with pytest.raises(WorkflowError) as refused:
        commit_attempt(
            store, session.id, attempt, record=other, targets=targets, assignments=teams, actor=PLANNER
        )
    assert refused.value.code == "stale_preview" and "frozen pool" in str(refused.value)


def test_a_frame_or_pool_the_sampler_cannot_take_is_refused_and_nothing_is_opened(store):
    with pytest.raises(WorkflowError) as empty_pool:
        _open(store, pool=POOL.iloc[:0])
    assert empty_pool.value.code == "population_invalid" and "pool is empty" in str(empty_pool.value)
    with pytest.raises(WorkflowError) as no_ids:
        _open(store, frame=FRAME_DATA.drop(columns=["unit_id"]))
    assert no_ids.value.code == "population_invalid" and "unit_id" in str(no_ids.value)
    assert find_session(store, campaign_name="2026年QMS抽查", year=2026) is None
