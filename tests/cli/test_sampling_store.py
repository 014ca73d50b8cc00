"""The sampling commands on a frame and inspector pool read from a seeded store, end to end."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import text

from models.db import make_engine

PLAN = """\
seed: 20261124
strata: [region, scheme]
n: 300
allocation: {method: proportional, minimum: 1}
assumed: {rate: 0.02}
tolerable: 0.05
confidence: 0.95
institution_column: institution_id
simulation: {replications: 2000}
assignment: {team_size: 2, cap: 3, inspection_date: 2026-12-01, cross_region: true}
"""


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory) -> str:
    from seed.build import seed_database

    url = f"sqlite:///{tmp_path_factory.mktemp('cli-store') / 'regdash.db'}"
    seed_database(url, scale="demo", seed=20171201)
    return url


def regdash(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, timeout=300
    )


def test_power_draw_and_verify_against_the_store(seeded_url, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN)
    power = regdash("power", "--plan", str(plan), "--database-url", seeded_url, "--json")
    assert power.returncode == 0, power.stderr
    engine = make_engine(seeded_url)
    with engine.connect() as connection:
        valid = connection.execute(
            text("SELECT count(*) FROM certificate WHERE status = 'valid'")
        ).scalar_one()
    engine.dispose()
    report = json.loads(power.stdout)
    assert sum(row["N"] for row in report["strata"]) == valid
    assert sum(row["n"] for row in report["strata"]) == report["n"] == 300

    record = tmp_path / "record.json"
    drawn = regdash("draw", "--plan", str(plan), "--database-url", seeded_url, "--output", str(record))
    assert drawn.returncode == 0, drawn.stderr
    assert len(json.loads(record.read_text())["frame_hash"]) == 64

    verified = regdash("verify", "--record", str(record), "--database-url", seeded_url, "--plan", str(plan))
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("match")


def test_verify_reports_a_changed_frame(seeded_url, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN)
    record = tmp_path / "record.json"
    assert (
        regdash("draw", "--plan", str(plan), "--database-url", seeded_url, "--output", str(record)).returncode
        == 0
    )
    engine = make_engine(seeded_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE certificate SET status = 'suspended' WHERE id = (SELECT min(id) FROM "
                "certificate WHERE status = 'valid')"
            )
        )
    engine.dispose()
    verified = regdash("verify", "--record", str(record), "--database-url", seeded_url, "--plan", str(plan))
    assert verified.returncode == 1
    assert verified.stdout.startswith("MISMATCH")
    assert "frame_hash: recorded" in verified.stdout


def test_a_draw_from_the_store_can_exclude_recently_drawn_certificates(seeded_url, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "seed: 7\nn: 40\nassumed: {rate: 0.05}\n"
        "exclude_recent: {months: 12, as_of: 2026-10-31, column: last_drawn_on}\n"
    )
    record = tmp_path / "record.json"
    drawn = regdash("draw", "--plan", str(plan), "--database-url", seeded_url, "--output", str(record))
    assert drawn.returncode == 0, drawn.stderr
    data = json.loads(record.read_text())
    engine = make_engine(seeded_url)
    with engine.connect() as connection:  # independently: valid certificates drawn on or after the cut-off
        recent = set(
            connection.execute(
                text(
                    "SELECT DISTINCT t.certificate_id FROM drawtarget t JOIN draw d ON d.id = t.draw_id "
                    "JOIN certificate c ON c.id = t.certificate_id "
                    "WHERE c.status = 'valid' AND substr(d.drawn_at, 1, 10) >= '2025-10-31'"
                )
            ).scalars()
        )
    engine.dispose()
    exclusion = data["draw"]["params"]["exclusion"]
    assert exclusion["cutoff"] == "2025-10-31" and exclusion["excluded"] == len(recent) > 0
    assert not recent & {int(unit["unit_id"]) for unit in data["draw"]["units"]}
    verified = regdash("verify", "--record", str(record), "--database-url", seeded_url)
    assert verified.returncode == 0 and verified.stdout.startswith("match"), verified.stdout
