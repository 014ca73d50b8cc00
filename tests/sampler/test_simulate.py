"""Monte Carlo machinery: distinct uniform positions, seeds, assignment replications."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from sampler.allocate import allocate
from sampler.errors import SamplerError
from sampler.frame import Frame
from sampler.simulate import simulate_detections, simulate_plan, srswor_positions
from tests.sampler.conftest import make_frame_table, make_pool


@pytest.mark.parametrize(("N", "n"), [(6, 2), (6, 4), (7, 3), (5, 5)])
def test_positions_are_distinct_and_every_subset_equally_likely(N, n):
    rng = np.random.default_rng(1)
    reps = 12_000
    positions = srswor_positions(rng, N, n, reps)
    assert positions.shape == (reps, n)
    assert (np.diff(positions, axis=1) > 0).all()  # sorted and distinct
    subsets = list(itertools.combinations(range(N), n))
    lookup = {s: i for i, s in enumerate(subsets)}
    counts = np.bincount([lookup[tuple(row)] for row in positions.tolist()], minlength=len(subsets))
    if len(subsets) > 1:
        assert stats.chisquare(counts).pvalue > 0.001


def test_large_sparse_positions_stay_distinct():
    positions = srswor_positions(np.random.default_rng(2), 1000, 120, 3000)
    assert (np.diff(positions, axis=1) > 0).all()
    assert positions.min() >= 0 and positions.max() < 1000


def test_simulation_is_reproducible_and_seed_sensitive(frame_table):
    frame = Frame(frame_table)
    allocation = allocate(frame.stratum_sizes(), 60, minimum=1)
    a = simulate_plan(frame, allocation, replications=500, seed=4, rates=0.05)
    b = simulate_plan(frame, allocation, replications=500, seed=4, rates=0.05)
    c = simulate_plan(frame, allocation, replications=500, seed=5, rates=0.05)
    assert np.array_equal(a.detections, b.detections)
    assert np.array_equal(a.institutions_covered, b.institutions_covered)
    assert not np.array_equal(a.detections, c.detections)
    assert (a.detections <= allocation.sizes.to_numpy()).all()


def test_bad_column_scenario(frame_table):
    table = frame_table.assign(bad=frame_table.unit_id % 10 == 0)
    frame = Frame(table)
    allocation = allocate(frame.stratum_sizes(), 100)
    sim = simulate_plan(frame, allocation, replications=2000, seed=1, bad_column="bad", institution=None)
    expected_bad = table.groupby(table.region + "|" + table.scheme)["bad"].sum()
    assert sim.strata["bad"].to_dict() == expected_bad.to_dict()
    assert sim.institution_coverage is None
    total_rate = table.bad.mean()
    assert sim.detections.sum(axis=1).mean() == pytest.approx(100 * total_rate, rel=0.05)


def test_assignment_replications_report_workload_and_infeasibility():
    table = make_frame_table(600, seed=2)
    frame = Frame(table)
    allocation = allocate(frame.stratum_sizes(), 20, minimum=1)
    pool = make_pool(80, seed=3)
    options = {"inspection_date": "2026-12-01", "team_size": 2, "cap": 3}
    sim = simulate_plan(
        frame,
        allocation,
        replications=200,
        seed=8,
        rates=0.05,
        pool=pool,
        assignment=options,
        assignment_replications=10,
    )
    assert sim.assignment_replications == 10
    assert 0.0 <= sim.infeasible_rate <= 1.0
    if sim.infeasible_rate < 1:
        assert (sim.max_workload <= 3).all()
        assert sim.workload.sum() == pytest.approx(1.0)
    impossible = {**options, "team_size": 60}
    sim = simulate_plan(
        frame,
        allocation,
        replications=5,
        seed=8,
        rates=0.05,
        pool=pool,
        assignment=impossible,
        assignment_replications=5,
    )
    assert sim.infeasible_rate == 1.0
    assert sim.unresolved_rate == 0.0


def test_simulation_input_errors(frame_table):
    frame = Frame(frame_table)
    allocation = allocate(frame.stratum_sizes(), 30)
    with pytest.raises(SamplerError, match="replications must be at least 1"):
        simulate_plan(frame, allocation, replications=0, seed=1, rates=0.1)
    with pytest.raises(SamplerError, match="need a pool"):
        simulate_plan(frame, allocation, replications=5, seed=1, rates=0.1, assignment_replications=2)
    with pytest.raises(SamplerError, match="need 0 <= n_h <= N_h"):
        simulate_detections(population={"a": 5}, sample={"a": 6}, bad={"a": 1}, replications=3, seed=1)
