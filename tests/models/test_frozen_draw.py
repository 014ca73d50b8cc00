"""A draw opened on a frozen population, on both engines: certificates expiring and inspectors edited
after opening change neither the preview nor the commit, and the committed record still verifies."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import insert, update
from typer.testing import CliRunner

from cli.main import app
from dashboard import planner
from models import Inspector, InspectorScheme
from models.access import Role
from models.draw_record_export import export_draw_record
from models.frames import LAST_DRAWN, load_certificate_frame, load_inspector_pool
from models.lottery import open_draw, session_population
from models.maintenance import expire_certificates
from tests.support.actors import ADMIN, PLANNER

runner = CliRunner()
QUOTAS = pd.DataFrame({"region_code": ["440000"], "N": [3], "n": [2]})


@pytest.fixture
def competent(store):
    """The `store` (3 Guangdong QMS certificates, inspectors 1 and 2) with both inspectors QMS-competent."""
    with store.begin() as connection:
        connection.execute(
            insert(InspectorScheme.__table__), [{"inspector_id": i, "scheme_code": "QMS"} for i in (1, 2)]
        )
    return store


def _inputs(team_size: int = 1) -> dict:
    return planner.draw_inputs(
        scheme="QMS",
        year=2027,
        quotas=QUOTAS,
        inspection_date=dt.date(2026, 12, 1),
        team_size=team_size,
        cap=2,
        cross_region=False,
    )


def _verify(engine, record: dict, tmp_path):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    url = engine.url.render_as_string(hide_password=False)
    return runner.invoke(app, ["verify", "--record", str(path), "--database-url", url, "--json"])


def test_expiry_and_inspector_edits_after_opening_change_nothing_and_the_record_verifies(competent, tmp_path):
    store = competent
    session = open_draw(
        store,
        campaign_name="固化测试",
        year=2027,
        scheme="QMS",
        frame=load_certificate_frame(store, schemes=("QMS",)),
        pool=load_inspector_pool(store),
        actor=PLANNER,
    )
    before = planner.draw_preview(store, session.id, QUOTAS, _inputs(), actor=PLANNER)
    targets, teams = planner.result_frames(before.live)
    assert len(targets) == 2 and len(teams) == 2

    # the register moves on: every certificate expires, one inspector leaves, the other loses QMS
    assert expire_certificates(store, today=dt.date(2028, 1, 2), actor=ADMIN) == 3
    with store.begin() as connection:
        connection.execute(
            update(Inspector.__table__).where(Inspector.__table__.c.id == 1).values(active=False)
        )
        connection.execute(
            InspectorScheme.__table__.delete().where(InspectorScheme.__table__.c.inspector_id == 2)
        )
    assert load_certificate_frame(store, schemes=("QMS",)).empty

    frame, pool = session_population(store, session.id)
    assert len(frame) == 3 and pool["active"].all() and (pool["schemes"] == "QMS").all()
    after = planner.draw_preview(store, session.id, QUOTAS, _inputs(), actor=PLANNER)
    assert after.attempt_id == before.attempt_id  # same inputs: the same attempt, nothing re-opened
    again_targets, again_teams = planner.result_frames(after.live)
    pd.testing.assert_frame_equal(again_targets, targets)
    pd.testing.assert_frame_equal(again_teams, teams)  # the teams are unchanged

    planner.commit_preview(store, after, campaign_name="固化测试", year=2027, scheme="QMS", actor=PLANNER)
    record = export_draw_record(store, session.campaign_id, role=Role.STAFF).record
    assert record["frame_hash"] == session.frame_hash
    assert record["assignment"]["pool_hash"] == session.pool_hash
    result = _verify(store, record, tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["match"] is True


def test_a_record_edited_after_the_freeze_still_mismatches(competent, tmp_path):
    store = competent
    session = open_draw(
        store,
        campaign_name="固化测试",
        year=2027,
        scheme="QMS",
        frame=load_certificate_frame(store, schemes=("QMS",)),
        pool=load_inspector_pool(store),
        actor=PLANNER,
    )
    preview = planner.draw_preview(store, session.id, QUOTAS, _inputs(), actor=PLANNER)
    planner.commit_preview(store, preview, campaign_name="固化测试", year=2027, scheme="QMS", actor=PLANNER)
    expire_certificates(store, today=dt.date(2028, 1, 2), actor=ADMIN)
    record = export_draw_record(store, session.campaign_id, role=Role.STAFF).record
    drawn = {u["unit_id"] for u in record["draw"]["units"]}
    other = ({1, 2, 3} - drawn).pop()
    record["draw"]["units"][0]["unit_id"] = other
    result = _verify(store, record, tmp_path)
    assert result.exit_code == 1
    assert any("draw.units" in line for line in json.loads(result.output)["differences"])


def _open_and_commit(store, name: str, quotas: pd.DataFrame, exclude_months: int = 0):
    session = open_draw(
        store,
        campaign_name=name,
        year=2027,
        scheme="QMS",
        frame=load_certificate_frame(store, schemes=("QMS",)),
        pool=load_inspector_pool(store, workload_year=2027),  # the cap counts 2027's earlier campaigns
        actor=PLANNER,
    )
    inputs = planner.draw_inputs(
        scheme="QMS",
        year=2027,
        quotas=quotas,
        inspection_date=dt.date(2026, 12, 1),
        team_size=1,
        cap=2,
        cross_region=False,
        exclude_months=exclude_months,
    )
    preview = planner.draw_preview(store, session.id, quotas, inputs, actor=PLANNER)
    planner.commit_preview(store, preview, campaign_name=name, year=2027, scheme="QMS", actor=PLANNER)
    return session, preview


def test_units_drawn_in_another_campaign_within_the_window_are_excluded_and_verify_reapplies_it(
    competent, tmp_path
):
    store = competent
    _, first = _open_and_commit(store, "第一次抽查", QUOTAS)  # draws 2 of the 3 certificates
    earlier = set(first.live.draw.units["unit_id"].tolist())
    one = pd.DataFrame({"region_code": ["440000"], "N": [3], "n": [1]})
    session, second = _open_and_commit(store, "第二次抽查", one, exclude_months=6)

    frame, _pool = session_population(store, session.id)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert dict(zip(frame["unit_id"], frame[LAST_DRAWN].fillna(""), strict=True)) == {
        u: (today if u in earlier else "") for u in (1, 2, 3)
    }
    assert second.live.draw.units["unit_id"].tolist() == sorted({1, 2, 3} - earlier)
    exclusion = second.live.draw.params["exclusion"]
    assert exclusion["excluded"] == 2 and exclusion["months"] == 6 and exclusion["as_of"] == today

    record = export_draw_record(store, session.campaign_id, role=Role.STAFF).record
    assert record["draw"]["params"]["exclusion"] == exclusion
    assert record["plan"]["exclude_recent"] == {"months": 6, "as_of": today, "column": LAST_DRAWN}
    assert _verify(store, record, tmp_path).exit_code == 0

    record["plan"]["exclude_recent"]["months"] = 1
    result = _verify(store, record, tmp_path)
    assert result.exit_code == 1
    differences = json.loads(result.output)["differences"]
    assert any(d.startswith("draw.params.exclusion.months") for d in differences), differences
    assert any(d.startswith("plan") for d in differences), differences  # the store's copy disagrees too
