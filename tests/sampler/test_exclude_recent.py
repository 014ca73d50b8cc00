"""Plan option ``exclude_recent``: units drawn within N months before a date are never drawn, the
record says how many were left out, and verify re-applies the cut-off."""

from __future__ import annotations

import copy
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from sampler.errors import SamplerError
from sampler.plan_file import ExclusionSpec, parse_plan
from sampler.run import eligible_frame, plan_frame, run_draw
from sampler.verify import verify_record
from tests.sampler.conftest import make_frame_table, make_pool

PLAN = {
    "seed": 4242,
    "n": 60,
    "allocation": {"minimum": 1},
    "assignment": {"inspection_date": "2026-12-01", "cap": 5, "cross_region": True},
    "exclude_recent": {"months": 12, "as_of": "2026-11-30", "column": "last_drawn_on"},
}


def _with_history(units: int = 1500, seed: int = 3) -> pd.DataFrame:
    """The test frame with a last-drawn date for about half the units (none for the rest)."""
    table = make_frame_table(units)
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 900, units)  # up to ~2.5 years back from 2026-11-30
    dates = [(dt.date(2026, 11, 30) - dt.timedelta(days=int(d))).isoformat() for d in days]
    drawn = rng.random(units) < 0.5
    table["last_drawn_on"] = pd.Series(
        [d if k else None for d, k in zip(dates, drawn, strict=True)], dtype="str"
    )
    return table


@pytest.fixture(scope="module")
def setting():
    table, pool = _with_history(), make_pool(100)
    plan = parse_plan(PLAN)
    record = json.loads(json.dumps(run_draw(plan_frame(table, plan), plan, pool)))
    return table, pool, record


@pytest.mark.parametrize(
    "as_of, months, cutoff",
    [
        ("2026-11-30", 12, "2025-11-30"),
        ("2026-03-31", 1, "2026-02-28"),  # the day is clamped to the month's end
        ("2024-03-31", 1, "2024-02-29"),  # leap year
        ("2026-01-15", 1, "2025-12-15"),  # across the year
        ("2026-12-31", 11, "2026-01-31"),
    ],
)
def test_the_cutoff_counts_calendar_months_back(as_of, months, cutoff):
    assert ExclusionSpec(months=months, as_of=as_of).cutoff().isoformat() == cutoff


def test_recently_drawn_units_are_never_drawn_and_counted(setting):
    table, _pool, record = setting
    recent = set(table.loc[table["last_drawn_on"].fillna("") >= "2025-11-30", "unit_id"])
    drawn = {u["unit_id"] for u in record["draw"]["units"]}
    assert recent and not drawn & recent
    assert record["draw"]["params"]["exclusion"] == {
        "column": "last_drawn_on",
        "months": 12,
        "as_of": "2026-11-30",
        "cutoff": "2025-11-30",
        "excluded": len(recent),
    }
    # inclusion probabilities are n_h / N_h over the units left in each stratum
    left = table[~table["unit_id"].isin(recent)]
    sizes = left.groupby(["region", "scheme"]).size()
    for unit in record["draw"]["units"]:
        region, scheme = unit["stratum"].split("|")
        n_h = record["draw"]["params"]["sizes"][unit["stratum"]]
        assert unit["inclusion_probability"] == pytest.approx(n_h / sizes[(region, scheme)], rel=1e-15)
    # the record's frame hash is the whole frame's
    assert record["frame_hash"] == plan_frame(table, parse_plan(PLAN)).content_hash


def test_the_record_verifies_and_an_edited_window_is_reported(setting):
    table, pool, record = setting
    assert verify_record(record, table, pool).match
    for path, value in [(("months",), 6), (("as_of",), "2026-06-30")]:
        edited = copy.deepcopy(record)
        edited["plan"]["exclude_recent"][path[0]] = value
        result = verify_record(edited, table, pool)
        assert not result.match
        assert any(d.startswith("draw.params.exclusion.cutoff") for d in result.differences), (
            result.differences
        )
    edited = copy.deepcopy(record)
    edited["draw"]["params"]["exclusion"]["excluded"] -= 1
    differences = verify_record(edited, table, pool).differences
    assert any(d.startswith("draw.params.exclusion.excluded") for d in differences)
    edited = copy.deepcopy(record)
    del edited["plan"]["exclude_recent"]
    assert not verify_record(edited, table, pool).match  # the exclusion cannot be dropped silently


def test_a_plan_without_the_option_reads_and_writes_as_before():
    plan = parse_plan({key: value for key, value in PLAN.items() if key != "exclude_recent"})
    assert "exclude_recent" not in plan.to_dict()
    frame = plan_frame(make_frame_table(50), plan)
    assert eligible_frame(frame, plan) == (frame, None)


@pytest.mark.parametrize(
    "section, field",
    [
        ({"as_of": "2026-11-30"}, "exclude_recent.months"),
        ({"months": 0, "as_of": "2026-11-30"}, "exclude_recent.months"),
        ({"months": 3, "as_of": "30/11/2026"}, "exclude_recent.as_of"),
        ({"months": 3, "as_of": "2026-11-30", "colum": "x"}, "exclude_recent.colum"),
    ],
)
def test_a_bad_section_names_its_field(section, field):
    with pytest.raises(SamplerError) as error:
        parse_plan({**PLAN, "exclude_recent": section})
    assert error.value.field == field


def test_a_frame_without_the_column_or_with_a_non_date_names_it():
    plan = parse_plan(PLAN)
    with pytest.raises(SamplerError, match="last_drawn_on") as missing:
        run_draw(plan_frame(make_frame_table(100), plan), plan, make_pool(20))
    assert missing.value.field == "exclude_recent.column"
    table = _with_history(100)
    table.loc[7, "last_drawn_on"] = "last spring"
    with pytest.raises(SamplerError, match=r"'last spring'.*unit 8") as bad:
        run_draw(plan_frame(table, plan), plan, make_pool(20))
    assert bad.value.field == "exclude_recent.column"
