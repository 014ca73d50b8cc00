"""Estimators: interval formulas, and coverage checked by simulation with fixed seeds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sampler.errors import SamplerError
from sampler.estimate import (
    INTERVALS,
    clopper_pearson,
    stratum_rates,
    weighted_arrays,
    weighted_estimate,
    wilson,
)


def test_interval_endpoints_solve_their_defining_equations():
    from scipy import stats

    x, n, z = 7, 40, stats.norm.ppf(0.975)
    low, high = wilson(x, n)
    for p in (low, high):  # Wilson: |x/n - p| = z sqrt(p (1 - p) / n)
        assert abs(x / n - p) == pytest.approx(z * math.sqrt(p * (1 - p) / n))
    low, high = clopper_pearson(x, n)
    assert stats.binom.sf(x - 1, n, low) == pytest.approx(0.025)  # P(X >= x | low) = alpha/2
    assert stats.binom.cdf(x, n, high) == pytest.approx(0.025)  # P(X <= x | high) = alpha/2


def test_zero_deviations_known_values():
    # textbook figures for 0 of 10 at 95 %: Wilson upper 0.2775, exact upper 1 - 0.025^(1/10) = 0.3085
    assert wilson(0, 10)[1] == pytest.approx(0.2775, abs=5e-5)
    assert clopper_pearson(0, 10)[1] == pytest.approx(1 - 0.025 ** (1 / 10))
    assert clopper_pearson(0, 10)[0] == 0.0
    assert clopper_pearson(10, 10)[1] == 1.0


def test_stratum_rates_table():
    counts = pd.DataFrame({"n": [50, 10], "deviations": [5, 0]}, index=["a", "b"])
    table = stratum_rates(counts, confidence=0.9)
    assert list(table["rate"]) == [0.1, 0.0]
    assert (table["wilson_low"] <= table["rate"]).all() and (table["rate"] <= table["cp_high"]).all()
    assert table.loc["a", "cp_high"] == pytest.approx(clopper_pearson(5, 50, confidence=0.9)[1])


def test_weighted_estimate_formula_and_unweighted_label():
    counts = pd.DataFrame({"n": [40, 40], "deviations": [4, 20]}, index=["big", "small"])
    population = {"big": 9000, "small": 1000}
    result = weighted_estimate(counts, population, interval="wald")
    assert result.rate == pytest.approx(0.9 * 0.1 + 0.1 * 0.5)
    assert result.unweighted_rate == pytest.approx(24 / 80)
    var = 0.81 * (1 - 40 / 9000) * 0.09 / 39 + 0.01 * (1 - 40 / 1000) * 0.25 / 39
    assert result.standard_error == pytest.approx(math.sqrt(var))
    assert result.low == pytest.approx(result.rate - 1.959963984540054 * math.sqrt(var))
    assert result.population == 10_000


def test_domain_estimates_use_their_own_strata():
    counts = pd.DataFrame({"n": [10, 10, 10], "deviations": [1, 2, 3]}, index=["BJ|QMS", "BJ|EMS", "GD|QMS"])
    population = {"BJ|QMS": 100, "BJ|EMS": 300, "GD|QMS": 50}
    by_region = weighted_estimate(counts, population, domain={k: k.split("|")[0] for k in population})
    assert by_region["BJ"].rate == pytest.approx(0.25 * 0.1 + 0.75 * 0.2)
    assert by_region["GD"].rate == pytest.approx(0.3)


def test_estimate_errors():
    counts = pd.DataFrame({"n": [10], "deviations": [11]}, index=["a"])
    with pytest.raises(SamplerError, match="deviations must lie"):
        stratum_rates(counts)
    with pytest.raises(SamplerError, match="stratum 'b' has no inspected units"):
        weighted_estimate(pd.DataFrame({"n": [10], "deviations": [1]}, index=["a"]), {"a": 50, "b": 10})
    with pytest.raises(SamplerError, match="n_h exceeds N_h"):
        weighted_estimate(pd.DataFrame({"n": [60], "deviations": [1]}, index=["a"]), {"a": 50})
    with pytest.raises(SamplerError, match="confidence"):
        stratum_rates(pd.DataFrame({"n": [10], "deviations": [1]}, index=["a"]), confidence=95)


def test_interval_coverage_by_simulation():
    rng = np.random.default_rng(20261124)
    reps, n, p = 4000, 60, 0.15
    x = rng.binomial(n, p, size=reps)
    w_low, w_high = wilson(x, n)
    c_low, c_high = clopper_pearson(x, n)
    wilson_cover = np.mean((w_low <= p) & (p <= w_high))
    exact_cover = np.mean((c_low <= p) & (p <= c_high))
    assert 0.93 <= wilson_cover <= 0.975
    assert exact_cover >= 0.94  # Clopper-Pearson is conservative: at least nominal up to MC noise
    assert exact_cover >= wilson_cover - 0.005


def _coverage(N, K, n, *, reps, seed):
    truth = K.sum() / N.sum()
    x = np.random.default_rng(seed).hypergeometric(K, N - K, n, size=(reps, len(N)))
    result = {}
    for interval in INTERVALS:
        values = weighted_arrays(np.broadcast_to(n, x.shape), x, N, interval=interval)
        result[interval] = float(np.mean((values["low"] <= truth) & (truth <= values["high"])))
    return result, values, truth


def test_weighted_arrays_agree_with_the_table_function():
    N, n, x = np.array([5000, 700]), np.array([80, 40]), np.array([6, 9])
    values = weighted_arrays(n, x, N)
    single = weighted_estimate(
        pd.DataFrame({"n": n, "deviations": x}, index=["a", "b"]), {"a": 5000, "b": 700}
    )
    assert single.low == pytest.approx(values["low"]) and single.high == pytest.approx(values["high"])
    assert single.interval == "wilson"


def test_weighted_interval_covers_the_population_rate_by_simulation():
    # few deviations expected in the dominant stratum, allocation far from proportional
    N, K, n = np.array([20_000, 3_000, 800, 200]), np.array([400, 300, 40, 30]), np.array([150, 150, 100, 60])
    coverage, values, truth = _coverage(N, K, n, reps=4000, seed=7)
    assert 0.93 <= coverage["wilson"] <= 0.97  # the default holds its level
    assert coverage["clopper-pearson"] >= 0.945  # conservative
    assert coverage["wald"] < coverage["wilson"]  # the plain normal interval undercovers here
    assert abs(values["unweighted_rate"].mean() - truth) > 0.02  # the unweighted figure is biased


@pytest.mark.parametrize(
    ("N", "K", "n"),
    [
        ([50_000, 10_000, 2_000], [5_000, 2_000, 600], [300, 200, 100]),
        ([100_000] * 10, [2_000] * 10, [100] * 10),
        ([400_000, 100_000, 5_000], [8_000, 3_000, 500], [400, 300, 300]),
    ],
)
def test_weighted_interval_coverage_across_designs(N, K, n):
    coverage, _, _ = _coverage(np.array(N), np.array(K), np.array(n), reps=4000, seed=11)
    assert 0.93 <= coverage["wilson"] <= 0.97
    assert 0.945 <= coverage["clopper-pearson"] <= 0.985
