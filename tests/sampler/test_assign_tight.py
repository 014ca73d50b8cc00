"""Tight but feasible assignments never fail (issue 11, item 19); infeasible ones still say why.

The oracle enumerates every assignment of small instances (each target a team_size subset of its
eligible inspectors, nobody over the cap), independently of the library's max-flow.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from sampler.assign import AssignmentProblem, _draw_maxflow, assign_inspectors
from sampler.errors import InfeasibleAssignmentError

DATE = "2026-12-01"


def instance(eligible: list[list[int]], n_inspectors: int):
    """Targets 1..T of one scheme; target j may use exactly the inspectors in eligible[j].

    Everyone else is affiliated with the target's institution (回避), so avoidance cuts the pool.
    """
    everyone = set(range(1, n_inspectors + 1))
    pool = pd.DataFrame(
        {
            "inspector_id": range(1, n_inspectors + 1),
            "region": "XZ",
            "agency": "a",
            "schemes": "QMS",
            "active": True,
            "id_valid_until": "2030-01-01",
            "affiliations": [
                ";".join(f"inst{j + 1}" for j, allowed in enumerate(eligible) if i not in allowed)
                for i in everyone
            ],
        }
    )
    frame = pd.DataFrame(
        {
            "unit_id": range(1, len(eligible) + 1),
            "region": "GD",
            "scheme": "QMS",
            "institution_id": [f"inst{j + 1}" for j in range(len(eligible))],
        }
    )
    return frame, pool


def feasible_assignments(eligible, team_size, cap):
    choices = [list(itertools.combinations(sorted(e), team_size)) for e in eligible]
    found = []
    for teams in itertools.product(*choices):
        load = Counter(i for team in teams for i in team)
        if max(load.values(), default=0) <= cap:
            found.append(teams)
    return found


def teams_of(result) -> tuple:
    grouped = result.teams.groupby("unit_id")["inspector_id"].apply(lambda s: tuple(sorted(s)))
    return tuple(grouped.sort_index())


def staircase(size: int) -> list[list[int]]:
    # target j may use inspectors j..size: with cap 1 the only assignment is j -> j
    return [list(range(j, size + 1)) for j in range(1, size + 1)]


@pytest.mark.parametrize("size", [10, 14, 20])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_feasible_matching_left_by_avoidance_is_found_by_default(size, seed):
    frame, pool = instance(staircase(size), size)
    result = assign_inspectors(frame, pool, inspection_date=DATE, seed=seed, team_size=1, cap=1)
    assert teams_of(result) == tuple((j,) for j in range(1, size + 1))
    # 1000 sequential restarts may still hit the one matching of a short staircase, never of a long one
    assert result.method_used == "maxflow" if size >= 14 else result.method_used in {"sequential", "maxflow"}
    again = assign_inspectors(frame, pool, inspection_date=DATE, seed=seed, team_size=1, cap=1)
    assert teams_of(again) == teams_of(result) and again.method_used == result.method_used


@pytest.mark.parametrize("method", ["auto", "exact", "sequential"])
def test_every_method_falls_back_instead_of_failing(method):
    frame, pool = instance(staircase(9), 9)
    result = assign_inspectors(
        frame, pool, inspection_date=DATE, seed=5, team_size=1, cap=1, method=method, max_attempts=3
    )
    assert teams_of(result) == tuple((j,) for j in range(1, 10))
    assert result.method_used == "maxflow"


def test_pool_exactly_large_enough_and_cap_exactly_met_with_teams_of_two():
    # 6 targets x 2 places = 12 = 4 inspectors x cap 3; pairs forced by avoidance
    eligible = [[1, 2], [1, 2, 3], [1, 2, 3, 4], [3, 4], [2, 3, 4], [1, 4]]
    want = feasible_assignments(eligible, 2, 3)
    assert 0 < len(want) < 20
    frame, pool = instance(eligible, 4)
    seen = set()
    for seed in range(40):
        result = assign_inspectors(
            frame, pool, inspection_date=DATE, seed=seed, team_size=2, cap=3, max_attempts=1
        )
        assert teams_of(result) in want
        assert result.workload.max() <= 3 and result.workload.sum() == 12
        seen.add(teams_of(result))
    assert len(seen) > 1  # still a random choice among the feasible ones


def planted(rng, targets, inspectors, team_size, cap, extra):
    """A random instance with one planted feasible assignment that meets the cap exactly where it can."""
    slots = [i for i in range(1, inspectors + 1) for _ in range(cap)]
    rng.shuffle(slots)
    eligible = [set() for _ in range(targets)]
    for j in range(targets):
        for i in slots[j * team_size :]:
            if len(eligible[j]) == team_size:
                break
            eligible[j].add(i)
        while len(eligible[j]) < team_size:  # repeated inspector in the slice: fill with someone else
            eligible[j].add(int(rng.integers(1, inspectors + 1)))
    for _ in range(extra):
        eligible[int(rng.integers(targets))].add(int(rng.integers(1, inspectors + 1)))
    return [sorted(e) for e in eligible]


@pytest.mark.parametrize("seed", range(30))
def test_small_instances_agree_with_the_brute_force_oracle(seed):
    rng = np.random.default_rng(seed)
    team_size = int(rng.integers(1, 3))
    cap = int(rng.integers(1, 3))
    inspectors = int(rng.integers(team_size + 1, 6))
    targets = int(rng.integers(2, max(3, min(5, inspectors * cap // team_size) + 1)))
    eligible = planted(rng, targets, inspectors, team_size, cap, extra=int(rng.integers(0, 4)))
    want = feasible_assignments(eligible, team_size, cap)
    frame, pool = instance(eligible, inspectors)
    options = {"inspection_date": DATE, "team_size": team_size, "cap": cap, "max_attempts": 1}
    for method in ("auto", "exact", "sequential"):
        if want:
            result = assign_inspectors(frame, pool, seed=seed, method=method, **options)
            assert teams_of(result) in want
        else:
            with pytest.raises(InfeasibleAssignmentError, match="binding constraint: workload cap"):
                assign_inspectors(frame, pool, seed=seed, method=method, **options)


@pytest.mark.parametrize(
    ("eligible", "inspectors", "team_size", "cap", "message"),
    [
        # two targets can only use inspector 1, cap 1
        ([[1], [1], [2, 3]], 3, 1, 1, "binding constraint: workload cap"),
        # Hall's condition fails for targets 1-3 (only inspectors 1 and 2), though overall 4 places exist
        ([[1, 2], [1, 2], [1, 2], [3, 4]], 4, 1, 1, "binding constraint: workload cap"),
        # teams of two from a pool of two, three targets, cap 2: 6 places needed, 4 available
        ([[1, 2], [1, 2], [1, 2]], 2, 2, 2, "binding constraint: workload cap"),
    ],
)
def test_infeasible_instances_still_raise_the_clear_error(eligible, inspectors, team_size, cap, message):
    assert not feasible_assignments(eligible, team_size, cap)
    frame, pool = instance(eligible, inspectors)
    for method in ("auto", "exact", "sequential"):
        with pytest.raises(InfeasibleAssignmentError, match=message) as info:
            assign_inspectors(
                frame, pool, inspection_date=DATE, seed=1, team_size=team_size, cap=cap, method=method
            )
        assert info.value.field == "cap"


def test_the_lookahead_draw_reaches_every_feasible_assignment():
    # a square with a unique path at one end: a handful of feasible assignments, all reachable
    eligible = [[1, 2], [2, 3], [3, 4], [4, 1], [1, 2, 3, 4]]
    want = feasible_assignments(eligible, 1, 1 + 0)
    assert not want  # 5 targets, 4 inspectors, cap 1: infeasible; with cap 2 there are many
    want = set(feasible_assignments(eligible, 1, 2))
    frame, pool = instance(eligible, 4)
    problem = AssignmentProblem(frame, pool, inspection_date=DATE, team_size=1, cap=2)
    counts = Counter()
    for seed in range(300):
        bitgen = np.random.PCG64(seed)
        teams = _draw_maxflow(bitgen, problem.eligible, 1, problem.capacity)
        picked = tuple(tuple(int(problem.pool.ids[i]) for i in team) for team in teams)
        assert picked in want
        counts[picked] += 1
    assert set(counts) == want  # every feasible assignment can come out
    assert min(counts.values()) >= 300 / len(want) / 8  # and none is starved


def test_fallback_is_reasonably_fast_on_a_large_tight_instance():
    import time

    size = 80
    frame, pool = instance(staircase(size), size)
    start = time.perf_counter()
    result = assign_inspectors(frame, pool, inspection_date=DATE, seed=9, team_size=1, cap=1, max_attempts=20)
    assert teams_of(result) == tuple((j,) for j in range(1, size + 1))
    assert time.perf_counter() - start < 30
