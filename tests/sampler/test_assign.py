"""Inspector assignment: every eligibility rule, the cap, clear infeasibility, and a fair draw."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from sampler.assign import AssignmentProblem, assign_inspectors
from sampler.errors import InfeasibleAssignmentError, SamplerError
from tests.sampler.conftest import REGIONS, SCHEMES, make_frame_table, make_pool

DATE = "2026-12-01"


def eligible_ids(target: dict, pool: pd.DataFrame, *, date: str, cross_region: bool, linked=None) -> set:
    """Independent, row-by-row statement of the rules (not the library's code path)."""
    out = set()
    day = dt.date.fromisoformat(date)
    for row in pool.itertuples():
        if target["scheme"] not in row.schemes.split(";"):
            continue
        if not row.active:
            continue
        if dt.date.fromisoformat(str(row.id_valid_until)[:10]) < day:
            continue
        allowed = linked.get(target["region"]) if linked else None
        if cross_region and row.region == target["region"]:
            continue
        if (
            allowed is not None
            and row.region not in allowed
            and not (not cross_region and row.region == target["region"])
        ):
            continue
        if str(target["institution_id"]) in [a for a in row.affiliations.split(";") if a]:
            continue
        out.add(row.inspector_id)
    return out


@settings(derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    data_seed=st.integers(0, 1000),
    targets=st.integers(1, 40),
    team_size=st.integers(1, 3),
    cap=st.one_of(st.none(), st.integers(1, 4)),
    cross_region=st.booleans(),
    linked=st.booleans(),
    method=st.sampled_from(["auto", "exact", "sequential"]),
)
def test_no_assignment_breaks_a_rule_or_the_cap(
    seed, data_seed, targets, team_size, cap, cross_region, linked, method
):
    frame = make_frame_table(400, seed=data_seed).sample(n=targets, random_state=data_seed)
    pool = make_pool(60, seed=data_seed + 1)
    links = {"BJ": ["SH", "ZJ"], "GD": ["ZJ"]} if linked else None
    try:
        result = assign_inspectors(
            frame,
            pool,
            inspection_date=DATE,
            seed=seed,
            team_size=team_size,
            cap=cap,
            cross_region=cross_region,
            linked_regions=links,
            method=method,
        )
    except InfeasibleAssignmentError as error:
        message = str(error)
        assert "binding constraint" in message
        if "workload cap" not in message:
            # the named target really has fewer than team_size eligible inspectors
            unit = message.split("target ")[1].split(":")[0]
            row = frame[frame.unit_id == int(unit)].iloc[0].to_dict()
            assert (
                len(eligible_ids(row, pool, date=DATE, cross_region=cross_region, linked=links)) < team_size
            )
        return
    except SamplerError as error:
        assert "max_attempts" in str(error)
        return
    teams = result.teams
    assert len(teams) == team_size * len(frame)
    for unit_id, team in teams.groupby("unit_id"):
        row = frame[frame.unit_id == unit_id].iloc[0].to_dict()
        allowed = eligible_ids(row, pool, date=DATE, cross_region=cross_region, linked=links)
        members = team.inspector_id.tolist()
        assert len(members) == len(set(members)) == team_size
        assert set(members) <= allowed
        assert result.eligible[unit_id] == len(allowed)
    load = teams.inspector_id.value_counts()
    if cap is not None:
        assert load.max() <= cap
    assert load.sort_index().to_dict() == result.workload.sort_index().to_dict()


def test_same_seed_same_teams_and_row_order_does_not_matter():
    frame = make_frame_table(300).sample(n=25, random_state=1)
    pool = make_pool(80)
    a = assign_inspectors(frame, pool, inspection_date=DATE, seed=9, cap=3)
    b = assign_inspectors(
        frame.iloc[::-1], pool.sample(frac=1.0, random_state=4), inspection_date=DATE, seed=9, cap=3
    )
    c = assign_inspectors(frame, pool, inspection_date=DATE, seed=10, cap=3)
    assert a.teams.equals(b.teams)
    assert a.pool_hash == b.pool_hash
    assert not a.teams.equals(c.teams)


def _symmetric(inspectors: int, targets: int):
    pool = pd.DataFrame(
        {
            "inspector_id": range(1, inspectors + 1),
            "region": "XZ",
            "agency": "a",
            "schemes": "QMS",
            "active": True,
            "id_valid_until": "2030-01-01",
            "affiliations": "",
        }
    )
    frame = pd.DataFrame(
        {"unit_id": range(1, targets + 1), "region": "GD", "scheme": "QMS", "institution_id": 1}
    )
    return frame, pool


@pytest.mark.parametrize(("method", "cap"), [("exact", 2), ("sequential", 1)])
def test_every_eligible_inspector_is_chosen_equally_often(method, cap):
    frame, pool = _symmetric(inspectors=12, targets=5)
    problem = AssignmentProblem(frame, pool, inspection_date=DATE, cap=cap, method=method)
    counts = pd.Series(0, index=range(1, 13))
    for seed in range(300):
        teams = problem.draw(seed).teams
        counts = counts.add(teams.inspector_id.value_counts(), fill_value=0)
    assert counts.sum() == 300 * 5 * 2
    assert stats.chisquare(counts.to_numpy()).pvalue > 0.001


def test_exact_method_is_uniform_over_feasible_assignments_even_when_asymmetric():
    # A may take inspectors 1, 2, 3; B only 1 or 2; cap 1, team 1. Feasible (A, B):
    # (1,2) (2,1) (3,1) (3,2), each should have probability 1/4. (A random-order sequential draw
    # gives 7/24, 7/24, 5/24, 5/24.)
    pool = pd.DataFrame(
        {
            "inspector_id": [1, 2, 3],
            "region": "XZ",
            "agency": "a",
            "schemes": ["QMS;EMS", "QMS;EMS", "QMS"],
            "active": True,
            "id_valid_until": "2030-01-01",
            "affiliations": "",
        }
    )
    frame = pd.DataFrame({"unit_id": [1, 2], "region": "GD", "scheme": ["QMS", "EMS"], "institution_id": 5})
    problem = AssignmentProblem(frame, pool, inspection_date=DATE, team_size=1, cap=1, method="exact")
    tally: dict[tuple, int] = {}
    for seed in range(800):
        teams = problem.draw(seed).teams
        key = tuple(teams.sort_values("unit_id").inspector_id)
        tally[key] = tally.get(key, 0) + 1
    assert set(tally) == {(1, 2), (2, 1), (3, 1), (3, 2)}
    assert stats.chisquare(list(tally.values())).pvalue > 0.001


def _one_target(**overrides):
    target = {"unit_id": 7, "region": "GD", "scheme": "EnMS", "institution_id": 42, **overrides}
    return pd.DataFrame([target])


def _pool_rows(rows):
    base = {
        "agency": "a",
        "schemes": "EnMS",
        "active": True,
        "id_valid_until": "2030-01-01",
        "affiliations": "",
    }
    return pd.DataFrame([{**base, **row} for row in rows])


@pytest.mark.parametrize(
    ("rows", "kwargs", "constraint"),
    [
        (
            [{"inspector_id": 1, "region": "SH", "schemes": "QMS"}, {"inspector_id": 2, "region": "SH"}],
            {},
            "competence for scheme EnMS (2 -> 1)",
        ),
        (
            [{"inspector_id": 1, "region": "SH", "active": False}, {"inspector_id": 2, "region": "SH"}],
            {},
            "active status",
        ),
        (
            [
                {"inspector_id": 1, "region": "SH", "id_valid_until": "2026-11-30"},
                {"inspector_id": 2, "region": "SH"},
            ],
            {},
            "enforcement ID valid on 2026-12-01",
        ),
        (
            [{"inspector_id": 1, "region": "GD"}, {"inspector_id": 2, "region": "SH"}],
            {"cross_region": True},
            "cross-region rule (not from GD)",
        ),
        (
            [{"inspector_id": 1, "region": "BJ"}, {"inspector_id": 2, "region": "SH"}],
            {"cross_region": True, "linked_regions": {"GD": ["SH", "HN"]}},
            "linked-region pool (GD -> HN, SH)",
        ),
        (
            [
                {"inspector_id": 1, "region": "BJ", "affiliations": "42;43"},
                {"inspector_id": 2, "region": "SH"},
            ],
            {},
            "回避 (affiliation with institution 42)",
        ),
    ],
)
def test_infeasible_target_names_stratum_target_and_binding_rule(rows, kwargs, constraint):
    with pytest.raises(InfeasibleAssignmentError) as info:
        assign_inspectors(_one_target(), _pool_rows(rows), inspection_date=DATE, seed=1, **kwargs)
    message = str(info.value)
    assert "stratum 'GD|EnMS', target 7: 1 eligible inspector(s) for a team of 2" in message
    assert f"binding constraint: {constraint}" in message


def test_cap_infeasible_by_stratum_and_by_max_flow():
    frame, pool = _symmetric(inspectors=3, targets=4)
    with pytest.raises(
        InfeasibleAssignmentError, match=r"stratum 'GD\|QMS': 4 target\(s\) need 8 team places"
    ):
        assign_inspectors(frame, pool, inspection_date=DATE, seed=1, cap=2)
    # Per-stratum and overall counts look fine, but three targets compete for inspectors 1 and 2.
    pool = _pool_rows(
        [{"inspector_id": i, "region": "SH", "schemes": "EnMS" if i <= 2 else "QMS"} for i in range(1, 6)]
    )
    frame = pd.DataFrame(
        {
            "unit_id": [1, 2, 3, 4],
            "region": "GD",
            "scheme": ["EnMS", "EnMS", "QMS", "EnMS"],
            "institution_id": 9,
            "stratum": ["S1", "S1", "S1", "S2"],
        }
    )
    with pytest.raises(InfeasibleAssignmentError, match=r"at most 3 of the 4 team places .*max-flow"):
        assign_inspectors(
            frame, pool, inspection_date=DATE, seed=1, team_size=1, cap=1, max_attempts=20, method="exact"
        )


def test_tight_but_feasible_cap_never_fails_and_says_how_it_was_drawn():
    frame, pool = _symmetric(inspectors=8, targets=8)
    result = assign_inspectors(
        frame, pool, inspection_date=DATE, seed=3, team_size=1, cap=1, max_attempts=2, method="exact"
    )
    assert result.method_used == "maxflow"  # two exact proposals missed; the look-ahead draw cannot
    assert sorted(result.teams.inspector_id) == list(range(1, 9))
    result = assign_inspectors(
        frame, pool, inspection_date=DATE, seed=3, team_size=1, cap=1, method="sequential"
    )
    assert sorted(result.teams.inspector_id) == list(range(1, 9))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"team_size": 0}, "team_size"),
        ({"cap": 0}, "cap"),
        ({"inspection_date": "next tuesday"}, "inspection_date"),
        ({"method": "fair"}, "method"),
        ({"cross_region": "yes"}, "cross_region"),
        ({"cross_region": True, "linked_regions": {"GD": ["GD"]}}, "linked_regions"),
    ],
)
def test_bad_options_name_the_field(kwargs, field):
    frame, pool = _symmetric(4, 1)
    options = {"inspection_date": DATE, "seed": 1, **kwargs}
    with pytest.raises(SamplerError) as info:
        assign_inspectors(frame, pool, **options)
    assert info.value.field == field


def test_pool_validation():
    frame, pool = _symmetric(4, 1)
    with pytest.raises(SamplerError, match="missing column"):
        assign_inspectors(frame, pool.drop(columns="affiliations"), inspection_date=DATE, seed=1)
    with pytest.raises(SamplerError, match="not a date"):
        assign_inspectors(frame, pool.assign(id_valid_until="soon"), inspection_date=DATE, seed=1)


def test_regions_and_schemes_cover_the_fixture():
    pool = make_pool()
    assert set(pool.region) == set(REGIONS)
    assert {s for text in pool.schemes for s in text.split(";")} == set(SCHEMES)


def test_auto_uses_exact_when_it_succeeds_and_sequential_under_a_cap_of_one():
    frame, pool = _symmetric(inspectors=40, targets=20)
    loose = assign_inspectors(frame, pool, inspection_date=DATE, seed=2, cap=5)
    assert loose.method_used == "exact"
    tight = assign_inspectors(frame, pool, inspection_date=DATE, seed=2, cap=1)  # 40 places, 40 inspectors
    assert tight.method_used == "sequential"
    assert sorted(tight.teams.inspector_id) == list(range(1, 41))
    with pytest.raises(InfeasibleAssignmentError, match="binding constraint: workload cap"):
        assign_inspectors(
            frame.assign(unit_id=range(1, 21)), pool.iloc[:39], inspection_date=DATE, seed=2, cap=1
        )


def test_pool_hash_is_the_same_from_the_store_or_a_csv(tmp_path):
    # The store hands dates as date objects and lists as ';'-joined text; a CSV export has text dates.
    pool = make_pool(50)
    as_store = pool.assign(
        id_valid_until=pd.to_datetime(pool.id_valid_until).dt.date,
        schemes=pool.schemes.map(lambda s: ";".join(reversed(s.split(";")))),
    )
    path = tmp_path / "inspectors.csv"
    pool.to_csv(path, index=False)
    from_csv = pd.read_csv(path)
    from sampler.assign import parse_pool

    assert parse_pool(as_store).hash == parse_pool(pool).hash == parse_pool(from_csv).hash
    listed = pool.assign(
        schemes=pool.schemes.str.split(";"),
        affiliations=pool.affiliations.map(lambda a: [int(x) for x in a.split(";") if x]),
    )
    assert parse_pool(listed).hash == parse_pool(pool).hash
