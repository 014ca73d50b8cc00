"""The seeded campaigns, of certificates and of institutions, went through the real lottery: every one
re-derives from its frozen population, its public bundle verifies, the audit log covers them (and catches
a row changed behind the app's back), and the workload cap held across each year's campaigns."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import zipfile

import pandas as pd
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli.main import app
from models.audit import verify_chain, verify_rows
from models.bundle import build_bundle, check_bundle
from models.draw_record_export import stored_draw_record
from models.frames import LAST_DRAWN
from models.frozen import load_frozen
from models.lottery import reveal_differences
from sampler.verify import verify_record
from seed import calibration as cal
from tests.support.actors import STAFF

runner = CliRunner()


def _draw_ids(engine, unit_type: str | None = None) -> list[int]:
    """Committed draws of the campaigns of ``unit_type`` (None: every one), in id order."""
    with engine.connect() as connection:
        return (
            connection.execute(
                text(
                    "SELECT d.id FROM draw d JOIN campaign c ON c.id = d.campaign_id "
                    "WHERE c.unit_type = coalesce(:kind, c.unit_type) ORDER BY d.id"
                ),
                {"kind": unit_type},
            )
            .scalars()
            .all()
        )


def _campaign_of(engine, draw_id: int) -> int:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT campaign_id FROM draw WHERE id = :d"), {"d": draw_id}
        ).scalar_one()


def test_every_seeded_campaign_re_derives_from_its_frozen_population(demo_engine):
    assert len(_draw_ids(demo_engine, "certificate")) >= 70
    assert len(_draw_ids(demo_engine, "institution")) == len(cal.CAMPAIGN_YEARS)  # one a year
    ids = _draw_ids(demo_engine)
    with demo_engine.connect() as connection:
        assert (
            connection.execute(text("SELECT count(*) FROM draw WHERE sampler_version = 'seed-1'")).scalar()
            == 0
        )
    for draw_id in ids:
        record = stored_draw_record(demo_engine, draw_id).record
        assert record is not None, draw_id
        assert record["sampler_version"] != "seed-1" and record["lottery"]["attempts"] == 1
        frame = load_frozen(demo_engine, record["frame_hash"], kind="frame")
        pool = load_frozen(demo_engine, record["assignment"]["pool_hash"], kind="pool")
        result = verify_record(record, frame, pool)
        assert result.match, (draw_id, result.differences[:3])
        assert reveal_differences(record) == []
        drawn_on = record["drawn_at"][:10]
        assert record["campaign"]["year"] == int(drawn_on[:4])  # drawn in its own year, stamped then


def test_a_seeded_institution_campaign_draws_institutions_by_risk_grade(demo_engine):
    draw_id = _draw_ids(demo_engine, "institution")[-1]
    record = stored_draw_record(demo_engine, draw_id).record
    assert record["plan"]["strata"] == ["risk_grade"]
    frame = load_frozen(demo_engine, record["frame_hash"], kind="frame").set_index("unit_id")
    units = record["draw"]["units"]
    assert {u["stratum"] for u in units} == set(cal.INSTITUTION_SAMPLING_RATIO) & set(frame["risk_grade"])
    assert all(frame.loc[u["unit_id"], "risk_grade"] == u["stratum"] for u in units)
    with demo_engine.connect() as connection:
        targets = connection.execute(
            text("SELECT certificate_id, institution_id FROM drawtarget WHERE draw_id = :d"), {"d": draw_id}
        ).all()
        # an institution's last draw, as the frozen frame knew it: its latest earlier institution campaign
        earlier = dict(
            connection.execute(
                text(
                    "SELECT t.institution_id, max(date(d.drawn_at)) FROM drawtarget t "
                    "JOIN draw d ON d.id = t.draw_id WHERE t.certificate_id IS NULL AND d.id < :d "
                    "GROUP BY t.institution_id"
                ),
                {"d": draw_id},
            ).all()
        )
    assert {c for c, _ in targets} == {None}
    assert sorted(i for _, i in targets) == sorted(u["unit_id"] for u in units)
    expected = {i: earlier[i] for i in frame.index if i in earlier}
    assert expected and frame[LAST_DRAWN].dropna().to_dict() == expected  # not certificates' dates


def test_every_seeded_campaigns_public_bundle_verifies(demo_engine):
    for draw_id in _draw_ids(demo_engine):
        campaign_id = _campaign_of(demo_engine, draw_id)
        checked = check_bundle(build_bundle(demo_engine, campaign_id, actor=STAFF, to_check=True).content)
        assert checked.match, (campaign_id, checked.differences[:3])


@pytest.mark.parametrize("unit_type", ["certificate", "institution"])
def test_the_command_line_verifies_a_seeded_record_and_bundle_against_the_store(
    demo_engine, demo_sqlite, tmp_path, unit_type
):
    draw_id = _draw_ids(demo_engine, unit_type)[0]
    url = f"sqlite:///{demo_sqlite}"
    path = tmp_path / "record.json"
    path.write_text(stored_draw_record(demo_engine, draw_id).to_json(), encoding="utf-8")
    result = runner.invoke(app, ["verify", "--record", str(path), "--database-url", url])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("match")
    bundle = tmp_path / "bundle.zip"
    campaign_id = str(_campaign_of(demo_engine, draw_id))
    written = runner.invoke(
        app, ["campaign", "bundle", "--campaign", campaign_id, "--output", str(bundle), "--database-url", url]
    )
    assert written.exit_code == 0, written.output
    result = runner.invoke(app, ["verify", "--bundle", str(bundle)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("match")


def test_an_institution_campaigns_bundle_names_the_institutions(demo_engine):
    campaign_id = _campaign_of(demo_engine, _draw_ids(demo_engine, "institution")[-1])
    with zipfile.ZipFile(io.BytesIO(build_bundle(demo_engine, campaign_id, actor=STAFF).content)) as bundle:
        frame = pd.read_csv(bundle.open("frame.csv"), dtype=str, keep_default_na=False)
    with demo_engine.connect() as connection:
        names = dict(connection.execute(text("SELECT CAST(id AS TEXT), name FROM institution")).all())
    assert (frame["certificate_number"] == "").all() and (frame["organisation"] == "").all()
    assert frame["institution"].tolist() == frame["unit_id"].map(names).tolist()
    assert (frame["institution"] != "").all()


def test_the_audit_log_covers_the_seeded_campaigns_and_catches_a_changed_row(
    demo_engine, demo_sqlite, tmp_path
):
    chain = verify_chain(demo_engine)
    assert chain.broken_entry is None and chain.entries > 1000
    assert verify_rows(demo_engine).changed == ()
    with demo_engine.connect() as connection:
        actions = dict(
            connection.execute(text("SELECT action, count(*) FROM auditentry GROUP BY action")).all()
        )
        stamps = connection.execute(text("SELECT min(recorded_at), max(recorded_at) FROM auditentry")).one()
    draws = len(_draw_ids(demo_engine))
    assert actions["draw.open"] == actions["draw.attempt"] == actions["draw.commit"] == draws
    # results: one batch per province and campaign, approved once per campaign, then published
    assert actions["outcomes.bulk"] > 500 and actions["campaign.publish"] > 50
    assert actions["outcomes.approve"] == actions["campaign.publish"]
    with demo_engine.connect() as connection:  # every outcome was entered in bulk through the workflow
        bulk = connection.execute(text("SELECT details_json FROM auditentry WHERE action = 'outcomes.bulk'"))
        entered = sum(json.loads(details)["outcomes"] for (details,) in bulk)
        outcomes = connection.execute(text("SELECT count(*) FROM inspectionoutcome")).scalar_one()
    assert entered == outcomes > 1000
    assert str(stamps[0]) < "2018" and str(stamps[1]) <= str(cal.AS_OF) + " 23:59"  # historical moments
    copy = tmp_path / "tampered.db"
    shutil.copy(demo_sqlite, copy)
    with sqlite3.connect(copy) as connection:
        connection.execute(
            "UPDATE assignment SET inspector_id = (SELECT max(id) FROM inspector) "
            "WHERE target_id = (SELECT max(target_id) FROM assignment) AND role = 'lead'"
        )
    result = runner.invoke(app, ["audit", "verify", "--database-url", f"sqlite:///{copy}"])
    assert result.exit_code == 1, result.output
    assert "draw_assignments" in result.output


def test_the_workload_cap_held_across_each_years_campaigns(demo_engine):
    with demo_engine.connect() as connection:
        loads = pd.read_sql(
            text(
                "SELECT a.inspector_id, c.year, count(*) AS teams FROM assignment a "
                "JOIN drawtarget t ON t.id = a.target_id JOIN draw d ON d.id = t.draw_id "
                "JOIN campaign c ON c.id = d.campaign_id GROUP BY 1, 2"
            ),
            connection,
        )
    assert loads["teams"].max() <= cal.WORKLOAD_CAP
    assert loads["teams"].max() >= 2  # the cap is not vacuous: inspectors serve on several teams a year


@pytest.mark.parametrize("year", [2019, 2026])
def test_a_seeded_years_pool_knew_the_teams_of_that_years_earlier_campaigns(demo_engine, year):
    with demo_engine.connect() as connection:
        draw_ids = (
            connection.execute(
                text(
                    "SELECT d.id FROM draw d JOIN campaign c ON c.id = d.campaign_id "
                    "WHERE c.year = :year AND c.unit_type = 'certificate' ORDER BY d.drawn_at"
                ),
                {"year": year},
            )
            .scalars()
            .all()
        )
    last = stored_draw_record(demo_engine, draw_ids[-1]).record
    pool = load_frozen(demo_engine, last["assignment"]["pool_hash"], kind="pool")
    assert pool["prior_load"].sum() > 0
