"""Verify: a genuine record matches; any edit anywhere is a difference naming the field (and unit)."""

from __future__ import annotations

import copy
import json
import re

import pytest

from sampler.errors import RecordFormatError, SamplerError
from sampler.plan_file import parse_plan
from sampler.run import plan_frame, run_draw
from sampler.verify import RECORDED_NOT_DERIVABLE, verify_record
from tests.sampler.conftest import make_frame_table, make_pool
from tests.support.records import DELETE, edit

PLAN = {
    "seed": 99,
    "n": 30,
    "allocation": {"minimum": 1},
    "assignment": {"inspection_date": "2026-12-01", "cap": 3, "cross_region": True},
}
RECORDED = {
    "draw_id": 7,
    "campaign": {"id": 3, "name": "2027 QMS 抽查", "year": 2027, "scheme": "QMS"},
    "drawn_at": "2026-11-24T09:30:00+00:00",
    "drawn_by": "王芳",
    "drawn_by_role": "planner",
    "sampler_version": "0.4.0",
    "frame_source": {"status": "valid", "schemes": ["QMS"], "provinces": []},
    # the lottery's reveal is checked by the command line (models.lottery), not by the sampler
    "lottery": {"session_id": 1, "nonce": "ab" * 32, "commitment": "cd" * 32, "attempt_id": 2, "attempts": 2},
    # the workload cap's period and the load checked at commit (models.workload)
    "workload": {
        "basis": "campaign year",
        "year": 2026,
        "from": "2026-01-01",
        "to": "2026-12-31",
        "cap": 3,
        "prior_load": {"7": 2},
    },
}


@pytest.fixture(scope="module")
def setting():
    table, pool = make_frame_table(1500), make_pool(100)
    plan = parse_plan(PLAN)
    record = json.loads(json.dumps(run_draw(plan_frame(table, plan), plan, pool)))
    return table, pool, record


def _differences(record, table, pool) -> list[str]:
    result = verify_record(record, table, pool)
    assert result.match is (not result.differences)
    return list(result.differences)


def test_genuine_record_matches_even_with_shuffled_inputs(setting):
    table, pool, record = setting
    result = verify_record(record, table.sample(frac=1, random_state=2), pool.sample(frac=1, random_state=3))
    assert result.match and result.differences == ()
    assert result.checked == ("record_version", "plan", "seed", "frame_hash", "draw", "assignment")
    assert result.recorded == ()


def test_recorded_fields_are_type_checked_not_derived(setting):
    table, pool, record = setting
    result = verify_record({**record, **RECORDED}, table, pool)
    assert result.match, result.differences
    assert result.recorded == tuple(RECORDED_NOT_DERIVABLE)
    for key, bad, message in [
        ("drawn_at", "yesterday", 'drawn_at must be an ISO 8601 date-time text, got text "yesterday"'),
        ("draw_id", "7", 'draw_id must be a whole number, got text "7"'),
        ("drawn_by", None, "drawn_by must be text, got null"),
        ("campaign", [], "campaign must be a JSON object, got a list"),
        ("frame_source", {"status": "valid", "schemes": "QMS", "provinces": []}, "frame_source.schemes"),
        ("lottery", {**RECORDED["lottery"], "attempts": "2"}, "lottery.attempts"),
        ("workload", {**RECORDED["workload"], "cap": None}, "workload.cap"),
    ]:
        with pytest.raises(RecordFormatError, match=message.replace("(", r"\(")) as caught:
            verify_record({**record, **RECORDED, key: bad}, table, pool)
        assert caught.value.field.startswith(key)
    extra = {**record, **RECORDED, "campaign": {**RECORDED["campaign"], "budget": 1}}
    assert _differences(extra, table, pool) == ["campaign.budget: not a field of a draw record (recorded 1)"]
    with pytest.raises(RecordFormatError, match=re.escape("has no 'campaign.year'")):
        verify_record({**record, "campaign": {"id": 1, "name": "x", "scheme": None}}, table, pool)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("seed", 100, "seed: recorded 100, re-derived 99"),
        ("frame_hash", "0" * 64, 'frame_hash: recorded "0000'),
        ("draw.stream", "f" * 64, 'draw.stream: recorded "ffff'),
        (
            "draw.params.algorithm",
            "mine",
            'draw.params.algorithm: recorded "mine", re-derived "regdash-srswor',
        ),
        (
            "draw.params.strata",
            ["region"],
            'draw.params.strata[1]: missing from the record (re-derived "scheme")',
        ),
        ("assignment.stream", "e" * 64, 'assignment.stream: recorded "eeee'),
        ("assignment.targets_hash", "d" * 64, 'assignment.targets_hash: recorded "dddd'),
        ("assignment.pool_hash", "c" * 64, 'assignment.pool_hash: recorded "cccc'),
        ("assignment.attempts", 7, "assignment.attempts: recorded 7, re-derived 1"),
        (
            "assignment.method_used",
            "sequential",
            'assignment.method_used: recorded "sequential", re-derived "exact"',
        ),
        ("assignment.rules.cap", 4, "assignment.rules.cap: recorded 4, re-derived 3"),
        (
            "assignment.rules.extra",
            True,
            "assignment.rules.extra: not a field of a draw record (recorded true)",
        ),
        ("draw.units[4].inclusion_probability", 0.5, "draw.units[4].inclusion_probability: recorded 0.5"),
        ("draw.units[4].note", "x", 'draw.units[4].note: not a field of a draw record (recorded "x")'),
        ("draw.params", DELETE, "draw.params: missing from the record"),
        ("draw.extra", 1, "draw.extra: not a field of a draw record (recorded 1)"),
        ("drawn_from", "a CSV", 'drawn_from: not a field of a draw record (recorded "a CSV")'),
    ],
)
def test_every_field_edit_is_named(setting, path, value, expected):
    table, pool, record = setting
    if path == "draw.params" and value is DELETE:
        with pytest.raises(RecordFormatError, match=re.escape("has no 'draw.params'")):
            verify_record(edit(record, path, value), table, pool)
        return
    differences = _differences(edit(record, path, value), table, pool)
    assert len(differences) == 1 and differences[0].startswith(expected), differences


def test_params_sizes_edit_is_named(setting):
    table, pool, record = setting
    stratum = next(iter(record["draw"]["params"]["sizes"]))
    size = record["draw"]["params"]["sizes"][stratum]
    forged = edit(record, f"draw.params.sizes.{stratum}", size + 1)
    assert _differences(forged, table, pool) == [
        f"draw.params.sizes.{stratum}: recorded {size + 1}, re-derived {size}"
    ]


def test_a_units_stratum_id_probability_and_order_name_the_unit(setting):
    table, pool, record = setting
    unit = record["draw"]["units"][12]
    forged = edit(record, "draw.units[12].stratum", "ZJ|QMS")
    assert _differences(forged, table, pool) == [
        f'draw.units[12].stratum: recorded "ZJ|QMS", re-derived "{unit["stratum"]}" (unit {unit["unit_id"]})'
    ]
    outside = next(u for u in table.unit_id if u not in {x["unit_id"] for x in record["draw"]["units"]})
    forged = edit(record, "draw.units[12].unit_id", int(outside))
    assert _differences(forged, table, pool) == [
        f"draw.units[12].unit_id: recorded {outside}, re-derived {unit['unit_id']} (unit {unit['unit_id']})"
    ]
    forged = edit(record, "draw.units[12].unit_id", str(unit["unit_id"]))
    assert _differences(forged, table, pool) == [
        f'draw.units[12].unit_id: recorded "{unit["unit_id"]}", re-derived {unit["unit_id"]} '
        f"(unit {unit['unit_id']})"
    ]
    forged = copy.deepcopy(record)
    units = forged["draw"]["units"]
    units[12], units[13] = units[13], units[12]
    differences = _differences(forged, table, pool)
    assert any(d.startswith("draw.units[12].unit_id: recorded") for d in differences)
    assert any(d.startswith("draw.units[13].unit_id: recorded") for d in differences)


def test_an_extra_or_a_missing_unit_is_named(setting):
    table, pool, record = setting
    outside = int(next(u for u in table.unit_id if u not in {x["unit_id"] for x in record["draw"]["units"]}))
    forged = copy.deepcopy(record)
    forged["draw"]["units"].append({"unit_id": outside, "stratum": "GD|QMS", "inclusion_probability": 0.1})
    n = len(record["draw"]["units"])
    assert _differences(forged, table, pool) == [
        f"draw.units: recorded {n + 1} row(s), re-derived {n}",
        f"draw.units[{n}]: unit {outside} is not in the re-derived record",
    ]
    forged = copy.deepcopy(record)
    gone = forged["draw"]["units"].pop(5)
    assert _differences(forged, table, pool) == [
        f"draw.units: recorded {n - 1} row(s), re-derived {n}",
        f"draw.units: unit {gone['unit_id']} is missing from the record (re-derived at [5])",
    ]
    forged = copy.deepcopy(record)
    forged["draw"]["units"].append(copy.deepcopy(forged["draw"]["units"][0]))
    assert f"draw.units[{n}]: unit {forged['draw']['units'][0]['unit_id']} is listed twice (also at [0])" in (
        _differences(forged, table, pool)
    )


def test_team_slots_and_members_name_the_unit_and_slot(setting):
    table, pool, record = setting
    teams = record["assignment"]["teams"]
    first, second = teams[0], teams[1]
    assert first["unit_id"] == second["unit_id"] and (first["slot"], second["slot"]) == (1, 2)
    label = f"unit {first['unit_id']}"

    forged = edit(record, "assignment.teams[0].slot", 2)
    assert _differences(forged, table, pool) == [
        f"assignment.teams[0].slot: recorded 2, re-derived 1 ({label}, slot 1)"
    ]
    forged = copy.deepcopy(record)  # the team's two members swap places
    forged["assignment"]["teams"][0]["inspector_id"] = second["inspector_id"]
    forged["assignment"]["teams"][1]["inspector_id"] = first["inspector_id"]
    assert _differences(forged, table, pool) == [
        f"assignment.teams[0].inspector_id: recorded {second['inspector_id']}, re-derived "
        f"{first['inspector_id']} ({label}, slot 1)",
        f"assignment.teams[1].inspector_id: recorded {first['inspector_id']}, re-derived "
        f"{second['inspector_id']} ({label}, slot 2)",
    ]
    stranger = next(i for i in pool.inspector_id if i not in {first["inspector_id"], second["inspector_id"]})
    forged = edit(record, "assignment.teams[1].inspector_id", int(stranger))
    assert _differences(forged, table, pool) == [
        f"assignment.teams[1].inspector_id: recorded {stranger}, re-derived {second['inspector_id']} "
        f"({label}, slot 2)"
    ]
    forged = copy.deepcopy(record)
    del forged["assignment"]["teams"][1]
    assert _differences(forged, table, pool)[1] == (
        f"assignment.teams: {label}, slot 2 is missing from the record (re-derived at [1])"
    )


def test_each_top_level_key(setting):
    table, pool, record = setting
    for key in ("record_version", "plan", "seed", "frame_hash", "draw", "assignment"):
        with pytest.raises(RecordFormatError, match=f"has no '{key}'") as caught:
            verify_record({k: v for k, v in record.items() if k != key}, table, pool)
        assert caught.value.field == key
    with pytest.raises(RecordFormatError, match="unsupported record_version 2"):
        verify_record({**record, "record_version": 2}, table, pool)
    # an edited plan is re-derived as written: its consequences differ, named by field
    forged = edit(record, "plan.n", 31)
    differences = _differences(forged, table, pool)
    assert differences[0].startswith("draw.params.sizes.")
    assert any(d.startswith("draw.units: recorded 30 row(s), re-derived 31") for d in differences)
    # a record without the assignment the plan asks for
    forged = {**record, "assignment": None}
    assert _differences(forged, table, pool)[0].startswith("assignment: recorded null, re-derived {")
    # a plan without the assignment the record holds
    forged = edit(record, "plan.assignment", None)
    assert _differences(forged, table, pool)[0].startswith("assignment: recorded {")


def test_changed_frame_or_pool_are_reported(setting):
    table, pool, record = setting
    changed = table.copy()
    changed.loc[0, "risk_grade"] = "Z"
    differences = verify_record(record, changed, pool).differences
    assert differences[0].startswith('frame_hash: recorded "') and "the frame given has" in differences[0]

    other_pool = pool.copy()
    other_pool.loc[0, "active"] = not other_pool.loc[0, "active"]
    differences = verify_record(record, table, other_pool).differences
    assert any(d.startswith("assignment.pool_hash:") and "the pool given has" in d for d in differences)

    assert verify_record(record, table, None).differences == (
        "assignment not checked: no inspector pool given",
    )


def test_many_row_differences_are_capped(setting):
    table, pool, record = setting
    forged = copy.deepcopy(record)
    for unit in forged["draw"]["units"]:
        unit["inclusion_probability"] = 1.0
    differences = _differences(forged, table, pool)
    assert len(differences) == 21
    assert differences[-1] == "... and 10 more difference(s) in draw.units"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda r: [r], "record", "a draw record must be a JSON object, got a list"),
        (lambda r: {**r, "record_version": "1"}, "record_version", 'must be a whole number, got text "1"'),
        (lambda r: {**r, "seed": 9.5}, "seed", "seed must be a whole number, got the number 9.5"),
        (lambda r: {**r, "seed": True}, "seed", "seed must be a whole number, got true/false"),
        (lambda r: {**r, "frame_hash": 12}, "frame_hash", "frame_hash must be text"),
        (lambda r: {**r, "draw": []}, "draw", "draw must be a JSON object, got a list"),
        (lambda r: {**r, "assignment": []}, "assignment", "assignment must be a JSON object, got a list"),
        (lambda r: edit(r, "draw.units", {}), "draw.units", "draw.units must be a list, got an object"),
        (lambda r: edit(r, "draw.units[3].stratum", 5), "draw.units[3].stratum", "must be text"),
        (
            lambda r: edit(r, "draw.units[3].inclusion_probability", "0.1"),
            "draw.units[3].inclusion_probability",
            "must be a number",
        ),
        (lambda r: edit(r, "draw.units[3].unit_id", None), "draw.units[3].unit_id", "got null"),
        (lambda r: edit(r, "draw.units[3]", "x"), "draw.units[3]", "must be a JSON object"),
        (lambda r: edit(r, "draw.units[3].stratum", DELETE), "draw.units[3].stratum", "has no"),
        (lambda r: edit(r, "assignment.attempts", "1"), "assignment.attempts", "must be a whole number"),
        (lambda r: edit(r, "assignment.teams[0].slot", 1.5), "assignment.teams[0].slot", "whole number"),
        (
            lambda r: edit(r, "assignment.teams[0].inspector_id", False),
            "assignment.teams[0].inspector_id",
            "id",
        ),
        (lambda r: edit(r, "assignment.method_used", DELETE), "assignment.method_used", "has no"),
        (
            lambda r: edit(r, "plan.n", "30"),
            "plan.n",
            "the record's plan is invalid: n must be a whole number",
        ),
        (lambda r: edit(r, "plan.colour", "red"), "plan.colour", "unknown key 'colour'"),
        (lambda r: edit(r, "plan.seed", None), "plan.seed", "the record's plan has no seed"),
    ],
)
def test_malformed_records_raise_naming_the_field(setting, change, field, message):
    table, pool, record = setting
    with pytest.raises(RecordFormatError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        verify_record(change(record), table, pool)
    assert caught.value.field == field
    assert isinstance(caught.value, SamplerError)


def test_fixed_allocation_plan_reproduces_given_quotas():
    table = make_frame_table(800)
    plan = parse_plan(
        {"seed": 5, "strata": ["region"], "allocation": {"method": "fixed", "sizes": {"GD": 3, "SH": 2}}}
    )
    assert plan.n == 5
    record = json.loads(json.dumps(run_draw(plan_frame(table, plan), plan)))
    assert record["draw"]["params"]["sizes"] == {"GD": 3, "SH": 2}
    assert verify_record(record, table).match
    with pytest.raises(SamplerError, match=re.escape("n is 6 but allocation.sizes add up to 5")):
        parse_plan({"seed": 5, "n": 6, "allocation": {"method": "fixed", "sizes": {"GD": 3, "SH": 2}}})
    with pytest.raises(SamplerError, match=re.escape("allocation.sizes needs allocation.method 'fixed'")):
        parse_plan({"seed": 5, "n": 5, "allocation": {"sizes": {"GD": 5}}})
    with pytest.raises(SamplerError, match=re.escape("allocation.minimum does not apply")):
        parse_plan({"seed": 5, "allocation": {"method": "fixed", "minimum": 1, "sizes": {"GD": 5}}})
    too_many = parse_plan(
        {"seed": 5, "strata": ["region"], "allocation": {"method": "fixed", "sizes": {"XX": 1}}}
    )
    with pytest.raises(SamplerError, match=re.escape("allocation.sizes names strata not in the frame: XX")):
        run_draw(plan_frame(table, too_many), too_many)
