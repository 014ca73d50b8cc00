"""Roles enforced in models/: every write with every role, province scoping, users and the audit log.

Runs on a SQLite file and on the test PostgreSQL server (the ``store`` fixture).
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
import json
import threading

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import func, insert, select, text

import models.queries
from models import (
    Assignment,
    AuditEntry,
    Campaign,
    Certificate,
    Draw,
    DrawTarget,
    InspectionOutcome,
    Inspector,
)
from models.access import AccessDenied, Actor, Permission, Role, require
from models.audit import append_audit, verify_chain
from models.checklist import pick_items
from models.draw_records import DrawRecord, commit_draw
from models.imports.inspectors import TEMPLATE_COLUMNS, add_inspector, commit_import, preview_import
from models.outcome_entry import OutcomeRecord
from models.queries.campaigns import campaign_audit_trail, campaign_targets, draw_audit_record
from models.results import correct_outcome, publish_campaign, record_outcome, review_outcome
from models.users import AppUser, UserError, resolve_actor, set_user, user_table
from tests.support.actors import ADMIN, BUREAU_GD, BUREAU_ZJ, EVERY_ROLE, PLANNER, PUBLIC, STAFF, SUPERVISOR
from tests.support.results import approve_all

TABLES = (Campaign, Draw, DrawTarget, Assignment, InspectionOutcome, Inspector, AppUser, AuditEntry)
TODAY = dt.date(2026, 11, 2)


def _counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            model.__tablename__: connection.execute(
                select(func.count()).select_from(model.__table__)
            ).scalar_one()
            for model in TABLES
        }


def _targets(region_of: dict[int, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": list(region_of),
            "institution_id": [1] * len(region_of),
            "region": list(region_of.values()),
            "scheme": ["QMS"] * len(region_of),
            "inclusion_probability": [0.5] * len(region_of),
        }
    )


TEAMS = pd.DataFrame({"unit_id": [1, 2], "inspector_id": [1, 2], "role": ["lead", "lead"]})
NO_TEAMS = TEAMS.iloc[:0]


def _record(name: str = "QMS 抽查") -> DrawRecord:
    return DrawRecord(
        campaign_name=name,
        year=2026,
        seed=5,
        frame_hash="cd" * 32,
        params={"n": 2},
        sampler_version="t",
        drawn_at=dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC),
    )


@pytest.fixture
def two_provinces(store):
    """The small store with certificate 3 moved to Zhejiang: targets in two provinces."""
    with store.begin() as connection:
        connection.execute(
            Certificate.__table__.update().where(Certificate.__table__.c.id == 3).values(region_code="330000")
        )
    return store


def _drawn(engine) -> tuple[int, dict[str, int]]:
    """A committed draw with one Guangdong and one Zhejiang target: (campaign id, region -> target id)."""
    commit_draw(engine, _record(), _targets({1: "440000", 3: "330000"}), TEAMS.iloc[:1], actor=PLANNER)
    with engine.connect() as connection:
        campaign_id = connection.execute(select(Campaign.__table__.c.id)).scalar_one()
        rows = connection.execute(select(DrawTarget.__table__.c.region_code, DrawTarget.__table__.c.id)).all()
    return int(campaign_id), dict(rows)


def _outcome(target_id: int) -> OutcomeRecord:
    return OutcomeRecord(
        target_id=target_id, inspected_on=dt.date(2026, 10, 9), method="onsite", outcome_code="no_violation"
    )


def _sheet(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([zh for _key, zh, _en in TEMPLATE_COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


INSPECTOR = {
    "name": "王强",
    "enforcement_id": "11010020175555",
    "id_valid_until": "2027-01-01",
    "agency": "北京市市场监督管理局",
    "province": "110000",
    "schemes": "QMS",
    "active": "是",
    "phone": "13800001111",
}
ANOTHER_INSPECTOR = {**INSPECTOR, "name": "李明", "enforcement_id": "11010020176666"}


def _writes(engine) -> dict[str, tuple[Permission, object]]:
    """Every write path of models/, as (permission it needs, call taking the actor)."""
    preview = preview_import(
        engine,
        _sheet([[INSPECTOR[key] for key, _zh, _en in TEMPLATE_COLUMNS if key in INSPECTOR] + [""]]),
        "a.xlsx",
        today=TODAY,
    )
    assert preview.ok, preview.problems
    return {
        "commit_draw": (
            Permission.DRAW,
            lambda actor: commit_draw(
                engine, _record("新"), _targets({2: "440000"}), TEAMS.iloc[:0], actor=actor
            ),
        ),
        "record_outcome": (
            Permission.RECORD_OUTCOME,
            lambda actor: record_outcome(engine, _outcome(1), actor=actor),
        ),
        "correct_outcome": (
            Permission.RECORD_OUTCOME,
            lambda actor: correct_outcome(engine, 1, _outcome(1), reason="日期核对", actor=actor),
        ),
        "review_outcome": (
            Permission.REVIEW_OUTCOME,
            lambda actor: review_outcome(engine, 1, decision="approved", actor=actor),
        ),
        "publish_campaign": (
            Permission.PUBLISH,
            lambda actor: publish_campaign(engine, 1, on=dt.date(2026, 11, 1), actor=actor),
        ),
        "pick_items": (
            Permission.DRAW,
            lambda actor: pick_items(engine, 2, ["RZ-02", "RZ-03"], actor=actor),
        ),
        "commit_import": (
            Permission.MANAGE_INSPECTORS,
            lambda actor: commit_import(engine, preview, actor=actor, today=TODAY),
        ),
        "add_inspector": (
            Permission.MANAGE_INSPECTORS,
            lambda actor: add_inspector(engine, ANOTHER_INSPECTOR, actor=actor, today=TODAY),
        ),
        "set_user": (
            Permission.MANAGE_USERS,
            lambda actor: set_user(engine, actor=actor, subject="new@x", role="staff"),
        ),
    }


@pytest.mark.parametrize("actor", EVERY_ROLE, ids=lambda a: a.role)
def test_every_write_refuses_a_role_without_the_right_and_writes_nothing(store, actor):
    commit_draw(store, _record(), _targets({1: "440000"}), TEAMS.iloc[:1], actor=PLANNER)
    for name, (permission, write) in _writes(store).items():
        if actor.can(permission):
            continue
        before = _counts(store)
        with pytest.raises(AccessDenied) as refused:
            write(actor)
        assert refused.value.code == "permission", name
        assert refused.value.permission is permission, name
        assert _counts(store) == before, f"{name} wrote something for {actor.role}"


def test_each_write_succeeds_for_its_roles_and_names_its_actor(store):
    commit_draw(store, _record(), _targets({1: "440000"}), TEAMS.iloc[:1], actor=PLANNER)
    writers = {
        "commit_draw": PLANNER,
        "record_outcome": BUREAU_GD,
        "correct_outcome": BUREAU_GD,
        "review_outcome": SUPERVISOR,
        "publish_campaign": SUPERVISOR,
        "pick_items": PLANNER,
        "commit_import": ADMIN,
        "add_inspector": SUPERVISOR,
        "set_user": ADMIN,
    }
    for name, (permission, write) in _writes(store).items():
        actor = writers[name]
        assert actor.can(permission)
        before = _counts(store)["auditentry"]
        write(actor)
        with store.connect() as connection:
            last = (
                connection.execute(
                    select(AuditEntry.__table__).order_by(AuditEntry.__table__.c.id.desc()).limit(1)
                )
                .mappings()
                .one()
            )
        assert _counts(store)["auditentry"] == before + 1, name
        assert (last["actor_subject"], last["actor_name"], last["actor_role"]) == (
            actor.subject,
            actor.name,
            str(actor.role),
        ), name
    with store.connect() as connection:
        draw = connection.execute(select(Draw.__table__).order_by(Draw.__table__.c.id)).mappings().first()
        outcome = connection.execute(select(InspectionOutcome.__table__)).mappings().one()
        campaign = (
            connection.execute(select(Campaign.__table__).where(Campaign.__table__.c.id == 1))
            .mappings()
            .one()
        )
    assert (draw["drawn_by"], draw["drawn_by_name"], draw["drawn_by_role"]) == (
        "planner@test",
        "测试规划员",
        "planner",
    )
    assert (outcome["recorded_by"], outcome["recorded_by_role"]) == ("bureau-gd@test", "bureau")
    assert outcome["recorded_at"] is not None
    assert (campaign["published_by"], campaign["published_by_name"]) == ("supervisor@test", "测试监督员")
    assert verify_chain(store).intact


def test_a_bureau_records_its_own_province_only(two_provinces):
    _campaign, target_of = _drawn(two_provinces)
    before = _counts(two_provinces)
    with pytest.raises(AccessDenied) as refused:
        record_outcome(two_provinces, _outcome(target_of["330000"]), actor=BUREAU_GD)
    assert (refused.value.code, refused.value.province) == ("province", "330000")
    assert _counts(two_provinces) == before
    record_outcome(two_provinces, _outcome(target_of["440000"]), actor=BUREAU_GD)
    record_outcome(two_provinces, _outcome(target_of["330000"]), actor=BUREAU_ZJ)
    assert _counts(two_provinces)["inspectionoutcome"] == 2


def test_a_bureau_without_a_province_may_not_record_anything(two_provinces):
    _campaign, target_of = _drawn(two_provinces)
    lost = Actor(subject="b@x", name="无省份", role=Role.BUREAU, province=None)
    with pytest.raises(AccessDenied) as refused:
        record_outcome(two_provinces, _outcome(target_of["440000"]), actor=lost)
    assert refused.value.code == "no_province"


def test_province_scoping_is_applied_in_the_query_layer(two_provinces):
    campaign_id, _ = _drawn(two_provinces)
    national = campaign_targets(two_provinces, campaign_id, viewer=STAFF)
    assert sorted(national["region_code"]) == ["330000", "440000"]
    assert campaign_targets(two_provinces, campaign_id, viewer=BUREAU_GD)["region_code"].tolist() == [
        "440000"
    ]
    assert campaign_targets(two_provinces, campaign_id, viewer=BUREAU_ZJ)["region_code"].tolist() == [
        "330000"
    ]
    assert campaign_targets(two_provinces, campaign_id, viewer=SUPERVISOR).shape[0] == 2


def test_the_audit_trail_of_a_campaign_lists_its_writes_and_the_public_sees_it_once_published(store):
    campaign_id, target_of = _drawn(store)
    record_outcome(store, _outcome(target_of["440000"]), actor=BUREAU_GD)
    record_outcome(store, _outcome(target_of["330000"]), actor=SUPERVISOR)
    assert campaign_audit_trail(store, campaign_id, viewer=PUBLIC).empty
    approve_all(store, campaign_id)
    publish_campaign(store, campaign_id, on=dt.date(2026, 11, 1), actor=SUPERVISOR)
    trail = campaign_audit_trail(store, campaign_id, viewer=PUBLIC)
    assert trail["action"].tolist() == [
        "draw.commit",
        "outcome.record",
        "outcome.record",
        "outcome.review",
        "outcome.review",
        "campaign.publish",
    ]
    assert trail["actor_role"].tolist() == ["planner", "bureau", "supervisor", *["supervisor"] * 3]
    assert set(json.loads(trail["details"].iloc[3])) == {"target_id", "decision"}
    staff = campaign_audit_trail(store, campaign_id, viewer=STAFF)
    assert staff["action"].tolist() == trail["action"].tolist()
    public_outcome = json.loads(trail["details"].iloc[1])
    assert set(public_outcome) <= {"target_id", "inspected_on", "method", "outcome_code", "findings"}
    assert "note" in json.loads(staff["details"].iloc[1]) and "note" not in public_outcome
    assert trail["actor_name"].tolist()[1:3] == ["", ""]  # recorders by role only, for the public
    bureau = campaign_audit_trail(store, campaign_id, viewer=BUREAU_GD)  # Zhejiang's outcome left out
    assert bureau["action"].tolist() == [
        "draw.commit",
        "outcome.record",
        "outcome.review",
        "campaign.publish",
    ]
    staff = draw_audit_record(store, campaign_id, role=Role.STAFF)
    assert (staff["drawn_by"], staff["drawn_by_role"]) == ("planner@test", "planner")
    public = draw_audit_record(store, campaign_id, role=Role.PUBLIC)
    assert public["drawn_by"] == "测试规划员"  # the public sees a name, not a sign-in identity


def test_no_query_function_has_a_default_role_or_viewer():
    import importlib
    import pkgutil

    offenders = []
    for info in pkgutil.iter_modules(models.queries.__path__):
        module = importlib.import_module(f"models.queries.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__:
                continue
            for parameter in inspect.signature(function).parameters.values():
                if (
                    parameter.name in ("role", "viewer", "actor")
                    and parameter.default is not inspect.Parameter.empty
                ):
                    offenders.append(f"{module.__name__}.{name}({parameter.name}=...)")
    assert offenders == []


def test_require_wants_an_actor_not_a_role_string():
    with pytest.raises(TypeError):
        require("planner", Permission.DRAW)  # type: ignore[arg-type]
    with pytest.raises(AccessDenied):
        require(PUBLIC, Permission.READ_STAFF)


# --- signing in: claims and the users table ---------------------------------------------------


def test_claims_give_role_and_province_when_the_table_has_no_row(store):
    found = resolve_actor(store, {"sub": "s1", "name": "甲", "role": "bureau", "province": "440000"})
    assert found.problem is None and found.source == "claims"
    assert found.actor == Actor(subject="s1", name="甲", role=Role.BUREAU, province="440000")
    nested = {"sub": "s2", "realm_access": {"roles": ["offline_access", "planner"]}}
    assert resolve_actor(store, nested).problem == "no_role"  # the default claim is "role", not nested
    assert resolve_actor(store, {"sub": "s3", "role": ["staff", "planner"]}).actor.role is Role.PLANNER


def test_a_dotted_role_claim_reads_keycloak_realm_roles(store, monkeypatch):
    monkeypatch.setenv("REGDASH_ROLE_CLAIM", "realm_access.roles")
    found = resolve_actor(store, {"sub": "s2", "realm_access": {"roles": ["offline_access", "supervisor"]}})
    assert found.actor.role is Role.SUPERVISOR


@pytest.mark.parametrize(
    "claims, problem",
    [
        ({"sub": "x"}, "no_role"),
        ({"sub": "x", "role": "root"}, "no_role"),
        ({"sub": "x", "role": "Planner "}, "no_role"),
        ({"sub": "x", "role": "bureau"}, "no_province"),
        ({"sub": "x", "role": "bureau", "province": "999999"}, "no_province"),
        ({"sub": "x", "role": "bureau", "province": "广东"}, "no_province"),
        ({"role": "admin"}, "no_role"),
    ],
)
def test_claims_without_a_usable_role_give_the_public_role(store, claims, problem):
    found = resolve_actor(store, claims)
    assert found.problem == problem
    assert found.actor.role is Role.PUBLIC
    assert not found.actor.can(Permission.READ_STAFF)


def test_the_users_table_overrides_claims_and_can_withdraw_access(store):
    set_user(store, actor=ADMIN, subject="s1", role="bureau", province="330000", display_name="浙江局 李")
    found = resolve_actor(store, {"sub": "s1", "name": "甲", "role": "admin"})
    assert found.source == "table"
    assert found.actor == Actor(subject="s1", name="浙江局 李", role=Role.BUREAU, province="330000")
    set_user(store, actor=ADMIN, subject="s1", role="bureau", province="330000", active=False)
    withdrawn = resolve_actor(store, {"sub": "s1", "role": "admin"})
    assert (withdrawn.problem, withdrawn.actor.role) == ("inactive", Role.PUBLIC)
    table = user_table(store, actor=ADMIN)
    assert table.set_index("subject").loc["s1", "updated_by"] == ADMIN.subject
    with pytest.raises(AccessDenied):
        user_table(store, actor=SUPERVISOR)


@pytest.mark.parametrize(
    "values, code",
    [
        (dict(subject=" ", role="staff"), "subject_invalid"),
        (dict(subject="a", role="root"), "role_unknown"),
        (dict(subject="a", role="bureau"), "province_required"),
        (dict(subject="a", role="staff", province="44"), "province_unknown"),
        (dict(subject="a" * 256, role="staff"), "subject_invalid"),
        (dict(subject="staff@demo.regdash\u200b", role="admin"), "subject_invalid"),
        (dict(subject="\u200b", role="admin"), "subject_invalid"),
        (dict(subject="a@b\nadmin", role="staff"), "subject_invalid"),
        (dict(subject="a b", role="staff"), "subject_invalid"),
        (dict(subject="a\u202e@b", role="staff"), "subject_invalid"),
        (dict(subject="a", role="public"), "role_unknown"),
        (dict(subject="a", role="staff", display_name="甲\x1b[31m"), "name_invalid"),
    ],
)
def test_set_user_refuses_bad_values_and_writes_nothing(store, values, code):
    before = _counts(store)
    with pytest.raises(UserError) as refused:
        set_user(store, actor=ADMIN, **values)
    assert refused.value.code == code
    assert _counts(store) == before


# --- the audit chain ---------------------------------------------------------------------------


def test_an_entry_changed_behind_the_apps_back_breaks_the_chain_at_that_entry(store):
    _campaign, target_of = _drawn(store)
    record_outcome(store, _outcome(target_of["440000"]), actor=SUPERVISOR)
    set_user(store, actor=ADMIN, subject="s9", role="staff")
    check = verify_chain(store)
    assert check.intact and check.entries == 3
    with store.begin() as connection:
        second = connection.execute(
            text("SELECT id FROM auditentry ORDER BY id LIMIT 1 OFFSET 1")
        ).scalar_one()
        connection.execute(text("UPDATE auditentry SET actor_role = 'admin' WHERE id = :id"), {"id": second})
    broken = verify_chain(store)
    assert (broken.broken_entry, broken.intact) == (second, False)


def test_a_deleted_entry_breaks_the_chain_at_the_next_one(store):
    _drawn(store)
    for subject in ("a", "b"):
        set_user(store, actor=ADMIN, subject=subject, role="staff")
    with store.begin() as connection:
        ids = connection.execute(text("SELECT id FROM auditentry ORDER BY id")).scalars().all()
        connection.execute(text("DELETE FROM auditentry WHERE id = :id"), {"id": ids[1]})
    assert verify_chain(store).broken_entry == ids[2]


def test_concurrent_writers_queue_on_the_chain_and_keep_it_intact(store):
    """Four real connections appending at once: none fails, none forks the chain."""
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def write(k: int) -> None:
        try:
            barrier.wait()
            for j in range(5):
                with store.begin() as connection:
                    connection.execute(
                        insert(AppUser.__table__).values(
                            subject=f"c{k}-{j}",
                            role="staff",
                            updated_at=dt.datetime.now(dt.UTC),
                            updated_by="t",
                        )
                    )
                    append_audit(connection, ADMIN, "user.set", "appuser", f"c{k}-{j}", {"k": k})
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = verify_chain(store)
    assert check.intact and check.entries == 20


def test_subjects_as_typed_with_a_chinese_input_method_are_normalised_and_long_ones_fit(store):
    set_user(
        store, actor=ADMIN, subject="ｓｔａｆｆ＠ｄｅｍｏ．ｒｅｇｄａｓｈ", role="staff", display_name="甲"
    )
    long_subject = "x" * 255
    set_user(store, actor=ADMIN, subject=long_subject, role="staff")
    table = user_table(store, actor=ADMIN).set_index("subject")
    assert {"staff@demo.regdash", long_subject} <= set(table.index)
    set_user(store, actor=ADMIN, subject="staff@demo.regdash", role="planner")  # no name given: kept
    assert (
        user_table(store, actor=ADMIN).set_index("subject").loc["staff@demo.regdash", "display_name"] == "甲"
    )
    assert verify_chain(store).intact


def test_a_sign_in_older_than_the_session_limit_acts_as_the_public(store, monkeypatch):
    import time

    fresh = {"sub": "s1", "role": "supervisor", "iat": time.time() - 3600}
    stale = {**fresh, "iat": time.time() - 13 * 3600}
    assert resolve_actor(store, fresh).actor.role is Role.SUPERVISOR
    assert (resolve_actor(store, stale).problem, resolve_actor(store, stale).actor.role) == (
        "expired",
        Role.PUBLIC,
    )
    monkeypatch.setenv("REGDASH_SESSION_HOURS", "0.5")
    assert resolve_actor(store, fresh).problem == "expired"
    monkeypatch.setenv("REGDASH_SESSION_HOURS", "not a number")  # unreadable: the 12-hour default
    assert resolve_actor(store, fresh).problem is None
