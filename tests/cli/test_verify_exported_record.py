"""A live draw committed through the planner, exported from the store, verified by `regdash verify`.

Any edit of the exported record is a mismatch (exit 1) naming the field; a record relabelled as
another campaign's disagrees with the store; malformed records are one `error:` line (exit 2).
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli.main import app
from dashboard import planner
from models.access import Role
from models.db import make_engine
from models.draw_record_export import export_draw_record, stored_draw_record
from models.frames import load_certificate_frame, load_inspector_pool
from models.queries.planning import stratum_population
from tests.support.actors import PLANNER
from tests.support.records import edit

runner = CliRunner()


def _commit(engine, *, scheme: str, seed: int, name: str, team_size: int = 2) -> int:
    population = stratum_population(engine, schemes=(scheme,))
    largest = population.sort_values("N", ascending=False)["region_code"].iloc[:4].tolist()
    quotas = population.assign(n=population["region_code"].isin(largest).astype(int) * 2)
    live = planner.live_draw(
        load_certificate_frame(engine, schemes=(scheme,)),
        load_inspector_pool(engine),
        quotas,
        seed=seed,
        inspection_date=dt.date(2026, 12, 1),
        team_size=team_size,
        cap=3,
        cross_region=False,
        frame_source={"schemes": (scheme,)},
    )
    draw_id = planner.commit_live_draw(
        engine, live, campaign_name=name, year=2027, scheme=scheme, actor=PLANNER
    )
    with engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT campaign_id FROM draw WHERE id = :d"), {"d": draw_id}
            ).scalar_one()
        )


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from seed.build import seed_database

    url = f"sqlite:///{tmp_path_factory.mktemp('verify-export') / 'regdash.db'}"
    seed_database(url, scale="demo", seed=20171201)
    engine = make_engine(url)
    first = _commit(engine, scheme="EnMS", seed=11, name="测试能源管理体系抽查", team_size=3)
    second = _commit(engine, scheme="EnMS", seed=12, name="测试能源管理体系复查")
    with engine.begin() as connection:  # published, so that the public may download the first
        connection.execute(text("UPDATE campaign SET status = 'published' WHERE id = :c"), {"c": first})
        # a store seeded before every seeded campaign went through the lottery held draws the seeder
        # wrote directly (sampler version seed-1): one made so, to read as those were read
        seeded = connection.execute(
            text(
                "SELECT d.campaign_id FROM draw d JOIN campaign c ON c.id = d.campaign_id "
                "WHERE c.unit_type = 'institution' ORDER BY d.id LIMIT 1"
            )
        ).scalar_one()
        connection.execute(
            text("UPDATE draw SET sampler_version = 'seed-1' WHERE campaign_id = :c"), {"c": seeded}
        )
    records = {
        "first": export_draw_record(engine, first, role=Role.PUBLIC),
        "second": export_draw_record(engine, second, role=Role.STAFF),
        "seeded": export_draw_record(engine, seeded, role=Role.STAFF),
        "unpublished": export_draw_record(engine, second, role=Role.PUBLIC),
    }
    engine.dispose()
    return url, records


def _verify(url: str, record, tmp_path, name: str = "record.json", *extra: str):
    path = tmp_path / name
    path.write_text(
        record if isinstance(record, str) else json.dumps(record, ensure_ascii=False), encoding="utf-8"
    )
    return runner.invoke(app, ["verify", "--record", str(path), "--database-url", url, "--json", *extra])


def test_the_exported_record_verifies(store, tmp_path):
    url, records = store
    export = records["first"]
    record = export.record
    assert record["campaign"]["name"] == "测试能源管理体系抽查"
    assert record["frame_source"] == {"status": "valid", "schemes": ["EnMS"], "provinces": []}
    assert record["drawn_by"] == PLANNER.name and "planner@test" not in export.to_json()
    assert len(record["draw"]["units"]) == 8 and len(record["assignment"]["teams"]) == 24
    result = _verify(url, export.to_json(), tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["match"] and report["recorded"] == [
        "draw_id",
        "campaign",
        "drawn_at",
        "drawn_by",
        "drawn_by_role",
        "sampler_version",
        "frame_source",
        "workload",  # cap 3 in 2027: the period and the loads checked at commit
    ]
    assert record["workload"]["year"] == 2027 and record["workload"]["cap"] == 3
    text_output = runner.invoke(
        app, ["verify", "--record", str(tmp_path / "record.json"), "--database-url", url]
    )
    assert text_output.exit_code == 0 and text_output.stdout.startswith("match")


def test_seeded_and_unpublished_draws_give_no_record(store):
    _, records = store
    assert records["seeded"].record is None and records["seeded"].reason == "seeded"
    assert records["unpublished"] is None
    with pytest.raises(ValueError, match="no verifiable record"):
        records["seeded"].to_json()


def _other_unit(url: str, record) -> int:
    drawn = {u["unit_id"] for u in record["draw"]["units"]}
    engine = make_engine(url)
    ids = load_certificate_frame(engine, schemes=("EnMS",))["unit_id"]
    engine.dispose()
    return int(next(i for i in ids if i not in drawn))


def test_every_kind_of_edit_is_a_mismatch_naming_the_field(store, tmp_path):
    url, records = store
    record = records["first"].record
    unit = record["draw"]["units"][2]
    member = record["assignment"]["teams"][1]
    edits = {
        "seed": (12345, "seed: recorded 12345"),
        "frame_hash": ("a" * 64, "frame_hash: recorded"),
        "draw.stream": ("b" * 64, "draw.stream: recorded"),
        "draw.params.sizes": ({}, "draw.params.sizes"),
        "draw.units[2].stratum": (
            "999999",
            f'draw.units[2].stratum: recorded "999999", re-derived "{unit["stratum"]}" '
            f"(unit {unit['unit_id']})",
        ),
        "draw.units[2].inclusion_probability": (0.5, "draw.units[2].inclusion_probability: recorded 0.5"),
        "draw.units[2].unit_id": (_other_unit(url, record), "draw.units[2].unit_id: recorded"),
        "assignment.stream": ("c" * 64, "assignment.stream: recorded"),
        "assignment.targets_hash": ("d" * 64, "assignment.targets_hash: recorded"),
        "assignment.pool_hash": ("e" * 64, "assignment.pool_hash: recorded"),
        "assignment.attempts": (record["assignment"]["attempts"] + 1, "assignment.attempts: recorded"),
        "assignment.method_used": ("maxflow", 'assignment.method_used: recorded "maxflow"'),
        "assignment.rules.cap": (9, "assignment.rules.cap: recorded 9, re-derived 3"),
        "assignment.teams[1].slot": (
            3,
            f"assignment.teams[1].slot: recorded 3, re-derived 2 (unit {member['unit_id']}, slot 2)",
        ),
        "assignment.teams[1].inspector_id": (1, "assignment.teams[1].inspector_id: recorded 1"),
        "plan.alpha": (0.1, "plan.alpha: recorded 0.1, the store's draw"),
        "drawn_by": ("someone else", 'drawn_by: recorded "someone else", the store\'s draw'),
        "drawn_at": ("2020-01-01T00:00:00+00:00", "drawn_at: recorded"),
        "campaign.name": ("别的任务", 'campaign.name: recorded "别的任务", the store\'s draw'),
        "sampler_version": ("9.9", 'sampler_version: recorded "9.9"'),
        "note": ("added", 'note: not a field of a draw record (recorded "added")'),
    }
    for i, (path, (value, expected)) in enumerate(edits.items()):
        result = _verify(url, edit(record, path, value), tmp_path, f"edit-{i}.json")
        assert result.exit_code == 1, (path, result.output)
        differences = json.loads(result.stdout)["differences"]
        assert any(d.startswith(expected) for d in differences), (path, differences)
    # a team member swapped with a colleague of the same team
    forged = copy.deepcopy(record)
    teams = forged["assignment"]["teams"]
    teams[0]["inspector_id"], teams[1]["inspector_id"] = teams[1]["inspector_id"], teams[0]["inspector_id"]
    differences = json.loads(_verify(url, forged, tmp_path, "swap.json").stdout)["differences"]
    assert [d.split(":")[0] for d in differences] == [
        "assignment.teams[0].inspector_id",
        "assignment.teams[1].inspector_id",
    ]
    # units in another order, an extra and a missing unit
    forged = copy.deepcopy(record)
    units = forged["draw"]["units"]
    units[0], units[1] = units[1], units[0]
    assert _verify(url, forged, tmp_path, "order.json").exit_code == 1
    forged = copy.deepcopy(record)
    gone = forged["draw"]["units"].pop()
    differences = json.loads(_verify(url, forged, tmp_path, "gone.json").stdout)["differences"]
    assert f"draw.units: unit {gone['unit_id']} is missing from the record (re-derived at [7])" in differences


def test_a_record_relabelled_as_another_campaign_disagrees_with_the_store(store, tmp_path):
    url, records = store
    first, second = records["first"].record, records["second"].record
    relabelled = {**first, "campaign": second["campaign"]}
    result = _verify(url, relabelled, tmp_path)
    assert result.exit_code == 1
    differences = json.loads(result.stdout)["differences"]
    assert differences[0].startswith(
        f"campaign.id: recorded {second['campaign']['id']}, the store's draw {first['draw_id']} has "
        f"{first['campaign']['id']}"
    )
    relabelled = {**first, "campaign": second["campaign"], "draw_id": second["draw_id"]}
    differences = json.loads(_verify(url, relabelled, tmp_path).stdout)["differences"]
    assert any(d.startswith(f"seed: recorded {first['seed']}, the store's draw") for d in differences)
    missing = json.loads(_verify(url, {**first, "draw_id": 99999}, tmp_path).stdout)["differences"]
    assert missing == ["draw_id: recorded 99999, the store has no such draw"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: "[1, 2]", "a draw record must be a JSON object, got a list"),
        (lambda r: "{not json", "is not valid JSON"),
        (
            lambda r: {k: v for k, v in r.items() if k != "record_version"},
            "the draw record has no 'record_version'",
        ),
        (
            lambda r: edit(r, "assignment.attempts", "1"),
            'assignment.attempts must be a whole number, got text "1"',
        ),
        (
            lambda r: edit(r, "draw.units[0].stratum", 44),
            "draw.units[0].stratum must be text, got the number 44",
        ),
        (lambda r: edit(r, "campaign.id", "3"), 'campaign.id must be a whole number, got text "3"'),
        (lambda r: edit(r, "drawn_at", 20200101), "drawn_at must be an ISO 8601 date-time text"),
        (lambda r: edit(r, "frame_source.schemes", "EnMS"), "frame_source.schemes must be a list of text"),
    ],
)
def test_malformed_records_are_one_error_line(store, tmp_path, change, message):
    url, records = store
    record = records["first"].record
    result = _verify(url, change(record), tmp_path)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert "Traceback" not in result.output


def test_the_old_store_row_download_is_refused_in_one_line(store, tmp_path):
    """What the public page used to offer (the store's draw row) is not a draw record."""
    url, records = store
    engine = make_engine(url)
    row = stored_draw_record(engine, records["first"].draw_id)
    engine.dispose()
    old = {
        "draw_id": row.draw_id,
        "seed": row.record["seed"],
        "frame_hash": row.record["frame_hash"],
        "params": {},
    }
    result = _verify(url, old, tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: the draw record has no 'record_version'"
