"""The seeded certificate campaigns went through the real lottery: every one re-derives from its frozen
population, the audit log covers them (and catches a row changed behind the app's back), and the
workload cap held across each year's campaigns."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pandas as pd
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli.main import app
from models.audit import verify_chain, verify_rows
from models.draw_record_export import stored_draw_record
from models.frozen import load_frozen
from models.lottery import reveal_differences
from sampler.verify import verify_record
from seed import calibration as cal

runner = CliRunner()


def _draw_ids(engine, unit_type: str) -> list[int]:
    with engine.connect() as connection:
        return (
            connection.execute(
                text(
                    "SELECT d.id FROM draw d JOIN campaign c ON c.id = d.campaign_id "
                    "WHERE c.unit_type = :kind ORDER BY d.id"
                ),
                {"kind": unit_type},
            )
            .scalars()
            .all()
        )


def test_every_seeded_certificate_campaign_re_derives_from_its_frozen_population(demo_engine):
    ids = _draw_ids(demo_engine, "certificate")
    assert len(ids) >= 70
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


def test_the_command_line_verifies_a_seeded_record_against_the_store(demo_engine, demo_sqlite, tmp_path):
    draw_id = _draw_ids(demo_engine, "certificate")[0]
    path = tmp_path / "record.json"
    path.write_text(stored_draw_record(demo_engine, draw_id).to_json(), encoding="utf-8")
    result = runner.invoke(
        app, ["verify", "--record", str(path), "--database-url", f"sqlite:///{demo_sqlite}"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("match")


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
    certificate_draws = len(_draw_ids(demo_engine, "certificate"))
    assert actions["draw.open"] == actions["draw.attempt"] == actions["draw.commit"] == certificate_draws
    assert actions["campaign.publish"] > 50 and actions["outcomes.approve"] >= actions["campaign.publish"]
    with demo_engine.connect() as connection:  # every outcome of a certificate draw was entered in bulk
        bulk = connection.execute(text("SELECT details_json FROM auditentry WHERE action = 'outcomes.bulk'"))
        entered = sum(json.loads(details)["outcomes"] for (details,) in bulk)
        outcomes = connection.execute(
            text(
                "SELECT count(*) FROM inspectionoutcome o JOIN drawtarget t ON t.id = o.target_id "
                "WHERE t.certificate_id IS NOT NULL"
            )
        ).scalar_one()
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


def test_the_workload_cap_held_across_each_years_certificate_campaigns(demo_engine):
    with demo_engine.connect() as connection:
        loads = pd.read_sql(
            text(
                "SELECT a.inspector_id, c.year, count(*) AS teams FROM assignment a "
                "JOIN drawtarget t ON t.id = a.target_id JOIN draw d ON d.id = t.draw_id "
                "JOIN campaign c ON c.id = d.campaign_id WHERE c.unit_type = 'certificate' GROUP BY 1, 2"
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
