"""Attribute sizes, limits and test critical values at exact ties (issue 11, item 15).

The oracle here is written out independently of ``sampler._exact``: probabilities as sums of
``math.comb`` products over a common denominator, compared with ``1 - confidence`` read as a decimal.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from sampler.attribute import sample_size, solve_attribute, upper_limit
from sampler.power import rate_test_power


def dec(value: float) -> Fraction:
    return Fraction(str(Decimal(repr(value))))


def hyper_cdf(k: int, N: int, K: int, n: int) -> Fraction:
    return Fraction(sum(math.comb(K, x) * math.comb(N - K, n - x) for x in range(0, k + 1)), math.comb(N, n))


def binom_cdf(k: int, n: int, p: Fraction) -> Fraction:
    return sum((math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1)), Fraction(0))


def oracle_size(confidence, tolerable, expected, population=None, model="binomial"):
    risk = 1 - dec(confidence)
    t, e = dec(tolerable), dec(expected)
    for n in range(1, (population or 5000) + 1):
        k = math.ceil(e * n)
        if k >= n:
            continue
        if model == "hypergeometric":
            p = hyper_cdf(k, population, math.ceil(t * population), n)
        else:
            p = binom_cdf(k, n, t)
        if p <= risk:
            return n, k
    return None


def oracle_hyper_limit(n, k, confidence, population):
    risk = 1 - dec(confidence)
    best = k
    for bad in range(k, population - (n - k) + 1):
        if hyper_cdf(k, population, bad, n) > risk:
            best = bad
    return best / population


def decimal_ties_hypergeometric(max_population: int):
    """(N, K, n, k, confidence): P(X <= k | N, K, n) equals 1 - confidence exactly (short decimals)."""
    found = []
    for N in range(2, max_population + 1):
        for K in range(1, N):
            for n in range(1, N - K + 1):
                for k in (0, 1):
                    p = hyper_cdf(k, N, K, n)
                    if 0 < p < 1 and dec(float(1 - p)) == 1 - p:
                        found.append((N, K, n, k, float(1 - p)))
    return found


HYPER_TIES = decimal_ties_hypergeometric(30)


def test_the_issue_example_is_decided_at_the_exact_tie():
    # P(X = 0 | N = 20, K = 1, n = 18) = C(19, 18) / C(20, 18) = 19 / 190 = 1/10 = 1 - 0.9 exactly
    assert hyper_cdf(0, 20, 1, 18) == Fraction(1, 10)
    assert stats.hypergeom.cdf(0, 20, 1, 18) > 1 - 0.9  # the floating-point comparison gets it wrong
    result = sample_size(confidence=0.9, tolerable=0.05, population=20, model="hypergeometric")
    assert (result.n, result.allowed_deviations) == (18, 0)
    assert result.risk == 0.1
    assert upper_limit(n=18, deviations=0, confidence=0.9, population=20, model="hypergeometric").upper == 0.0
    assert (
        upper_limit(n=17, deviations=0, confidence=0.9, population=20, model="hypergeometric").upper == 0.05
    )
    solved = solve_attribute(tolerable=0.05, confidence=0.9, population=20, model="hypergeometric")
    assert solved.n == 18


def test_there_are_many_decimal_ties_and_floats_get_some_wrong():
    assert len(HYPER_TIES) > 100
    wrong = [t for t in HYPER_TIES if not stats.hypergeom.cdf(t[3], t[0], t[1], t[2]) <= 1 - t[4]]
    assert len(wrong) > 20  # the kind of case this file is about is common, not a curiosity


@pytest.mark.parametrize(("N", "K", "n", "k", "confidence"), HYPER_TIES[::7])
def test_hypergeometric_upper_limit_at_ties_matches_the_rational_oracle(N, K, n, k, confidence):
    result = upper_limit(n=n, deviations=k, confidence=confidence, population=N, model="hypergeometric")
    assert result.upper == oracle_hyper_limit(n, k, confidence, N)
    # the count K sits exactly on the bound: it is rejected, so the limit lies below K / N
    assert result.upper < K / N


@pytest.mark.parametrize(("N", "K", "n", "k", "confidence"), [t for t in HYPER_TIES if t[3] == 0][::5])
def test_hypergeometric_sample_size_at_ties_matches_the_rational_oracle(N, K, n, k, confidence):
    tolerable = K / N  # ceil(tolerable * N) = K
    result = sample_size(confidence=confidence, tolerable=tolerable, population=N, model="hypergeometric")
    assert (result.n, result.allowed_deviations) == oracle_size(
        confidence, tolerable, 0.0, N, "hypergeometric"
    )
    assert result.n <= n  # n itself meets the bound exactly


def binomial_ties():
    found = []
    for t in ("0.1", "0.2", "0.25", "0.3", "0.4", "0.15", "0.05"):
        p = Fraction(t)
        for n in range(1, 16):
            for k in (0, 1, 2):
                if k >= n:
                    continue
                risk = binom_cdf(k, n, p)
                if dec(float(1 - risk)) == 1 - risk:
                    found.append((float(t), n, k, float(1 - risk)))
    return found


BINOMIAL_TIES = binomial_ties()


def test_binomial_ties_exist_and_floats_get_some_wrong():
    wrong = [c for t, n, k, c in BINOMIAL_TIES if not stats.binom.cdf(k, n, t) <= 1 - c]
    assert len(wrong) > 10
    # e.g. 0 deviations in 5 at 20 %: P = 0.8^5 = 0.32768 = 1 - 0.67232 exactly
    assert sample_size(confidence=0.67232, tolerable=0.2).n == 5
    assert solve_attribute(n=5, tolerable=0.2).confidence == pytest.approx(0.67232)


@pytest.mark.parametrize(
    ("tolerable", "n", "k", "confidence"), [t for t in BINOMIAL_TIES if t[2] / t[1] < t[0]][::2]
)
def test_binomial_sample_size_at_ties_matches_the_rational_oracle(tolerable, n, k, confidence):
    # expected rate chosen so that ceil(expected * n) = k at this n
    expected = 0.0 if k == 0 else k / n
    want = oracle_size(confidence, tolerable, expected)
    result = sample_size(confidence=confidence, tolerable=tolerable, expected=expected)
    assert (result.n, result.allowed_deviations) == want


def poisson_cdf_decimal(k: int, lam: Fraction, digits: int = 80) -> Decimal:
    with localcontext() as context:
        context.prec = digits
        x = Decimal(lam.numerator) / Decimal(lam.denominator)
        term, total = Decimal(1), Decimal(0)
        for i in range(k + 1):
            total += term
            term = term * x / (i + 1)
        return total * (-x).exp()


@pytest.mark.parametrize(("tolerable", "n"), [(0.05, 40), (0.01, 130), (0.02, 77), (0.1, 9), (0.003, 1001)])
@pytest.mark.parametrize("digits", [15, 16])
def test_poisson_near_ties_follow_the_high_precision_value(tolerable, n, digits):
    # the bound 1 - confidence is the decimal just below / just above the true P(X = 0 | n * t):
    # the size is decided by the true (irrational) probability, whatever its float rounds to
    truth = poisson_cdf_decimal(0, n * dec(tolerable))
    step = Decimal(1).scaleb(-digits - truth.adjusted() + 0)
    checked = 0
    for rounding, want in (("ROUND_FLOOR", n + 1), ("ROUND_CEILING", n)):
        bound = Fraction(str(truth.quantize(step, rounding=rounding)))
        confidence = float(1 - bound)
        if dec(confidence) != 1 - bound:
            continue  # 1 - bound is not the shortest text of a float
        checked += 1
        assert sample_size(confidence=confidence, tolerable=tolerable, model="poisson").n == want
    assert checked


@pytest.mark.parametrize(("tolerable", "confidence"), [(0.05, 0.95), (0.02, 0.9), (0.1, 0.99), (0.07, 0.8)])
def test_away_from_ties_the_result_agrees_with_scipy(tolerable, confidence):
    for model, population in (("binomial", None), ("poisson", None), ("hypergeometric", 500)):
        result = sample_size(confidence=confidence, tolerable=tolerable, population=population, model=model)
        n, k = result.n, result.allowed_deviations
        if model == "binomial":
            cdf = stats.binom.cdf
            args_at, args_before = (k, n, tolerable), (k, n - 1, tolerable)
        elif model == "poisson":
            cdf = stats.poisson.cdf
            args_at, args_before = (k, n * tolerable), (k, (n - 1) * tolerable)
        else:
            cdf = stats.hypergeom.cdf
            bad = math.ceil(dec(tolerable) * population)
            args_at, args_before = (k, population, bad, n), (k, population, bad, n - 1)
        assert cdf(*args_at) <= 1 - confidence < cdf(*args_before)


def tie_tests():
    """(N, K0, n, alpha) where P(X >= c | N, K0, n) equals alpha exactly for some c."""
    found = []
    for N in range(10, 41, 5):
        for t in (0.05, 0.1, 0.2):
            K0 = math.floor(dec(t) * N)
            for n in range(1, N):
                for c in range(1, min(K0, n) + 1):
                    tail = 1 - hyper_cdf(c - 1, N, K0, n)
                    if 0 < tail < 1 and dec(float(tail)) == tail:
                        found.append((N, t, n, c, float(tail)))
    return found


@pytest.mark.parametrize(("N", "tolerable", "n", "c", "alpha"), tie_tests())
def test_rate_test_critical_value_at_an_exact_tie(N, tolerable, n, c, alpha):
    critical, _ = rate_test_power(population=N, bad=N // 2, n=n, tolerable=tolerable, alpha=alpha)
    K0 = math.floor(dec(tolerable) * N)
    want = next(x for x in range(0, n + 2) if x > n or 1 - hyper_cdf(x - 1, N, K0, n) <= dec(alpha))
    assert int(critical) == want == c


def test_rate_test_critical_value_just_above_a_tie_does_not_reject():
    # P(X >= 1 | N = 20, K0 = 1, n = 2) = 1/10: at alpha = 0.1 it rejects at 1, just below it needs 2
    assert int(rate_test_power(population=20, bad=5, n=2, tolerable=0.05, alpha=0.1)[0]) == 1
    assert int(rate_test_power(population=20, bad=5, n=2, tolerable=0.05, alpha=0.0999999999999)[0]) == 2
    large = rate_test_power(population=np.array([20_000]), bad=[500], n=[6_000], tolerable=0.01, alpha=0.05)
    K0 = 200
    c = int(large[0][0])
    assert stats.hypergeom.sf(c - 1, 20_000, K0, 6_000) <= 0.05 < stats.hypergeom.sf(c - 2, 20_000, K0, 6_000)
