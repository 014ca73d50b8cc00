"""Verify: a genuine record matches; each kind of tampering is reported precisely."""

from __future__ import annotations

import copy
import json

import pytest

from sampler.errors import SamplerError
from sampler.plan_file import parse_plan
from sampler.run import plan_frame, run_draw
from sampler.verify import verify_record
from tests.sampler.conftest import make_frame_table, make_pool

PLAN = {
    "seed": 99,
    "n": 30,
    "allocation": {"minimum": 1},
    "assignment": {"inspection_date": "2026-12-01", "cap": 3, "cross_region": True},
}


@pytest.fixture(scope="module")
def setting():
    table, pool = make_frame_table(1500), make_pool(100)
    plan = parse_plan(PLAN)
    record = json.loads(json.dumps(run_draw(plan_frame(table, plan), plan, pool)))
    return table, pool, record


def test_genuine_record_matches_even_with_shuffled_inputs(setting):
    table, pool, record = setting
    result = verify_record(record, table.sample(frac=1, random_state=2), pool.sample(frac=1, random_state=3))
    assert result.match and result.differences == ()
    assert set(result.checked) == {
        "frame_hash",
        "params",
        "units",
        "inclusion_probabilities",
        "pool_hash",
        "teams",
    }


def test_swapped_unit_and_team_are_named(setting):
    table, pool, record = setting
    forged = copy.deepcopy(record)
    honest_unit = forged["draw"]["units"][3]["unit_id"]
    outside = next(u for u in table.unit_id if u not in {x["unit_id"] for x in forged["draw"]["units"]})
    forged["draw"]["units"][3]["unit_id"] = int(outside)
    forged["assignment"]["teams"][0]["inspector_id"] = 1
    result = verify_record(forged, table, pool)
    assert not result.match
    text = "\n".join(result.differences)
    assert f"missing from the record: {honest_unit}" in text
    assert f"does not draw: {outside}" in text
    assert f"team of unit {forged['assignment']['teams'][0]['unit_id']}: recorded" in text


def test_changed_frame_seed_probability_or_pool_are_reported(setting):
    table, pool, record = setting
    changed = table.copy()
    changed.loc[0, "risk_grade"] = "Z"
    assert any("frame hash differs" in d for d in verify_record(record, changed, pool).differences)

    forged = copy.deepcopy(record)
    forged["draw"]["units"][0]["inclusion_probability"] = 0.5
    assert any("inclusion probability differs" in d for d in verify_record(forged, table, pool).differences)

    other_pool = pool.copy()
    other_pool.loc[0, "active"] = not other_pool.loc[0, "active"]
    assert any("pool hash differs" in d for d in verify_record(record, table, other_pool).differences)

    assert verify_record(record, table, None).differences == (
        "assignment not checked: no inspector pool given",
    )


def test_malformed_records_raise():
    with pytest.raises(SamplerError, match="has no 'frame_hash'"):
        verify_record({"record_version": 1, "plan": PLAN, "seed": 99, "draw": {}}, make_frame_table(10))
    with pytest.raises(SamplerError, match="unsupported record_version"):
        verify_record(
            {"record_version": 9, "plan": PLAN, "seed": 99, "frame_hash": "", "draw": {}},
            make_frame_table(10),
        )
