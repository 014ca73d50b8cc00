"""Intervals at the edges (issue 11, items 16 and 18) and their coverage by seeded simulation.

Coverage is a proportion over R seeded replications; its Monte Carlo standard error at the nominal
level c is sqrt(c (1 - c) / R). Exact methods must reach ``c - K_SE * se``; approximate ones are held
to a stated slack on top of that.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sampler.estimate import INTERVALS, clopper_pearson, weighted_arrays, weighted_estimate, wilson

K_SE = 3.0
EXACT = {"clopper-pearson"}
#: How far below nominal an approximate method may fall in the designs below (beyond K_SE * se).
SLACK = {"wilson": 0.06, "wald": None}  # wald: no promise where few deviations are expected


def mc_floor(nominal: float, reps: int, slack: float = 0.0) -> float:
    return nominal - slack - K_SE * math.sqrt(nominal * (1 - nominal) / reps)


def test_every_interval_method_is_covered_by_these_tests():
    assert set(INTERVALS) == EXACT | set(SLACK)


# ---------------------------------------------------------------- item 18: Wilson at 0 and n


def test_wilson_is_exactly_0_and_1_at_the_ends():
    assert wilson(0, 3)[0] == 0.0
    assert wilson(10, 10)[1] == 1.0


@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 49, 1000, 7.3, 123.456])
def test_both_intervals_end_exactly_at_0_and_1(n, confidence):
    for method in (wilson, clopper_pearson):
        low, high = method(0, n, confidence=confidence)
        assert low == 0.0 and 0 < high < 1
        low, high = method(n, n, confidence=confidence)
        assert high == 1.0 and 0 < low < 1
    low, high = wilson(np.array([0, n, n / 2]), n, confidence=confidence)
    assert low[0] == 0.0 and high[1] == 1.0 and 0 < low[2] < high[2] < 1


def test_wilson_still_solves_its_equation_inside():
    z = stats.norm.ppf(0.975)
    for x, n in ((1, 3), (9, 10), (0.5, 20.0)):
        for p in wilson(x, n):
            assert abs(x / n - p) == pytest.approx(z * math.sqrt(p * (1 - p) / n))


def test_weighted_estimate_at_rate_0_and_1_is_exact():
    counts = pd.DataFrame({"n": [30, 20], "deviations": [0, 0]}, index=["a", "b"])
    for interval in INTERVALS:
        result = weighted_estimate(counts, {"a": 700, "b": 300}, interval=interval)
        assert result.rate == 0.0 and result.low == 0.0
    full = pd.DataFrame({"n": [30, 20], "deviations": [30, 20]}, index=["a", "b"])
    for interval in ("wilson", "clopper-pearson"):
        result = weighted_estimate(full, {"a": 700, "b": 300}, interval=interval)
        assert result.rate == 1.0 and result.high == 1.0


# ---------------------------------------------------------------- item 18: census strata


@pytest.mark.parametrize("interval", INTERVALS)
@pytest.mark.parametrize(
    ("sizes", "deviations"), [([50, 20], [3, 1]), ([7], [0]), ([7], [7]), ([1, 1, 5], [0, 1, 2])]
)
def test_an_all_census_estimate_has_no_sampling_error(sizes, deviations, interval):
    labels = [f"s{i}" for i in range(len(sizes))]
    counts = pd.DataFrame({"n": sizes, "deviations": deviations}, index=labels)
    result = weighted_estimate(counts, dict(zip(labels, sizes, strict=True)), interval=interval)
    assert result.rate == pytest.approx(sum(deviations) / sum(sizes))
    assert result.standard_error == 0.0
    assert result.low == result.rate == result.high


@pytest.mark.parametrize("interval", INTERVALS)
def test_a_census_stratum_adds_no_variance_and_shifts_the_interval_by_its_known_part(interval):
    N = {"big": 9000, "mid": 600, "whole": 400}
    base = pd.DataFrame({"n": [120, 60, 400], "deviations": [6, 4, 10]}, index=list(N))
    first = weighted_estimate(base, N, interval=interval)
    w = {k: v / 10_000 for k, v in N.items()}
    variance = sum(
        w[k] ** 2 * (1 - n / N[k]) * (x / n) * (1 - x / n) / (n - 1)
        for k, n, x in zip(["big", "mid"], [120, 60], [6, 4], strict=True)
    )
    assert first.standard_error == pytest.approx(math.sqrt(variance), rel=1e-12)
    # more deviations in the census stratum: the estimate and both limits move by exactly W * delta
    moved = weighted_estimate(base.assign(deviations=[6, 4, 50]), N, interval=interval)
    shift = w["whole"] * 40 / 400
    assert moved.standard_error == first.standard_error
    assert moved.rate - first.rate == pytest.approx(shift, abs=1e-15)
    if interval != "wald" or first.low > 0:
        assert moved.low - first.low == pytest.approx(shift, abs=1e-12)
    assert moved.high - first.high == pytest.approx(shift, abs=1e-12)


def test_census_sampled_part_uses_only_its_own_units():
    # the census stratum holds 90 % of the population: the sampled 10 % is what is uncertain
    counts = pd.DataFrame({"n": [900, 10], "deviations": [9, 0]}, index=["whole", "sampled"])
    result = weighted_estimate(counts, {"whole": 900, "sampled": 100})
    sampled_high = wilson(0, 10)[1]
    assert result.low == pytest.approx(0.009)
    assert result.high == pytest.approx(0.009 + 0.1 * sampled_high)


# ---------------------------------------------------------------- item 16: fractional Clopper-Pearson


def test_fractional_clopper_pearson_uses_the_effective_count_as_shape():
    counts = pd.DataFrame({"n": [50, 50], "deviations": [0, 1]}, index=["a", "b"])
    result = weighted_estimate(counts, {"a": 9000, "b": 1000}, interval="clopper-pearson")
    # rate 0.002, n_eff = 100 (truncated), x_eff = 0.2: beta.ppf(0.025, 0.2, 100.8)
    assert result.low == pytest.approx(6.3e-11, rel=0.01)
    assert result.low == pytest.approx(stats.beta.ppf(0.025, 0.2, 100.8), rel=1e-9)
    assert result.high == pytest.approx(stats.beta.ppf(0.975, 1.2, 99.8), rel=1e-9)


@pytest.mark.parametrize("n", [5.5, 20.0, 100.8, 1234.5])
@pytest.mark.parametrize("share", [0.01, 0.3, 0.7, 0.999])  # smaller counts underflow to 0
def test_fractional_counts_solve_the_beta_equations(n, share):
    x = share * min(n, 2.0)  # counts below 1, and (mirrored) within 1 of n
    low, high = clopper_pearson(x, n, confidence=0.9)
    assert stats.beta.cdf(low, x, n - x + 1) == pytest.approx(0.05, rel=1e-6)
    assert stats.beta.sf(high, x + 1, n - x) == pytest.approx(0.05, rel=1e-6)
    mirror_low, mirror_high = clopper_pearson(n - x, n, confidence=0.9)  # p -> 1 - p symmetry
    assert mirror_high == pytest.approx(1 - low, abs=1e-12)
    assert mirror_low == pytest.approx(1 - high, abs=1e-12)


def test_clopper_pearson_limits_are_continuous_and_monotone_in_the_count():
    n = 60.0
    counts = np.concatenate([[0.0], np.geomspace(1e-9, 1.0, 60), np.linspace(1.0, n, 200)[1:]])
    low, high = clopper_pearson(counts, n)
    assert low[0] == 0.0 and low[1] < 1e-100  # tends to 0 as the count does, no jump at 1
    assert np.all(np.diff(low) >= 0) and np.all(np.diff(high) >= 0)
    assert np.max(np.diff(low)) < 0.01  # no jump anywhere (in particular not at count = 1)


# ---------------------------------------------------------------- coverage by simulation


@pytest.mark.parametrize("confidence", [0.9, 0.95])
@pytest.mark.parametrize(
    ("n", "p"), [(10, 0.05), (30, 0.01), (60, 0.15), (200, 0.002), (25, 0.5), (40, 0.97)]
)
def test_binomial_interval_coverage_by_simulation(n, p, confidence):
    reps = 20_000
    x = np.random.default_rng(20261124 + n).binomial(n, p, size=reps)
    for name, method in (("clopper-pearson", clopper_pearson), ("wilson", wilson)):
        low, high = method(x, n, confidence=confidence)
        coverage = float(np.mean((low <= p) & (p <= high)))
        slack = 0.0 if name in EXACT else SLACK[name]
        assert coverage >= mc_floor(confidence, reps, slack), (name, coverage)
    # the exact method's true coverage (a finite sum) is at least nominal: the simulation's oracle
    support = np.arange(n + 1)
    low, high = clopper_pearson(support, n, confidence=confidence)
    assert stats.binom.pmf(support, n, p)[(low <= p) & (p <= high)].sum() >= confidence - 1e-12


DESIGNS = [
    # (N_h, K_h, n_h): the design at several truths (few deviations), a census stratum, mixed
    ([9000, 1000], [0, 2], [50, 50]),
    ([9000, 1000], [18, 2], [50, 50]),
    ([9000, 1000], [1, 1], [50, 50]),
    ([9000, 1000], [90, 20], [50, 50]),
    ([2000, 40, 300], [30, 6, 9], [80, 40, 60]),
    ([500, 20, 20], [5, 2, 0], [40, 20, 20]),
    ([20_000, 3_000, 800, 200], [400, 300, 40, 30], [150, 150, 100, 60]),
]


@pytest.mark.parametrize(("N", "K", "n"), DESIGNS)
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_weighted_interval_coverage_by_simulation(N, K, n, confidence):
    N, K, n = np.array(N), np.array(K), np.array(n)
    reps = 10_000
    truth = K.sum() / N.sum()
    x = np.random.default_rng(int(N.sum()) + int(K.sum())).hypergeometric(K, N - K, n, size=(reps, len(N)))
    coverage = {}
    for interval in INTERVALS:
        values = weighted_arrays(np.broadcast_to(n, x.shape), x, N, confidence=confidence, interval=interval)
        assert np.all(values["low"] <= values["rate"]) and np.all(values["rate"] <= values["high"])
        coverage[interval] = float(np.mean((values["low"] <= truth) & (truth <= values["high"])))
    for interval in EXACT:
        assert coverage[interval] >= mc_floor(confidence, reps), coverage
    for interval, slack in SLACK.items():
        if slack is not None:
            assert coverage[interval] >= mc_floor(confidence, reps, slack), coverage


def test_wald_holds_its_level_only_with_many_deviations():
    # documented behaviour: the plain normal interval is fine with many deviations, poor with few
    N, K, n = np.array([100_000] * 4), np.array([20_000, 15_000, 30_000, 10_000]), np.array([400] * 4)
    reps = 10_000
    truth = K.sum() / N.sum()
    x = np.random.default_rng(5).hypergeometric(K, N - K, n, size=(reps, 4))
    values = weighted_arrays(np.broadcast_to(n, x.shape), x, N, interval="wald")
    coverage = float(np.mean((values["low"] <= truth) & (truth <= values["high"])))
    assert abs(coverage - 0.95) <= 0.01 + K_SE * math.sqrt(0.95 * 0.05 / reps)
