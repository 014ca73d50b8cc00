"""The audit log vouches for the rows written: a row changed behind the app's back is named.

Each case changes rows with plain SQL, as someone with sqlite3 or psql would, on both engines.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select, text

from models import DrawTarget
from models.audit import verify_chain, verify_rows
from models.draw_records import DrawRecord, OutcomeRecord, commit_draw, publish_campaign, record_outcome
from models.users import set_user
from tests.support.actors import ADMIN, PLANNER, SUPERVISOR

TARGETS = pd.DataFrame(
    {
        "unit_id": [1, 2],
        "institution_id": [1, 1],
        "region": ["440000", "440000"],
        "scheme": ["QMS", "QMS"],
        "inclusion_probability": [2 / 3, 2 / 3],
    }
)
TEAMS = pd.DataFrame({"unit_id": [1, 2], "inspector_id": [1, 2], "role": ["lead", "lead"]})


@pytest.fixture
def campaign(store):
    """A drawn, fully recorded and published campaign, and a user row: every audited kind of write."""
    record = DrawRecord(
        campaign_name="审计测试",
        year=2026,
        seed=9,
        frame_hash="ef" * 32,
        params={"n": 2},
        sampler_version="t",
    )
    draw_id = commit_draw(store, record, TARGETS, TEAMS, actor=PLANNER)
    with store.connect() as connection:
        target_ids = (
            connection.execute(
                select(DrawTarget.__table__.c.id).where(DrawTarget.__table__.c.draw_id == draw_id)
            )
            .scalars()
            .all()
        )
    for target_id, code in zip(target_ids, ("violation", "no_violation"), strict=True):
        record_outcome(
            store,
            OutcomeRecord(
                target_id=target_id,
                inspected_on=dt.date(2026, 10, 9),
                method="onsite",
                outcome_code=code,
                findings=("audit_time_cut",) if code == "violation" else (),
            ),
            actor=SUPERVISOR,
        )
    publish_campaign(store, 1, on=dt.date(2026, 11, 2), actor=SUPERVISOR)
    set_user(store, actor=ADMIN, subject="x@y", role="staff")
    return store, draw_id


def test_an_untouched_store_verifies_and_later_writes_supersede_earlier_ones(campaign):
    store, _ = campaign
    check = verify_rows(store)
    assert check.changed == ()
    assert check.checked == 4 + 2 + 1  # campaign, draw, targets, teams; two outcomes; the user row
    assert verify_chain(store).intact


# what is done with SQL -> every row set that must be named
TAMPERING: dict[str, tuple[tuple[str, ...], set[str]]] = {
    "a target moved to another province": (
        ("UPDATE drawtarget SET region_code = '330000' WHERE id = 1",),
        {"draw_targets"},
    ),
    "a target deleted with its team and outcome": (
        (
            "DELETE FROM assignment WHERE target_id = 2",
            "DELETE FROM inspectionoutcome WHERE target_id = 2",
            "DELETE FROM drawtarget WHERE id = 2",
        ),
        {"draw_targets", "draw_assignments", "outcome"},
    ),
    "a target added": (
        (
            "INSERT INTO drawtarget (id, draw_id, certificate_id, institution_id, region_code, scheme_code,"
            " inclusion_probability) VALUES (99, 1, 3, 1, '440000', 'QMS', 0.5)",
        ),
        {"draw_targets"},
    ),
    "an inspector swapped": (
        ("UPDATE assignment SET inspector_id = 2 WHERE target_id = 1",),
        {"draw_assignments"},
    ),
    "a team role changed": (
        ("UPDATE assignment SET role = 'member' WHERE target_id = 2",),
        {"draw_assignments"},
    ),
    "an outcome softened": (
        ("UPDATE inspectionoutcome SET outcome_code = 'no_violation' WHERE target_id = 1",),
        {"outcome"},
    ),
    "a finding deleted": (("DELETE FROM finding",), {"outcome"}),
    "the publication date moved": (
        ("UPDATE campaign SET published_on = '2026-10-01' WHERE id = 1",),
        {"campaign"},
    ),
    "the seed rewritten": (("UPDATE draw SET seed = 10 WHERE id = 1",), {"draw"}),
    "a role raised": (("UPDATE appuser SET role = 'admin' WHERE subject = 'x@y'",), {"appuser"}),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_a_row_changed_with_sql_is_named(campaign, case):
    store, _ = campaign
    statements, expected = TAMPERING[case]
    with store.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    changed = verify_rows(store).changed
    assert {p.rowset for p in changed} == expected
    assert verify_chain(store).intact  # the log itself was not touched: only the rows tell
