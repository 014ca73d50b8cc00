"""Campaigns page: outcomes recorded through the form, publication after the last one, errors kept whole."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from dashboard import planner
from models.db import make_engine
from models.frames import load_certificate_frame, load_inspector_pool
from models.outcome_entry import OutcomeRecord, china_today
from models.queries.planning import stratum_population
from models.results import record_outcome
from models.workdays import add_working_days
from tests.dashboard.conftest import APP
from tests.support.actors import PLANNER, SUPERVISOR
from tests.support.apptest import sign_in
from tests.support.results import approve_all


@pytest.fixture
def small_campaign(demo_database_url, tmp_path, monkeypatch) -> tuple[str, int]:
    """A private database copy holding one committed EnMS draw of three targets."""
    target = tmp_path / "campaigns.db"
    shutil.copyfile(demo_database_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("REGDASH_DATABASE_URL", url)
    engine = make_engine(url)
    population = stratum_population(engine, schemes=("EnMS",))
    largest = population.sort_values("N", ascending=False)["region_code"].iloc[:3].tolist()
    quotas = population.assign(n=population["region_code"].isin(largest).astype(int))
    live = planner.live_draw(
        load_certificate_frame(engine, schemes=("EnMS",)),
        load_inspector_pool(engine),
        quotas,
        seed=11,
        inspection_date=dt.date(2026, 12, 1),
        team_size=2,
        cap=2,
        cross_region=False,
    )
    draw_id = planner.commit_live_draw(
        engine, live, campaign_name="测试能源管理体系抽查", year=2027, scheme="EnMS", actor=PLANNER
    )
    with engine.connect() as connection:
        campaign_id = connection.execute(
            text("SELECT campaign_id FROM draw WHERE id = :d"), {"d": draw_id}
        ).scalar_one()
    engine.dispose()
    return url, int(campaign_id)


def _scalar(url: str, statement: str, **params) -> object:
    engine = make_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text(statement), params).scalar_one()
    engine.dispose()
    return value


def _open(campaign_id: int, lang: str = "en") -> AppTest:
    at = sign_in(AppTest.from_file(APP, default_timeout=120), SUPERVISOR)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("dashboard/pages/campaigns.py").run()
    at.selectbox(key="camp_pick").set_value(campaign_id).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _target_ids(at: AppTest) -> list[int]:
    """The open targets offered by the outcome form (labels read ``id · certificate · organisation``)."""
    return [int(label.split(" · ")[0]) for label in at.selectbox(key="camp_record_target").options]


def _submit(at: AppTest, *, outcome: str, findings: list[str], target: int | None = None) -> AppTest:
    chooser = at.selectbox(key="camp_record_target")
    chooser.set_value(target if target is not None else _target_ids(at)[0])
    form_boxes = [box for box in at.selectbox if box.key not in ("camp_pick", "camp_record_target")]
    form_boxes[1].set_value(outcome)  # method, outcome, follow-up
    at.multiselect[0].set_value(findings)
    next(b for b in at.button if b.label == "Save outcome").click()
    return at.run()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_shows_the_campaign_and_its_audit_record(small_campaign, lang):
    url, campaign_id = small_campaign
    at = _open(campaign_id, lang)
    seed = _scalar(url, "SELECT seed FROM draw WHERE campaign_id = :c", c=campaign_id)
    assert any(f"{seed}" in md.value for md in at.markdown)


def test_a_violation_without_findings_is_refused_and_nothing_is_written(small_campaign):
    url, campaign_id = small_campaign
    at = _submit(_open(campaign_id), outcome="violation", findings=[])
    assert [e.value for e in at.error] == [
        "finding categories: a violation needs at least one finding category"
    ]
    assert _scalar(url, "SELECT count(*) FROM inspectionoutcome") == _scalar(
        url,
        "SELECT count(*) FROM inspectionoutcome WHERE target_id NOT IN "
        "(SELECT t.id FROM drawtarget t JOIN draw d ON d.id = t.draw_id WHERE d.campaign_id = :c)",
        c=campaign_id,
    )


def test_a_target_recorded_meanwhile_by_someone_else_is_not_swapped_for_another(small_campaign):
    url, campaign_id = small_campaign
    at = _open(campaign_id)
    chosen, other = _target_ids(at)[:2]
    engine = make_engine(url)
    record_outcome(  # another user records the chosen target first
        engine,
        OutcomeRecord(
            target_id=chosen, inspected_on=china_today(), method="onsite", outcome_code="no_violation"
        ),
        actor=SUPERVISOR,
    )
    engine.dispose()
    before = _scalar(url, "SELECT count(*) FROM inspectionoutcome")
    at = _submit(at, outcome="refused", findings=[], target=chosen)
    assert not at.exception
    assert _scalar(url, "SELECT count(*) FROM inspectionoutcome") == before
    assert _scalar(url, "SELECT count(*) FROM inspectionoutcome WHERE target_id = :t", t=other) == 0
    assert at.error  # refused with a message, not saved on another target


def test_outcomes_then_publication_with_a_working_day_deadline(small_campaign):
    url, campaign_id = small_campaign
    at = _open(campaign_id)
    assert next(b for b in at.button if b.key == "camp_publish").disabled
    at = _submit(at, outcome="violation", findings=["audit_time_cut"])
    for _ in range(2):
        at = _submit(at, outcome="no_violation", findings=[])
    assert not at.exception
    recorded = _scalar(
        url,
        "SELECT count(*) FROM inspectionoutcome o JOIN drawtarget t ON t.id = o.target_id "
        "JOIN draw d ON d.id = t.draw_id WHERE d.campaign_id = :c",
        c=campaign_id,
    )
    assert recorded == 3
    approve_all(make_engine(url), campaign_id)
    at.run()
    at.button(key="camp_publish").click().run()
    assert not at.exception
    formed_on = _scalar(
        url,
        "SELECT max(o.inspected_on) FROM inspectionoutcome o JOIN drawtarget t ON t.id = o.target_id "
        "JOIN draw d ON d.id = t.draw_id WHERE d.campaign_id = :c",
        c=campaign_id,
    )
    expected = add_working_days(dt.date.fromisoformat(formed_on), 20).due_on
    assert _scalar(url, "SELECT status FROM campaign WHERE id = :c", c=campaign_id) == "published"
    assert (
        _scalar(url, "SELECT publish_deadline FROM campaign WHERE id = :c", c=campaign_id)
        == expected.isoformat()
    )


def test_a_campaign_without_a_draw_offers_no_outcome_entry_or_publication(
    demo_database_url, sql, monkeypatch
):
    monkeypatch.setenv("REGDASH_DATABASE_URL", demo_database_url)
    planned = sql("SELECT min(id) FROM campaign WHERE status = 'planned'")
    at = _open(planned)
    assert not [b for b in at.button if b.key == "camp_publish"]
    assert not at.get("form")


def _choose_target(at: AppTest, target: int) -> None:
    at.selectbox(key="camp_record_target").set_value(target)


def test_a_refused_save_keeps_the_input_and_says_why_in_chinese(small_campaign):
    url, campaign_id = small_campaign
    at = _open(campaign_id, "zh")
    target = _target_ids(at)[0]
    _choose_target(at, target)
    at.selectbox(key="camp_rec_outcome").set_value("violation")
    at.text_area(key="camp_rec_findings_text").input("审核人日不足")
    next(b for b in at.button if b.label == "保存结果").click()
    at.run()
    assert [e.value for e in at.error] == ["问题类别：结论为发现违法违规时，至少选择一个问题类别"]
    assert at.text_area(key="camp_rec_findings_text").value == "审核人日不足"
    assert at.selectbox(key="camp_record_target").value == target
    assert at.selectbox(key="camp_rec_outcome").value == "violation"
    assert _scalar(url, "SELECT count(*) FROM inspectionoutcome WHERE target_id = :t", t=target) == 0


def test_a_save_issues_a_new_submission_key_and_clears_the_form(small_campaign):
    url, campaign_id = small_campaign
    at = _open(campaign_id)
    at.session_state["camp_submission"] = "first-form"
    target = _target_ids(at)[0]
    _choose_target(at, target)
    at.text_input(key="camp_rec_inspectors").input("检查员甲")
    next(b for b in at.button if b.label == "Save outcome").click()
    at.run()
    assert not at.exception and not at.error
    assert _scalar(url, "SELECT submission_key FROM inspectionoutcome WHERE target_id = :t", t=target) == (
        "first-form"
    )
    assert at.session_state["camp_submission"] != "first-form"
    assert at.text_input(key="camp_rec_inspectors").value == ""
    assert target not in _target_ids(at)
    assert at.success[0].value == f"Outcome of target {target} saved"


def test_review_and_correction_from_the_page(small_campaign):
    url, campaign_id = small_campaign
    engine = make_engine(url)
    first = _scalar(
        url,
        "SELECT min(t.id) FROM drawtarget t JOIN draw d ON d.id = t.draw_id WHERE d.campaign_id = :c",
        c=campaign_id,
    )
    outcome_id = record_outcome(
        engine,
        OutcomeRecord(
            target_id=first, inspected_on=china_today(), method="onsite", outcome_code="no_violation"
        ),
        actor=SUPERVISOR,
    )
    engine.dispose()
    at = _open(campaign_id)
    at.selectbox(key="camp_review_pick").set_value(outcome_id)
    at.button(key="camp_return").click().run()
    assert [e.value for e in at.error] == ["returning a result needs a note"]
    at.text_input(key="camp_review_note").input("缺少现场照片")
    at.button(key="camp_return").click().run()
    status = "SELECT review_status FROM inspectionoutcome WHERE id = :o"
    assert _scalar(url, status, o=outcome_id) == "returned"
    at.selectbox(key="camp_fix_pick").set_value(outcome_id).run()
    at.selectbox(key="camp_corr_outcome").set_value("refused")
    next(b for b in at.button if b.label == "Save the correction").click()
    at.run()
    assert [e.value for e in at.error] == ["Please give a reason."]  # the one reason_required text
    assert at.selectbox(key="camp_corr_outcome").value == "refused"  # kept for the next try
    at.text_input(key="camp_fix_reason").input("企业拒绝配合，原记录有误")
    next(b for b in at.button if b.label == "Save the correction").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    row = (
        "SELECT outcome_code || '/' || revision || '/' || review_status FROM inspectionoutcome WHERE id = :o"
    )
    assert _scalar(url, row, o=outcome_id) == "refused/2/pending"
    kept = "SELECT reason FROM outcomerevision WHERE outcome_id = :o"
    assert _scalar(url, kept, o=outcome_id) == "企业拒绝配合，原记录有误"
    at.selectbox(key="camp_review_pick").set_value(outcome_id)
    at.button(key="camp_approve").click().run()
    assert _scalar(url, status, o=outcome_id) == "approved"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_publication_says_what_is_missing(small_campaign, lang):
    _url, campaign_id = small_campaign
    at = _open(campaign_id, lang)
    assert at.button(key="camp_publish").disabled
    expected = {
        "zh": "尚不能公示：3 个对象未录入结果",
        "en": "not ready to publish: 3 target(s) without a result",
    }
    assert any(expected[lang] in caption.value for caption in at.caption)


def test_a_planner_picks_the_campaigns_checklist_items_and_the_form_scores_them(small_campaign):
    from tests.support.actors import PLANNER as planner

    url, campaign_id = small_campaign
    at = sign_in(AppTest.from_file(APP, default_timeout=120), planner)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("dashboard/pages/campaigns.py").run()
    at.selectbox(key="camp_pick").set_value(campaign_id).run()
    picker = at.multiselect(key="camp_items_pick")
    codes = [option.split()[0] for option in picker.options]
    assert "RZ-09" not in codes and "RZ-03" in codes  # items for institutions are left out
    picker.set_value(["RZ-05", "RZ-03"])
    at.button(key="camp_items_save").click().run()
    assert not at.exception
    picked = (
        "SELECT group_concat(item_code, ',') FROM "
        "(SELECT item_code FROM campaignitem WHERE campaign_id = :c ORDER BY position)"
    )
    assert _scalar(url, picked, c=campaign_id) == "RZ-05,RZ-03"
    at = _open(campaign_id)  # the supervisor's form now asks for each item's result and score
    target = _target_ids(at)[0]
    _choose_target(at, target)
    at.selectbox(key="camp_rec_item_RZ-03").set_value("nonconform")
    at.number_input(key="camp_rec_score_RZ-03").set_value(3.0)
    next(b for b in at.button if b.label == "Save outcome").click()
    at.run()
    assert [e.value for e in at.error] == [
        "checklist item: item RZ-03 does not conform, so the outcome cannot be 'no violation'"
    ]
    at.selectbox(key="camp_rec_outcome").set_value("violation")
    at.multiselect(key="camp_rec_findings").set_value(["audit_time_cut"])
    next(b for b in at.button if b.label == "Save outcome").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    scored = (
        "SELECT result || '/' || score FROM outcomeitem i "
        "JOIN inspectionoutcome o ON o.id = i.outcome_id WHERE o.target_id = :t"
    )
    assert _scalar(url, scored, t=target) == "nonconform/3.0"
