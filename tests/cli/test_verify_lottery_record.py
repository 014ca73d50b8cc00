"""A draw made through the lottery (open, attempt, commit) exports a record whose revealed nonce
verifies against its commitment and seed; an edited nonce, commitment or seed is named."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboard import planner
from models.access import Role
from models.db import make_engine
from models.draw_record_export import export_draw_record
from models.frames import load_certificate_frame, load_inspector_pool
from models.lottery import commitment_of, open_draw, seed_of
from models.queries.planning import stratum_population
from tests.cli.test_verify_exported_record import _verify
from tests.support.actors import PLANNER


@pytest.fixture(scope="module")
def lottery_record(tmp_path_factory):
    from seed.build import seed_database

    url = f"sqlite:///{tmp_path_factory.mktemp('verify-lottery') / 'regdash.db'}"
    seed_database(url, scale="demo", seed=20171201)
    engine = make_engine(url)
    frame = load_certificate_frame(engine, schemes=("EnMS",))
    population = stratum_population(engine, schemes=("EnMS",))
    largest = population.sort_values("N", ascending=False)["region_code"].iloc[:3].tolist()
    quotas = population.assign(n=population["region_code"].isin(largest).astype(int) * 2)
    session = open_draw(
        engine,
        campaign_name="抽签测试",
        year=2027,
        scheme="EnMS",
        frame=frame,
        pool=load_inspector_pool(engine),
        actor=PLANNER,
    )
    inputs = planner.draw_inputs(
        scheme="EnMS",
        year=2027,
        quotas=quotas,
        inspection_date=dt.date(2026, 12, 1),
        team_size=2,
        cap=3,
        cross_region=False,
    )
    preview = planner.draw_preview(engine, session.id, quotas, inputs, actor=PLANNER)
    planner.commit_preview(engine, preview, campaign_name="抽签测试", year=2027, scheme="EnMS", actor=PLANNER)
    export = export_draw_record(engine, session.campaign_id, role=Role.STAFF)
    engine.dispose()
    return url, export.record, session.commitment


def test_the_lottery_record_verifies_and_reveals_the_committed_nonce(lottery_record, tmp_path):
    url, record, commitment = lottery_record
    lottery = record["lottery"]
    assert lottery["commitment"] == commitment == commitment_of(lottery["nonce"])
    assert seed_of(lottery["nonce"]) == record["seed"]
    result = _verify(url, record, tmp_path)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "field, value, named",
    [
        ("nonce", "00" * 32, "lottery.commitment"),
        ("commitment", "11" * 32, "lottery.commitment"),
    ],
)
def test_an_edited_reveal_is_named(lottery_record, tmp_path, field, value, named):
    url, record, _ = lottery_record
    edited = json.loads(json.dumps(record))
    edited["lottery"][field] = value
    result = _verify(url, edited, tmp_path)
    assert result.exit_code == 1
    assert any(d.startswith(named) for d in json.loads(result.stdout)["differences"])
