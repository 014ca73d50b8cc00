"""Plan files: strict keys with suggestions, typed values, YAML and JSON, round trip."""

from __future__ import annotations

import json

import pytest

from sampler.errors import SamplerError
from sampler.plan_file import load_plan, parse_plan

FULL = {
    "seed": 7,
    "strata": ["region", "scheme"],
    "n": 100,
    "allocation": {
        "method": "risk",
        "minimum": 2,
        "weights": {"A": 1, "B": 2, "C": 4},
        "risk_column": "risk_grade",
    },
    "assumed": {"rate": {"default": 0.02, "GD|QMS": 0.05}},
    "tolerable": 0.05,
    "alpha": 0.1,
    "confidence": 0.9,
    "institution_column": "institution_id",
    "simulation": {"replications": 500, "seed": 3, "assignment_replications": 2},
    "assignment": {
        "team_size": 2,
        "cap": 4,
        "inspection_date": "2026-12-01",
        "cross_region": True,
        "linked_regions": {"BJ": ["TJ", "HE"]},
        "method": "sequential",
        "max_attempts": 50,
    },
}


def test_full_plan_round_trips(tmp_path):
    plan = parse_plan(FULL)
    assert plan.allocation.weights == {"A": 1.0, "B": 2.0, "C": 4.0}
    assert plan.assignment.linked_regions == {"BJ": ["HE", "TJ"]}
    assert parse_plan(plan.to_dict()) == plan
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(FULL))
    assert load_plan(path) == plan


def test_yaml_dates_become_iso_text(tmp_path):
    path = tmp_path / "plan.yml"
    path.write_text("n: 5\nassignment:\n  inspection_date: 2026-12-01\n")
    assert load_plan(path).assignment.inspection_date == "2026-12-01"


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"confidnce": 0.9}, "confidnce", "did you mean 'confidence'?"),
        ({"allocation": {"mthod": "equal"}}, "allocation.mthod", "did you mean 'allocation.method'?"),
        (
            {"assignment": {"inspection_date": "2026-12-01", "team_sise": 3}},
            "assignment.team_sise",
            "did you mean 'assignment.team_size'?",
        ),
        (
            {"simulation": {"replicatons": 3}},
            "simulation.replicatons",
            "did you mean 'simulation.replications'?",
        ),
        ({"assumed": {"rates": 0.1}}, "assumed.rates", "did you mean 'assumed.rate'?"),
        ({"allocation": {"method": "stratified"}}, "allocation.method", "unknown allocation.method"),
        ({"tolerable": 0}, "tolerable", "tolerable must lie in (0, 1]"),
        ({"alpha": 1}, "alpha", "alpha must lie in (0, 1)"),
        ({"n": 0}, "n", "n must be at least 1"),
        ({"seed": -3}, "seed", "seed must be at least 0"),
        ({"assignment": {"cap": 2}}, "assignment.inspection_date", "inspection_date is required"),
        (
            {"assignment": {"inspection_date": "2026-12-01", "method": "fair"}},
            "assignment.method",
            "unknown assignment.method 'fair'",
        ),
        ({"assumed": {"rate": 0.1, "bad": 3}}, "assumed.bad", "not both"),
        ({"strata": 5}, "strata", "list of column names"),
    ],
)
def test_bad_plans_name_the_field(change, field, text):
    data = {**FULL, **change}
    with pytest.raises(SamplerError) as info:
        parse_plan(data)
    assert info.value.field == field
    assert text in str(info.value)


def test_ratio_plans_need_no_n():
    plan = parse_plan({"allocation": {"method": "ratio", "ratio": 0.03}})
    assert plan.n is None
    with pytest.raises(SamplerError, match="n is required"):
        parse_plan({"allocation": {"method": "equal"}})
