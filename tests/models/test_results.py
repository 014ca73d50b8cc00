"""Results on both engines: the shared validation, double submits, correction, review, publication."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import func, select

from models import Campaign, Finding, InspectionOutcome, OutcomeItem, OutcomeRevision
from models.access import AccessDenied
from models.audit import AuditEntry, audit_trail, verify_rows
from models.checklist import pick_items
from models.draw_records import DrawRecord, WorkflowError, commit_draw
from models.outcome_entry import ItemResult, OutcomeRecord, china_today
from models.queries.campaigns import campaign_list
from models.queries.checklist import campaign_items, checklist
from models.results import (
    correct_outcome,
    publish_campaign,
    record_outcome,
    record_outcomes,
    review_outcome,
)
from tests.support.actors import BUREAU_GD, PLANNER, STAFF, SUPERVISOR

TODAY = dt.date(2026, 11, 30)
DRAWN_AT = dt.datetime(2026, 9, 1, 2, 0, tzinfo=dt.UTC)  # 2026-09-01 10:00 in China
TARGETS = pd.DataFrame(
    {
        "unit_id": [1, 2],
        "institution_id": [1, 1],
        "region": ["440000"] * 2,
        "scheme": ["QMS"] * 2,
        "inclusion_probability": [2 / 3] * 2,
    }
)
TEAMS = pd.DataFrame({"unit_id": [1, 2], "inspector_id": [1, 2], "role": ["lead", "lead"]})


@pytest.fixture
def campaign(store):
    """A drawn 2026 certificate campaign with two Guangdong targets (ids 1, 2) checking RZ-02, RZ-03."""
    record = DrawRecord(
        campaign_name="QMS 结果抽查",
        year=2026,
        seed=11,
        frame_hash="ab" * 32,
        params={"n": 2},
        sampler_version="t",
        drawn_at=DRAWN_AT,
    )
    commit_draw(store, record, TARGETS, TEAMS, actor=PLANNER)
    pick_items(store, 1, ["RZ-03", "RZ-02"], actor=PLANNER)
    return store


def _ok(target_id: int = 1, **overrides) -> OutcomeRecord:
    values = dict(
        target_id=target_id,
        inspected_on=dt.date(2026, 10, 9),
        method="onsite",
        outcome_code="no_violation",
        inspectors="检查员1",
        items=(ItemResult("RZ-03", "conform", 10), ItemResult("RZ-02", "conform", 10)),
    )
    values.update(overrides)
    return OutcomeRecord(**values)


def _violation(target_id: int = 1, **overrides) -> OutcomeRecord:
    values = dict(
        outcome_code="violation",
        findings=("audit_time_cut",),
        findings_text="审核人日 3 天，低于最低 5 天",
        follow_up="rectify",
        disposal_status="open",
        items=(ItemResult("RZ-03", "nonconform", 2), ItemResult("RZ-02", "conform", 10)),
    )
    values.update(overrides)
    return _ok(target_id, **values)


def _snapshot(engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(select(table)).all()]
            for table in (
                InspectionOutcome.__table__,
                Finding.__table__,
                OutcomeItem.__table__,
                OutcomeRevision.__table__,
                Campaign.__table__,
            )
        }


def test_the_seeded_checklist_is_a_certification_supervision_list(store):
    items = checklist(store)
    assert len(items) >= 12
    titles = set(items["title"])
    assert {"买卖证书", "超范围认证", "审核时间", "审核人员能力", "证书暂停撤销", "现场审核真实"} <= titles
    assert items["legal_basis"].str.contains("认证认可条例").any()
    assert (items["score"] > 0).all() and items["check_content"].str.len().min() > 10
    assert set(checklist(store, target_type="institution")["target_type"]) == {"institution"}


def test_a_campaign_picks_its_items_in_order_and_the_pick_is_audited(campaign):
    assert campaign_items(campaign, 1)["code"].tolist() == ["RZ-03", "RZ-02"]
    pick_items(campaign, 1, ["RZ-05"], actor=PLANNER)
    assert campaign_items(campaign, 1)["code"].tolist() == ["RZ-05"]
    actions = [entry["action"] for entry in audit_trail(campaign, entity="campaign", entity_id=1)]
    assert actions.count("campaign.items") == 2
    assert verify_rows(campaign).changed == ()


@pytest.mark.parametrize(
    ("codes", "code"),
    [
        ([], "no_items"),
        (["RZ-02", "RZ-02"], "duplicate_item"),
        (["RZ-99"], "unknown_item"),
        (["RZ-09"], "item_target_type"),  # an institution item in a certificate campaign
    ],
)
def test_a_bad_pick_is_refused_and_the_old_pick_stays(campaign, codes, code):
    with pytest.raises(WorkflowError) as refused:
        pick_items(campaign, 1, codes, actor=PLANNER)
    assert refused.value.code == code
    assert campaign_items(campaign, 1)["code"].tolist() == ["RZ-03", "RZ-02"]


def test_a_full_result_is_stored_with_its_items_findings_and_measures(campaign):
    outcome_id = record_outcome(campaign, _violation(), actor=BUREAU_GD, today=TODAY)
    with campaign.connect() as connection:
        row = connection.execute(select(InspectionOutcome.__table__)).mappings().one()
        items = connection.execute(
            select(
                OutcomeItem.__table__.c.item_code,
                OutcomeItem.__table__.c.result,
                OutcomeItem.__table__.c.score,
            ).order_by(OutcomeItem.__table__.c.item_code)
        ).all()
    assert row["id"] == outcome_id
    assert (row["outcome_code"], row["follow_up"], row["disposal_status"]) == ("violation", "rectify", "open")
    assert row["findings_text"].startswith("审核人日") and row["inspectors"] == "检查员1"
    assert (row["review_status"], row["revision"]) == ("pending", 1)
    assert [tuple(item) for item in items] == [("RZ-02", "conform", 10.0), ("RZ-03", "nonconform", 2.0)]
    assert verify_rows(campaign).changed == ()


BAD = [
    ("inspected_on", dict(inspected_on=dt.date(2019, 1, 1)), "date_outside_window"),
    ("inspected_on", dict(inspected_on=dt.date(2026, 8, 31)), "date_outside_window"),  # before the draw
    ("inspected_on", dict(inspected_on=dt.date(2026, 12, 1)), "date_in_future"),
    ("inspected_on", dict(inspected_on=None), "date_missing"),
    ("method", dict(method="telepathy"), "not_in_vocabulary"),
    ("outcome_code", dict(outcome_code="maybe"), "not_in_vocabulary"),
    ("follow_up", dict(follow_up="scold"), "not_in_vocabulary"),
    ("findings", dict(outcome_code="violation", items=()), "violation_needs_findings"),
    ("findings", dict(findings=("bribery",)), "not_in_vocabulary"),
    ("not_inspected_reason", dict(outcome_code="not_inspected"), "not_inspected_needs_reason"),
    ("not_inspected_reason", dict(not_inspected_reason="deregistered"), "reason_needs_not_inspected"),
    ("closed_on", dict(disposal_status="closed"), "closed_needs_date"),
    ("closed_on", dict(closed_on=dt.date(2026, 10, 20)), "closing_date_without_closed"),
    (
        "closed_on",
        dict(disposal_status="closed", closed_on=dt.date(2026, 10, 1)),
        "closed_before_inspection",
    ),
    ("items.RZ-07", dict(items=(ItemResult("RZ-07", "conform", 1),)), "unknown_item"),
    ("items.RZ-03", dict(items=(ItemResult("RZ-03", "conform", 11),)), "score_out_of_range"),
    ("items.RZ-03", dict(items=(ItemResult("RZ-03", "nonconform", 0),)), "nonconform_needs_violation"),
    (
        "items.RZ-03",
        dict(items=(ItemResult("RZ-03", "conform", 10), ItemResult("RZ-03", "conform", 10))),
        "duplicate_item",
    ),
    ("findings_text", dict(findings_text="x" * 2001), "too_long"),
]


@pytest.mark.parametrize(("field", "change", "code"), BAD, ids=[f"{c}-{f}" for f, _, c in BAD])
def test_each_kind_of_bad_result_is_refused_by_field_and_code_and_nothing_is_written(
    campaign, field, change, code
):
    before = _snapshot(campaign)
    with pytest.raises(WorkflowError) as refused:
        record_outcome(campaign, _ok(**change), actor=BUREAU_GD, today=TODAY)
    problems = refused.value.fields["problems"]
    assert (problems[0].field, problems[0].code) == (field, code)
    assert _snapshot(campaign) == before


def test_every_problem_is_reported_at_once(campaign):
    bad = _ok(inspected_on=dt.date(2030, 1, 1), method="x", outcome_code="violation", items=())
    with pytest.raises(WorkflowError) as refused:
        record_outcome(campaign, bad, actor=BUREAU_GD, today=TODAY)
    assert {(p.field, p.code) for p in refused.value.fields["problems"]} == {
        ("inspected_on", "date_in_future"),
        ("method", "not_in_vocabulary"),
        ("findings", "violation_needs_findings"),
    }


def test_not_inspected_with_a_reason_is_a_result(campaign):
    record_outcome(
        campaign,
        _ok(outcome_code="not_inspected", not_inspected_reason="deregistered", items=()),
        actor=BUREAU_GD,
        today=TODAY,
    )
    with campaign.connect() as connection:
        reason = connection.execute(select(InspectionOutcome.__table__.c.not_inspected_reason)).scalar_one()
    assert reason == "deregistered"


def test_a_double_submit_saves_once(campaign):
    first = record_outcome(campaign, _ok(), actor=BUREAU_GD, submission_key="form-1", today=TODAY)
    before = _snapshot(campaign)
    again = record_outcome(campaign, _ok(), actor=BUREAU_GD, submission_key="form-1", today=TODAY)
    assert again == first and _snapshot(campaign) == before
    with pytest.raises(WorkflowError) as refused:  # the same key for another target is a bug
        record_outcome(campaign, _ok(2), actor=BUREAU_GD, submission_key="form-1", today=TODAY)
    assert refused.value.code == "submission_reused"


def test_a_second_result_for_a_target_is_refused_not_overwritten(campaign):
    record_outcome(campaign, _ok(), actor=BUREAU_GD, today=TODAY)
    before = _snapshot(campaign)
    with pytest.raises(WorkflowError) as refused:
        record_outcome(campaign, _violation(), actor=BUREAU_GD, today=TODAY)
    assert refused.value.code == "outcome_exists"
    assert _snapshot(campaign) == before


def test_a_correction_keeps_the_old_values_and_is_audited_with_its_reason(campaign):
    outcome_id = record_outcome(campaign, _ok(), actor=BUREAU_GD, today=TODAY)
    review_outcome(campaign, outcome_id, decision="approved", actor=SUPERVISOR)
    revision = correct_outcome(
        campaign, outcome_id, _violation(), reason="复核发现审核时间不足", actor=BUREAU_GD, today=TODAY
    )
    assert revision == 2
    with campaign.connect() as connection:
        row = connection.execute(select(InspectionOutcome.__table__)).mappings().one()
        old = connection.execute(select(OutcomeRevision.__table__)).mappings().one()
        findings = connection.execute(select(func.count()).select_from(Finding.__table__)).scalar_one()
    assert (row["outcome_code"], row["revision"], row["review_status"]) == ("violation", 2, "pending")
    assert findings == 1
    kept = json.loads(old["values_json"])
    assert kept["outcome"][0]["outcome_code"] == "no_violation" and old["reason"] == "复核发现审核时间不足"
    assert {item["item_code"] for item in kept["items"]} == {"RZ-02", "RZ-03"}
    entry = [
        e for e in audit_trail(campaign, entity="campaign", entity_id=1) if e["action"] == "outcome.correct"
    ]
    details = json.loads(entry[0]["details_json"])
    assert details["reason"] == "复核发现审核时间不足"
    assert (details["old"][0]["outcome_code"], details["new"]["outcome_code"]) == (
        "no_violation",
        "violation",
    )
    assert verify_rows(campaign).changed == ()


def test_a_correction_without_reason_or_with_a_bad_value_changes_nothing(campaign):
    outcome_id = record_outcome(campaign, _ok(), actor=BUREAU_GD, today=TODAY)
    before = _snapshot(campaign)
    with pytest.raises(WorkflowError) as no_reason:
        correct_outcome(campaign, outcome_id, _violation(), reason="  ", actor=BUREAU_GD, today=TODAY)
    assert no_reason.value.code == "reason_required"
    with pytest.raises(WorkflowError) as bad:
        correct_outcome(campaign, outcome_id, _ok(method="x"), reason="更正", actor=BUREAU_GD, today=TODAY)
    assert bad.value.code == "not_in_vocabulary"
    assert _snapshot(campaign) == before


def test_review_needs_a_supervisor_and_a_return_needs_a_note(campaign):
    outcome_id = record_outcome(campaign, _ok(), actor=BUREAU_GD, today=TODAY)
    with pytest.raises(AccessDenied):
        review_outcome(campaign, outcome_id, decision="approved", actor=BUREAU_GD)
    with pytest.raises(WorkflowError) as refused:
        review_outcome(campaign, outcome_id, decision="returned", actor=SUPERVISOR)
    assert refused.value.code == "return_needs_note"
    review_outcome(campaign, outcome_id, decision="returned", actor=SUPERVISOR, note="缺检查记录")
    with campaign.connect() as connection:
        status, note = connection.execute(
            select(InspectionOutcome.__table__.c.review_status, InspectionOutcome.__table__.c.review_note)
        ).one()
    assert (status, note) == ("returned", "缺检查记录")


def _status(engine) -> str:
    with engine.connect() as connection:
        return connection.execute(select(Campaign.__table__.c.status)).scalar_one()


def test_publication_refuses_with_reasons_until_every_target_is_reviewed_or_not_inspected(campaign):
    with pytest.raises(WorkflowError) as refused:
        publish_campaign(campaign, 1, on=dt.date(2026, 11, 2), actor=SUPERVISOR)
    assert refused.value.code == "campaign_incomplete"
    assert refused.value.fields["reasons"] == (("missing", 2),)
    first = record_outcome(campaign, _violation(), actor=BUREAU_GD, today=TODAY)
    record_outcome(
        campaign,
        _ok(2, outcome_code="not_inspected", not_inspected_reason="cannot_be_found", items=()),
        actor=BUREAU_GD,
        today=TODAY,
    )
    with pytest.raises(WorkflowError) as refused:
        publish_campaign(campaign, 1, on=dt.date(2026, 11, 2), actor=SUPERVISOR)
    assert refused.value.fields["reasons"] == (("pending", 1),)
    review_outcome(campaign, first, decision="returned", actor=SUPERVISOR, note="补充材料")
    with pytest.raises(WorkflowError) as refused:
        publish_campaign(campaign, 1, on=dt.date(2026, 11, 2), actor=SUPERVISOR)
    assert refused.value.fields["reasons"] == (("returned", 1),)
    assert _status(campaign) == "assigned"
    correct_outcome(campaign, first, _violation(), reason="已补充材料", actor=BUREAU_GD, today=TODAY)
    review_outcome(campaign, first, decision="approved", actor=SUPERVISOR)
    assert _status(campaign) == "completed"
    deadline = publish_campaign(campaign, 1, on=dt.date(2026, 11, 2), actor=SUPERVISOR)
    # results formed 2026-10-09 (Fri); 20 working days (Oct 10 Sat is a make-up day) -> 2026-11-05
    assert deadline.due_on == dt.date(2026, 11, 5) and not deadline.provisional
    with campaign.connect() as connection:
        row = connection.execute(select(Campaign.__table__)).mappings().one()
    assert (row["status"], row["publish_deadline"], row["published_late"]) == (
        "published",
        dt.date(2026, 11, 5),
        False,
    )
    assert row["deadline_provisional"] is False
    with pytest.raises(WorkflowError) as again:
        correct_outcome(campaign, first, _ok(), reason="晚了", actor=BUREAU_GD, today=TODAY)
    assert again.value.code == "campaign_published"


def test_a_late_publication_is_stored_as_late(campaign):
    for target_id in (1, 2):
        outcome_id = record_outcome(campaign, _ok(target_id), actor=BUREAU_GD, today=TODAY)
        review_outcome(campaign, outcome_id, decision="approved", actor=SUPERVISOR)
    deadline = publish_campaign(campaign, 1, on=dt.date(2026, 11, 30), actor=SUPERVISOR)
    assert deadline.due_on == dt.date(2026, 11, 5)
    with campaign.connect() as connection:
        late = connection.execute(select(Campaign.__table__.c.published_late)).scalar_one()
    assert late is True


def test_staff_cannot_record(campaign):
    with pytest.raises(AccessDenied):
        record_outcome(campaign, _ok(), actor=STAFF, today=TODAY)


def test_a_deadline_running_into_an_uncovered_year_is_stored_provisional(campaign):
    later = dt.date(2026, 12, 10)
    for target_id in (1, 2):
        outcome_id = record_outcome(
            campaign, _ok(target_id, inspected_on=dt.date(2026, 12, 4)), actor=BUREAU_GD, today=later
        )
        review_outcome(campaign, outcome_id, decision="approved", actor=SUPERVISOR)
    deadline = publish_campaign(campaign, 1, on=later, actor=SUPERVISOR, today=later)
    assert (deadline.due_on, deadline.uncovered_years) == (dt.date(2027, 1, 4), (2027,))
    with campaign.connect() as connection:
        row = connection.execute(select(Campaign.__table__)).mappings().one()
    assert (row["publish_deadline"], row["deadline_provisional"], row["published_late"]) == (
        dt.date(2027, 1, 4),
        True,
        False,
    )
    trail = [
        e for e in audit_trail(campaign, entity="campaign", entity_id=1) if e["action"] == "campaign.publish"
    ]
    assert json.loads(trail[0]["details_json"])["uncovered_years"] == [2027]


def test_the_campaign_list_shows_the_deadline_as_soon_as_results_come_in(campaign):
    listed = campaign_list(campaign, viewer=STAFF, today=TODAY)
    assert listed.loc[0, "due_on"] is None and listed.loc[0, "due_state"] == ""
    record_outcome(campaign, _ok(inspected_on=dt.date(2026, 10, 9)), actor=BUREAU_GD, today=TODAY)
    listed = campaign_list(campaign, viewer=STAFF, today=TODAY)
    assert (listed.loc[0, "due_on"], listed.loc[0, "due_state"]) == (dt.date(2026, 11, 5), "overdue")
    soon = campaign_list(campaign, viewer=STAFF, today=dt.date(2026, 11, 2))
    assert soon.loc[0, "due_state"] == "due_soon"
    early = campaign_list(campaign, viewer=STAFF, today=dt.date(2026, 10, 12))
    assert early.loc[0, "due_state"] == ""
    record_outcome(
        campaign, _ok(2, inspected_on=dt.date(2026, 12, 4)), actor=BUREAU_GD, today=dt.date(2026, 12, 5)
    )
    later = campaign_list(campaign, viewer=STAFF, today=dt.date(2026, 12, 5))
    assert (later.loc[0, "due_on"], bool(later.loc[0, "due_provisional"])) == (dt.date(2027, 1, 4), True)


def test_many_results_at_once_are_all_or_nothing_with_problems_by_position(campaign):
    before = _snapshot(campaign)
    with pytest.raises(WorkflowError) as refused:
        record_outcomes(
            campaign,
            1,
            [_ok(1), _ok(2, method="x"), _ok(1)],
            actor=BUREAU_GD,
            source="grid",
            today=TODAY,
        )
    assert refused.value.code == "rows_invalid"
    assert [(i, p.field, p.code) for i, p in refused.value.fields["problems"]] == [
        (1, "method", "not_in_vocabulary"),
        (2, "target_id", "duplicate_target"),
    ]
    assert _snapshot(campaign) == before
    ids = record_outcomes(campaign, 1, [_ok(1), _violation(2)], actor=BUREAU_GD, source="grid", today=TODAY)
    assert len(ids) == 2
    bulk = [
        e for e in audit_trail(campaign, entity="campaign", entity_id=1) if e["action"] == "outcomes.bulk"
    ]
    assert json.loads(bulk[0]["details_json"])["outcome_ids"] == ids
    assert verify_rows(campaign).changed == ()
    with pytest.raises(WorkflowError) as again:
        record_outcomes(campaign, 1, [_ok(1)], actor=BUREAU_GD, source="grid", today=TODAY)
    assert [p.code for _i, p in again.value.fields["problems"]] == ["outcome_exists"]


def _published_row(engine) -> tuple:
    table = Campaign.__table__
    with engine.connect() as connection:
        return connection.execute(select(table.c.status, table.c.published_on)).one()


@pytest.mark.parametrize(
    ("on", "code", "fields"),
    [
        (dt.date(2030, 1, 1), "publication_in_future", {"on": "2030-01-01", "today": "2026-11-30"}),
        (dt.date(2026, 12, 1), "publication_in_future", {"on": "2026-12-01", "today": "2026-11-30"}),
        (dt.date(2026, 10, 8), "publication_before_results", {"on": "2026-10-08", "formed_on": "2026-10-09"}),
        (dt.date(2026, 8, 1), "publication_before_results", {"on": "2026-08-01", "formed_on": "2026-10-09"}),
    ],
)
def test_a_publication_in_the_future_or_before_the_results_is_refused_and_nothing_written(
    campaign, on, code, fields
):
    for target_id in (1, 2):
        outcome_id = record_outcome(campaign, _ok(target_id), actor=BUREAU_GD, today=TODAY)
        review_outcome(campaign, outcome_id, decision="approved", actor=SUPERVISOR)
    with campaign.connect() as connection:
        audit_before = connection.execute(select(func.count()).select_from(AuditEntry.__table__)).scalar_one()
    with pytest.raises(WorkflowError) as refused:
        publish_campaign(campaign, 1, on=on, actor=SUPERVISOR, today=TODAY)
    assert refused.value.code == code and refused.value.fields == fields
    assert _published_row(campaign) == ("completed", None)
    with campaign.connect() as connection:
        audit_after = connection.execute(select(func.count()).select_from(AuditEntry.__table__)).scalar_one()
    assert audit_after == audit_before
    # the day the results were formed, and today, are both allowed
    publish_campaign(campaign, 1, on=dt.date(2026, 10, 9), actor=SUPERVISOR, today=TODAY)
    assert _published_row(campaign) == ("published", dt.date(2026, 10, 9))


def test_the_default_today_is_china_today_by_the_store_clock(campaign):
    for target_id in (1, 2):
        outcome_id = record_outcome(campaign, _ok(target_id), actor=BUREAU_GD, today=TODAY)
        review_outcome(campaign, outcome_id, decision="approved", actor=SUPERVISOR)
    tomorrow = china_today() + dt.timedelta(days=1)
    with pytest.raises(WorkflowError) as refused:
        publish_campaign(campaign, 1, on=tomorrow, actor=SUPERVISOR)
    assert refused.value.code == "publication_in_future"
    assert refused.value.fields["today"] == china_today().isoformat()
