"""The audit log vouches for the rows written: a row changed behind the app's back is named.

Each case changes rows with plain SQL, as someone with sqlite3 or psql would, on both engines.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from models import DrawTarget
from models.audit import verify_chain, verify_rows
from models.draw_records import DrawRecord, commit_draw
from models.outcome_entry import OutcomeRecord
from models.results import publish_campaign, record_outcome
from models.users import set_user
from tests.support.actors import ADMIN, PLANNER, SUPERVISOR
from tests.support.results import approve_all
from tests.support.rows import guangdong_draw

TARGETS, TEAMS = guangdong_draw()


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
        drawn_at=dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC),
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
    approve_all(store, 1)
    publish_campaign(store, 1, on=dt.date(2026, 11, 2), actor=SUPERVISOR)
    set_user(store, actor=ADMIN, subject="x@y", role="staff")
    return store, draw_id


def test_an_untouched_store_verifies_and_later_writes_supersede_earlier_ones(campaign):
    store, _ = campaign
    check = verify_rows(store)
    assert check.changed == ()
    assert check.checked == 5 + 2 + 1  # campaign, draw, targets, teams, outcomes; two outcomes; a user
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
        {"draw_targets", "draw_assignments", "outcome", "draw_outcomes"},
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
        {"outcome", "draw_outcomes"},
    ),
    "a finding deleted": (("DELETE FROM finding",), {"outcome", "draw_outcomes"}),
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


def _with_an_open_target(store):
    """A second drawn campaign whose target has no outcome yet (campaign 2, draw 2, targets 3 and 4)."""
    record = DrawRecord(
        campaign_name="审计测试二", year=2026, seed=3, frame_hash="ab" * 32, params={}, sampler_version="t"
    )
    targets = TARGETS.assign(unit_id=[2, 3])
    return commit_draw(store, record, targets, TEAMS.assign(unit_id=[2, 3]), actor=PLANNER)


def test_an_outcome_inserted_on_an_open_target_is_named(campaign):
    store, _ = campaign
    draw_id = _with_an_open_target(store)
    with store.begin() as connection:
        target = connection.execute(
            text("SELECT min(id) FROM drawtarget WHERE draw_id = :d"), {"d": draw_id}
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO inspectionoutcome (id, target_id, inspected_on, method, outcome_code,"
                " follow_up, note) VALUES (99, :t, '2026-10-10', 'onsite', 'violation', 'penalty', '')"
            ),
            {"t": target},
        )
    problems = {(p.rowset, p.key) for p in verify_rows(store).changed}
    assert ("draw_outcomes", draw_id) in problems and ("outcome", 99) in problems


@pytest.mark.parametrize(
    "statements, expected",
    [
        (
            [
                "INSERT INTO appuser (subject, display_name, role, active, updated_at, updated_by)"
                " VALUES ('mole@x', '', 'admin', true, '2026-11-01 00:00:00', 'x')"
            ],
            {("appuser", "mole@x")},
        ),
        (["DELETE FROM auditentry WHERE id = (SELECT max(id) FROM auditentry)"], {("appuser", "x@y")}),
        (["DELETE FROM auditentry"], {("draw", 1), ("outcome", 1), ("outcome", 2), ("appuser", "x@y")}),
    ],
    ids=["an admin added", "the newest entry deleted", "the log emptied"],
)
def test_app_written_rows_no_entry_covers_are_named(campaign, statements, expected):
    store, _ = campaign
    with store.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    uncovered = {(p.rowset, p.key) for p in verify_rows(store).changed if p.action == "uncovered"}
    assert uncovered == expected
