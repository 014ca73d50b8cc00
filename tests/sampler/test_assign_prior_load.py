"""A workload cap that spans campaigns: the pool's ``prior_load`` column (teams already served in the
cap's period) leaves inspector i ``cap - prior_load[i]`` places."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from sampler.assign import AssignmentProblem, assign_inspectors, parse_pool
from sampler.errors import InfeasibleAssignmentError, SamplerError
from tests.sampler.conftest import make_frame_table, make_pool
from tests.sampler.test_assign_tight import instance, teams_of

DATE = "2026-12-01"


def test_zero_loads_change_nothing_neither_teams_nor_hash():
    frame = make_frame_table(300, seed=4).sample(n=25, random_state=4)
    pool = make_pool(60, seed=5)
    before = assign_inspectors(frame, pool, inspection_date=DATE, seed=17, cap=2)
    after = assign_inspectors(frame, pool.assign(prior_load=0), inspection_date=DATE, seed=17, cap=2)
    assert after.pool_hash == before.pool_hash
    pd.testing.assert_frame_equal(after.teams, before.teams)


def test_the_pool_hash_binds_every_load():
    pool = make_pool(30, seed=2)
    loads = np.zeros(len(pool), dtype=int)
    hashes = {parse_pool(pool.assign(prior_load=loads)).hash}
    for position in (0, 7, 29):
        changed = loads.copy()
        changed[position] = 1
        hashes.add(parse_pool(pool.assign(prior_load=changed)).hash)
    assert len(hashes) == 4


@settings(derandomize=True, max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    data_seed=st.integers(0, 500),
    targets=st.integers(1, 30),
    team_size=st.integers(1, 2),
    cap=st.integers(1, 3),
    method=st.sampled_from(["auto", "exact", "sequential"]),
)
def test_earlier_teams_plus_new_teams_never_exceed_the_cap(seed, data_seed, targets, team_size, cap, method):
    frame = make_frame_table(300, seed=data_seed).sample(n=targets, random_state=data_seed)
    pool = make_pool(60, seed=data_seed + 1)
    pool["prior_load"] = np.random.default_rng(data_seed).integers(0, cap + 2, size=len(pool))
    try:
        result = assign_inspectors(
            frame, pool, inspection_date=DATE, seed=seed, team_size=team_size, cap=cap, method=method
        )
    except InfeasibleAssignmentError:
        return
    prior = pool.set_index("inspector_id")["prior_load"]
    total = result.workload.add(prior.reindex(result.workload.index), fill_value=0)
    assert (total <= cap).all()


def test_an_inspector_at_the_cap_is_never_drawn_and_the_message_says_why():
    frame, pool = instance([[1, 2, 3]] * 2, 3)
    pool["prior_load"] = [2, 0, 0]  # inspector 1 served twice already this period
    for seed in range(40):
        result = assign_inspectors(frame, pool, inspection_date=DATE, seed=seed, team_size=1, cap=2)
        assert 1 not in set(result.teams.inspector_id)
    pool["prior_load"] = [2, 2, 1]
    with pytest.raises(InfeasibleAssignmentError, match=r"1 eligible inspector.*already reached"):
        assign_inspectors(frame, pool, inspection_date=DATE, seed=1, team_size=2, cap=2)


def test_capacity_left_decides_feasibility():
    # two targets, team of one, inspectors 1 and 2 each with cap 2: 4 places, 2 used already
    frame, pool = instance([[1, 2]] * 3, 2)
    pool["prior_load"] = [1, 1]
    with pytest.raises(InfeasibleAssignmentError, match="give at most 2; binding constraint: workload cap 2"):
        assign_inspectors(frame, pool, inspection_date=DATE, seed=1, team_size=1, cap=2)
    pool["prior_load"] = [1, 0]
    result = assign_inspectors(frame, pool, inspection_date=DATE, seed=1, team_size=1, cap=2)
    assert result.workload.to_dict() == {1: 1, 2: 2}


def test_exact_method_is_uniform_over_assignments_that_respect_the_remaining_capacity():
    eligible = [[1, 2, 3], [1, 2], [2, 3]]
    loads = {1: 1, 2: 0, 3: 1}  # cap 2: places left 1, 2, 1
    want = [
        teams
        for teams in itertools.product(*eligible)
        if all(Counter(teams)[i] + loads[i] <= 2 for i in loads)
    ]
    frame, pool = instance(eligible, 3)
    pool["prior_load"] = [loads[i] for i in pool["inspector_id"]]
    problem = AssignmentProblem(frame, pool, inspection_date=DATE, team_size=1, cap=2, method="exact")
    tally = Counter(tuple(i for (i,) in teams_of(problem.draw(seed))) for seed in range(1200))
    assert set(tally) == set(want)
    assert stats.chisquare(list(tally.values())).pvalue > 0.001


@pytest.mark.parametrize("bad", [-1, 1.5, "many"])
def test_a_bad_load_names_the_column_and_the_inspector(bad):
    pool = make_pool(5, seed=1)
    pool["prior_load"] = pd.Series([0, 0, bad, 0, 0], dtype=object)
    with pytest.raises(SamplerError, match="prior_load must be a whole number") as caught:
        parse_pool(pool)
    assert caught.value.field == "prior_load"
