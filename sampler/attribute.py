"""Attribute-sampling sample sizes and upper deviation limits (tests of controls).

Three models of the number of deviations X in a sample of n:

* ``"binomial"`` - an infinite population (the AICPA audit-sampling tables use this);
* ``"hypergeometric"`` - a finite population of N units, sampled without replacement;
* ``"poisson"`` - the Poisson approximation X ~ Poisson(n * rate).

Rounding rules (documented because floating point can flip a ceiling):

* *Allowed deviations* for a sample of n at expected rate e are ``ceil(e * n)``, the rule of the
  published AICPA tables (e.g. 1.25 % expected, n = 124 -> 2). The product is computed in exact
  decimal arithmetic on the shortest decimal text of ``e`` (``repr``), so ``0.035 * 400`` is exactly
  14 and gives 14 deviations, not 15.
* With a finite population the tolerable count of deviating units is ``ceil(t * N)`` (the smallest
  count whose rate reaches the tolerable rate t), in the same exact arithmetic.
* The sample size is the smallest n whose upper confidence limit at the allowed deviations stays at
  or below the tolerable rate, i.e. ``P(X <= k | n, tolerable) <= 1 - confidence``.

Ties are decided exactly (``sampler._exact``): ``1 - confidence`` and the tolerable rate are read as
their shortest decimal text (confidence 0.9 gives the bound 1/10 exactly), and a probability within a
relative 1e-6 of the bound is recomputed exactly - as a fraction of integer binomial coefficients for
the hypergeometric and binomial models (so ``P(X = 0 | N = 20, K = 1, n = 18) = 1/10`` meets the
bound 1/10 and n = 18 is the size), and for the Poisson model, whose probability is irrational and never
ties, in decimal arithmetic at a precision raised until the sign is certain. The same exact rule decides
the hypergeometric upper limit (the largest count K with ``P(X <= k | N, K, n) > 1 - confidence``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
from scipy import stats

from sampler._exact import (
    BAND,
    binom_cdf_at_most,
    decimal_text,
    hypergeom_cdf,
    hypergeom_cdf_at_most,
    near,
    poisson_cdf_at_most,
)
from sampler.errors import SamplerError, check_choice, check_confidence, check_int, check_rate

__all__ = [
    "MODELS",
    "AttributeSolution",
    "SampleSizeResult",
    "UpperLimitResult",
    "allowed_deviations",
    "exact_ceil",
    "sample_size",
    "solve_attribute",
    "upper_limit",
]

Model = Literal["binomial", "hypergeometric", "poisson"]
MODELS: tuple[str, ...] = ("binomial", "hypergeometric", "poisson")
_DEFAULT_MAX_N = 1_000_000


def _exact(value: float) -> Fraction:
    """The shortest decimal that prints as ``value``, as an exact fraction (0.035 -> 7/200)."""
    return decimal_text(value)


def exact_ceil(rate: float, count: int) -> int:
    """``ceil(rate * count)`` computed exactly on the decimal text of ``rate``.

    >>> exact_ceil(0.035, 400)
    14
    """
    return math.ceil(_exact(rate) * count)


def allowed_deviations(expected: float, n: int) -> int:
    """Deviations a sample of ``n`` may show at expected rate ``expected``: ``ceil(expected * n)``."""
    check_rate(expected, "expected")
    check_int(n, "n", minimum=1)
    return exact_ceil(expected, n)


def _allowed_array(expected: float, ns: np.ndarray) -> np.ndarray:
    fraction = _exact(expected)
    num, den = fraction.numerator, fraction.denominator
    return np.array([-((-num * int(n)) // den) for n in ns], dtype=np.int64)


@dataclass(frozen=True)
class SampleSizeResult:
    """Planned attribute sample.

    Attributes
    ----------
    n : int
        Sample size.
    allowed_deviations : int
        Deviations the sample may show while still supporting the tolerable rate.
    upper_limit : float
        Upper confidence limit of the deviation rate at ``n`` and ``allowed_deviations``.
    risk : float
        Achieved risk of over-reliance: P(X <= allowed | n, tolerable); at most 1 - confidence.
    confidence, tolerable, expected : float
        The inputs.
    model : str
        ``"binomial"``, ``"hypergeometric"`` or ``"poisson"``.
    population : int or None
        N for the hypergeometric model.
    """

    n: int
    allowed_deviations: int
    upper_limit: float
    risk: float
    confidence: float
    tolerable: float
    expected: float
    model: str
    population: int | None


@dataclass(frozen=True)
class UpperLimitResult:
    """Upper confidence limit of a deviation rate.

    Attributes
    ----------
    upper : float
        One-sided upper limit of the population deviation rate.
    n, deviations : int
        Sample size and deviations found.
    confidence : float
        One-sided confidence level.
    model : str
        Model used.
    population : int or None
        N for the hypergeometric model.
    """

    upper: float
    n: int
    deviations: int
    confidence: float
    model: str
    population: int | None


@dataclass(frozen=True)
class AttributeSolution:
    """Result of `solve_attribute`: all of (n, tolerable, confidence) with the solved one named.

    Attributes
    ----------
    n : int
    tolerable : float
    confidence : float
    expected : float
    allowed_deviations : int
    model : str
    population : int or None
    solved_for : str
        ``"n"``, ``"tolerable"`` or ``"confidence"``.
    """

    n: int
    tolerable: float
    confidence: float
    expected: float
    allowed_deviations: int
    model: str
    population: int | None
    solved_for: str


def _check_model(model: str, population: int | None) -> int | None:
    check_choice(model, "model", MODELS)
    if model == "hypergeometric":
        if population is None:
            raise SamplerError(
                "model 'hypergeometric' needs a population size",
                field="population",
                code="hypergeometric_needs_population",
            )
        return check_int(population, "population", minimum=1)
    if population is not None:
        raise SamplerError(
            f"population is only used by model 'hypergeometric', not {model!r}",
            field="population",
            code="population_only_hypergeometric",
            model=model,
        )
    return None


def _accept_probability(k, n, tolerable: float, model: str, population: int | None):
    """P(X <= k) when the population rate equals the tolerable rate (vectorised over k, n)."""
    if model == "binomial":
        return stats.binom.cdf(k, n, tolerable)
    if model == "poisson":
        return stats.poisson.cdf(k, np.asarray(n, dtype=float) * tolerable)
    bad = exact_ceil(tolerable, population)
    return stats.hypergeom.cdf(k, population, bad, n)


def _accept_at_most(
    k: int, n: int, tolerable: float, model: str, population: int | None, risk: Fraction, approx: float
) -> bool:
    """``P(X <= k | n, tolerable) <= risk`` decided exactly at ties (see the module notes)."""
    if model == "binomial":
        return binom_cdf_at_most(k, n, _exact(tolerable), risk, approx)
    if model == "poisson":
        return poisson_cdf_at_most(k, n * _exact(tolerable), risk, approx)
    return hypergeom_cdf_at_most(k, population, exact_ceil(tolerable, population), n, risk, approx)


def _exact_risk(k: int, n: int, tolerable: float, model: str, population: int | None, approx: float) -> float:
    """The achieved risk P(X <= k), recomputed exactly when it sits at the bound (rational models)."""
    if model == "hypergeometric":
        return float(hypergeom_cdf(k, population, exact_ceil(tolerable, population), n))
    return approx


def sample_size(
    *,
    confidence: float,
    tolerable: float,
    expected: float = 0.0,
    population: int | None = None,
    model: Model = "binomial",
    max_n: int | None = None,
) -> SampleSizeResult:
    """Smallest attribute sample whose upper limit stays within the tolerable rate.

    Parameters
    ----------
    confidence : float
        One-sided confidence in (0, 1), e.g. 0.95 (risk of over-reliance 5 %).
    tolerable : float
        Tolerable deviation rate in (0, 1].
    expected : float, optional
        Expected population deviation rate in [0, tolerable); default 0.
    population : int, optional
        Population size N; required by (and only used by) ``model="hypergeometric"``.
    model : {"binomial", "hypergeometric", "poisson"}, optional
        Distribution of the deviations found; default ``"binomial"`` (the AICPA tables).
    max_n : int, optional
        Largest n searched (default N for the hypergeometric model, else 1,000,000).

    Returns
    -------
    SampleSizeResult

    Raises
    ------
    SamplerError
        On invalid inputs, or when no n up to ``max_n`` reaches the tolerable rate.

    Examples
    --------
    >>> sample_size(confidence=0.95, tolerable=0.05).n
    59
    >>> r = sample_size(confidence=0.95, tolerable=0.05, expected=0.0125)
    >>> (r.n, r.allowed_deviations)
    (124, 2)
    """
    confidence = check_confidence(confidence)
    tolerable = check_rate(tolerable, "tolerable", allow_zero=False)
    expected = check_rate(expected, "expected")
    if tolerable <= expected:
        raise SamplerError(
            f"tolerable rate ({tolerable}) must exceed the expected rate ({expected})",
            field="tolerable",
            code="tolerable_not_above_expected",
            tolerable=tolerable,
            expected=expected,
        )
    population = _check_model(model, population)
    limit = population if population is not None else _DEFAULT_MAX_N
    if max_n is not None:
        limit = min(limit, check_int(max_n, "max_n", minimum=1))
    risk = 1 - _exact(confidence)
    risk_float = float(risk)
    start, chunk = 1, 4096
    while start <= limit:
        ns = np.arange(start, min(limit, start + chunk - 1) + 1, dtype=np.int64)
        ks = _allowed_array(expected, ns)
        accept = _accept_probability(ks, ns, tolerable, model, population)
        close = np.abs(accept - risk_float) <= BAND * risk_float
        candidates = np.flatnonzero(((accept <= risk_float) | close) & (ks < ns))
        found = next(
            (
                i
                for i in candidates
                if _accept_at_most(
                    int(ks[i]), int(ns[i]), tolerable, model, population, risk, float(accept[i])
                )
            ),
            None,
        )
        if found is not None:
            n, k = int(ns[found]), int(ks[found])
            upper = upper_limit(n=n, deviations=k, confidence=confidence, population=population, model=model)
            achieved = float(accept[found])
            if near(achieved, risk_float):
                achieved = _exact_risk(k, n, tolerable, model, population, achieved)
            return SampleSizeResult(
                n=n,
                allowed_deviations=k,
                upper_limit=upper.upper,
                risk=achieved,
                confidence=confidence,
                tolerable=tolerable,
                expected=expected,
                model=model,
                population=population,
            )
        start = int(ns[-1]) + 1
        chunk *= 2
    where = f"the population N = {population}" if population is not None else f"max_n = {limit}"
    raise SamplerError(
        f"no sample size up to {where} keeps the upper limit within tolerable = {tolerable} "
        f"at expected = {expected}, confidence = {confidence}",
        field="tolerable",
        code="no_sample_size",
        tolerable=tolerable,
        expected=expected,
        confidence=confidence,
    )


def upper_limit(
    *,
    n: int,
    deviations: int,
    confidence: float,
    population: int | None = None,
    model: Model = "binomial",
) -> UpperLimitResult:
    """One-sided upper confidence limit of the deviation rate after finding k deviations in n.

    Parameters
    ----------
    n : int
        Sample size (>= 1).
    deviations : int
        Deviations found, 0 <= k <= n.
    confidence : float
        One-sided confidence in (0, 1).
    population : int, optional
        N for ``model="hypergeometric"``.
    model : {"binomial", "hypergeometric", "poisson"}, optional
        Default ``"binomial"``.

    Returns
    -------
    UpperLimitResult

    Notes
    -----
    Binomial: the Clopper-Pearson bound ``beta.ppf(confidence, k + 1, n - k)`` (1 when k = n).
    Poisson: ``chi2.ppf(confidence, 2k + 2) / (2n)``. Hypergeometric: ``K_U / N`` where K_U is the
    largest count of deviating units not rejected, i.e. with ``P(X <= k | N, K_U, n) > 1 - confidence``,
    decided in exact rational arithmetic at a tie (``1 - confidence`` read as a decimal).

    Examples
    --------
    >>> round(upper_limit(n=59, deviations=0, confidence=0.95).upper, 4)
    0.0495
    """
    confidence = check_confidence(confidence)
    n = check_int(n, "n", minimum=1)
    k = check_int(deviations, "deviations")
    if k > n:
        raise SamplerError(
            f"deviations ({k}) cannot exceed n ({n})",
            field="deviations",
            code="deviations_exceed_n",
            k=k,
            n=n,
        )
    population = _check_model(model, population)
    if population is not None and n > population:
        raise SamplerError(
            f"n ({n}) cannot exceed the population N ({population})",
            field="n",
            code="n_exceeds_population",
            n=n,
            population=population,
        )
    if model == "binomial":
        upper = 1.0 if k == n else float(stats.beta.ppf(confidence, k + 1, n - k))
    elif model == "poisson":
        upper = float(stats.chi2.ppf(confidence, 2 * k + 2) / (2 * n))
    else:
        risk = 1 - _exact(confidence)

        def rejected(bad: int) -> bool:  # P(X <= k | N, bad, n) <= 1 - confidence, exactly at ties
            approx = float(stats.hypergeom.cdf(k, population, bad, n))
            return hypergeom_cdf_at_most(k, population, bad, n, risk, approx)

        low, high = k, population - (n - k)  # feasible counts of deviating units
        if not rejected(high):
            best = high
        else:
            # invariant: low not rejected (cdf(k | K = k) = 1 > risk), high rejected
            while high - low > 1:
                middle = (low + high) // 2
                if rejected(middle):
                    high = middle
                else:
                    low = middle
            best = low
        upper = best / population
    return UpperLimitResult(
        upper=upper, n=n, deviations=k, confidence=confidence, model=model, population=population
    )


def solve_attribute(
    *,
    n: int | None = None,
    tolerable: float | None = None,
    confidence: float | None = None,
    expected: float = 0.0,
    population: int | None = None,
    model: Model = "binomial",
) -> AttributeSolution:
    """Give two of (n, tolerable, confidence); get the third (statsmodels ``solve_power`` style).

    Parameters
    ----------
    n : int, optional
        Sample size.
    tolerable : float, optional
        Tolerable deviation rate.
    confidence : float, optional
        One-sided confidence, ``1 - P(X <= k | n, tolerable)``.
    expected : float, optional
        Expected deviation rate; fixes the allowed deviations ``ceil(expected * n)``.
    population, model
        As in `sample_size`.

    Returns
    -------
    AttributeSolution

    Raises
    ------
    SamplerError
        Unless exactly one of n, tolerable, confidence is None, or on invalid inputs.
    """
    given = {"n": n, "tolerable": tolerable, "confidence": confidence}
    missing = [name for name, value in given.items() if value is None]
    if len(missing) != 1:
        raise SamplerError(
            "give exactly two of n, tolerable, confidence; missing: " + (", ".join(missing) or "none"),
            field=missing[0] if missing else "n",
            code="give_two_of",
            missing=missing,
        )
    target = missing[0]
    expected = check_rate(expected, "expected")
    population = _check_model(model, population)
    if target == "n":
        result = sample_size(
            confidence=confidence, tolerable=tolerable, expected=expected, population=population, model=model
        )
        n_value, k = result.n, result.allowed_deviations
        tolerable_value, confidence_value = result.tolerable, result.confidence
    else:
        n_value = check_int(n, "n", minimum=1)
        if population is not None and n_value > population:
            raise SamplerError(
                f"n ({n_value}) cannot exceed the population N ({population})",
                field="n",
                code="n_exceeds_population",
                n=n_value,
                population=population,
            )
        k = exact_ceil(expected, n_value)
        if target == "tolerable":
            confidence_value = check_confidence(confidence)
            tolerable_value = upper_limit(
                n=n_value,
                deviations=min(k, n_value),
                confidence=confidence_value,
                population=population,
                model=model,
            ).upper
        else:
            tolerable_value = check_rate(tolerable, "tolerable", allow_zero=False)
            if tolerable_value <= expected:
                raise SamplerError(
                    f"tolerable rate ({tolerable_value}) must exceed the expected rate ({expected})",
                    field="tolerable",
                    code="tolerable_not_above_expected",
                    tolerable=tolerable_value,
                    expected=expected,
                )
            accept = float(_accept_probability(k, n_value, tolerable_value, model, population))
            confidence_value = 1.0 - accept
    return AttributeSolution(
        n=int(n_value),
        tolerable=float(tolerable_value),
        confidence=float(confidence_value),
        expected=expected,
        allowed_deviations=int(k),
        model=model,
        population=population,
        solved_for=target,
    )
