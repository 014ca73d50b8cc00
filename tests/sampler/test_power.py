"""Exact power figures checked against brute-force combinatorics and the Monte Carlo simulation."""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sampler.allocate import allocate
from sampler.errors import SamplerError
from sampler.frame import Frame
from sampler.power import (
    bad_counts,
    detection_probability,
    estimate_half_width,
    institution_coverage,
    plan_power,
    rate_test_power,
)
from sampler.simulate import simulate_detections, simulate_plan


@settings(derandomize=True, max_examples=100, deadline=None)
@given(N=st.integers(1, 300), data=st.data())
def test_detection_probability_matches_binomial_coefficients(N, data):
    K = data.draw(st.integers(0, N))
    n = data.draw(st.integers(0, N))
    exact = 1 - math.comb(N - K, n) / math.comb(N, n)
    assert detection_probability(population=N, bad=K, n=n) == pytest.approx(exact, abs=1e-12)


def test_test_power_matches_enumeration():
    N, n, tolerable, alpha = 200, 40, 0.05, 0.05
    K0 = 10  # floor(0.05 * 200)

    def tail(K, c):
        return sum(math.comb(K, x) * math.comb(N - K, n - x) for x in range(c, n + 1)) / math.comb(N, n)

    c = next(c for c in range(n + 2) if tail(K0, c) <= alpha)
    critical, power = rate_test_power(population=N, bad=[10, 20, 40], n=n, tolerable=tolerable, alpha=alpha)
    assert list(critical) == [c, c, c]
    assert power[0] == pytest.approx(tail(10, c))  # at the null boundary: the size, <= alpha
    assert power[0] <= alpha
    assert power[2] == pytest.approx(tail(40, c))
    assert power[2] > power[1] > power[0]


def test_half_width_matches_stratified_variance_formula():
    N, n, p = np.array([1000, 200]), np.array([50, 20]), np.array([0.1, 0.3])
    W = N / N.sum()
    var = sum(W[h] ** 2 * (N[h] - n[h]) / (N[h] - 1) * p[h] * (1 - p[h]) / n[h] for h in range(2))
    assert estimate_half_width(population=N, n=n, rates=p, confidence=0.95) == pytest.approx(
        1.959963984540054 * math.sqrt(var)
    )
    # a census has no sampling error
    assert estimate_half_width(population=N, n=N, rates=p) == 0.0


def test_institution_coverage_matches_product_formula():
    cells = pd.DataFrame(
        {"stratum": ["a", "a", "b", "b"], "institution_id": [1, 2, 1, 3], "units": [30, 70, 5, 15]}
    )
    sizes = pd.Series({"a": 10, "b": 4})
    population = pd.Series({"a": 100, "b": 20})
    coverage = institution_coverage(cells, sizes, population)
    miss_1 = math.comb(70, 10) / math.comb(100, 10) * math.comb(15, 4) / math.comb(20, 4)
    assert coverage[1] == pytest.approx(1 - miss_1)
    assert coverage[2] == pytest.approx(1 - math.comb(30, 10) / math.comb(100, 10))
    assert coverage[3] == pytest.approx(1 - math.comb(5, 4) / math.comb(20, 4))


def test_plan_power_overall_figures():
    allocation = allocate({"a": 500, "b": 50}, 40, minimum=5)
    result = plan_power(allocation, bad={"a": 10, "b": 2}, tolerable=0.02)
    table = result.strata
    assert list(table["n"]) == list(allocation.sizes)
    miss = [
        math.comb(500 - 10, table.loc["a", "n"]) / math.comb(500, table.loc["a", "n"]),
        math.comb(50 - 2, table.loc["b", "n"]) / math.comb(50, table.loc["b", "n"]),
    ]
    assert result.p_detect_any == pytest.approx(1 - miss[0] * miss[1])
    assert result.expected_detections == pytest.approx(
        table.loc["a", "n"] * 10 / 500 + table.loc["b", "n"] * 2 / 50
    )
    assert {"critical", "test_power"} <= set(table.columns)


def test_bad_counts_round_half_up_on_decimal_text():
    population = pd.Series({"a": 200, "b": 10})
    assert bad_counts(population, rates={"a": 0.0125, "b": 0.05}).to_dict() == {
        "a": 3,
        "b": 1,
    }  # 2.5->3, 0.5->1
    with pytest.raises(SamplerError, match="exactly one"):
        bad_counts(population)
    with pytest.raises(SamplerError, match="exceeds N_h"):
        bad_counts(population, bad={"a": 1, "b": 11})


def test_monte_carlo_agrees_with_exact_detection_within_four_standard_errors():
    population = pd.Series({"a": 5000, "b": 300, "c": 40, "d": 12})
    sample = pd.Series({"a": 60, "b": 20, "c": 8, "d": 3})
    bad = pd.Series({"a": 50, "b": 6, "c": 2, "d": 1})
    exact = plan_power(sample, population, bad=bad)
    sim = simulate_detections(
        population=population, sample=sample, bad=bad, replications=40_000, seed=20261124
    )
    for label in population.index:
        p = exact.strata.loc[label, "p_detect"]
        se = math.sqrt(p * (1 - p) / sim.replications)
        assert abs(sim.strata.loc[label, "p_detect"] - p) < 4 * se
        assert sim.strata.loc[label, "mean_detections"] == pytest.approx(
            exact.strata.loc[label, "expected_detections"], rel=0.05
        )
    se_any = math.sqrt(exact.p_detect_any * (1 - exact.p_detect_any) / sim.replications)
    assert abs(sim.p_detect_any - exact.p_detect_any) < 4 * se_any


def test_unit_level_simulation_agrees_with_exact_detection_and_coverage(frame_table):
    frame = Frame(frame_table)
    allocation = allocate(frame.stratum_sizes(), 80, minimum=2)
    exact = plan_power(allocation, rates=0.02, institution_cells=frame.cell_counts("institution_id"))
    sim = simulate_plan(frame, allocation, replications=20_000, seed=5, rates=0.02)
    R = sim.replications
    for label, row in exact.strata.iterrows():
        se = math.sqrt(row.p_detect * (1 - row.p_detect) / R)
        assert abs(sim.strata.loc[label, "p_detect"] - row.p_detect) < 4 * se + 1e-12
    for institution, p in exact.institution_coverage.items():
        # near 1 the normal 4-SE band is too narrow; use the exact binomial test at ~4 sigma
        hits = round(sim.institution_coverage[institution] * R)
        assert stats.binomtest(hits, R, min(p, 1 - 1e-15)).pvalue > 6e-5
    assert sim.institutions_covered.mean() == pytest.approx(exact.expected_institutions_covered, rel=0.02)


def test_small_case_enumeration_of_plan():
    # 2 strata of 4 units, one bad in each, draw 2 from each: enumerate all 36 outcomes
    outcomes = list(product(range(6), range(6)))
    pairs = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    detect = sum(1 for a, b in outcomes if 0 in pairs[a] or 0 in pairs[b]) / 36
    result = plan_power({"x": 2, "y": 2}, {"x": 4, "y": 4}, bad=1)
    assert result.p_detect_any == pytest.approx(detect)


def test_test_power_table_and_quantile_paths_agree(monkeypatch):
    import sampler.power as power_module

    N = np.array([200, 5000, 80, 1000, 60])
    K = np.array([20, 300, 2, 0, 60])
    n = np.array([40, 120, 10, 50, 60])
    table = rate_test_power(population=N, bad=K, n=n, tolerable=0.03, alpha=0.05)
    monkeypatch.setattr(power_module, "_TABLE_LIMIT", 0)
    quantile = rate_test_power(population=N, bad=K, n=n, tolerable=0.03, alpha=0.05)
    assert list(table[0]) == list(quantile[0])
    assert np.allclose(table[1], quantile[1], atol=1e-10)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(N=st.integers(1, 3000), data=st.data())
def test_plan_power_detection_matches_binomial_coefficients(N, data):
    K = data.draw(st.integers(0, N))
    n = data.draw(st.integers(0, min(N, 400)))
    result = plan_power({"s": n}, {"s": N}, bad={"s": K})
    exact = 1 - math.comb(N - K, n) / math.comb(N, n)
    assert result.strata.loc["s", "p_detect"] == pytest.approx(exact, rel=1e-9, abs=1e-15)
